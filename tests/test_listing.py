"""Listing filters: SQL and Python paths agree; owners match people and teams."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mortem.listing import ListFilter, list_json, list_rows
from mortem.workspace import Workspace

FILTERS = [
    ListFilter(),
    ListFilter(status="published"),
    ListFilter(severity="SEV1"),
    ListFilter(since=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ListFilter(until=dt.datetime(2025, 6, 1, tzinfo=dt.UTC), status="published"),
]


@pytest.mark.parametrize("wanted", FILTERS)
def test_sql_json_matches_the_rows(sample: Workspace, wanted: ListFilter) -> None:
    text = list_json(sample.index, wanted)
    assert text is not None
    rows = [r.as_dict() for r in list_rows(sample.index, sample.settings, wanted)]
    assert json.loads(text) == rows
    assert rows, "each filter should match something in the sample repository"


def test_filters_select_what_they_say(sample: Workspace) -> None:
    everything = list_rows(sample.index, sample.settings, ListFilter())
    service = everything[0].services[0]
    only = list_rows(sample.index, sample.settings, ListFilter(service=service))
    assert only and all(service in r.services for r in only)
    assert {r.id for r in only} == {r.id for r in everything if service in r.services}


def test_owner_matches_a_person_or_their_team(sample: Workspace) -> None:
    settings = sample.settings
    everything = list_rows(sample.index, settings, ListFilter())
    person = everything[0].people[0]
    by_person = list_rows(sample.index, settings, ListFilter(owner=person))
    assert {r.id for r in by_person} == {r.id for r in everything if person in r.people}
    assert len(by_person) < len(everything)
    team = next(p.team for p in settings.people.values() if p.team)
    by_team = list_rows(sample.index, settings, ListFilter(owner=team))
    expected = {
        r.id
        for r in everything
        if team in r.people or any(settings.team_of(p) == team for p in r.people)
    }
    assert {r.id for r in by_team} == expected and expected
    assert list_json(sample.index, ListFilter(owner=team)) is None


def test_a_misspelt_status_or_severity_is_an_error_not_an_empty_list(sample: Workspace) -> None:
    from helpers import run_cli

    wrong = run_cli("list", "--severity", "sev1", cwd=sample.root)
    assert wrong.returncode == 2
    assert "unknown severity 'sev1' (one of: SEV1, SEV2" in wrong.stderr
    wrong = run_cli("search", "timeout", "--status", "publish", cwd=sample.root)
    assert wrong.returncode == 2
    assert "unknown status 'publish' (one of: draft, in-review, published)" in wrong.stderr
    right = run_cli("list", "--severity", "SEV1", "--format", "json", cwd=sample.root)
    assert right.returncode == 0 and json.loads(right.stdout)
    assert {row["severity"] for row in json.loads(right.stdout)} == {"SEV1"}
    # The same check guards a status change and a new postmortem.
    doc_id = json.loads(right.stdout)[0]["id"]
    wrong = run_cli("status", doc_id, "done", cwd=sample.root)
    assert wrong.returncode == 2 and "unknown status 'done'" in wrong.stderr
    wrong = run_cli("new", "Disk full", "--severity", "P1", cwd=sample.root)
    assert wrong.returncode == 2 and "unknown severity 'P1' (one of: SEV1" in wrong.stderr
