"""`mortem remind`: one digest per owner of what is overdue or due soon, by email or chat.

An owner gets one message listing their overdue and soon-due action items and the
follow-up reviews they should hold. Nothing is reminded twice within the configured
interval: what was sent, to whom, by which channel and in which state (an item that
turns from "due soon" to "overdue" is news) is kept in `.mortem/reminders.json`,
written atomically after each message that went out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, MortemError, UsageError
from .fsutil import atomic_write
from .store import STATE_DIR

if TYPE_CHECKING:
    from .workspace import Workspace

STATE_FILE = "reminders.json"
CHANNELS = ("email", "webhook")
PREVIEW = "preview"
TIMEOUT = 30


@dataclass(frozen=True)
class RemindConfig:
    """`[remind]` in mortem.toml."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password_env: str | None = None
    smtp_ca_file: str | None = None
    webhook_env: str = "MORTEM_REMIND_WEBHOOK"
    soon_days: int = 7
    interval_days: int = 7
    link_base: str | None = None
    addresses: dict[str, str] = field(default_factory=dict)
    slack_users: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, ws: Workspace) -> RemindConfig:
        table = ws.settings.extra.get("remind", {})
        where = f"{ws.config_path}: [remind]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        for name in ("smtp_port", "soon_days", "interval_days"):
            if name in table and (not isinstance(table[name], int) or table[name] < 0):
                raise ConfigError(f"{where}: {name} must be a whole number, got {table[name]!r}")
        for name in ("addresses", "slack_users"):
            if name in table and not isinstance(table[name], dict):
                raise ConfigError(f"{where}: {name} must be a table of owner = value")
        if "smtp_port" not in table and table.get("smtp_starttls"):
            table = {**table, "smtp_port": 587}
        return cls(**table)


@dataclass(frozen=True)
class Reminder:
    """One thing to remind an owner of."""

    key: str  # stable across runs: action:PM/A1 or review:PM#1
    state: str  # overdue, soon, review
    title: str
    pm_id: str
    pm_title: str
    due: dt.date | None
    link: str

    def line(self, today: dt.date) -> str:
        if self.due is None:
            when = "no due date"
        elif self.due < today:
            when = f"due {self.due} ({(today - self.due).days} days late)"
        else:
            when = f"due {self.due}"
        return (
            f"- {self.title} [{self.key.split(':', 1)[1]}], {when}\n  {self.pm_title}: {self.link}"
        )


@dataclass(frozen=True)
class Digest:
    owner: str
    name: str
    email: str | None
    items: tuple[Reminder, ...]

    def subject(self) -> str:
        parts = []
        for state, word in (("overdue", "overdue"), ("soon", "due soon"), ("review", "")):
            n = sum(1 for i in self.items if i.state == state)
            if n and state == "review":
                parts.append(f"{n} follow-up review{'s' if n > 1 else ''} due")
            elif n:
                parts.append(f"{n} {word} action item{'s' if n > 1 else ''}")
        return "mortem: " + ", ".join(parts)

    def text(self, today: dt.date) -> str:
        sections = (
            ("overdue", "Overdue action items"),
            ("soon", "Action items due soon"),
            ("review", "Follow-up reviews due (did the actions work?)"),
        )
        lines = [f"Hello {self.name},", ""]
        for state, heading in sections:
            chosen = [i for i in self.items if i.state == state]
            if chosen:
                lines += [f"{heading}:", *(i.line(today) for i in chosen), ""]
        lines.append("Close an item with `mortem actions done POSTMORTEM/ID`.")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Outcome:
    owner: str
    channel: str
    status: str  # sent, would-send, nothing-new, no-address, failed
    items: int
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


# -- what to remind ----------------------------------------------------------------------


