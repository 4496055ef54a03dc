/* wm site search: client-side over titles, IDs, tags and text.
   window.WM_SEARCH comes from search-index.js; on a large site that file only names
   the shards (window.WM_SEARCH_SHARDS), loaded here as script elements (works from file://). */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list) { return; }
  var prepared = null;  // every entry, in ID order (as the build lists them), once the index is loaded
  var failed = false;

  // IDs compared by code point, as the build sorts them (`<` compares UTF-16 units: astral characters would sort before U+E000-U+FFFF)
  function idKey(id) {
    return /[\uD800-\uFFFF]/.test(id) ? id.replace(/[\uD800-\uFFFF]/g, function (c) {
      var n = c.charCodeAt(0);
      return String.fromCharCode(n >= 0xE000 ? n - 0x800 : n + 0x2000);
    }) : id;
  }

  function prepare(docs) {
    var keyed = docs.map(function (d) { return [idKey(d.id), d]; });
    keyed.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    prepared = keyed.map(function (k, n) {
      var d = k[1];
      return {
        doc: d,
        n: n,
        title: d.title.toLowerCase(),
        id: d.id.toLowerCase(),
        tags: d.tags.join(" ").toLowerCase(),
        text: (d.text || "").toLowerCase()
      };
    });
  }
  var active = -1;

  function score(p, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], s = 0;
      if (p.id === w) { s += 20; }
      if (p.title.indexOf(w) >= 0) { s += 10; }
      if (p.id.indexOf(w) >= 0) { s += 6; }
      if (p.tags.indexOf(w) >= 0) { s += 4; }
      if (p.text.indexOf(w) >= 0) { s += 1; }
      if (s === 0) { return 0; }
      total += s;
    }
    return total;
  }

  function setActive(n) {
    var items = list.querySelectorAll("li");
    if (!items.length) { active = -1; return; }
    active = (n + items.length) % items.length;
    for (var i = 0; i < items.length; i++) {
      items[i].classList.toggle("active", i === active);
      items[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    items[active].scrollIntoView({ block: "nearest" });
  }

  function run() {
    var query = input.value.trim().toLowerCase();
    list.textContent = "";
    active = -1;
    if (!query) { status.textContent = ""; return; }
    if (!prepared) { status.textContent = "Loading the search index…"; return; }
    // a tag as the pages show it (#frontend) is the tag's word
    var words = query.split(/\s+/).map(function (w) { return w.length > 1 && w.charAt(0) === "#" ? w.slice(1) : w; });
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var s = score(prepared[i], words);
      if (s > 0) { hits.push([s, prepared[i]]); }
    }
    // best score first, then by title, then in ID order: the same order however the index is split
    hits.sort(function (a, b) {
      var x = a[1].doc.title, y = b[1].doc.title;
      return b[0] - a[0] || (x < y ? -1 : x > y ? 1 : a[1].n - b[1].n);
    });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") + (failed ? " (part of the search index did not load)" : "");
    hits.slice(0, 50).forEach(function (hit) {
      var d = hit[1].doc;
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = d.url;
      a.textContent = d.title;
      var meta = document.createElement("small");
      meta.textContent = " " + d.type + " · " + d.id + (d.status ? " · " + d.status : "") + (d.tags.length ? " · #" + d.tags.join(" #") : "");
      li.appendChild(a);
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  input.addEventListener("input", run);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { setActive(active + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { setActive(active - 1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var items = list.querySelectorAll("li a");
      var target = items[active >= 0 ? active : 0];
      if (target) { window.location.href = target.href; }
      event.preventDefault();
    }
  });
  function load(shards, done) {
    var left = shards.files.length;
    shards.files.forEach(function (file) {
      var script = document.createElement("script");
      script.src = new URL(file, shards.base || document.baseURI).href;
      script.onload = script.onerror = function (event) {
        if (event.type === "error") { failed = true; }
        left -= 1;
        if (left === 0) { done(); }
      };
      document.head.appendChild(script);
    });
  }

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  var shards = window.WM_SEARCH_SHARDS;
  if (shards && shards.files && shards.files.length) {
    load(shards, function () { prepare(window.WM_SEARCH || []); run(); });
  } else {
    prepare(window.WM_SEARCH || []);
  }
  if (input.value) { run(); }
  input.focus();
})();
