"""Two `mortem serve` replicas over clones of one bare remote: edits travel through the
remote, a concurrent edit of the same field is a 409 with the diff, nothing is lost."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from formparse import form_fields, replace
from webkit import CHECKOUT_ID, SEARCH_ID, git, sign_in

from mortem.errors import ConflictError
from mortem.web import create_app
from mortem.workspace import Workspace

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def remote(template_repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(template_repo), str(bare))
    return bare


def clone(remote: Path, template_repo: Path, dest: Path) -> Workspace:
    git(dest.parent, "clone", "-q", str(remote), str(dest))
    # Accounts live outside git: each replica has its own copy of the users file.
    shutil.copytree(
        template_repo / ".mortem",
        dest / ".mortem",
        ignore=shutil.ignore_patterns("index*", "*.lock"),
    )
    return Workspace.open(dest)


@pytest.fixture
def replicas(
    remote: Path, template_repo: Path, tmp_path: Path
) -> Iterator[tuple[Any, Any, Workspace, Workspace]]:
    a = clone(remote, template_repo, tmp_path / "a")
    b = clone(remote, template_repo, tmp_path / "b")
    settings = {"remote": "origin", "pull_seconds": 0.3}
    with TestClient(create_app(a, settings)) as one, TestClient(create_app(b, settings)) as two:
        yield one, two, a, b


def open_form(browser: Any, doc_id: str) -> list[tuple[str, str]]:
    return form_fields(browser.get(f"/postmortems/{doc_id}/edit").text, "editor")


def save(browser: Any, doc_id: str, fields: list[tuple[str, str]]) -> Any:
    return browser.client.post(
        f"/postmortems/{doc_id}", content=urlencode(fields), headers=FORM, follow_redirects=False
    )


def wait_for(check: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the other replica never caught up"
        time.sleep(0.1)


def remote_text(remote: Path, doc_id: str) -> str:
    return git(remote, "show", f"main:postmortems/{doc_id}.md")


def test_an_edit_on_one_replica_reaches_the_other(replicas: Any, remote: Path) -> None:
    one, two, _, _ = replicas
    priya, lee = sign_in(one, "priya"), sign_in(two, "lee")
    fields = replace(open_form(priya, CHECKOUT_ID), "severity", "SEV1")
    assert save(priya, CHECKOUT_ID, fields).status_code == 303
    assert "severity: SEV1" in remote_text(remote, CHECKOUT_ID)
    assert git(remote, "log", "-1", "--format=%an", "main").strip() == "Priya Raman"
    wait_for(
        lambda: (
            lee.get(f"/postmortems/{CHECKOUT_ID}.json").json()["front_matter"]["severity"] == "SEV1"
        )
    )
    # And back: a status change on the second replica reaches the first.
    assert lee.post(f"/actions/{SEARCH_ID}/A1/status", {"status": "in-progress"}).status_code == 303
    wait_for(
        lambda: (
            priya.get(f"/postmortems/{SEARCH_ID}.json").json()["action_items"][0]["status"]
            == "in-progress"
        )
    )


def test_the_same_field_edited_on_both_is_a_conflict_for_the_second(
    replicas: Any, remote: Path, tmp_path: Path
) -> None:
    one, two, _, b = replicas
    priya, ada = sign_in(one, "priya"), sign_in(two, "ada")
    first = open_form(priya, CHECKOUT_ID)
    second = open_form(ada, CHECKOUT_ID)  # both start from the same revision
    saved = save(
        priya,
        CHECKOUT_ID,
        replace(first, "impact", "4,100 checkouts failed (confirmed by finance)."),
    )
    assert saved.status_code == 303
    refused = save(ada, CHECKOUT_ID, replace(second, "impact", "About 4,000 checkouts failed."))
    assert refused.status_code == 409
    assert "+impact: 4,100 checkouts failed (confirmed by finance)." in refused.text
    assert (
        "About 4,000 checkouts failed." in refused.text
    )  # the second person's text is on the page
    text = remote_text(remote, CHECKOUT_ID)
    assert "impact: 4,100 checkouts failed (confirmed by finance)." in text
    assert "About 4,000" not in text
    # The second replica's clone is clean and current.
    assert git(b.root, "status", "--porcelain").strip() == ""
    assert git(b.root, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")


def test_a_push_race_on_different_lines_merges(replicas: Any, remote: Path) -> None:
    one, two, _, b = replicas
    site_b = two.app.state.site
    with site_b.write_lock:  # hold B's background pull: B commits on a stale base
        priya = sign_in(one, "priya")
        fields = replace(open_form(priya, CHECKOUT_ID), "severity", "SEV1")
        assert save(priya, CHECKOUT_ID, fields).status_code == 303
        b.store.update(
            SEARCH_ID, lambda front: front.__setitem__("severity", "SEV4"), "Set severity", None
        )
        site_b.sync.push()
    assert "severity: SEV1" in remote_text(remote, CHECKOUT_ID)
    assert "severity: SEV4" in remote_text(remote, SEARCH_ID)
    assert git(remote, "log", "-2", "--format=%s", "main").splitlines() == [
        "Set severity",
        f"Edit {CHECKOUT_ID}",
    ]


def test_a_push_race_on_the_same_line_loses_nothing(replicas: Any, remote: Path) -> None:
    one, two, _, b = replicas
    site_b = two.app.state.site
    with site_b.write_lock:
        priya = sign_in(one, "priya")
        assert (
            save(
                priya, CHECKOUT_ID, replace(open_form(priya, CHECKOUT_ID), "severity", "SEV1")
            ).status_code
            == 303
        )
        b.store.update(
            CHECKOUT_ID, lambda front: front.__setitem__("severity", "SEV3"), "Set severity", None
        )
        mine = git(b.root, "rev-parse", "HEAD").strip()
        with pytest.raises(ConflictError, match="kept on the branch mortem/conflict-") as raised:
            site_b.sync.push()
    assert "-severity: SEV2" in raised.value.diff and "+severity: SEV3" in raised.value.diff  # type: ignore[attr-defined]
    branches = git(
        remote, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/mortem/"
    )
    assert branches.split()[1] == mine  # B's commit is kept on the remote
    assert "severity: SEV1" in remote_text(remote, CHECKOUT_ID)
    assert git(b.root, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")
