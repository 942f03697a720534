"""The benchmark corpus generator writes valid, varied, reproducible repositories.

Benchmarks are only comparable if the corpus is the same every time, and only
meaningful if every file is one that mortem accepts; both are checked here with the
model alone, independently of mortem's own loader.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from ruamel.yaml import YAML

from mortem.model import Postmortem, consistency_problems

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 26)
BLAME = re.compile(r"forgot to|human error|should have noticed|careless|if \w+ had", re.I)


def _load_module() -> ModuleType:
    # bench/ is a folder of scripts, so load the file itself rather than rely on sys.path.
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


corpus = _load_module()
_yaml = YAML(typ="safe", pure=True)  # YAML 1.2, like mortem: `on:` stays a string


def parse(path: Path) -> tuple[Postmortem, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return Postmortem.model_validate(_yaml.load(front)), body


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("corpus") / "repo"
    corpus.generate(dest, 25, seed=7)
    return dest


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("corpus") / "repo"
    corpus.generate(dest, 400, seed=11)
    return dest


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def _files(repo: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(repo)): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def test_every_file_is_valid(small: Path) -> None:
    files = sorted((small / "postmortems").glob("*.md"))
    assert len(files) == 25
    for path in files:
        pm, body = parse(path)
        assert consistency_problems(pm) == [], path.name
        assert pm.started_at and pm.detected_at and pm.mitigated_at and pm.resolved_at
        assert pm.started_at <= pm.detected_at <= pm.mitigated_at <= pm.resolved_at
        assert pm.resolved_at - pm.started_at <= timedelta(days=3)
        at = [e.at for e in pm.timeline]
        assert at == sorted(at) and 2 <= len(at) <= 12
        assert 3 <= len(pm.whys) <= 5
        assert 1 <= len(pm.contributing_factors) <= 4
        assert 1 <= len(pm.action_items) <= 6
        assert path.stem.startswith(pm.started_at.date().isoformat() + "-")
        assert 3_000 <= path.stat().st_size <= 6_144, (path.name, path.stat().st_size)
        assert body.startswith(f"# {pm.title}\n")
        assert "> This postmortem is blameless" in body
        headings = re.findall(r"^## (.+)$", body, re.M)
        assert headings == [
            "Summary",
            "Impact",
            "What happened",
            "Timeline",
            "Root cause analysis",
            "Contributing factors",
            "Action items",
            "Lessons learned",
        ]


def test_config_names_everyone(small: Path) -> None:
    with (small / "mortem.toml").open("rb") as f:
        cfg = tomllib.load(f)
    people = set(cfg["people"])
    teams = {p["team"] for p in cfg["people"].values()}
    severities = {s["name"] for s in cfg["severities"]}
    categories = set(cfg["factors"]["categories"])
    for path in (small / "postmortems").glob("*.md"):
        pm, _ = parse(path)
        assert pm.severity in severities
        assert {f.category for f in pm.contributing_factors} <= categories
        owners = {a.owner for a in pm.action_items if a.owner}
        assert pm.people() - owners <= people
        assert owners <= people | teams


def test_one_commit_with_every_file(small: Path) -> None:
    assert _git(small, "rev-list", "--count", "HEAD").strip() == "1"
    tracked = _git(small, "ls-files").split()
    assert len(tracked) == 26
    assert "mortem.toml" in tracked
    assert _git(small, "status", "--porcelain") == ""


def test_same_seed_same_bytes(tmp_path: Path, small: Path) -> None:
    corpus.generate(tmp_path / "again", 25, seed=7)
    assert _files(small) == _files(tmp_path / "again")
    # Fixed author and dates make even the commit id reproducible.
    assert _git(small, "rev-parse", "HEAD") == _git(tmp_path / "again", "rev-parse", "HEAD")


def test_other_seed_other_corpus(tmp_path: Path, small: Path) -> None:
    corpus.generate(tmp_path / "other", 25, seed=8)
    assert {p.name for p in (small / "postmortems").iterdir()} != {
        p.name for p in (tmp_path / "other" / "postmortems").iterdir()
    }


def test_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        corpus.generate(tmp_path, 3)


def test_variety(large: Path) -> None:
    pms = []
    blaming = 0
    for path in (large / "postmortems").glob("*.md"):
        pm, body = parse(path)
        assert 3_000 <= path.stat().st_size <= 6_144
        pms.append(pm)
        blaming += bool(BLAME.search(body))
    assert len(pms) == 400
    assert 0.05 <= blaming / len(pms) <= 0.16
    assert Counter(pm.severity for pm in pms).keys() == {"SEV1", "SEV2", "SEV3", "SEV4"}
    assert {pm.status for pm in pms} == {"draft", "in-review", "published"}
    assert len({s for pm in pms for s in pm.services}) >= 15
    years = {pm.started_at.year for pm in pms if pm.started_at}
    assert len(years) >= 5
    offsets = {pm.started_at.utcoffset() for pm in pms if pm.started_at}
    assert len(offsets) >= 4
    items = [a for pm in pms for a in pm.action_items]
    statuses = Counter(a.status for a in items)
    assert statuses.keys() == {"open", "in-progress", "done", "wont-do"}
    assert any(a.status == "open" and a.due and a.due < TODAY for a in items)
    assert any(a.status == "done" and a.due and a.closed_on and a.closed_on > a.due for a in items)
    assert all(a.notes for a in items if a.status == "wont-do")
    kinds = Counter(r.kind for pm in pms for r in pm.reviews)
    assert kinds.keys() == {"request", "approval", "follow-up"}
    ids = [p.stem for p in (large / "postmortems").glob("*.md")]
    assert len(set(ids)) == len(ids)
