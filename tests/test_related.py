"""Related postmortems: by words, services, tags and factor categories, earlier only."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from mortem.errors import NotFoundError
from mortem.related import SERVICE_WEIGHT, TAG_WEIGHT, TEXT_WEIGHT, related, salient_terms
from mortem.workspace import Workspace
from pm_files import commit_all, write_pm

POOL = "# What happened\nThe connection pool was exhausted by a reporting query.\n"


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    write_pm(
        ws,
        "target",
        POOL,
        title="Checkout pool exhausted",
        services=["payments-api"],
        tags=["postgres"],
        started_at="2026-05-01T10:00:00Z",
        contributing_factors=[{"category": "testing", "description": "No load test."}],
    )
    # Same service and factor, and the same words: the best match.
    write_pm(
        ws,
        "twin",
        POOL,
        title="Refunds pool exhausted",
        services=["payments-api"],
        started_at="2026-01-01T10:00:00Z",
        contributing_factors=[{"category": "testing", "description": "No soak test."}],
    )
    # Only the words.
    write_pm(
        ws,
        "words-only",
        "# What happened\nThe worker pool was exhausted.\n",
        title="Search workers stuck",
        services=["search"],
        started_at="2026-02-01T10:00:00Z",
    )
    # Only the tag.
    write_pm(
        ws,
        "tag-only",
        "# What happened\nA vacuum ran long.\n",
        title="Vacuum delay",
        services=["reports"],
        tags=["postgres"],
        started_at="2026-03-01T10:00:00Z",
    )
    # Nothing in common.
    write_pm(
        ws,
        "stranger",
        "# What happened\nThe certificate expired.\n",
        title="Logins failed",
        services=["auth"],
        started_at="2026-03-02T10:00:00Z",
    )
    # Unrelated earlier files, so that the shared words are rare enough to count
    # (bm25 gives no weight to a word found in more than half of the files).
    for n, topic in enumerate(["disk", "dns", "queue", "cache", "email"], start=1):
        write_pm(
            ws,
            f"filler-{topic}",
            f"# What happened\nThe {topic} misbehaved.\n",
            title=f"{topic} trouble",
            services=[topic],
            started_at=f"2025-0{n}-01T10:00:00Z",
        )
    # Everything in common, but later than the target: not "earlier".
    write_pm(
        ws,
        "later",
        POOL,
        title="Checkout pool exhausted again",
        services=["payments-api"],
        tags=["postgres"],
        started_at="2026-06-01T10:00:00Z",
    )
    return ws


def test_related_ranks_and_explains(repo: Workspace) -> None:
    found = related(repo.index, "target")
    assert [r.id for r in found] == ["twin", "words-only", "tag-only"]
    twin, words_only, tag_only = found
    # The twin has the best text score (so TEXT_WEIGHT in full), one service, one factor.
    assert twin.score == pytest.approx(TEXT_WEIGHT + SERVICE_WEIGHT + 0.4)
    assert twin.reason.startswith("same service payments-api; factor testing; words: ")
    assert "testing" not in twin.words
    assert {"pool", "exhausted", "connection", "reporting"} <= set(twin.words)
    assert words_only.services == () and {"pool", "exhausted"} <= set(words_only.words)
    assert 0 < words_only.score < TEXT_WEIGHT
    # The tag-only match has no shared words at all.
    assert tag_only.reason == "tag postgres"
    assert tag_only.score == pytest.approx(TAG_WEIGHT)
    assert "stranger" not in [r.id for r in found] and "later" not in [r.id for r in found]


def test_salient_terms_skip_words_found_nowhere_else(repo: Workspace) -> None:
    conn = repo.index.ensure_fresh()
    terms = dict(salient_terms(conn, {"title": "Checkout pool exhausted zyzzyva"}))
    # "zyzzyva" is in no other file; "checkout" is in target and later (df 2).
    assert set(terms) == {"checkout", "pool", "exhausted"}
    # pool and exhausted appear in four of 11 files, checkout in two: rarer weighs more.
    assert terms["checkout"] > terms["pool"] == terms["exhausted"]


def test_unknown_id(repo: Workspace) -> None:
    with pytest.raises(NotFoundError, match="no postmortem 'nope'"):
        related(repo.index, "nope")


def test_cli_related_and_offer_on_new(repo: Workspace) -> None:
    commit_all(repo)
    result = run_cli("related", "target", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert [d["id"] for d in json.loads(result.stdout)] == ["twin", "words-only", "tag-only"]
    new = run_cli(
        "new",
        "Pool exhausted on refunds",
        "--service",
        "payments-api",
        "--started-at",
        "2026-07-01T00:00:00Z",
        cwd=repo.root,
    )
    assert new.returncode == 0, new.stderr
    assert new.stdout.strip() == "postmortems/2026-07-01-pool-exhausted-on-refunds.md"
    assert "Earlier postmortems like this one:" in new.stderr
    assert "twin" in new.stderr and "same service payments-api" in new.stderr
    # Without a service or tag nothing is offered.
    plain = run_cli("new", "Something else", cwd=repo.root)
    assert plain.returncode == 0 and "Earlier postmortems" not in plain.stderr
