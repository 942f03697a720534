"""The inline masking pattern, rewritten so that every alternative starts with a
literal, masks exactly what the plainer pattern it replaced masked."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mortem.lint import markdown

# The pattern as first written: the same alternatives behind one lookahead.
REFERENCE = re.compile(
    r"(?=[`<\]h!\[\\*~_])"
    r"(?:(?P<code>(?P<ticks>`+)[^\n]+?(?P=ticks))"
    r"|<(?:https?|mailto|ftp):[^<>\s]*>"
    r"|\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)"
    r"|\bhttps?://[^\s<>)\]]+"
    r"|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"
    r"|!?\["
    r"|(?P<esc>\\.)"
    r"|\*+|~~|(?<!\w)_+|_+(?!\w))"
)

PIECES = st.sampled_from(
    [
        "`",
        "``",
        "```",
        "code",
        " ",
        "\n",
        "<",
        ">",
        "</b>",
        "<br/>",
        "<https://x.io>",
        "](",
        ")",
        "(",
        "](a.png)",
        '](a "t")',
        "http://",
        "https://x.io/a",
        "ahttp://",
        "h",
        "!",
        "[",
        "]",
        "\\",
        "\\*",
        "*",
        "**",
        "~",
        "~~",
        "_",
        "__",
        "a_",
        "_a",
        "word",
        "é",
        "-",
        ".",
        '"',
    ]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=14))
def test_the_inline_pattern_masks_what_the_reference_masks(parts: list[str]) -> None:
    text = "".join(parts)
    assert markdown._INLINE.sub(markdown._inline, text) == REFERENCE.sub(markdown._inline, text), (
        repr(text)
    )
