/* wm site search: client-side over titles, IDs, tags and text (window.WM_SEARCH from search-index.js). */
(function () {
  "use strict";
  var docs = window.WM_SEARCH || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!input || !list) { return; }
  var prepared = docs.map(function (d) {
    return {
      doc: d,
      title: d.title.toLowerCase(),
      id: d.id.toLowerCase(),
      tags: d.tags.join(" ").toLowerCase(),
      text: (d.text || "").toLowerCase()
    };
  });
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
    var words = query.split(/\s+/);
    var hits = [];
    for (var i = 0; i < prepared.length; i++) {
      var s = score(prepared[i], words);
      if (s > 0) { hits.push([s, prepared[i].doc]); }
    }
    hits.sort(function (a, b) { return b[0] - a[0] || (a[1].title < b[1].title ? -1 : 1); });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results");
    hits.slice(0, 50).forEach(function (hit) {
      var d = hit[1];
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
  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); run(); }
  input.focus();
})();
