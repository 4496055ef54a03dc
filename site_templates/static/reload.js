/* wm site serve: reload the page when a build finishes; show a build error over the page. */
(function () {
  "use strict";
  var seen = null;
  function banner(text) {
    var box = document.getElementById("wm-build-error");
    if (!text) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "wm-build-error";
      box.setAttribute("role", "alert");
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = "Build failed (the server keeps running; fix the file and save):\n" + text;
  }
  function poll() {
    fetch("/__wm/build", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.build !== seen && !state.error) { window.location.reload(); return; }
      seen = state.build;
      banner(state.error);
    }).catch(function () {}).then(function () { setTimeout(poll, 700); });
  }
  poll();
})();
