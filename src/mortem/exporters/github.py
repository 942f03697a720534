"""Open action items as GitHub issues, with the issue URL written back into each item.

A second run creates nothing twice: an item with a `link` is skipped, and every issue
body carries a marker naming its action item, so an issue created by a run that died
before writing its link back is found again by listing the repository's issues.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import MortemError, UsageError
from ..git import Author
from .items import OpenItem, export_settings

if TYPE_CHECKING:
    from ..workspace import Workspace

DEFAULT_API = "https://api.github.com"
REPO_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
MARKER = re.compile(r"<!--\s*mortem-action:\s*(\S+)\s*-->")
TIMEOUT = 30


class TrackerError(MortemError):
    """The tracker could not be reached or refused a request."""

    http_status = 502


def marker(ref: str) -> str:
    return f"<!-- mortem-action: {ref} -->"


@dataclass(frozen=True)
class Outcome:
    ref: str
    title: str
    action: str  # would-create, created, exists, linked
    url: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "action": self.action, "url": self.url}


class GitHub:
    """The three calls mortem makes to GitHub's REST API, over urllib."""

    def __init__(self, token: str, api_url: str = DEFAULT_API) -> None:
        self.token = token
        self.api_url = api_url.rstrip("/")

    def _request(self, method: str, url: str, payload: Any = None) -> tuple[Any, dict[str, str]]:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", "mortem")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                body = response.read()
                headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            detail = _message(exc.read())
            raise TrackerError(
                f"GitHub refused {method} {url}: HTTP {exc.code} {exc.reason}"
                + (f": {detail}" if detail else "")
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TrackerError(f"cannot reach GitHub at {self.api_url}: {reason}") from None
        try:
            return json.loads(body or b"null"), headers
        except json.JSONDecodeError:
            raise TrackerError(f"GitHub sent something that is not JSON for {url}") from None

    def issues(self, repo: str) -> Iterator[dict[str, Any]]:
        """Every issue of the repository, open and closed, page by page."""
        url: str | None = f"{self.api_url}/repos/{repo}/issues?state=all&per_page=100"
        while url:
            page, headers = self._request("GET", url)
            if not isinstance(page, list):
                raise TrackerError(f"GitHub sent no list of issues for {url}")
            yield from (issue for issue in page if isinstance(issue, dict))
            url = _next_link(headers.get("link", ""))

    def create_issue(self, repo: str, payload: dict[str, Any]) -> dict[str, Any]:
        created, _ = self._request("POST", f"{self.api_url}/repos/{repo}/issues", payload)
        if not isinstance(created, dict) or "html_url" not in created:
            raise TrackerError(f"GitHub created an issue in {repo} but sent no html_url")
        return created


def _message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def _next_link(header: str) -> str | None:
    for part in header.split(","):
        match = re.match(r'\s*<([^>]+)>\s*;\s*rel="?next"?', part)
        if match:
            return match.group(1)
    return None


def check_repo(repo: str) -> str:
    if not REPO_PATTERN.match(repo):
        raise UsageError(f"--repo {repo!r}: use OWNER/NAME, e.g. larkspur/platform")
    return repo


def issue_payload(ws: Workspace, item: OpenItem) -> dict[str, Any]:
    config = export_settings(ws, "github")
    action = item.action
    lines = [
        f"Action item **{action.id}** of the postmortem [{item.pm_title}]({item.link_back}).",
        "",
    ]
    if action.owner:
        lines.append(f"- Owner: {action.owner}")
    if action.due:
        lines.append(f"- Due: {action.due.isoformat()}")
    if action.type:
        lines.append(f"- Type: {action.type}")
    lines += ["", marker(action.ref)]
    payload: dict[str, Any] = {
        "title": " ".join(action.title.split()),
        "body": "\n".join(lines) + "\n",
        "labels": list(config.get("labels", ["postmortem"])),
    }
    login = dict(config.get("logins", {})).get(action.owner or "")
    if login:
        payload["assignees"] = [login]
    return payload


def existing_issues(client: GitHub, repo: str) -> dict[str, str]:
    """Marker ref -> issue URL, for issues mortem created earlier."""
    found: dict[str, str] = {}
    for issue in client.issues(repo):
        match = MARKER.search(issue.get("body") or "")
        if match and issue.get("html_url"):
            found.setdefault(match.group(1), str(issue["html_url"]))
    return found


def export_issues(
    ws: Workspace,
    repo: str,
    items: Sequence[OpenItem],
    client: GitHub | None,
    apply: bool,
    author: Author | None,
) -> list[Outcome]:
    """Create (or, without `apply`, plan) one issue per item and link each item to it.

    Without a client (no token) a dry run cannot see the repository's issues, so it
    plans an issue for every item without a link.
    """
    check_repo(repo)
    if apply and client is None:
        raise UsageError("--apply needs a GitHub token (set GITHUB_TOKEN or --token-env)")
    existing = existing_issues(client, repo) if client is not None else {}
    outcomes: list[Outcome] = []
    by_pm: dict[str, list[OpenItem]] = {}
    for item in items:
        if item.action.link:
            outcomes.append(Outcome(item.ref, item.action.title, "linked", item.action.link))
        else:
            by_pm.setdefault(item.action.pm_id, []).append(item)
    for pm_id, pm_items in by_pm.items():
        links: dict[str, str] = {}
        try:
            for item in pm_items:
                url = existing.get(item.ref)
                if url is not None:
                    outcomes.append(Outcome(item.ref, item.action.title, "exists", url))
                elif not apply:
                    outcomes.append(Outcome(item.ref, item.action.title, "would-create", None))
                    continue
                else:
                    assert client is not None
                    url = str(client.create_issue(repo, issue_payload(ws, item))["html_url"])
                    outcomes.append(Outcome(item.ref, item.action.title, "created", url))
                links[item.action.id] = url
        finally:
            # Whatever was created is linked, even when a later request fails.
            if apply and links:
                write_links(ws, pm_id, links, author)
    return outcomes


def write_links(ws: Workspace, pm_id: str, links: dict[str, str], author: Author | None) -> None:
    def mutate(front: Any) -> None:
        from ..edits import find_action

        for action_id, url in links.items():
            _, item = find_action(front, action_id, pm_id)
            item["link"] = url

    ids = ", ".join(sorted(links))
    ws.store.update(pm_id, mutate, f"Link action items {ids} of {pm_id} to GitHub issues", author)
