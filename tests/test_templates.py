"""Repository templates that cannot be read: reported with file and line, never fatal."""

from __future__ import annotations

from pathlib import Path

import pytest

from mortem.errors import NotFoundError, Problem, UsageError
from mortem.templates import all_templates, get_template


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A repository (mortem.toml beside templates/) with one good template."""
    (tmp_path / "mortem.toml").write_text("")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "tiny.md").write_text("---\nname: tiny\n---\n# ${title}\n\n## Summary\n")
    return templates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\nname: [unclosed\n---\n# x\n",
            "templates/broken.md:2: YAML syntax error: expected ',' or ']', but got "
            "'<stream end>' (while parsing a flow sequence)",
        ),
        (
            '---\nname: "unclosed\n---\n# x\n',
            "templates/broken.md:2: YAML syntax error: found unexpected end of stream "
            "(while scanning a quoted scalar)",
        ),
        (
            "---\nname: x\n  bad: indent\n---\n",
            "templates/broken.md:3: YAML syntax error: mapping values are not allowed here",
        ),
        ("---\n- a\n- b\n---\n", "templates/broken.md:2: template front matter must be a mapping"),
        ("---\nname: {a: 1}\n---\n", "templates/broken.md:2: name: must be text"),
        (
            "---\nname: broken\nsections: 5\n---\n",
            "templates/broken.md:3: sections: must be a list of section names",
        ),
    ],
)
def test_a_broken_template_is_reported_and_left_out(folder: Path, text: str, expected: str) -> None:
    (folder / "broken.md").write_text(text)
    broken: dict[str, Problem] = {}
    found = all_templates(folder, broken)
    assert {"default", "tiny"} <= set(found) and "broken" not in found
    assert [str(p) for p in broken.values()] == [expected]
    assert list(broken) == ["broken"]
    # Asking for another template works; asking for the broken one is a usage error.
    assert get_template("tiny", folder).sections == ("Summary",)
    with pytest.raises(UsageError) as caught:
        get_template("broken", folder)
    assert str(caught.value) == expected


def test_a_template_that_is_not_utf8(folder: Path) -> None:
    (folder / "latin.md").write_bytes(b"---\nname: caf\xe9\n---\n")
    broken: dict[str, Problem] = {}
    all_templates(folder, broken)
    assert [str(p) for p in broken.values()] == ["templates/latin.md: not UTF-8"]


def test_a_broken_file_does_not_fall_back_to_the_built_in(folder: Path) -> None:
    # The repository meant to replace `default`; quietly using the built-in would hide it.
    (folder / "default.md").write_text("---\nname: [x\n---\n")
    with pytest.raises(UsageError, match=r"^templates/default\.md:2: YAML syntax error"):
        get_template("default", folder)
    with pytest.raises(NotFoundError, match="no template named 'nope'"):
        get_template("nope", folder)
