"""A postmortem's Markdown as safe HTML, shared by the web page and the static site.

markdown-it-py renders CommonMark (with tables and strikethrough); raw HTML in the
Markdown is let through the parser and then cut down by nh3 to a short list of tags
and attributes, so a template's `<!-- guidance -->` disappears and a `<script>` never
reaches a reader. Links can be rewritten before sanitising, so that the static site
can turn `other-postmortem.md` into `other-postmortem.html`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt",
        "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p",
        "pre", "s", "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead",
        "tr", "ul",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},
    "h1": {"id"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_SLUG = re.compile(r"[^\w-]+")


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    return md.enable(["table", "strikethrough"])


def heading_id(text: str) -> str:
    """An anchor for a heading: lower case words joined by '-' (`What happened` -> `what-happened`)."""
    return _SLUG.sub("-", text.strip().lower()).strip("-") or "section"


def render_markdown(text: str, rewrite_link: Callable[[str], str] | None = None) -> str:
    """Markdown -> sanitised HTML. `rewrite_link` maps each link and image target."""
    md = _parser()
    tokens = md.parse(text)
    seen: dict[str, int] = {}
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            anchor = heading_id(tokens[i + 1].content)
            seen[anchor] = seen.get(anchor, 0) + 1
            token.attrSet("id", anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")
        if rewrite_link is not None and token.children:
            for child in token.children:
                _rewrite(child, rewrite_link)
    html = md.renderer.render(tokens, md.options, {})
    return clean(html)


def _rewrite(token: Any, rewrite_link: Callable[[str], str]) -> None:
    for attr in ("href", "src"):
        value = token.attrGet(attr)
        if isinstance(value, str):
            token.attrSet(attr, rewrite_link(value))


def clean(html: str) -> str:
    """Sanitise HTML down to the tags and attributes a postmortem needs."""
    return str(
        nh3.clean(
            html,
            tags=set(TAGS),
            attributes={tag: set(attrs) for tag, attrs in ATTRIBUTES.items()},
            url_schemes=set(URL_SCHEMES),
            link_rel="noopener noreferrer nofollow",
            strip_comments=True,
        )
    )