def collect(ws: Workspace, today: dt.date, config: RemindConfig) -> dict[str, list[Reminder]]:
    """Reminders by owner: open items overdue or due within `soon_days`, follow-ups due."""
    from .actions import ActionFilter, list_actions
    from .exporters.items import export_settings, link_back

    base = config.link_base or export_settings(ws).get("link_base")
    horizon = today + dt.timedelta(days=config.soon_days)
    titles = {row.id: row.title or row.id for row in ws.index.rows()}
    found: dict[str, list[Reminder]] = {}
    where = ActionFilter(statuses=("open", "in-progress"), due_before=horizon)
    for item in list_actions(ws, today, where):
        if item.owner is None or item.due is None:
            continue
        found.setdefault(item.owner, []).append(
            Reminder(
                key=f"action:{item.ref}",
                state="overdue" if item.due < today else "soon",
                title=item.title,
                pm_id=item.pm_id,
                pm_title=titles.get(item.pm_id, item.pm_id),
                due=item.due,
                link=link_back(ws, item.pm_id, base),
            )
        )
    for owner, review in _follow_ups(ws, today, config.soon_days):
        found.setdefault(owner, []).append(
            Reminder(
                key=f"review:{review.pm_id}#{review.number}",
                state="review",
                title=f"Follow-up review {review.number} ({review.after_days} days after publishing)",
                pm_id=review.pm_id,
                pm_title=review.title,
                due=review.due,
                link=link_back(ws, review.pm_id, base),
            )
        )
    return dict(sorted(found.items()))


def _follow_ups(ws: Workspace, today: dt.date, within: int) -> Iterable[tuple[str, Any]]:
    """(owner, follow-up) pairs: the facilitator holds the review, else the authors."""
    try:
        from .metrics_facts import load_corpus
        from .reviews import follow_ups_due
    except ImportError:  # reviews are a separate part of mortem; without it, no reviews
        return []
    corpus = load_corpus(ws.index)
    by_id = {i.id: i for i in corpus.incidents}
    pairs = []
    for review in follow_ups_due(corpus.incidents, ws.settings, today, within):
        incident = by_id.get(review.pm_id)
        if incident is None:
            continue
        owners = [incident.facilitator] if incident.facilitator else list(incident.authors)
        pairs += [(owner, review) for owner in owners]
    return pairs


# -- not twice -----------------------------------------------------------------------------


