/* Live reload and the diagnostics overlay of `counterpoint serve`.
 * serve.py inlines this file into every HTML response it sends, as
 * <script id="counterpoint-live-reload" data-generation="N" data-status="/__counterpoint/status">;
 * it lives outside theme/static/, so no build ever contains it. */
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = Number(me.getAttribute("data-generation"));
  var statusUrl = me.getAttribute("data-status");
  var box = null, shown = null, dismissed = null;
  function hide() { if (box) { box.remove(); box = null; shown = null; } }
  function show(lines) {
    var key = lines.join("\n");
    if (key === dismissed || key === shown) return;
    hide();
    shown = key;
    box = document.createElement("div");
    box.id = "counterpoint-build-errors";
    box.setAttribute("role", "alert");
    box.setAttribute("aria-live", "assertive");
    box.style.cssText = "position:fixed;z-index:2147483647;top:0;left:0;right:0;max-height:100vh;" +
      "overflow:auto;box-sizing:border-box;margin:0;padding:1rem 1.25rem;background:#111;color:#f5f5f5;" +
      "border-bottom:4px solid #ff6b6b;font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
      "text-align:left;box-shadow:0 4px 16px rgba(0,0,0,.5)";
    var head = document.createElement("div");
    head.style.cssText = "display:flex;gap:1rem;align-items:flex-start;justify-content:space-between";
    var title = document.createElement("strong");
    title.style.cssText = "font:bold 16px/1.4 system-ui,sans-serif;color:#ffb4ab";
    title.textContent = "Build failed \u2014 showing the last good build. Fix the file and this page reloads.";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Dismiss";
    close.setAttribute("aria-label", "Dismiss build errors");
    close.style.cssText = "flex:none;font:14px system-ui,sans-serif;padding:.3rem .8rem;cursor:pointer;" +
      "background:#f5f5f5;color:#111;border:2px solid #f5f5f5;border-radius:4px";
    close.onclick = function () { dismissed = key; hide(); };
    head.appendChild(title);
    head.appendChild(close);
    var pre = document.createElement("pre");
    pre.style.cssText = "margin:.75rem 0 0;white-space:pre-wrap;word-break:break-word;font:inherit;color:inherit;background:none";
    lines.forEach(function (line) {
      var span = document.createElement("span");
      span.textContent = line + "\n";
      if (/: error: /.test(line)) span.style.color = "#ffb4ab";
      else if (/: warning: /.test(line)) span.style.color = "#ffe08a";
      pre.appendChild(span);
    });
    box.appendChild(head);
    box.appendChild(pre);
    (document.body || document.documentElement).appendChild(box);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && box) { dismissed = shown; hide(); }
  });
  function poll() {
    fetch(statusUrl, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.generation !== generation) { window.location.reload(); return; }
        if (s.ok) { hide(); dismissed = null; } else { show(s.diagnostics || []); }
      })
      .catch(function () { /* server stopped or restarting: keep trying */ })
      .then(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
