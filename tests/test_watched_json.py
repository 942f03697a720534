"""fsutil.WatchedJson: a small JSON file kept in memory until it changes on disk."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from mortem.fsutil import WatchedJson


def names(raw: Any) -> list[str]:
    return [str(n) for n in raw["names"]]


def test_read_once_then_again_only_after_a_change(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    calls: list[int] = []

    def parse(raw: Any) -> list[str]:
        calls.append(1)
        return names(raw)

    watched = WatchedJson(path, parse, [])
    assert watched.load() == [] and calls == []  # no file: the empty value
    watched.write_private({"names": ["ann"]})
    assert watched.load() == ["ann"] and watched.load() == ["ann"] and len(calls) == 1
    # Another process replaces it with text of the same size: the inode tells.
    other = WatchedJson(path, parse, [])
    other.write_private({"names": ["bob"]})
    assert watched.load() == ["bob"] and len(calls) == 2


def test_written_owner_only_and_whole(tmp_path: Path) -> None:
    path = tmp_path / "state" / "f.json"
    WatchedJson(path, names, []).write_private({"names": ["ann"]})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text(encoding="utf-8")) == {"names": ["ann"]}


def test_a_broken_file_raises_for_the_owner_to_word(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text('{"names": ', encoding="utf-8")
    with pytest.raises(ValueError):
        WatchedJson(path, names, []).load()
    path.write_text('{"other": 1}', encoding="utf-8")
    with pytest.raises(KeyError):
        WatchedJson(path, names, []).load()
