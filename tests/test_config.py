"""mortem.toml: strict values, unknown keys named with their line, the default template."""

from __future__ import annotations

from pathlib import Path

import pytest

from mortem.config import (
    DEFAULT_CONFIG,
    check_default_template,
    effective_settings,
    load_settings,
)
from mortem.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mortem.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[git]\ncommit = "yes"\n', "git.commit"),
        ("[git]\ncommit = 1\n", "git.commit"),
        ('[reviews]\napprovals = "2"\n', "reviews.approvals"),
        ("[limits]\nmax_file_bytes = 1.5\n", "limits.max_file_bytes"),
        ('[lint]\nallow_names_in_timeline = "true"\n', "lint.allow_names_in_timeline"),
    ],
)
def test_values_are_not_coerced(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    assert error_of(path).startswith(f"{path}:2: {key}: Input should be a valid")


def test_real_types_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "[git]\ncommit = false\n[lint]\nrestatement_threshold = 1\n")
    settings = load_settings(path).settings
    assert settings.git.commit is False and settings.lint.restatement_threshold == 1


def test_a_misspelt_key_is_reported_before_the_missing_one(tmp_path: Path) -> None:
    path = write(tmp_path, '[paths]\npostmortems = "pm"\n\n[people.zed]\nnmae = "Zed"\n')
    assert error_of(path) == f"{path}:5: unknown setting 'people.zed.nmae'"


def test_a_missing_key_points_at_its_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[people.ann]\nname = "Ann"\n\n[people.zed]\nteam = "infra"\n')
    assert error_of(path) == f"{path}:4: people.zed.name: Field required"


def test_the_nth_severity_table_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[severities]]\nname = "SEV1"\n[[severities]]\nname = "SEV2"\ncolour = "red"\n',
    )
    assert error_of(path) == f"{path}:5: unknown setting 'severities[1].colour'"
    path = write(tmp_path, '[[severities]]\nname = "A"\n[[severities]]\nname = 2\n')
    assert error_of(path).startswith(f"{path}:4: severities[1].name: Input should be")


def test_default_template_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, DEFAULT_CONFIG + '\n[templates]\ndefault = "nosuch"\n')
    loaded = load_settings(path)
    line = path.read_text().splitlines().index('default = "nosuch"') + 1
    with pytest.raises(ConfigError) as caught:
        check_default_template(loaded.settings, path, tmp_path / "templates")
    assert str(caught.value).startswith(
        f"{path}:{line}: templates.default: no template named 'nosuch' (available: atlassian,"
    )
    # A repository template of that name makes it good.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "nosuch.md").write_text("# ${title}\n\n## Summary\n")
    check_default_template(loaded.settings, path, tmp_path / "templates")


def test_a_broken_default_template_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[templates]\ndefault = "broken"\n')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.md").write_text("---\nname: [unclosed\n---\n# x\n")
    with pytest.raises(ConfigError) as caught:
        check_default_template(load_settings(path).settings, path, tmp_path / "templates")
    message = str(caught.value)
    assert message.startswith(f"{path}:2: templates.default: template 'broken' is broken:")
    assert "templates/broken.md:2: YAML syntax error" in message


def test_every_setting_has_help(tmp_path: Path) -> None:
    path = write(tmp_path, DEFAULT_CONFIG + '\n[people.zed]\nname = "Zed"\n')
    rows = {row.key: row for row in effective_settings(load_settings(path))}
    assert "severit" in rows["severities"].help.lower()
    assert "name" in rows["people.zed"].help and "team" in rows["people.zed"].help
    missing = [key for key, row in rows.items() if not row.help]
    assert missing == []
    empty = {row.key: row for row in effective_settings(load_settings(None))}
    assert "roster" in empty["people"].help.lower()
