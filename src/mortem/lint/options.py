"""The linter's settings, resolved once per run into one picklable record.

`[lint]` in mortem.toml, the command line's --select/--ignore and the roster become a
`LintConfig` that worker processes receive whole; its `cache_key` is what a cached
result depends on besides the file's bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import cast

from ..config import Settings
from ..errors import ConfigError, UsageError
from .findings import Severity
from .rules import all_rules

ACRONYMS = {"sre", "dba", "pm", "qa", "cto", "ceo", "cio", "vp", "it", "ic"}


@dataclass(frozen=True)
class Person:
    """A roster entry, as the naming rule needs it."""

    key: str
    name: str
    role: str | None  # "the payments engineer", used instead of the name


@dataclass(frozen=True)
class LintConfig:
    enabled: frozenset[str]
    severity: Mapping[str, Severity]
    people: tuple[Person, ...] = ()
    allowed_names: frozenset[str] = frozenset()
    extra_phrases: tuple[str, ...] = ()
    allow_names_in_timeline: bool = False
    min_whys: int = 3
    due_horizon_days: int = 90
    timeline_tolerance_minutes: int = 60
    restatement_threshold: float = 0.6
    severities: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    templates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_template: str = "default"
    max_file_bytes: int = 2_000_000
    today: dt.date = field(default_factory=dt.date.today)

    def cache_key(self) -> str:
        """Everything a result depends on except the file and the day (see cache.py)."""
        data = asdict(self)
        data.pop("today")
        data["enabled"] = sorted(self.enabled)
        data["allowed_names"] = sorted(self.allowed_names)
        data["severity"] = dict(sorted(self.severity.items()))
        blob = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def roster_role(self, key: str) -> str | None:
        for person in self.people:
            if person.key == key:
                return person.role
        return None


def _check_prefixes(prefixes: Iterable[str], what: str, codes: Iterable[str]) -> None:
    codes = list(codes)
    for prefix in prefixes:
        if not any(code.startswith(prefix) for code in codes):
            raise UsageError(f"{what}: no lint rule has a code starting with {prefix!r}")


def role_text(team: str | None, role: str | None) -> str | None:
    """'the payments engineer' from a roster entry; None when it says neither."""
    if not role and not team:
        return None
    words = []
    if team:
        words.append(team)
    if role:
        words.append(role.upper() if role.lower() in ACRONYMS else role.replace("-", " "))
    else:
        words.append("team")
    return "the " + " ".join(words)


def resolve_enabled(
    select: Iterable[str], ignore: Iterable[str], codes: Iterable[str] | None = None
) -> frozenset[str]:
    """Codes that run: all (or those under --select), minus those under --ignore.

    The longest matching prefix decides, so `select = ["B"]` with `ignore = ["B1"]` and
    `select = ["B104"]` runs B104 and the B rules outside B1.
    """
    select = list(select)
    ignore = list(ignore)
    enabled = set()
    for code in all_rules() if codes is None else codes:
        chosen = max((p for p in select if code.startswith(p)), key=len, default=None)
        dropped = max((p for p in ignore if code.startswith(p)), key=len, default=None)
        if select and chosen is None:
            continue
        if dropped is not None and (chosen is None or len(dropped) >= len(chosen)):
            continue
        enabled.add(code)
    return frozenset(enabled)


def resolve_severity(
    overrides: Mapping[str, Severity], defaults: Mapping[str, str] | None = None
) -> dict[str, Severity]:
    """Each code's severity: its default, or the override with the longest matching prefix."""
    if defaults is None:
        defaults = {code: rule.severity for code, rule in all_rules().items()}
    result: dict[str, Severity] = {}
    for code, default in defaults.items():
        best = max((p for p in overrides if code.startswith(p)), key=len, default=None)
        result[code] = overrides[best] if best is not None else cast(Severity, default)
    return result


def build_config(
    settings: Settings,
    templates: Mapping[str, tuple[str, ...]],
    select: list[str] | None = None,
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
    defaults: Mapping[str, str] | None = None,
) -> LintConfig:
    """The run's settings: mortem.toml's [lint], then the command line on top.

    --select replaces the file's select list; --ignore adds to its ignore list.
    `defaults` (code -> default severity) saves loading the rules when known.
    """
    if defaults is None:
        defaults = {code: rule.severity for code, rule in all_rules().items()}
    codes = list(defaults)
    lint = settings.lint
    chosen_select = list(lint.select) if select is None else list(select)
    chosen_ignore = [*lint.ignore, *ignore]
    try:
        _check_prefixes(lint.select, "[lint] select in mortem.toml", codes)
        _check_prefixes(lint.ignore, "[lint] ignore in mortem.toml", codes)
        _check_prefixes(lint.severity, "[lint.severity] in mortem.toml", codes)
    except UsageError as exc:
        raise ConfigError(str(exc)) from None
    _check_prefixes(select or [], "--select", codes)
    _check_prefixes(ignore, "--ignore", codes)
    people = tuple(
        Person(key, person.name, role_text(person.team, person.role))
        for key, person in sorted(settings.people.items())
    )
    return LintConfig(
        enabled=resolve_enabled(chosen_select, chosen_ignore, codes),
        severity=resolve_severity(lint.severity, defaults),
        people=people,
        allowed_names=frozenset(lint.allowed_names),
        extra_phrases=tuple(lint.extra_phrases),
        allow_names_in_timeline=lint.allow_names_in_timeline,
        min_whys=lint.min_whys,
        due_horizon_days=lint.due_horizon_days,
        timeline_tolerance_minutes=lint.timeline_tolerance_minutes,
        restatement_threshold=lint.restatement_threshold,
        severities=settings.severity_names,
        categories=tuple(settings.factors.categories),
        templates=dict(templates),
        default_template=settings.templates.default,
        max_file_bytes=settings.limits.max_file_bytes,
        today=today or dt.date.today(),
    )
