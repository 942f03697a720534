"""mortem.toml -> Settings.

The settings are one declarative set of pydantic models: each field has a default and
a help text, `mortem config` lists them with where each value came from, and an
unknown key or a bad value is an error that names the key and the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

CONFIG_NAME = "mortem.toml"

DEFAULT_CATEGORIES = [
    "monitoring",
    "alerting",
    "testing",
    "deployment",
    "configuration",
    "capacity",
    "dependency",
    "documentation",
    "process",
    "on-call",
    "communication",
    "infrastructure",
    "security",
    "data",
]


class _Section(BaseModel):
    # Strict: TOML has real booleans and numbers, so `commit = "yes"` or `approvals =
    # "2"` is a mistake to report, not a string to coerce.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Severity(_Section):
    name: str = Field(description="Short name used in the front matter, e.g. SEV1.")
    description: str = Field(default="", description="What this severity means.")


DEFAULT_SEVERITIES = [
    Severity(name="SEV1", description="Critical: a core customer flow is down for many users."),
    Severity(name="SEV2", description="Major: a core flow is degraded or a feature is down."),
    Severity(name="SEV3", description="Minor: limited impact, a workaround exists."),
    Severity(name="SEV4", description="Low: no customer impact; worth learning from."),
]


class Paths(_Section):
    postmortems: str = Field(default="postmortems", description="Folder of postmortem files.")
    templates: str = Field(
        default="templates", description="Folder of the repository's own templates."
    )


class Factors(_Section):
    categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES),
        description="Allowed contributing-factor categories.",
    )


class Reviews(_Section):
    follow_up_days: list[int] = Field(
        default_factory=lambda: [30, 90],
        description="Days after publishing when follow-up reviews come due.",
    )
    approvals: int = Field(default=1, ge=0, description="Approvals needed before publishing.")
    meeting_every_days: int = Field(
        default=14, gt=0, description="Days between review meetings (`mortem review agenda`)."
    )


class Person(_Section):
    name: str = Field(description="Full name.")
    team: str | None = Field(default=None, description="Team key, used to group action items.")
    role: str | None = Field(
        default=None, description="Role, suggested instead of the name in prose."
    )
    email: str | None = Field(default=None, description="Where reminders are sent.")


class Limits(_Section):
    max_file_bytes: int = Field(
        default=2_000_000, gt=0, description="Larger postmortem files are refused."
    )
    max_attachment_bytes: int = Field(
        default=10_000_000, gt=0, description="Larger attachments are refused."
    )


class Templates(_Section):
    default: str = Field(default="default", description="Template used by `mortem new`.")


class Git(_Section):
    commit: bool = Field(default=True, description="Commit every change made through mortem.")


_CODE_PREFIX = re.compile(r"^[A-Z][0-9]{0,3}$")


class Lint(_Section):
    select: list[str] = Field(default_factory=list, description="Rule code prefixes to run.")
    ignore: list[str] = Field(default_factory=list, description="Rule code prefixes to skip.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Severity per rule code or prefix, e.g. B103 = 'info'."
    )
    extra_phrases: list[str] = Field(
        default_factory=list, description="More phrases that blame, flagged as B110."
    )
    allowed_names: list[str] = Field(
        default_factory=list, description="Words that look like names but are not (N101)."
    )
    allow_names_in_timeline: bool = Field(
        default=False, description="Let timeline events name people (N101)."
    )
    min_whys: int = Field(default=3, ge=1, description="Fewest whys before W101 fires.")
    due_horizon_days: int = Field(
        default=90, gt=0, description="Latest due date, in days after the incident (A103)."
    )
    timeline_tolerance_minutes: int = Field(
        default=60, ge=0, description="Slack around the incident window for events (T103)."
    )
    restatement_threshold: float = Field(
        default=0.6, gt=0, le=1, description="Word overlap at which W105 calls a why circular."
    )
    exclude: list[str] = Field(
        default_factory=lambda: ["README.md", "*/README.md", "CHANGELOG.md", "CONTRIBUTING.md"],
        description="Glob patterns of Markdown files that are not postmortems.",
    )

    @field_validator("select", "ignore")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not _CODE_PREFIX.match(v)]
        if bad:
            raise ValueError(f"not a rule code or prefix: {', '.join(bad)} (e.g. B, B1, B101)")
        return value

    @field_validator("severity")
    @classmethod
    def _severity_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _CODE_PREFIX.match(k)]
        if bad:
            raise ValueError(f"not a rule code or prefix: {', '.join(bad)} (e.g. B103)")
        return value


class Settings(_Section):
    paths: Paths = Field(default_factory=Paths)
    severities: list[Severity] = Field(
        default_factory=lambda: list(DEFAULT_SEVERITIES),
        description="Severity names, most severe first, each with what it means "
        "([[severities]] tables: name, description).",
    )
    factors: Factors = Field(default_factory=Factors)
    reviews: Reviews = Field(default_factory=Reviews)
    people: dict[str, Person] = Field(
        default_factory=dict,
        description="The roster: key -> name, team, role, email ([people.KEY] tables).",
    )
    limits: Limits = Field(default_factory=Limits)
    templates: Templates = Field(default_factory=Templates)
    git: Git = Field(default_factory=Git)
    lint: Lint = Field(default_factory=Lint)
    # The sections owned by later features (web, remind, ...) register themselves as
    # free tables so that one mortem.toml serves all of them.
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("severities")
    @classmethod
    def _unique_severities(cls, value: list[Severity]) -> list[Severity]:
        names = [s.name for s in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate severity names: {', '.join(dupes)}")
        return value

    @property
    def severity_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.severities)

    def team_of(self, who: str | None) -> str | None:
        if who is None:
            return None
        person = self.people.get(who)
        return person.team if person else None


# Tables that other parts of mortem read themselves; kept as-is under Settings.extra.
FREE_TABLES = ("web", "remind", "import", "export", "site", "stats", "coverage")


@dataclass(frozen=True)
class Loaded:
    settings: Settings
    path: Path | None
    raw: dict[str, Any]


def load_settings(path: Path | None) -> Loaded:
    """Read mortem.toml; a missing file gives the defaults."""
    if path is None or not path.exists():
        return Loaded(Settings(), None, {})
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    known = {k: v for k, v in raw.items() if k not in FREE_TABLES}
    extra = {k: v for k, v in raw.items() if k in FREE_TABLES}
    try:
        settings = Settings.model_validate({**known, "extra": extra})
    except ValidationError as exc:
        # An unknown key first: a misspelt one (`nmae`) also makes the real one
        # (`name`) missing, and the misspelling is what to fix.
        errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        key = _dotted(err["loc"])
        line = _line_of_key(path, err["loc"])
        where = f"{path}:{line}" if line else str(path)
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{where}: unknown setting {key!r}") from None
        raise ConfigError(f"{where}: {key}: {err['msg']}") from None
    return Loaded(settings, path, raw)


def _dotted(loc: tuple[Any, ...]) -> str:
    """A settings path as written in mortem.toml terms: severities[1].name."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def check_default_template(
    settings: Settings, config_path: Path | None, templates_folder: Path
) -> None:
    """`templates.default` must name a template that exists and can be read.

    Checked by `mortem config` and `mortem new` rather than on every load: reading the
    templates would cost every command, and only these two use the default.
    """
    from .templates import all_templates

    name = settings.templates.default
    broken: dict[str, Any] = {}
    found = all_templates(templates_folder, broken)
    if name in found and name not in broken:
        return
    line = _line_of_key(config_path, ("templates", "default")) if config_path else None
    where = f"{config_path}:{line}" if line else str(config_path or CONFIG_NAME)
    if name in broken:
        raise ConfigError(
            f"{where}: templates.default: template {name!r} is broken: {broken[name]}"
        )
    known = ", ".join(sorted(found))
    raise ConfigError(
        f"{where}: templates.default: no template named {name!r} (available: {known})"
    )


