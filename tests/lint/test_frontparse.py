"""The fast front-matter reader against PyYAML: the same values, the same tree, the same
positions whenever it reads a text, and a refusal (so that PyYAML reads it) otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mortem.document import YAML12Loader
from mortem.lint.engine import split_text
from mortem.lint.frontmap import load_with_nodes
from mortem.lint.frontparse import Mapping, Node, Scalar, Unplain, from_yaml, read_plain

ROOT = Path(__file__).resolve().parents[2]


def shape(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, Scalar):
        return ("scalar", node.tag, node.value, node.start, node.end, node.style)
    if isinstance(node, Mapping):
        return ("map", node.start, [(shape(k), shape(v)) for k, v in node.value])
    return ("seq", node.start, [shape(item) for item in node.value])


def reference(text: str) -> tuple[Any, Any]:
    """What PyYAML makes of the text: values and the tree in the same node classes."""
    loader = YAML12Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        return loader.construct_document(node), shape(from_yaml(node))
    finally:
        loader.dispose()


def agrees(text: str) -> bool:
    """True when the fast reader read the text (and then agreed with PyYAML in every
    respect); False when it refused it. Fails when it read a text PyYAML refuses or
    read it differently."""
    try:
        data, node = read_plain(text)
    except Unplain:
        return False
    try:
        expected_data, expected_shape = reference(text)
    except yaml.YAMLError as exc:
        pytest.fail(f"read a text that PyYAML refuses ({exc}):\n{text}")
    assert data == expected_data, text
    assert _types(data) == _types(expected_data), text
    assert shape(node) == expected_shape, text
    return True


def _types(value: Any) -> Any:
    """The value with each leaf replaced by its type: 1 == 1.0 == True must not pass."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


# -- well-formed plain front matter, written in the styles people use --------------------

KEYS = ["title", "status", "at", "kind", "on", "notes", "a-b", "_x", "Why", "no", "n2", "tags"]
WORDS = st.sampled_from(
    [
        "checkout-api",
        "The cache was cold.",
        "2021-11-30T10:42:00Z",
        "2021-11-30T10:42:00+02:00",
        "2021-11-30",
        "2021-02-30x",
        "12",
        "1_000",
        "0x1F",
        "0o17",
        "1.5",
        ".inf",
        "1e3",
        "true",
        "True",
        "false",
        "yes",
        "null",
        "Null",
        "~",
        "=",
        "1:30",
        "a:b",
        "a#b",
        "it's",
        'say "hi"',
        "50% of [requests] {failed}, then",
        "Übergabe à 10h — ok",
        "n/a",
        "x y  z",
        "SEV2",
    ]
)


def _scalar(word: str, style: str, more: str) -> list[str]:
    """A scalar's text after `key: ` or `- `, and the lines that carry it on at `more`."""
    if style == "'":
        return ["'" + word.replace("'", "''") + "'"]
    if style == '"' and '"' not in word and "\\" not in word:
        return ['"' + word + '"']
    if style == "wrap" and " " in word.strip():
        first, *others = word.split(" ")
        return [first, *(more + other for other in others if other)]
    if style in (">", ">-", "|", "|-"):
        first, _, second = word.partition(" ")
        lines = [style, more + first]
        if second:
            lines += ["", more + second] if style == "|" else [more + second]
        return lines
    return [word]


