"""The static site: pages, relative links, sanitised narrative, incremental rebuilds."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from mortem.errors import UsageError
from mortem.site import build_site, builder, pages
from mortem.workspace import Workspace
from pm_files import commit_all, run_cli_env, write_pm

TODAY = dt.date(2026, 3, 20)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    write_pm(
        ws,
        "pool",
        "# Summary\nThe pool ran dry. See [the DNS one](dns.md#summary) and ![graph](pool/graph.png)."
        "\n\n<script>alert('x')</script>\n",
        title="Checkout <pool> exhausted",
        status="published",
        severity="SEV2",
        services=["payments-api"],
        tags=["postgres"],
        started_at="2026-03-01T10:00:00Z",
        detected_at="2026-03-01T10:05:00Z",
        resolved_at="2026-03-01T11:00:00Z",
        timeline=[{"at": "2026-03-01T10:05:00Z", "event": "Alert fires", "kind": "detection"}],
        whys=[
            {"why": "Why did checkout fail?", "because": "The pool was exhausted."},
            {"why": "Why was it exhausted?", "because": "A report held connections."},
        ],
        contributing_factors=[{"category": "capacity", "description": "One shared pool."}],
        action_items=[
            {"id": "A1", "title": "Split the pool", "owner": "payments", "due": "2026-03-10"},
            {"id": "A2", "title": "Alert on pool use", "owner": "sam", "due": "2026-03-25"},
            {"id": "A3", "title": "Write runbook", "status": "done", "closed_on": "2026-03-05"},
        ],
    )
    (ws.store.folder / "pool").mkdir()
    (ws.store.folder / "pool" / "graph.png").write_bytes(PNG)
    write_pm(
        ws,
        "dns",
        "# Summary\nDNS saturated.\n",
        title="DNS saturated",
        severity="SEV3",
        services=["dns"],
        started_at="2025-12-01T10:00:00Z",
        action_items=[{"id": "A1", "title": "Scale CoreDNS", "due": "2026-05-01"}],
    )
    path = ws.store.path_for("broken")
    path.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    commit_all(ws)
    return ws


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


def local_targets(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [t for t in parser.targets if not urlparse(t).scheme and not t.startswith("#")]


def test_site_pages_and_links(repo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "public"
    report = build_site(repo, out, TODAY)
    assert sorted(report.written) == [
        "actions.html",
        "assets/site.css",
        "assets/site.js",
        "index.html",
        "pm/broken.html",
        "pm/dns.html",
        "pm/pool.html",
        "stats.html",
    ]
    # Every local link of every page resolves to a file, relative to that page: the
    # site works from file:// and from any folder of a static host.
    pages = sorted(out.rglob("*.html"))
    for page in pages:
        for target in local_targets(page):
            assert not target.startswith("/"), (page, target)
            resolved = (page.parent / unquote(target.split("#")[0])).resolve()
            assert resolved.is_file(), (page.name, target)
    index = (out / "index.html").read_text()
    assert 'href="pm/pool.html"' in index and "Checkout &lt;pool&gt; exhausted" in index
    assert 'data-service="payments-api"' in index
    assert "1 problem" in index  # the broken file is listed, flagged
    page = (out / "pm" / "pool.html").read_text()
    assert "<script>alert" not in page and "alert(&#39;x&#39;)" not in page
    assert 'href="dns.html#summary"' in page
    assert (out / "pm" / "pool" / "graph.png").read_bytes() == PNG
    assert page.index("Why did checkout fail?") < page.index("Why was it exhausted?")
    assert "One shared pool." in page and "Split the pool" in page
    assert "<svg" in page and "Alert fires" in page and "detecting 5 min" in page
    assert "<dt>Time to detect</dt><dd>5 min</dd>" in page
    assert "<dt>Time to resolve</dt><dd>1 h</dd>" in page
    assert "<code>postmortems/pool.md</code>" in page
    broken = (out / "pm" / "broken.html").read_text()
    assert "Problems in this file" in broken and "YAML syntax error" in broken


def test_action_overview_counts(repo: Workspace, tmp_path: Path) -> None:
    build_site(repo, tmp_path / "s", TODAY)
    html = (tmp_path / "s" / "actions.html").read_text()
    # Open on 2026-03-20: pool/A1 due 03-10 (overdue), pool/A2 due 03-25 (within 14 days),
    # dns/A1 due 05-01 (later); pool/A3 is done.
    assert "3 open: <strong" in html and "1 overdue" in html
    assert "1 due within 14 days, 1 later" in html
    assert "10 d late" in html
    assert html.count('data-when="closed"') == 1


def test_rebuild_only_what_changed(
    repo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[dt.date] = []
    real = pages.chart_stats
    monkeypatch.setattr(pages, "chart_stats", lambda ws, day: computed.append(day) or real(ws, day))
    out = tmp_path / "s"
    build_site(repo, out, TODAY)
    (out / "mine.txt").write_text("not mortem's")
    again = build_site(repo, out, TODAY)
    assert again.written == [] and again.unchanged == 8
    # A narrative edit changes that page only.
    path = repo.store.path_for("dns")
    path.write_text(path.read_text() + "More detail.\n")
    repo.index.invalidate()
    assert build_site(repo, out, TODAY).written == ["pm/dns.html"]
    # A title edit changes the overviews too, but not the numbers behind the charts.
    path.write_text(path.read_text().replace("title: DNS saturated", "title: DNS overloaded"))
    repo.index.invalidate()
    assert sorted(build_site(repo, out, TODAY).written) == [
        "actions.html",
        "index.html",
        "pm/dns.html",
    ]
    assert "DNS overloaded" in (out / "index.html").read_text()
    assert len(computed) == 1  # the charts' numbers were not even recomputed
    # A severity edit moves the numbers: the charts are redrawn.
    path.write_text(path.read_text().replace("severity: SEV3", "severity: SEV1"))
    repo.index.invalidate()
    assert "stats.html" in build_site(repo, out, TODAY).written
    # Another day: the overdue counts and the charts' last period may move; the
    # postmortem pages do not depend on the day.
    later = build_site(repo, out, TODAY + dt.timedelta(days=1))
    assert sorted(later.written) == ["actions.html", "stats.html"]
    # A deleted postmortem's page and evidence go; files mortem did not write stay.
    shutil.rmtree(repo.store.folder / "pool")
    repo.store.path_for("pool").unlink()
    repo.index.invalidate()
    gone = build_site(repo, out, TODAY)
    assert gone.removed == ["pm/pool.html"]
    assert not (out / "pm" / "pool.html").exists() and not (out / "pm" / "pool").exists()
    assert (out / "mine.txt").read_text() == "not mortem's"


def test_template_change_rebuilds_everything(
    repo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s"
    build_site(repo, out, TODAY)
    monkeypatch.setattr(builder, "template_version", lambda: "a-new-template")
    assert len(build_site(repo, out, TODAY).written) == 8
    assert len(build_site(repo, out, TODAY, full=True).written) == 8


def test_charts_can_be_left_out(repo: Workspace, tmp_path: Path) -> None:
    config = repo.root / "mortem.toml"
    config.write_text(config.read_text() + '\n[site]\ntitle = "Larkspur"\ncharts = false\n')
    ws = Workspace.open(repo.root)
    report = build_site(ws, tmp_path / "s", TODAY)
    assert "stats.html" not in report.written
    assert report.notes == ["charts left out: [site] charts = false"]
    index = (tmp_path / "s" / "index.html").read_text()
    assert "stats.html" not in index and "<title>Larkspur</title>" in index


def test_refuses_to_build_over_the_repository(repo: Workspace) -> None:
    for bad in (repo.root, repo.root.parent, repo.store.folder, repo.store.folder / "x"):
        with pytest.raises(UsageError):
            build_site(repo, bad, TODAY)


def test_cli_site(repo: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = run_cli_env("site", str(out), "--today", "2026-03-20", cwd=repo.root)
    assert first.returncode == 0, first.stderr
    assert "8 page(s) written, 0 unchanged, 0 removed" in first.stderr
    second = run_cli_env("site", str(out), "--today", "2026-03-20", cwd=repo.root)
    assert "0 page(s) written, 8 unchanged" in second.stderr


@pytest.mark.browser
def test_filters_work_from_file_url(repo: Workspace, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    build_site(repo, tmp_path / "s", TODAY)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto((tmp_path / "s" / "index.html").as_uri())
            count = page.locator("output.count")
            assert count.text_content() == "3 of 3 shown"
            page.select_option("select[name=service]", "payments-api")
            assert count.text_content() == "1 of 3 shown"
            assert page.url.endswith("#service=payments-api")
            page.select_option("select[name=service]", "")
            page.fill("input[name=text]", "dns")
            assert count.text_content() == "1 of 3 shown"
            # A filtered address opens filtered.
            page.goto((tmp_path / "s" / "actions.html").as_uri() + "#when=overdue")
            assert page.locator("output.count").text_content() == "1 of 4 shown"
            page.click("a[href='pm/pool.html#actions']")
            assert page.url.endswith("pm/pool.html#actions")
        finally:
            browser.close()


def test_parallel_build_makes_the_same_pages(
    repo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = build_site(repo, tmp_path / "serial", TODAY)
    monkeypatch.setattr(builder, "PARALLEL_PAGES", 1)  # worker processes even for a few pages
    parallel = build_site(repo, tmp_path / "parallel", TODAY)
    assert sorted(parallel.written) == sorted(serial.written)
    for page in sorted(serial.written):
        assert (tmp_path / "parallel" / page).read_bytes() == (
            tmp_path / "serial" / page
        ).read_bytes(), page
    manifest = json.loads((tmp_path / "parallel" / ".mortem-site.json").read_text())
    # The charts' key was made in a worker and still reached the manifest.
    assert (
        manifest["pages"]["stats.html"]
        == json.loads((tmp_path / "serial" / ".mortem-site.json").read_text())["pages"][
            "stats.html"
        ]
        != ""
    )
    assert build_site(repo, tmp_path / "parallel", TODAY).written == []