def _line_of_key(path: Path, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a settings path in a TOML file (tomllib keeps no positions).

    The line of the key itself when it is written, else of the deepest table or key on
    its way: a missing `name` of [people.zed] points at the `[people.zed]` header.
    `[[severities]]` tables are counted, so `severities[1].name` is the second one's.
    """
    parts = list(loc)
    best: int | None = None
    best_depth = 0
    table: tuple[Any, ...] = ()
    counts: dict[tuple[str, ...], int] = {}

    def depth_of(candidate: tuple[Any, ...]) -> int:
        """How much of `parts` the candidate covers, when it is all a prefix of it."""
        if len(candidate) > len(parts) or list(candidate) != parts[: len(candidate)]:
            return 0
        return len(candidate)

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        candidates: list[tuple[Any, ...]] = []
        header = re.match(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?", line)
        if header:
            names = tuple(n.strip().strip("\"'") for n in header.group(2).split("."))
            if header.group(1) == "[[":
                counts[names] = counts.get(names, -1) + 1
                table = (*names, counts[names])
                candidates = [names, table]
            else:
                table = names
                candidates = [table]
        else:
            key = re.match(r"^\s*([\"']?)([A-Za-z0-9_.-]+)\1\s*=", line)
            if key:
                candidates = [(*table, *key.group(2).split("."))]
        for candidate in candidates:
            depth = depth_of(candidate)
            if depth > best_depth:
                best, best_depth = number, depth
        if best_depth == len(parts):
            break
    return best


def _fields_help(model: type[BaseModel]) -> str:
    """`name` (Full name.), `team` (...): the keys a table takes, for `mortem config`."""
    return "; ".join(
        f"{field} ({info.description.rstrip('.')})" if info.description else field
        for field, info in model.model_fields.items()
    )


@dataclass(frozen=True)
class Effective:
    key: str
    value: Any
    source: str
    help: str


def effective_settings(loaded: Loaded) -> list[Effective]:
    """Every leaf setting with its value and where it came from."""
    rows: list[Effective] = []
    settings = loaded.settings
    raw = loaded.raw

    def origin(keys: list[str]) -> str:
        node: Any = raw
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return "default"
            node = node[key]
        line = _line_of_key(loaded.path, tuple(keys)) if loaded.path else None
        return f"{loaded.path}:{line}" if line else str(loaded.path)

    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        if name == "extra":
            for table, content in value.items():
                rows.append(Effective(table, content, origin([table]), "read by its own feature"))
            continue
        if isinstance(value, BaseModel):
            for sub, sub_info in type(value).model_fields.items():
                rows.append(
                    Effective(
                        f"{name}.{sub}",
                        getattr(value, sub),
                        origin([name, sub]),
                        sub_info.description or "",
                    )
                )
            for sub, sub_value in (value.model_extra or {}).items():
                rows.append(Effective(f"{name}.{sub}", sub_value, origin([name, sub]), ""))
        elif name == "people":
            for key, person in value.items():
                rows.append(
                    Effective(
                        f"people.{key}",
                        person.model_dump(),
                        origin([name, key]),
                        f"A person of the roster: {_fields_help(Person)}",
                    )
                )
            if not value:
                rows.append(Effective("people", {}, "default", info.description or ""))
        else:
            dumped = [s.model_dump() for s in value] if isinstance(value, list) else value
            rows.append(Effective(name, dumped, origin([name]), info.description or ""))
    return rows


DEFAULT_CONFIG = """\
# mortem settings. `mortem config` shows every setting, its value and where it came from.

[paths]
postmortems = "postmortems"
templates = "templates"

[[severities]]
name = "SEV1"
description = "Critical: a core customer flow is down for many users."
[[severities]]
name = "SEV2"
description = "Major: a core flow is degraded or a feature is down."
[[severities]]
name = "SEV3"
description = "Minor: limited impact, a workaround exists."
[[severities]]
name = "SEV4"
description = "Low: no customer impact; worth learning from."

[reviews]
follow_up_days = [30, 90]
approvals = 1

# The roster: people named in postmortems, so that action items group by team and
# the linter can suggest a role instead of a name.
# [people.priya]
# name = "Priya Raman"
# team = "payments"
# role = "engineer"
# email = "priya@example.com"
"""
