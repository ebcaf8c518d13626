/* Counterpoint citation: a "Cite" button on each text page (plain text and BibTeX, from the
   page's citation_* meta tags) and the ¶ numbers' permalinks. A link or citation names the
   published address (citation_public_url, from base_url in site.toml) when there is one;
   otherwise it says that the address copied is a file on the reader's own computer. */
(function () {
  "use strict";
  var doc = document;
  if (!doc.querySelector('meta[name="citation_title"]')) return;

  function meta(name) {
    return Array.prototype.map.call(doc.querySelectorAll('meta[name="' + name + '"]'), function (m) {
      return m.getAttribute("content");
    });
  }
  var info = {
    title: meta("citation_title")[0], authors: meta("citation_author"),
    date: meta("DC.date")[0] || "", outlet: meta("citation_publisher")[0] || "",
    url: meta("citation_public_url")[0] || ""
  };
  var LOCAL = "This reader has no published web address, so the link is this file on your computer: it opens only here.";

  function paragraphOf(hash) {
    var m = /^#p(\d+)$/.exec(hash || "");
    return m ? m[1] : "";
  }
  function linkTo(hash) {
    return info.url ? info.url + (hash || "") : location.href.split("#")[0] + (hash || "");
  }

  function plainCitation(para) {
    var parts = [];
    if (info.authors.length) parts.push(info.authors.join(", ") + ".");
    parts.push("\u201c" + info.title + (/[.?!\u2026]$/.test(info.title) ? "" : ".") + "\u201d");
    var where = [info.outlet, info.date].filter(Boolean).join(", ");
    if (where) parts.push(where + ".");
    if (para) parts.push("\u00b6 " + para + ".");
    if (info.url) parts.push(linkTo(para ? "#p" + para : ""));
    return parts.join(" ");
  }

  function bibtex(para) {
    var first = (info.authors[0] || info.title).split(/\s+/)[0];
    var word = (info.title.match(/[\p{L}\p{N}]{4,}/u) || [""])[0];
    var key = (first + (info.date.slice(0, 4) || "") + word).normalize("NFD").replace(/[^A-Za-z0-9]/g, "").toLowerCase();
    var esc = function (s) { return s.replace(/([{}\\&%$#_])/g, "\\$1"); };
    var fields = [["title", "{" + esc(info.title) + "}"]];
    if (info.authors.length) fields.unshift(["author", info.authors.map(function (a) { return "{" + esc(a) + "}"; }).join(" and ")]);
    if (info.outlet) fields.push(["howpublished", esc(info.outlet)]);
    if (info.date) fields.push(["year", info.date.slice(0, 4)]);
    if (/^\d{4}-\d{2}/.test(info.date)) fields.push(["month", String(Number(info.date.slice(5, 7)))]);
    if (para) fields.push(["note", "\u00b6 " + para]);
    if (info.url) fields.push(["url", linkTo(para ? "#p" + para : "")]);
    return "@misc{" + key + ",\n" + fields.map(function (f) { return "  " + f[0] + " = {" + f[1] + "}"; }).join(",\n") + "\n}";
  }

  /* reader.js (loaded before this file on every page) copies text, with a fallback where the clipboard API is refused */
  var copy = window.COUNTERPOINT_COPY;

  /* ---- ¶ permalinks: handled here, before reader.js, so that the published address is copied */
  var toast = null, timer = 0;
  function say(message, url) {
    if (!toast) {
      toast = doc.createElement("div");
      toast.className = "cp-toast cite-toast";
      toast.setAttribute("role", "status");
      doc.body.appendChild(toast);
    }
    toast.textContent = message;
    var input = doc.createElement("input");
    input.type = "text";
    input.readOnly = true;
    input.value = url;
    input.setAttribute("aria-label", "The link");
    toast.appendChild(input);
    toast.hidden = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { if (!toast.contains(doc.activeElement)) toast.hidden = true; }, 9000);
    return input;
  }

  window.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a.pnum");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    var hash = a.getAttribute("href"), url = linkTo(hash), target = doc.getElementById(hash.slice(1));
    try { history.pushState(null, "", hash); } catch (err) { /* file:// may refuse */ }
    Array.prototype.forEach.call(doc.querySelectorAll(".is-target"), function (n) { n.classList.remove("is-target"); });
    if (target) target.classList.add("is-target");
    var label = "\u00b6" + a.textContent.trim();
    copy(url, function (ok) {
      var where = info.url ? "" : " " + LOCAL;
      var input = say((ok ? "Link to " + label + " copied." : "Copy this link to " + label + ":") + where, url);
      if (!ok) { input.focus(); input.select(); }
    });
  }, true);

  /* ---- the Cite dialog */
  var dialog = null;
  function field(label, id, text, rows) {
    var wrap = doc.createElement("div"), l = doc.createElement("label"), ta = doc.createElement("textarea");
    var button = doc.createElement("button");
    wrap.className = "cite-field";
    l.htmlFor = id;
    l.textContent = label;
    ta.id = id;
    ta.readOnly = true;
    ta.rows = rows;
    ta.value = text;
    button.type = "button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the " + label);
    button.addEventListener("click", function () {
      copy(ta.value, function (ok) { button.textContent = ok ? "Copied" : "Select and copy"; if (!ok) ta.select(); });
    });
    wrap.appendChild(l);
    wrap.appendChild(ta);
    wrap.appendChild(button);
    return wrap;
  }

  function openDialog() {
    var para = paragraphOf(location.hash);
    if (dialog) dialog.parentNode.removeChild(dialog);
    dialog = doc.createElement("dialog");
    dialog.className = "cite-dialog";
    dialog.setAttribute("aria-labelledby", "cite-heading");
    var h = doc.createElement("h2"), note = doc.createElement("p"), close = doc.createElement("button");
    h.id = "cite-heading";
    h.textContent = para ? "Cite \u00b6" + para + " of this text" : "Cite this text";
    note.className = "cite-note";
    note.textContent = (para ? "" : "To cite a paragraph, click its number first, then Cite. ") + (info.url ? "" : LOCAL.replace("the link is", "the citation gives no address; the one in your browser is"));
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(h);
    dialog.appendChild(field("Citation", "cite-plain", plainCitation(para), 4));
    dialog.appendChild(field("BibTeX", "cite-bibtex", bibtex(para), 10));
    if (note.textContent) dialog.appendChild(note);
    dialog.appendChild(close);
    doc.body.appendChild(dialog);
    dialog.showModal();
  }

  var header = doc.querySelector(".text-header");
  if (header) {
    var p = doc.createElement("p"), button = doc.createElement("button");
    p.className = "cite-action";
    button.type = "button";
    button.textContent = "Cite";
    button.setAttribute("aria-haspopup", "dialog");
    button.addEventListener("click", openDialog);
    p.appendChild(button);
    header.appendChild(p);
  }

  window.CounterpointCite = { plain: plainCitation, bibtex: bibtex };
})();
