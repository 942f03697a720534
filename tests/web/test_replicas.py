"""Two `mortem serve` replicas over clones of one bare remote: edits travel through the
remote, a concurrent edit of the same field is a 409 with the diff, nothing is lost.

The last tests run two real `mortem serve` processes on loopback ports and drive them
over HTTP; the ones before use two apps in this process, where the write lock can be
held to force the push races a real pair only meets by chance."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from formparse import form_fields, replace
from webkit import CHECKOUT_ID, PASSWORD, SEARCH_ID, csrf_of, free_port, git, sign_in

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


# -- two real `mortem serve` processes ----------------------------------------------------


class Replica:
    """`mortem serve` in a clone, on a free loopback port, as a child process."""

    def __init__(self, root: Path, log: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "mortem",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert self.process.poll() is None, f"mortem serve exited: {log.read_text()}"
            assert time.monotonic() < deadline, f"mortem serve did not start: {log.read_text()}"
            time.sleep(0.1)

    def person(self, username: str) -> httpx.Client:
        """A signed-in visitor, through the sign-in form."""
        client = httpx.Client(base_url=self.url)
        token = csrf_of(client.get("/login").text)
        signed = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert signed.status_code == 303
        return client

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log.read_text(errors="replace")


@pytest.fixture
def served(template_repo: Path, tmp_path: Path) -> Iterator[tuple[Replica, Replica, Path]]:
    """A bare remote whose mortem.toml says to sync with it, two clones, one server each."""
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(template_repo), str(seed))
    config = seed / "mortem.toml"
    config.write_text(config.read_text() + '\n[web]\nremote = "origin"\npull_seconds = 0.5\n')
    git(seed, "commit", "-qam", "Serve as replicas of the shared remote")
    bare = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    a = clone(bare, template_repo, tmp_path / "replica-a")
    b = clone(bare, template_repo, tmp_path / "replica-b")
    one = Replica(a.root, tmp_path / "a.log")
    try:
        two = Replica(b.root, tmp_path / "b.log")
    except BaseException:
        one.stop()
        raise
    yield one, two, bare
    logs = one.stop() + two.stop()
    assert "Traceback" not in logs, logs


def form_of(client: httpx.Client, doc_id: str) -> list[tuple[str, str]]:
    page = client.get(f"/postmortems/{doc_id}/edit")
    assert page.status_code == 200
    return form_fields(page.text, "editor")


def post_form(client: httpx.Client, doc_id: str, fields: list[tuple[str, str]]) -> httpx.Response:
    return client.post(f"/postmortems/{doc_id}", content=urlencode(fields), headers=FORM)


def csrf_from(client: httpx.Client) -> str:
    return csrf_of(client.get("/account").text)


def test_two_servers_meet_in_the_remote(served: Any) -> None:
    one, two, bare = served
    priya, lee = one.person("priya"), two.person("lee")
    # An edit on the first server reaches the remote, then the second server.
    saved = post_form(priya, CHECKOUT_ID, replace(form_of(priya, CHECKOUT_ID), "severity", "SEV1"))
    assert saved.status_code == 303, saved.text
    assert "severity: SEV1" in remote_text(bare, CHECKOUT_ID)
    assert git(bare, "log", "-1", "--format=%an|%s", "main").strip() == (
        f"Priya Raman|Edit {CHECKOUT_ID}"
    )
    wait_for(
        lambda: (
            lee.get(f"/postmortems/{CHECKOUT_ID}.json").json()["front_matter"]["severity"] == "SEV1"
        )
    )
    # And one on the second reaches the remote and the first.
    changed = lee.post(
        f"/actions/{SEARCH_ID}/A1/status",
        data={"status": "in-progress", "csrf_token": csrf_from(lee)},
    )
    assert changed.status_code == 303
    assert "status: in-progress" in remote_text(bare, SEARCH_ID)
    wait_for(
        lambda: (
            priya.get(f"/postmortems/{SEARCH_ID}.json").json()["action_items"][0]["status"]
            == "in-progress"
        )
    )
    # Both edits are in the remote's history, each once, by who made them.
    log = git(bare, "log", "--format=%an|%s", "main").splitlines()
    assert log[0].startswith("Lee Nakamura|") and f"{SEARCH_ID}/A1" in log[0]
    assert log[1] == f"Priya Raman|Edit {CHECKOUT_ID}"
    assert log[2] == "Test Runner|Serve as replicas of the shared remote"


def test_two_servers_same_field_the_second_sees_a_conflict(served: Any) -> None:
    one, two, bare = served
    priya, ada = one.person("priya"), two.person("ada")
    first, second = form_of(priya, CHECKOUT_ID), form_of(ada, CHECKOUT_ID)
    assert dict(first)["revision"] == dict(second)["revision"]  # the same starting point
    theirs = "4,100 checkouts failed (confirmed by finance)."
    mine = "About 4,000 checkouts failed."
    assert post_form(priya, CHECKOUT_ID, replace(first, "impact", theirs)).status_code == 303
    refused = post_form(ada, CHECKOUT_ID, replace(second, "impact", mine))
    assert refused.status_code == 409
    assert "changed by someone else" in refused.text
    assert f"+impact: {theirs}" in refused.text  # what the other person changed
    assert mine in refused.text  # and her own text, to make the change again
    # Nothing lost, nothing overwritten: the first edit stands in the remote, the second
    # server's clone is clean and current, and no stray commit waits to be pushed.
    text = remote_text(bare, CHECKOUT_ID)
    assert f"impact: {theirs}" in text and mine not in text
    root = two.root
    assert git(root, "status", "--porcelain").strip() == ""
    assert git(root, "rev-parse", "HEAD") == git(bare, "rev-parse", "main")
    # Made again on top of the current version, the second edit goes through.
    again = post_form(ada, CHECKOUT_ID, replace(form_of(ada, CHECKOUT_ID), "impact", mine))
    assert again.status_code == 303
    assert f"impact: {mine}" in remote_text(bare, CHECKOUT_ID)
    subjects = git(bare, "log", "-2", "--format=%an", "main").split("\n")[:2]
    assert subjects == ["Ada Admin", "Priya Raman"]
