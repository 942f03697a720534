"""Security headers, request size limits, ids, and how evidence is taken in and served."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from webkit import CHECKOUT_ID, LATENCY_PNG, PASSWORD, PNG, LiveServer, csrf_of, git

from mortem.web import create_app
from mortem.workspace import Workspace


def test_security_headers_on_every_kind_of_response(login: Any) -> None:
    editor = login("priya")
    for url in ("/", f"/postmortems/{CHECKOUT_ID}", "/index.json", "/api/postmortems", "/nope"):
        response = editor.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
    # No inline script anywhere: every <script> loads a file of our own.
    page = editor.get(f"/postmortems/{CHECKOUT_ID}/edit").text
    assert page.count("<script") == 1 and '<script src="/static/app.js?v=' in page


def test_request_size_limit(repo: Workspace) -> None:
    app = create_app(repo, {"max_request_bytes": 2000})
    with LiveServer(app) as server:
        big = httpx.post(
            f"{server.url}/login",
            content=b"x" * 5000,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert big.status_code == 413

        def chunks() -> Any:
            for _ in range(10):
                yield b"y" * 1000

        streamed = httpx.post(
            f"{server.url}/login",
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413


def test_ids_cannot_leave_the_folder(login: Any) -> None:
    viewer = login("vic")
    for bad in ("..%2Fmortem.toml", "%2E%2E", ".hidden", "a..b"):
        response = viewer.get(f"/postmortems/{bad}")
        assert response.status_code in (400, 404), bad
        assert "[paths]" not in response.text
    response = viewer.get(f"/postmortems/{CHECKOUT_ID}/..%2F..%2Fmortem.toml")
    assert response.status_code == 404 and "[paths]" not in response.text


def test_evidence_is_served_with_a_safe_type(login: Any, repo: Workspace) -> None:
    viewer = login("vic")
    image = viewer.get(f"/postmortems/{CHECKOUT_ID}/latency.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == LATENCY_PNG and "content-disposition" not in image.headers
    # Files committed by other means are never served as HTML or SVG.
    folder = repo.store.folder / CHECKOUT_ID
    (folder / "page.html").write_text("<script>alert(1)</script>")
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    for name in ("page.html", "drawing.svg"):
        served = viewer.get(f"/postmortems/{CHECKOUT_ID}/{name}")
        assert served.headers["content-type"].startswith("text/plain")
        assert served.headers["content-disposition"].startswith("attachment")
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]


def test_upload_takes_images_by_content_and_commits_them(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    revision = repo.store.revision(CHECKOUT_ID)
    before = git(repo.root, "rev-parse", "HEAD")
    response = editor.api(
        "POST",
        f"/postmortems/{CHECKOUT_ID}/evidence",
        files={"file": ("Pool Usage.PNG", PNG, "image/png")},
        data={"revision": revision},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["name"] == "pool-usage.png"
    assert result["markdown"] == f"![pool-usage.png]({CHECKOUT_ID}/pool-usage.png)"
    assert result["revision"] == repo.store.revision(CHECKOUT_ID) != revision
    assert (repo.store.folder / CHECKOUT_ID / "pool-usage.png").read_bytes() == PNG
    log = git(repo.root, "log", "-1", "--format=%an|%s", "--name-only")
    assert log.startswith("Priya Raman|Attach evidence")
    assert f"postmortems/{CHECKOUT_ID}/pool-usage.png" in log
    assert git(repo.root, "rev-parse", "HEAD~1").strip() == before.strip()
    # The page shows it inline.
    page = editor.get(f"/postmortems/{CHECKOUT_ID}").text
    assert f'src="/postmortems/{CHECKOUT_ID}/pool-usage.png"' in page


def test_upload_refusals(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    head = git(repo.root, "rev-parse", "HEAD")
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    cases = [
        ("chart.svg", svg, "image/svg+xml"),
        ("fake.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("notes.txt", b"just text", "text/plain"),
        ("empty.png", b"", "image/png"),
    ]
    for name, data, mime in cases:
        response = editor.api(
            "POST",
            f"/postmortems/{CHECKOUT_ID}/evidence",
            files={"file": (name, data, mime)},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400, name
        assert "image" in response.json()["error"] or "empty" in response.json()["error"]
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert sorted(p.name for p in (repo.store.folder / CHECKOUT_ID).iterdir()) == ["latency.png"]


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).line((0, 0, size[0] - 1, size[1] - 1), fill="black")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def upload(editor: Any, name: str, data: bytes) -> Any:
    return editor.api(
        "POST",
        f"/postmortems/{CHECKOUT_ID}/evidence",
        files={"file": (name, data, "application/octet-stream")},
        headers={"Accept": "application/json"},
    )


def test_real_images_of_every_kind_are_taken(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    for fmt, name, stored, mime in (
        ("PNG", "graph.png", "graph.png", "image/png"),
        ("JPEG", "photo.jpeg", "photo.jpg", "image/jpeg"),
        ("GIF", "anim.gif", "anim.gif", "image/gif"),
        ("WEBP", "shot.webp", "shot.webp", "image/webp"),
    ):
        data = image_bytes(fmt)
        response = upload(editor, name, data)
        assert response.status_code == 201, (fmt, response.text)
        assert response.json()["name"] == stored
        assert (repo.store.folder / CHECKOUT_ID / stored).read_bytes() == data
        served = editor.get(f"/postmortems/{CHECKOUT_ID}/{stored}")
        assert served.headers["content-type"] == mime and served.content == data


def test_what_only_starts_like_an_image_is_refused(login: Any, repo: Workspace) -> None:
    editor = login("priya")
    head = git(repo.root, "rev-parse", "HEAD")
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    png = image_bytes("PNG", (400, 300))
    cases = [
        # The magic bytes of a GIF, then a web page.
        ("polyglot.gif", b"GIF89a" + html, "not a valid GIF"),
        # A plausible GIF screen descriptor before the page: opens, does not decode.
        ("polyglot2.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00" + html, "not a valid GIF"),
        ("polyglot.png", b"\x89PNG\r\n\x1a\n" + html, "not a valid PNG"),
        ("cut.png", png[: len(png) // 2], "not a valid PNG"),
        ("cut.jpg", image_bytes("JPEG", (400, 300))[:300], "not a valid JPEG"),
        # A tiny file that would decode to a huge image.
        ("wide.png", image_bytes("PNG", (30_000, 1), "1"), "too large"),
        ("big.png", image_bytes("PNG", (8_000, 8_000), "1"), "too large"),
    ]
    for name, data, message in cases:
        response = upload(editor, name, data)
        assert response.status_code == 400, name
        error = response.json()["error"]
        assert error.startswith(name) and message in error, (name, error)
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert sorted(p.name for p in (repo.store.folder / CHECKOUT_ID).iterdir()) == ["latency.png"]


def test_upload_size_limit(repo: Workspace) -> None:
    config = repo.root / "mortem.toml"
    config.write_text(
        config.read_text().replace(
            "[reviews]", "[limits]\nmax_attachment_bytes = 1000\n\n[reviews]"
        )
    )
    app = create_app(Workspace.open(repo.root))
    from conftest import sign_in

    editor = sign_in(TestClient(app), "priya")
    big = PNG + b"\0" * 2000
    response = editor.api(
        "POST",
        f"/postmortems/{CHECKOUT_ID}/evidence",
        files={"file": ("big.png", big, "image/png")},
        headers={"Accept": "application/json"},
    )
    assert response.status_code in (400, 413)
    assert not (repo.store.folder / CHECKOUT_ID / "big.png").exists()


def test_chart_images_are_served_under_a_policy_that_allows_nothing(login: Any) -> None:
    viewer = login("priya")
    response = viewer.get("/dashboard/charts/frequency.svg")
    assert response.status_code == 200 and response.headers["content-type"] == "image/svg+xml"
    # Plain SVG: no inline style or script, so an injected one would not run either.
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert "<script" not in response.text and "style=" not in response.text


def test_a_server_error_carries_the_headers_too(
    repo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in a page is answered by Starlette's outermost error handler: the headers
    must be on that answer as well, and no traceback in it."""
    from mortem.web.routes import home

    def broken(*args: Any) -> Any:
        raise RuntimeError("a bug with a secret in its message")

    monkeypatch.setattr(home, "all_rows", broken)
    with LiveServer(create_app(repo)) as server, httpx.Client(base_url=server.url) as client:
        token = csrf_of(client.get("/login").text)
        client.post("/login", data={"username": "vic", "password": PASSWORD, "csrf_token": token})
        for url, kind in (("/", "text/html"), ("/index.json", "application/json")):
            # uvicorn drops the connection after an exception: one connection each.
            response = client.get(url, headers={"Connection": "close"})
            assert response.status_code == 500, url
            assert response.headers["content-type"].startswith(kind)
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["cache-control"] == "no-store"
            assert "something went wrong on the server" in response.text
            assert "secret" not in response.text and "Traceback" not in response.text
        # The server goes on serving.
        assert client.get("/healthz").status_code == 200
