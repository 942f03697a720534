"""Which review steps the person looking at a postmortem can take, and who they are in it."""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..reviews import OUTCOMES, approvers, publish_blockers
from .auth import Identity
from .site import Site


def person_key(site: Site, user: Identity) -> str:
    """The signed-in person as postmortems name people: their roster key when they have one."""
    people = site.ws.settings.people
    if user.username and user.username in people:
        return user.username
    for key, person in people.items():
        if (user.email and person.email == user.email) or person.name == user.name:
            return key
    return user.username or user.name


def review_state(site: Site, doc: Document, user: Identity) -> dict[str, Any]:
    status = str(doc.data.get("status") or "draft")
    me = person_key(site, user)
    listed = doc.data.get("authors")
    authors = [str(a) for a in listed] if isinstance(listed, list) else []
    approved = approvers(doc)
    state: dict[str, Any] = {
        "status": status,
        "approvals": approved,
        "approvals_needed": site.ws.settings.reviews.approvals,
        "me": me,
        "can_request": status == "draft" and user.can("editor"),
        "can_approve": status == "in-review"
        and user.can("reviewer")
        and me not in authors
        and me not in approved,
        "can_publish": False,
        "can_follow_up": status == "published" and user.can("reviewer"),
        "blockers": [],
        "outcomes": list(OUTCOMES),
        "people": sorted(site.ws.settings.people),
    }
    if status == "in-review" and user.can("reviewer"):
        blockers = site.by_revision.get(
            ("blockers", doc.revision), lambda: publish_blockers(site.ws, doc)
        )
        state["blockers"] = blockers
        state["can_publish"] = not blockers
    return state
