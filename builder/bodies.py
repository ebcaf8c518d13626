"""Body templates: a text's HTML rendered once, with slots for what depends on where it is shown.

markdown-it turns every NUL of a source into U+FFFD, so a NUL in rendered HTML can
only be one of these slots:

- `ROOT`: the path from the page to the site root ("../" on essay pages, "" at the root);
- `ID_PREFIX`: prefixed to every id and fragment ("a-"/"b-" in a compare column, else "");
- a link label or preview slot: the words of the other end of a typed link, which come
  from another text (its title, its ¶ number, its passage), known only once every text
  has been processed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

ROOT = "\x00r"
ID_PREFIX = "\x00p"
SLOT = re.compile("\x00(?:([rp])|([lv])([^\x00]*)\x00)")


def end_mark(link_id: str, outgoing: bool) -> str:
    """One end of a link: its id, then + at the `from` passage or ~ at the `to` passage (never escaped in HTML)."""
    return link_id + ("+" if outgoing else "~")


def label_slot(link_id: str, outgoing: bool) -> str:
    return f"\x00l{end_mark(link_id, outgoing)}\x00"


def preview_slot(link_id: str, outgoing: bool) -> str:
    return f"\x00v{end_mark(link_id, outgoing)}\x00"


def fill(template: str, root: str, prefix: str, words: Callable[[str, str], str]) -> str:
    """The body as shown on one page; `words(kind, end)` gives a label ("l") or preview ("v"), unescaped."""

    def one(found: re.Match[str]) -> str:
        if found[1] == "r":
            return root
        if found[1] == "p":
            return prefix
        return escape(words(found[2], found[3]), quote=True)

    return SLOT.sub(one, template)


def slots_in(template: str) -> list[tuple[str, str]]:
    """The label and preview slots of a template, in order (what a page key must include)."""
    return [(m[2], m[3]) for m in SLOT.finditer(template) if m[2]]
