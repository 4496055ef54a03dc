/* wm site search: client-side over titles, IDs, tags and text.
   window.WM_SEARCH comes from search-index.js; on a large site that file only names
   the shards (window.WM_SEARCH_SHARDS), loaded here as script elements (works from file://).
   The box is a WAI-ARIA 1.2 combobox: ↓/↑ move aria-activedescendant over the results (a listbox
   whose options are the result links, so Tab and the mouse reach them too), Enter opens the active one.
   The query stays in the URL (?q=…, &all=1 once every result is shown) so Back returns to the results. */
(function () {
  "use strict";
  var LIMIT = 50;  // results listed until "Show all"
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  var more = document.getElementById("show-all");
  if (!input || !list) { return; }
  var prepared = null;  // every entry, in ID order (as the build lists them), once the index is loaded
  var failed = false;
  var showAll = false;

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

  function options() {
    return list.querySelectorAll("[role=option]");
  }

  // the active option (-1: none): selected, outlined, and the box's aria-activedescendant
  function mark(items) {
    for (var i = 0; i < items.length; i++) {
      items[i].parentNode.classList.toggle("active", i === active);
      items[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    if (active < 0) { input.removeAttribute("aria-activedescendant"); return; }
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function setActive(n) {
    var items = options();
    active = items.length ? (n + items.length) % items.length : -1;
    mark(items);
  }

  function keepInUrl(query) {
    try {
      var url = new URL(window.location.href);
      url.search = query ? "?q=" + encodeURIComponent(query) + (showAll ? "&all=1" : "") : "";
      if (url.href !== window.location.href) { window.history.replaceState(window.history.state, "", url.href); }
    } catch (e) { /* a page that may not change its URL still searches */ }
  }

  function option(d, n) {
    var li = document.createElement("li");
    li.setAttribute("role", "none");
    var a = document.createElement("a");
    a.id = "result-" + n;
    a.href = d.url;
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.setAttribute("aria-describedby", a.id + "-meta");
    a.textContent = d.title;
    var meta = document.createElement("small");
    meta.id = a.id + "-meta";
    meta.setAttribute("aria-hidden", "true");  // the option's description: a listbox holds options only
    meta.textContent = " " + d.type + " · " + d.id + (d.status ? " · " + d.status : "") + (d.tags.length ? " · #" + d.tags.join(" #") : "");
    li.appendChild(a);
    li.appendChild(meta);
    return li;
  }

  function show(count, shown) {
    list.hidden = shown === 0;
    input.setAttribute("aria-expanded", shown > 0 ? "true" : "false");
    if (more) {
      more.hidden = shown >= count;
      more.textContent = "Show all " + count + " results";
    }
  }

  function run() {
    var raw = input.value.trim();
    var query = raw.toLowerCase();
    list.textContent = "";
    active = -1;
    mark([]);
    keepInUrl(raw);
    show(0, 0);
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
    var shown = showAll ? hits.length : Math.min(hits.length, LIMIT);
    var counted = hits.length + (hits.length === 1 ? " result" : " results");
    status.textContent = (shown < hits.length ? "Showing " + shown + " of " + counted : counted) + (failed ? " (part of the search index did not load)" : "");
    var items = document.createDocumentFragment();
    hits.slice(0, shown).forEach(function (hit, n) { items.appendChild(option(hit[1].doc, n)); });
    list.appendChild(items);
    show(hits.length, shown);
  }

  input.addEventListener("input", function () { showAll = false; run(); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { setActive(active + 1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { setActive(active - 1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var target = options()[active >= 0 ? active : 0];
      if (target) { window.location.href = target.href; }
      event.preventDefault();
    }
  });
  // a result reached by Tab: ↓/↑ go on to the next or previous one (↑ from the first back to the box)
  list.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var items = Array.prototype.slice.call(options());
    var n = items.indexOf(document.activeElement);
    if (n < 0) { return; }
    n += event.key === "ArrowDown" ? 1 : -1;
    if (n < 0) { active = -1; mark(items); input.focus(); }
    else if (n < items.length) { setActive(n); items[n].focus(); }
    event.preventDefault();
  });
  if (more) {
    more.addEventListener("click", function () {
      var first = options().length;
      showAll = true;
      run();
      var next = options()[first];
      if (next) { setActive(first); next.focus(); }  // the button is gone: on to the first result it added
    });
  }
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
  showAll = params.get("all") === "1";
  var shards = window.WM_SEARCH_SHARDS;
  if (shards && shards.files && shards.files.length) {
    load(shards, function () { prepare(window.WM_SEARCH || []); run(); });
  } else {
    prepare(window.WM_SEARCH || []);
  }
  if (input.value) { run(); } else { show(0, 0); }
  input.focus();
})();