class SentLog:
    """When each reminder last went to each owner by each channel."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sent: dict[str, str] = {}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self.sent = {str(k): str(v) for k, v in loaded.get("sent", {}).items()}
            except (ValueError, AttributeError) as exc:
                raise MortemError(
                    f"{path}: not a reminders file ({exc}); delete it to start over"
                ) from None

    @staticmethod
    def _key(channel: str, owner: str, item: Reminder) -> str:
        return f"{channel}|{owner}|{item.key}|{item.state}"

    def recent(self, channel: str, owner: str, item: Reminder, today: dt.date, days: int) -> bool:
        last = self.sent.get(self._key(channel, owner, item))
        return last is not None and (today - dt.date.fromisoformat(last)).days < days

    def record(self, channel: str, owner: str, items: Iterable[Reminder], today: dt.date) -> None:
        for item in items:
            self.sent[self._key(channel, owner, item)] = today.isoformat()
        data = json.dumps({"sent": dict(sorted(self.sent.items()))}, indent=1) + "\n"
        atomic_write(self.path, data.encode("utf-8"))


# -- sending ---------------------------------------------------------------------------------


def send_email(config: RemindConfig, digest: Digest, today: dt.date) -> None:
    if not config.smtp_host or not config.smtp_from or digest.email is None:
        raise UsageError("email needs [remind] smtp_host and smtp_from, and an address")
    message = EmailMessage()
    message["From"] = config.smtp_from
    message["To"] = formataddr((digest.name, digest.email))
    message["Subject"] = digest.subject()
    message["Message-ID"] = make_msgid(domain="mortem.local")
    message["Date"] = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(digest.text(today))
    where = f"{config.smtp_host}:{config.smtp_port}"
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=TIMEOUT) as smtp:
            if config.smtp_starttls:
                context = ssl.create_default_context(cafile=config.smtp_ca_file)
                smtp.starttls(context=context)
            if config.smtp_username:
                password = os.environ.get(config.smtp_password_env or "", "")
                if not password:
                    raise UsageError(
                        f"[remind] smtp_username is set but ${config.smtp_password_env or '?'} "
                        "(smtp_password_env) holds no password"
                    )
                smtp.login(config.smtp_username, password)
            smtp.send_message(message)
    except smtplib.SMTPException as exc:
        raise MortemError(f"mail server {where} refused the message: {exc}") from None
    except (OSError, ssl.SSLError) as exc:
        raise MortemError(f"cannot reach the mail server {where}: {exc}") from None


def send_webhook(url: str, config: RemindConfig, digest: Digest, today: dt.date) -> None:
    who = config.slack_users.get(digest.owner)
    greeting = f"<@{who}>" if who else digest.name
    text = f"*{digest.subject()}* for {greeting}\n" + digest.text(today).split("\n", 2)[2]
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "mortem"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise MortemError(
            f"the webhook refused the message: HTTP {exc.code} {exc.reason}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise MortemError(f"cannot reach the webhook: {getattr(exc, 'reason', exc)}") from None


@dataclass(frozen=True)
class Run:
    outcomes: list[Outcome]
    digests: list[tuple[str, Digest]]  # (channel, digest) sent or, in a dry run, to send


def remind(
    ws: Workspace,
    today: dt.date,
    via: Iterable[str] = (),
    dry_run: bool = False,
    config: RemindConfig | None = None,
) -> Run:
    """Send (or, dry, show) each owner's digest by each channel; never twice in an interval."""
    config = config or RemindConfig.from_settings(ws)
    webhook = os.environ.get(config.webhook_env, "")
    channels = _channels(config, list(via), webhook, dry_run)
    log = SentLog(ws.root / STATE_DIR / STATE_FILE)
    outcomes: list[Outcome] = []
    digests: list[tuple[str, Digest]] = []
    for owner, items in collect(ws, today, config).items():
        name, email = _recipient(ws, config, owner)
        for channel in channels:
            if channel == "email" and email is None:
                outcomes.append(
                    Outcome(
                        owner,
                        channel,
                        "no-address",
                        len(items),
                        "no email: add it under [people] or [remind.addresses]",
                    )
                )
                continue
            new = tuple(
                i for i in items if not log.recent(channel, owner, i, today, config.interval_days)
            )
            if not new:
                outcomes.append(Outcome(owner, channel, "nothing-new", 0))
                continue
            digest = Digest(owner, name, email, new)
            digests.append((channel, digest))
            if dry_run:
                outcomes.append(Outcome(owner, channel, "would-send", len(new)))
                continue
            try:
                if channel == "email":
                    send_email(config, digest, today)
                else:
                    send_webhook(webhook, config, digest, today)
            except UsageError:
                raise
            except MortemError as exc:
                outcomes.append(Outcome(owner, channel, "failed", len(new), str(exc)))
                continue
            log.record(channel, owner, new, today)
            outcomes.append(Outcome(owner, channel, "sent", len(new), email or ""))
    return Run(outcomes, digests)


def _channels(config: RemindConfig, via: list[str], webhook: str, dry_run: bool) -> list[str]:
    for channel in via:
        if channel not in CHANNELS:
            raise UsageError(f"--via {channel!r}: use email or webhook")
    if "email" in via and not (config.smtp_host and config.smtp_from):
        raise UsageError("--via email needs smtp_host and smtp_from in [remind] of mortem.toml")
    if "webhook" in via and not webhook:
        raise UsageError(f"--via webhook needs the webhook URL in ${config.webhook_env}")
    if via:
        return list(dict.fromkeys(via))
    found = []
    if config.smtp_host and config.smtp_from:
        found.append("email")
    if webhook:
        found.append("webhook")
    if not found and dry_run:
        return [PREVIEW]  # nothing configured yet: show what the digests would say
    if not found:
        raise UsageError(
            "nowhere to send reminders: set smtp_host and smtp_from in [remind], "
            f"or a webhook URL in ${config.webhook_env} (or use --dry-run)"
        )
    return found


def _recipient(ws: Workspace, config: RemindConfig, owner: str) -> tuple[str, str | None]:
    person = ws.settings.people.get(owner)
    email = config.addresses.get(owner) or (person.email if person else None)
    return (person.name if person else owner), email