values = st.recursive(
    st.tuples(WORDS, st.sampled_from(["", "", "'", '"', "wrap", ">", ">-", "|", "|-"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    ),
    max_leaves=20,
)


def render(value: Any, indent: int, step: int, indentless: bool, flow: bool) -> list[str]:
    """Block-style lines of a value that sits under a key (or a dash) at `indent`."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, tuple):
                first, *more = _scalar(item[0], item[1], " " * (indent + step))
                lines += [f"{pad}{key}: {first}", *more]
            elif isinstance(item, list) and not item:
                lines.append(f"{pad}{key}: []")
            elif isinstance(item, dict) and not item:
                lines.append(f"{pad}{key}:")
            else:
                lines.append(f"{pad}{key}:")
                nested = indent if isinstance(item, list) and indentless else indent + step
                lines += render(item, nested, step, indentless, flow)
        return lines
    plain_words = [i for i in value if isinstance(i, tuple) and i[1] == ""]
    if flow and value and len(plain_words) == len(value):
        words = [w for w, _ in plain_words]
        if all("," not in w and not set(w) & set("[]{}#:'\"") for w in words):
            return [f"{pad}[{', '.join(words)}]"]
    for item in value:
        if isinstance(item, tuple):
            first, *more = _scalar(item[0], item[1], " " * (indent + step))
            lines += [f"{pad}- {first}", *more]
        elif isinstance(item, dict) and item:
            inner = render(item, indent + 2, step, indentless, flow)
            lines.append(f"{pad}- {inner[0].lstrip(' ')}")
            lines += inner[1:]
        else:
            lines.append(f"{pad}- []" if isinstance(item, list) else f"{pad}- {{}}")
    return lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=6),
    st.sampled_from([2, 3, 4]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_plain_front_matter_reads_as_pyyaml_reads_it(
    data: dict[str, Any], step: int, indentless: bool, flow: bool, blank_lines: bool, trail: bool
) -> None:
    lines = render(data, 0, step, indentless, flow)
    if trail:  # trailing spaces move every later offset when they are miscounted
        lines = [line + " " * (i % 3) for i, line in enumerate(lines)]
    if blank_lines:
        spaced = zip(lines, ["", "  # a comment"] * len(lines), strict=False)
        lines = [line for pair in spaced for line in pair]
    text = "\n".join(lines) + "\n"
    agrees(text)


# -- anything at all, made of the pieces that trip YAML up --------------------------------

PIECES = st.sampled_from(
    [
        "key: value",
        "key: value   ",
        "key:   ",
        "- item  ",
        "-x: 1",
        "_k-2: v",
        "k" * 101 + ": v",
        "key:",
        "- item",
        "-",
        "- key: value",
        "- - nested",
        "  ",
        "# comment",
        "key: value # comment",
        'key: "quoted"',
        'key: "esc \\" aped"',
        "key: 'it''s'",
        "key: 'broken'quote'",
        "key: [a, b]",
        "key: [a, [b]]",
        "key: [a,]",
        "key: [a, b",
        "key: {a: 1}",
        "key: |",
        "key: >-",
        "key: &anchor x",
        "key: *alias",
        "key: !!str 5",
        "key: @handle",
        "key: `tick`",
        "key: %pct",
        "key: x:",
        "key: a: b",
        "key:value",
        "true: yes",
        "null: x",
        "<<: x",
        "? complex",
        "key: -3",
        "key: 2021-11-30T10:42:00Z",
        "key: 2021-13-45",
        "key: tab\there",
        "key: nel\x85here",
        "key: ls\u2028here",
        "key: \ufeffbom",
        "key: del\x7f",
        "...",
        "---",
        "key: >-",
        "key: |",
        "key: >",
        "key: |-",
        "key: >+",
        "  folded text",
        "    more indented text",
        "  text: with colon",
        "- >-",
        "key: 'multi",
        "  line'",
        "continued text",
        '"quoted key": 1',
    ]
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([0, 0, 1, 2, 2, 4]), PIECES), min_size=1, max_size=8))
def test_anything_is_read_as_pyyaml_reads_it_or_left_to_pyyaml(
    lines: list[tuple[int, str]],
) -> None:
    text = "\n".join(" " * indent + piece for indent, piece in lines) + "\n"
    agrees(text)


# -- real front matter ---------------------------------------------------------------------


def _fronts() -> list[Path]:
    found = [*ROOT.glob("examples/**/*.md"), *ROOT.glob("tests/**/*.md")]
    return sorted(p for p in found if p.is_file())


def test_real_front_matter_is_read_fast_and_alike() -> None:
    read = 0
    for path in _fronts():
        split = split_text(path.read_text(encoding="utf-8", errors="replace"))
        if split is not None:
            read += agrees(split.front)
    # The bundled examples are plain front matter: all of them take the fast path.
    examples = [p for p in _fronts() if "examples" in p.parts]
    assert examples and read >= len(examples)


def test_the_usual_shapes_take_the_fast_path() -> None:
    text = (
        "title: A migration locked orders\n"
        "services: [checkout-api]\n"
        "started_at: 2021-11-30T10:42:00Z\n"
        "timeline:\n"
        "  - at: 2021-11-30T10:42:00Z\n"
        "    event: 'Deploy of checkout-api: it''s running'\n"
        "action_items:\n"
        "- id: A1\n"
        '  title: "Add a lock timeout"\n'
        "  due: 2021-12-14\n"
        "empty:\n"
    )
    assert agrees(text)
    data, _ = read_plain(text)
    assert data["started_at"] == dt.datetime(2021, 11, 30, 10, 42, tzinfo=dt.UTC)
    assert data["timeline"][0]["event"] == "Deploy of checkout-api: it's running"
    assert data["action_items"][0]["due"] == dt.date(2021, 12, 14)
    assert data["empty"] is None


@pytest.mark.parametrize(
    "text",
    [
        "impact: first line\n\n  continued after a blank line\n",
        "notes: |+\n  kept\n  as is\n",
        "notes: >\n  folded\n    more indented\n",
        "title: x  # why\n",
        "a: &x 1\nb: *x\n",
        "a: {b: 1}\n",
        "a: 'x\n  y'\n",
        'a: "tab\\tescape"\n',
    ],
)
def test_texts_beyond_the_subset_go_to_pyyaml_with_the_same_result(text: str) -> None:
    with pytest.raises(Unplain):
        read_plain(text)
    data, node = load_with_nodes(text)
    expected_data, expected_shape = reference(text)
    assert data == expected_data
    assert shape(node) == expected_shape


def test_what_pyyaml_refuses_is_refused() -> None:
    for text in ["a: b: c\n", "a: [b\n", "- a\nb: c\n", "a:\n  b: 1\n c: 2\n", "a: 'x\n"]:
        with pytest.raises(Unplain):
            read_plain(text)
        with pytest.raises(yaml.YAMLError):
            load_with_nodes(text)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_the_ascii_shortcut_finds_the_characters_the_pattern_finds(text: str) -> None:
    from mortem.lint.frontparse import _ODD, _odd

    assert _odd(text) == (_ODD.search(text) is not None)
