"""Search: the query language, ranking, snippets, filters, and no FTS5 syntax errors ever."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_cli
from mortem.errors import UsageError
from mortem.search import Filters, fts_expression, highlight_html, parse_query, search
from mortem.workspace import Workspace
from pm_files import write_pm


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    write_pm(
        ws,
        "pool-title",
        "# Summary\nThe database refused new sessions.\n",
        title="Connection pool exhausted",
        severity="SEV1",
        services=["payments-api"],
        tags=["postgres"],
        status="published",
        started_at="2026-01-05T10:00:00Z",
    )
    write_pm(
        ws,
        "pool-narrative",
        "# What happened\nA long report query held the connection pool until it was exhausted.\n",
        title="Payments slow",
        severity="SEV2",
        services=["payments-api"],
        started_at="2026-02-10T10:00:00Z",
    )
    write_pm(
        ws,
        "pool-apart",
        "# What happened\nThe pool of workers grew. Later a connection dropped.\n",
        title="Redis failover",
        severity="SEV3",
        services=["cache"],
        tags=["redis"],
        started_at="2026-03-01T10:00:00Z",
        whys=[{"why": "Why did sessions drop?", "because": "The redis connection was reset."}],
    )
    write_pm(
        ws,
        "certificate",
        "# Summary\nThe SAML certificate expired.\n",
        title="Logins failed",
        severity="SEV2",
        services=["auth"],
        started_at="2026-04-01T10:00:00Z",
        action_items=[{"id": "A1", "title": "Alert thirty days before certificates expire"}],
    )
    return ws


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_words_must_all_appear_and_title_ranks_first(repo: Workspace) -> None:
    hits = search(repo.index, "pool exhausted")
    # Both files have both words; the one with them in its title ranks first.
    assert ids(hits) == ["pool-title", "pool-narrative"]
    assert hits[0].score > hits[1].score > 0


def test_phrase_matches_only_adjacent_words(repo: Workspace) -> None:
    assert ids(search(repo.index, '"connection pool"')) == ["pool-title", "pool-narrative"]
    assert set(ids(search(repo.index, "connection pool"))) == {
        "pool-title",
        "pool-narrative",
        "pool-apart",
    }


def test_prefix_exclusion_or_and_column(repo: Workspace) -> None:
    assert set(ids(search(repo.index, "certif*"))) == {"certificate"}
    assert set(ids(search(repo.index, "connection -redis"))) == {"pool-title", "pool-narrative"}
    assert set(ids(search(repo.index, "saml OR redis"))) == {"certificate", "pool-apart"}
    assert ids(search(repo.index, "title:pool")) == ["pool-title"]
    # Only exclusions: everything without the word, newest first.
    assert ids(search(repo.index, "-pool")) == ["certificate"]
    # Words in the whys and the action items are found too.
    assert ids(search(repo.index, "reset")) == ["pool-apart"]
    assert ids(search(repo.index, "thirty days")) == ["certificate"]


def test_snippet_marks_the_match(repo: Workspace) -> None:
    [hit] = search(repo.index, "saml")
    assert highlight_html(hit.snippet) == "The <mark>SAML</mark> certificate expired."
    assert hit.as_dict()["snippet"] == "The **SAML** certificate expired."


def test_filters(repo: Workspace) -> None:
    def found(**kw: object) -> set[str]:
        return set(ids(search(repo.index, "connection", Filters(**kw))))  # type: ignore[arg-type]

    assert found(service="payments-api") == {"pool-title", "pool-narrative"}
    assert found(severity="SEV3") == {"pool-apart"}
    assert found(tag="postgres") == {"pool-title"}
    assert found(status="published") == {"pool-title"}
    assert found(since=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)) == {"pool-narrative", "pool-apart"}
    assert found(until=dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC)) == {"pool-title"}


def test_parse_query_reads_the_user_language() -> None:
    q = parse_query('"Connection Pool" exhaust* -redis title:sync a OR b AND NOT c foo:bar')
    assert fts_expression(q) == (
        '("connection pool" AND "exhaust"* AND title : "sync" AND ("a" OR "b") AND "foo bar")'
        ' NOT ("redis" OR "c")'
    )


NASTY = [
    '"',
    '""',
    '"unclosed phrase',
    "AND",
    "OR OR",
    "NOT",
    "a AND",
    "NEAR(",
    "NEAR(a b, 3)",
    "*",
    "a*b*",
    "-",
    "--x",
    "-*",
    ":",
    "title:",
    ":title",
    'summary:"x',
    "{title}: x",
    "^x",
    "x + y",
    "(a OR b",
    "a) b(",
    "ünïcödé 日本語 emoji 😀",
    "' OR 1=1 --",
    "\x00\x01",
    "rank:1",
]


@pytest.mark.parametrize("text", NASTY)
def test_no_query_is_an_fts_syntax_error(repo: Workspace, text: str) -> None:
    try:
        search(repo.index, text)
    except UsageError as exc:
        assert "nothing to search for" in str(exc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=40)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "*",
                "-",
                ":",
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "NEAR",
                "title",
                "pool",
                " ",
                "^",
                "+",
            ]
        )
    ).map("".join)
)
def test_arbitrary_text_never_breaks_fts(repo: Workspace, text: str) -> None:
    with contextlib.suppress(UsageError):
        search(repo.index, text)


def test_cli_search_json_and_table(repo: Workspace) -> None:
    result = run_cli("search", "pool exhausted", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["id"] for d in data] == ["pool-title", "pool-narrative"]
    assert data[0]["snippet"] == "Connection **pool** **exhausted**"
    table = run_cli("search", "saml", "--service", "auth", cwd=repo.root)
    assert table.returncode == 0 and "certificate" in table.stdout
    # A pipe gets plain text: the match is there, with no markup around it.
    assert "The SAML certificate expired." in table.stdout
    assert "[reverse]" not in table.stdout and "\x02" not in table.stdout
    empty = run_cli("search", "***", cwd=repo.root)
    assert empty.returncode == 2 and "nothing to search for" in empty.stderr
    none = run_cli("search", "zebra", cwd=repo.root)
    assert none.returncode == 0 and "nothing matches" in none.stdout


def test_terminal_cells_show_matches_reversed_and_text_never_as_markup() -> None:
    from rich.console import Console

    from mortem.cli.output import MATCH_END, MATCH_START, _styled

    console = Console(record=True, force_terminal=True, width=120, color_system="standard")
    console.print(
        _styled("[bold]Not bold[/bold]"), _styled(f"the {MATCH_START}pool{MATCH_END} ran dry")
    )
    assert console.export_text(clear=False) == "[bold]Not bold[/bold] the pool ran dry\n"
    assert "\x1b[7mpool\x1b[0m" in console.export_text(styles=True)  # reverse video, the match only


def test_a_search_on_a_fresh_index_loads_no_model_yaml_or_markup(repo: Workspace) -> None:
    """Start-up is most of a search's time: the modules only a parse needs stay unloaded."""
    import subprocess
    import sys

    search(repo.index, "saml")  # the index is fresh before the child starts
    code = (
        "import sys\n"
        "sys.argv = ['mortem', 'search', 'saml']\n"
        "from mortem.cli.main import run\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['mortem.model', 'mortem.document', 'yaml', 'ruamel', 'rich', 'matplotlib']\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "certificate" in done.stdout  # it did search
    assert "LOADED []" in done.stdout, done.stdout
