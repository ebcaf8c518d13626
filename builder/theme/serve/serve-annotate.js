/* Annotate mode of `counterpoint serve` (docs/annotating.md).
 * serve.py inlines this file into every HTML page it sends, as
 * <script id="counterpoint-annotate" data-token="…" data-api="/_counterpoint/annotations" data-preview="…">;
 * it lives outside theme/static/, so no build ever contains it.
 * Select words in a text -> "Add note" or "Link this passage…" (then select the other passage, here or
 * in another text, and choose the relation). The server writes the YAML; the live-reload script
 * reloads the page once the rebuild is done. Notes and cross-references get Edit and Delete buttons. */
(function () {
  "use strict";
  var me = document.currentScript;
  var token = me.getAttribute("data-token");
  var api = me.getAttribute("data-api");
  var previewUrl = me.getAttribute("data-preview");
  var PENDING = "counterpoint-pending-link";
  var RELATIONS = ["rebuts", "supports", "qualifies", "contextualises", "same-event"];
  var BLOCK_ID = /^(?:[a-z]+-)?p(\d+)$/;
  var NOT_TEXT = "[data-ed], .fn-ref, .fn-label, .fn-back, #cp-annotate-bar, #cp-annotate-dialog";

  var css = document.createElement("style");
  css.textContent =
    "#cp-annotate-bar{position:absolute;z-index:2147483646;display:flex;gap:.35rem;padding:.3rem;background:#111;" +
    "border-radius:6px;box-shadow:0 2px 10px rgba(0,0,0,.35)}" +
    "#cp-annotate-bar button,.cp-ann-tools button,#cp-annotate-dialog button,#cp-link-banner button{font:14px system-ui,sans-serif;" +
    "padding:.25rem .6rem;cursor:pointer;border-radius:4px;border:1px solid #555;background:#f5f5f5;color:#111}" +
    ".cp-ann-tools{display:inline-flex;gap:.25rem;margin-left:.35rem;vertical-align:baseline}" +
    ".cp-ann-tools button{font-size:12px;padding:0 .4rem}" +
    "#cp-annotate-dialog{max-width:min(44rem,94vw);width:100%;font:15px/1.5 system-ui,sans-serif;color:#111;background:#fff}" +
    "#cp-annotate-dialog textarea{width:100%;box-sizing:border-box;min-height:8rem;font:14px/1.4 ui-monospace,monospace}" +
    "#cp-annotate-dialog blockquote{margin:.25rem 0 .75rem;padding-left:.75rem;border-left:3px solid #888}" +
    "#cp-annotate-dialog .cp-preview{border:1px dashed #888;padding:.25rem .75rem;min-height:2rem}" +
    "#cp-annotate-dialog pre{white-space:pre-wrap;color:#8b0000;font:13px/1.4 ui-monospace,monospace}" +
    "#cp-annotate-dialog .cp-actions{display:flex;gap:.5rem;justify-content:flex-end;margin-top:.75rem}" +
    "#cp-link-banner{position:fixed;z-index:2147483645;left:0;right:0;bottom:0;padding:.6rem 1rem;background:#111;" +
    "color:#f5f5f5;font:15px system-ui,sans-serif;display:flex;gap:1rem;align-items:center;justify-content:space-between}";
  document.head.appendChild(css);

  function request(method, url, body) {
    var headers = { "X-Counterpoint-Token": token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, headers: headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { status: r.status, body: j }; });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  // ---- a selection -> a passage (the author's words only: markers, numbers and notes left out)
  function blockOf(node) {
    var e = node && (node.nodeType === 1 ? node : node.parentElement);
    while (e && !(e.id && BLOCK_ID.test(e.id) && e.closest("[data-slug]"))) e = e.parentElement;
    return e;
  }

  function passageOf(range) {
    var block = blockOf(range.startContainer);
    if (!block || blockOf(range.endContainer) !== block) return null;
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    var text = "", start = null, end = null, n;
    while ((n = walker.nextNode())) {
      if (n.parentElement.closest(NOT_TEXT)) continue;
      if (range.intersectsNode(n)) {
        if (start === null) start = text.length + (n === range.startContainer ? range.startOffset : 0);
        end = text.length + (n === range.endContainer ? range.endOffset : n.data.length);
      }
      text += n.data;
    }
    if (start === null) return null;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (start === end) return null;
    return {
      text: block.closest("[data-slug]").getAttribute("data-slug"),
      title: (block.closest("[data-slug]").querySelector(".text-title") || {}).textContent || "",
      quote: text.slice(start, end).replace(/\s+/g, " "),
      prefix: text.slice(Math.max(0, start - 60), start),
      suffix: text.slice(end, end + 60),
      paragraph: Number(BLOCK_ID.exec(block.id)[1])
    };
  }

  // ---- the toolbar by a selection
  var bar = null;
  function hideBar() { if (bar) { bar.remove(); bar = null; } }
  function showBar(passage, rect) {
    hideBar();
    bar = el("div", { id: "cp-annotate-bar", role: "toolbar", "aria-label": "Annotate", "data-ed": "" });
    var pending = loadPending();
    if (pending) {
      bar.appendChild(button("Link to the first passage\u2026", function () { linkDialog(pending, passage); }));
      bar.appendChild(button("Cancel link", function () { savePending(null); hideBar(); }));
    } else {
      bar.appendChild(button("Add note", function () { noteDialog(passage); }));
      bar.appendChild(button("Link this passage\u2026", function () { savePending(passage); hideBar(); }));
    }
    bar.style.top = (window.scrollY + rect.bottom + 6) + "px";
    bar.style.left = (window.scrollX + Math.max(4, rect.left)) + "px";
    document.body.appendChild(bar);
  }
  function button(label, action) {
    var b = el("button", { type: "button", text: label });
    b.addEventListener("click", function (e) { e.preventDefault(); action(); });
    return b;
  }
  function onSelect() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    var passage = passageOf(range);
    if (passage) showBar(passage, range.getBoundingClientRect());
  }
  document.addEventListener("mouseup", function (e) {
    if (bar && bar.contains(e.target)) return;
    hideBar();
    setTimeout(onSelect, 0);
  });
  document.addEventListener("keyup", function (e) {
    if (e.shiftKey && /^Arrow|^Home|^End/.test(e.key)) { hideBar(); onSelect(); }
    if (e.key === "Escape") hideBar();
  });

  // ---- a link is made of two selections, possibly on two pages: the first waits in sessionStorage
  var banner = null;
  function loadPending() {
    try { return JSON.parse(sessionStorage.getItem(PENDING) || "null"); } catch (e) { return null; }
  }
  function savePending(passage) {
    if (passage) sessionStorage.setItem(PENDING, JSON.stringify(passage)); else sessionStorage.removeItem(PENDING);
    showBanner();
  }
  function showBanner() {
    if (banner) { banner.remove(); banner = null; }
    var pending = loadPending();
    if (!pending) return;
    banner = el("div", { id: "cp-link-banner", role: "status", "data-ed": "" }, [
      el("span", { text: "Linking from \u201c" + pending.quote.slice(0, 80) + "\u201d: now select the other passage, in this text or another." }),
      button("Cancel link", function () { savePending(null); })
    ]);
    document.body.appendChild(banner);
  }

  // ---- the dialog
  var dialog = null;
  function openDialog(title, parts, save) {
    if (dialog) dialog.remove();
    hideBar();
    var errors = el("pre", { role: "alert" });
    var status = el("p", { role: "status" });
    var saveButton = button("Save", function () {
      errors.textContent = "";
      status.textContent = "Saving\u2026";
      saveButton.disabled = true;
      save().then(function (r) {
        saveButton.disabled = false;
        if (r.status === 200 || r.status === 201) {
          status.textContent = "Saved to " + r.body.file + (r.body.line ? ":" + r.body.line : "") +
            " (id " + r.body.id + "). Rebuilding; the page reloads by itself.";
        } else {
          status.textContent = "";
          errors.textContent = r.body.text || r.body.error || ("error " + r.status);
        }
      }, function (err) { saveButton.disabled = false; status.textContent = ""; errors.textContent = String(err); });
    });
    dialog = el("dialog", { id: "cp-annotate-dialog", "aria-labelledby": "cp-annotate-title", "data-ed": "" },
      [el("h2", { id: "cp-annotate-title", text: title })].concat(parts).concat([
        errors, status,
        el("div", { class: "cp-actions" }, [button("Cancel", function () { dialog.close(); }), saveButton])
      ]));
    document.body.appendChild(dialog);
    dialog.showModal();
    var first = dialog.querySelector("textarea, select");
    if (first) first.focus();
  }
  function quoted(label, passage) {
    return el("div", {}, [el("strong", { text: label }), el("blockquote", { text: passage.quote })]);
  }
  function markdownField(label, value) {
    var area = el("textarea", { id: "cp-annotate-body" });
    area.value = value || "";
    var shown = el("div", { class: "cp-preview", "aria-live": "polite", id: "cp-annotate-preview" });
    var timer = null;
    function refresh() {
      request("POST", previewUrl, { markdown: area.value }).then(function (r) {
        if (r.status === 200) shown.innerHTML = r.body.html;  // rendered by the build's rules: no raw HTML
      });
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
    if (area.value) refresh();
    return {
      area: area,
      parts: [el("label", { for: "cp-annotate-body", text: label }), area,
        el("p", { text: "Preview" }), shown]
    };
  }
  function select(id, label, options, value) {
    var s = el("select", { id: id });
    options.forEach(function (o) { var opt = el("option", { value: o, text: o }); if (o === value) opt.selected = true; s.appendChild(opt); });
    return { input: s, parts: [el("label", { for: id, text: label + " " }), s] };
  }
  function endOf(p) { return { text: p.text, quote: p.quote, prefix: p.prefix, suffix: p.suffix, paragraph: p.paragraph }; }

  function noteDialog(passage) {
    var body = markdownField("Note (Markdown)", "");
    openDialog("Add a note", [quoted("On the words", passage)].concat(body.parts), function () {
      var data = endOf(passage);
      data.kind = "note";
      data.body = body.area.value;
      return request("POST", api, data);
    });
  }

  function linkDialog(first, second) {
    request("GET", api + "?text=" + encodeURIComponent(second.text)).then(function (r) {
      var files = (r.body && r.body.links_files) || ["annotations/links.yaml"];
      var ends = [first, second];
      var from = el("div"), to = el("div");
      function draw() {
        from.replaceChildren(quoted("This passage (" + (ends[0].title || ends[0].text) + ")", ends[0]));
        to.replaceChildren(quoted("\u2026answers this one (" + (ends[1].title || ends[1].text) + ")", ends[1]));
      }
      draw();
      var relation = select("cp-annotate-relation", "Relation", RELATIONS, "rebuts");
      var file = select("cp-annotate-file", "Links file", files, files[0]);
      var note = markdownField("How they answer each other (Markdown, optional)", "");
      var swap = button("Swap the two passages", function () { ends.reverse(); draw(); });
      openDialog("Link two passages", [from].concat(relation.parts, [to, swap, el("p")], file.parts, note.parts), function () {
        return request("POST", api, {
          kind: "link", relation: relation.input.value, file: file.input.value,
          from: endOf(ends[0]), to: endOf(ends[1]), note: note.area.value
        }).then(function (res) { if (res.status === 201) savePending(null); return res; });
      });
    });
  }

  // ---- edit and delete what is already there
  function tools(kind, id, slug) {
    var query = kind === "note" ? "?kind=note&text=" + encodeURIComponent(slug) : "?kind=link";
    var url = api + "/" + encodeURIComponent(id) + query;
    var box = el("span", { class: "cp-ann-tools", "data-ed": "" });
    box.appendChild(button("Edit", function () {
      request("GET", url).then(function (r) {
        if (r.status !== 200) { window.alert(r.body.error); return; }
        var entry = r.body.entry;
        if (kind === "note") {
          var body = markdownField("Note (Markdown)", entry.body);
          openDialog("Edit note " + id, [quoted("On the words", entry.at)].concat(body.parts), function () {
            return request("PUT", url, { body: body.area.value });
          });
        } else {
          var relation = select("cp-annotate-relation", "Relation", RELATIONS, entry.relation);
          var note = markdownField("How they answer each other (Markdown, optional)", entry.note || "");
          openDialog("Edit link " + id, [quoted("From", entry.from)].concat(relation.parts, [quoted("To", entry.to)], note.parts), function () {
            return request("PUT", url, { relation: relation.input.value, note: note.area.value });
          });
        }
      });
    }));
    box.appendChild(button("Delete", function () {
      if (!window.confirm("Delete " + kind + " '" + id + "' from the project's YAML?")) return;
      request("DELETE", url).then(function (r) { if (r.status !== 200) window.alert(r.body.text || r.body.error); });
    }));
    return box;
  }
  document.querySelectorAll("[data-slug] .sidenote[id]").forEach(function (note) {
    var id = note.id.replace(/^(?:[a-z]+-)?note-/, "");
    var slug = note.closest("[data-slug]").getAttribute("data-slug");
    var back = note.querySelector(".sidenote-back");
    note.insertBefore(tools("note", id, slug), back);
  });
  document.querySelectorAll("[data-slug] a.xref[href*='#']").forEach(function (marker) {
    var id = marker.getAttribute("href").split("#")[1].replace(/^(?:[a-z]+-)?link-/, "").replace(/-to$/, "");
    marker.parentNode.insertBefore(tools("link", id, ""), marker.nextSibling);
  });

  showBanner();
})();
