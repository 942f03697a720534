"""The store and workspace on a real git repository in a temporary folder."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from helpers import tiny_png
from mortem.errors import ConflictError, InvalidDocumentError, NotFoundError, ParseError, UsageError
from mortem.git import Author
from mortem.templates import NewPostmortem
from mortem.workspace import Workspace


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def test_init_sets_up_a_committed_repository(ws: Workspace) -> None:
    assert (ws.root / "mortem.toml").is_file()
    assert (ws.root / "postmortems").is_dir()
    assert (ws.root / "schema/postmortem.schema.json").is_file()
    assert ".mortem/" in (ws.root / ".gitignore").read_text()
    assert git(ws.root, "status", "--porcelain") == ""
    assert "set up the postmortem repository" in git(ws.root, "log", "--format=%s")


def test_init_twice_is_refused(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="already"):
        Workspace.init(ws.root)


def test_open_finds_the_root_from_a_subfolder(ws: Workspace) -> None:
    assert Workspace.open(ws.root / "postmortems").root == ws.root


def test_create_commits_with_the_acting_author(ws: Workspace) -> None:
    author = Author("Priya Raman", "priya@example.com")
    saved = ws.create(
        NewPostmortem(
            title="Checkout timeouts",
            severity="SEV2",
            services=["payments-api"],
            started_at=dt.datetime(2026, 3, 14, 2, 47, tzinfo=dt.UTC),
        ),
        author=author,
    )
    assert saved.document.id == "2026-03-14-checkout-timeouts"
    pm = saved.document.model()
    assert pm.status == "draft" and pm.services == ["payments-api"]
    assert "## Root cause analysis" in saved.document.body
    assert "Blameless postmortem" in saved.document.body
    log = git(ws.root, "log", "-1", "--format=%an <%ae>|%s")
    assert (
        log.strip()
        == "Priya Raman <priya@example.com>|Create postmortem 2026-03-14-checkout-timeouts"
    )
    # The same title on the same day gets a distinct id.
    again = ws.create(
        NewPostmortem(title="Checkout timeouts", started_at=dt.datetime(2026, 3, 14, tzinfo=dt.UTC))
    )
    assert again.document.id == "2026-03-14-checkout-timeouts-2"


def test_unknown_severity_is_refused(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown severity 'P1'"):
        ws.create(NewPostmortem(title="x", severity="P1"))


def test_every_template_makes_a_valid_file(ws: Workspace) -> None:
    names = sorted(ws.templates())
    assert {"default", "google-sre", "pagerduty", "atlassian"} <= set(names)
    for name in names:
        saved = ws.create(NewPostmortem(title=f"From {name}"), template=name)
        assert saved.document.problems() == []
        for section in ws.templates()[name].sections:
            assert f"## {section}" in saved.document.body, (name, section)


def test_repository_template_overrides_and_extends(ws: Workspace) -> None:
    (ws.root / "templates" / "tiny.md").write_text(
        "---\nname: tiny\ndescription: Just two sections\n---\n# ${title}\n\n## Summary\n\n## Actions\n"
    )
    tpl = ws.templates()["tiny"]
    assert tpl.sections == ("Summary", "Actions")
    saved = ws.create(NewPostmortem(title="Small one"), template="tiny")
    assert saved.document.body.startswith("# Small one")
    with pytest.raises(NotFoundError, match="no template named 'nope'"):
        ws.create(NewPostmortem(title="x"), template="nope")


def test_update_edits_in_place_and_commits(ws: Workspace) -> None:
    doc = ws.create(NewPostmortem(title="Edit me")).document
    before = doc.text
    saved = ws.store.update(
        doc.id,
        lambda f: f.__setitem__("severity", "SEV1"),
        "Raise severity",
        Author("Sam", "sam@x.io"),
    )
    after = saved.document.text
    diff = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert diff == [("severity: null", "severity: SEV1")]
    assert git(ws.root, "log", "-1", "--format=%an|%s").strip() == "Sam|Raise severity"
    assert git(ws.root, "status", "--porcelain") == ""


def test_update_refuses_a_stale_revision(ws: Workspace) -> None:
    doc = ws.create(NewPostmortem(title="Race")).document
    ws.store.update(doc.id, lambda f: f.__setitem__("severity", "SEV3"), "first", None)
    with pytest.raises(ConflictError, match="changed since you opened it"):
        ws.store.update(
            doc.id,
            lambda f: f.__setitem__("severity", "SEV1"),
            "second",
            None,
            expected_revision=doc.revision,
        )
    assert ws.store.load(doc.id).model().severity == "SEV3"


def test_update_refuses_to_introduce_problems(ws: Workspace) -> None:
    doc = ws.create(NewPostmortem(title="Stay valid")).document
    with pytest.raises(InvalidDocumentError, match="status: unknown value"):
        ws.store.update(doc.id, lambda f: f.__setitem__("status", "finished"), "bad", None)
    assert ws.store.load(doc.id).text == doc.text


def test_a_broken_file_is_never_rewritten(ws: Workspace) -> None:
    path = ws.store.folder / "broken.md"
    original = b"---\ntitle: [oops\n---\nbody\n"
    path.write_bytes(original)
    with pytest.raises(ParseError):
        ws.store.update("broken", lambda f: f.__setitem__("severity", "SEV1"), "x", None)
    assert path.read_bytes() == original


def test_ids_cannot_escape_the_folder(ws: Workspace) -> None:
    for bad in ("../mortem", "a/b", "..", ".hidden", ""):
        with pytest.raises(UsageError):
            ws.store.path_for(bad)


def test_history_lists_commits_newest_first(ws: Workspace) -> None:
    doc = ws.create(NewPostmortem(title="History")).document
    ws.store.update(doc.id, lambda f: f.__setitem__("severity", "SEV2"), "Set severity", None)
    subjects = [c.subject for c in ws.store.history(doc.id)]
    assert subjects == ["Set severity", f"Create postmortem {doc.id}"]


def test_attach_copies_checks_links_and_commits(ws: Workspace, tmp_path: Path) -> None:
    doc = ws.create(NewPostmortem(title="Evidence")).document
    png = tmp_path / "Latency Graph!.PNG"
    png.write_bytes(tiny_png())
    log = tmp_path / "pool.log"
    log.write_text("ERROR pool exhausted\n")
    attached = ws.attach(doc.id, [png, log], Author("Lee", "lee@x.io"))
    assert [a.link for a in attached] == [f"{doc.id}/latency-graph.png", f"{doc.id}/pool.log"]
    body = ws.store.load(doc.id).body
    assert f"![latency-graph.png]({doc.id}/latency-graph.png)" in body
    assert f"[pool.log]({doc.id}/pool.log)" in body
    assert git(ws.root, "status", "--porcelain") == ""
    tracked = git(ws.root, "ls-files", "postmortems").split()
    assert f"postmortems/{doc.id}/latency-graph.png" in tracked
    # Validation reports a link whose file went missing.
    (ws.store.folder / doc.id / "pool.log").unlink()
    problems = ws.validate_document(ws.store.load(doc.id))
    assert [p.message for p in problems] == [f"link to missing file {doc.id}/pool.log"]


def test_attach_refuses_what_only_starts_like_an_image(ws: Workspace, tmp_path: Path) -> None:
    doc = ws.create(NewPostmortem(title="Polyglot")).document
    polyglot = tmp_path / "graph.gif"
    polyglot.write_bytes(b"GIF89a<html><script>alert(1)</script></html>")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(tiny_png()[:-30])
    for bad in (polyglot, truncated):
        with pytest.raises(UsageError, match="not a valid"):
            ws.attach(doc.id, [bad], None)
    assert not (ws.store.folder / doc.id).exists()


def test_attach_refuses_binaries_and_oversized_files(ws: Workspace, tmp_path: Path) -> None:
    doc = ws.create(NewPostmortem(title="No binaries")).document
    exe = tmp_path / "tool.png"  # the name lies: the content decides
    exe.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00\xff" * 50)
    with pytest.raises(UsageError, match="only images"):
        ws.attach(doc.id, [exe], None)
    big = tmp_path / "big.log"
    big.write_text("x" * (ws.settings.limits.max_attachment_bytes + 1))
    with pytest.raises(UsageError, match="over the attachment limit"):
        ws.attach(doc.id, [big], None)
    assert not (ws.store.folder / doc.id).exists()


def test_validation_finds_missing_files_in_every_kind_of_link(tmp_path: Path) -> None:
    from mortem.evidence import missing_links

    (tmp_path / "pm").mkdir()
    (tmp_path / "pm" / "here.png").write_bytes(tiny_png())
    body = "\n".join(
        [
            "![graph](pm/gone-1.png) and [log](pm/here.png)",
            '<img src="pm/gone-2.png" alt="x"> <a href="pm/here.png">ok</a>',
            "[ref]: pm/gone-3.png",
            "   [ok-ref]: <pm/here.png>",
            "```",
            "![in code](pm/not-a-link.png)",
            '<img src="pm/not-a-link-either.png">',
            "```",
            '<img src="https://example.com/remote.png"> [site]: https://example.com',
        ]
    )
    problems = missing_links(body, 10, tmp_path, "pm.md")
    assert [(p.line, p.message) for p in problems] == [
        (10, "link to missing file pm/gone-1.png"),
        (11, "link to missing file pm/gone-2.png"),
        (12, "link to missing file pm/gone-3.png"),
    ]
