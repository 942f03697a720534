"""Whole postmortems written as free Markdown, turned into front matter and a body.

The input is whatever a team wrote before mortem: a title, sections with headings in
their own words, a timeline as a table or as bullets, lists of factors and follow-ups,
perhaps a "Stats" block. The output splits it in two:

- structured facts mortem manages move to the front matter: ``title``, ``impact``,
  ``severity``, ``started_at``/``detected_at``/``mitigated_at``/``resolved_at``,
  ``timeline``, ``contributing_factors`` and ``action_items``;
- narrative stays in the body: the summary, lessons, stats, root-cause prose and any
  line the importer did not understand. ``summary`` and ``lessons`` are also copied
  into the fields so a caller can list them, but the body keeps them where readers
  expect them.

Nothing is dropped: a line either went into a field or is still in the body, and
`MarkdownImport.report` says, item by item, what was taken and what was left and why.

Sections are recognised by their heading's words (see `SECTION_PATTERNS`), so
"Chronology", "Sequence of events", "Follow-up", "Next steps", "Root causes" and
"Why did it happen" all work. A timeline is any table in such a section with a column
of times and a column of text, or lines and bullets that start with a date or time.

Times keep the zone the author stated ("All times in CET", a "Time (UTC)" column, or
"16:58 UTC" in the row); `default_tz` is used only when nothing is stated, and the
report says so. Rows whose time is approximate ("10:45~") or unreadable stay in the
body rather than be placed at a guessed instant; rows with only a date are placed at
the start of that day and marked ``precision: day``.

Which rows start, detect, mitigate and resolve the incident is read from the rows'
words (see `_phases`); `MarkdownImport.derived` holds the durations that reading gives,
apart from any the authors stated, so the two can be compared.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import PurePath
from typing import Any

import yaml

from mortem.model import (
    ActionItem,
    ActionStatus,
    ActionType,
    EventKind,
    Factor,
    Postmortem,
    TimelineEvent,
)

from . import _mdtext as md
from ._common import require_zone, source_error
from ._phases import Row, find_phases
from ._when import When, find_full_date, find_partial_date, find_year, read_when, zone_token

__all__ = [
    "FACTOR_CATEGORIES",
    "SECTION_PATTERNS",
    "MarkdownImport",
    "guess_category",
    "import_markdown",
    "parse_duration",
]


@dataclass
class MarkdownImport:
    """The result of importing one Markdown postmortem."""

    fields: dict[str, Any]
    body: str
    report: list[str] = field(default_factory=list)
    stated: dict[str, Any] = field(default_factory=dict)  # ttd_minutes/ttr_minutes as written
    # From the timeline alone: ttd/ttm/ttr (to recovery)/ttresolve minutes and the rows.
    derived: dict[str, Any] = field(default_factory=dict)

    def postmortem(self) -> Postmortem:
        """The fields as a validated front matter (raises pydantic's ValidationError)."""
        return Postmortem.model_validate(self.fields)


# Heading words -> what the section holds. Checked in this order, so "What went
# wrong" is a lesson before "wrong" could suggest a cause.
SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "lessons",
        re.compile(
            r"\blessons?\b|\blearn(ed|t|ings?)\b|\binsights?\b|\btakeaways?\b"
            r"|what went (well|wrong|badly)|could have gone better|where we got lucky"
            r"|\breflections?\b|\bretrospective\b|what we learned",
        ),
    ),
    (
        "timeline",
        re.compile(
            r"\btime ?line\b|\bchronology\b|\bsequence of events\b|\border of events\b"
            r"|\bincident log\b|\blog of events\b|^events$|^detailed timeline$",
        ),
    ),
    (
        "actions",
        re.compile(
            r"\baction items?\b|\bactions?\b(?! taken)|\bfollow[- ]?ups?\b|\bnext steps?\b"
            r"|\bremediations?\b|\bcorrective\b|\bpreventi(ve|ative)\b|\bto-?dos?\b"
            r"|\bimprovements?\b|\baction plan\b|what we (are|will be|'re) doing"
            r"|\bwhat('s| is) next\b|\brepair items\b",
        ),
    ),
    (
        "factors",
        re.compile(
            r"\bcontributing factors?\b|\broot causes?\b|\broot cause analysis\b"
            r"|\bwhy did (it|this|the \w+) (happen|occur|fail)\b|\bcauses?\b|\bcausal\b"
            r"|\bfactors\b|\bwhy it happened\b",
        ),
    ),
    ("impact", re.compile(r"\bimpact\b|\bwho was affected\b|\bblast radius\b")),
    (
        "summary",
        re.compile(r"\bsummary\b|\boverview\b|\btl;? ?dr\b|\babstract\b|\bsynopsis\b"),
    ),
    ("stats", re.compile(r"^(stats|statistics|metrics|key metrics|incident metrics|numbers)$")),
)

# The default factor taxonomy; each category with words that suggest it.
FACTOR_CATEGORIES: dict[str, tuple[str, ...]] = {
    "monitoring": (
        "monitor",
        "observab",
        "dashboard",
        "metric",
        "visibility",
        "telemetry",
        "blind spot",
        "in the dark",
        "health check",
        "healthcheck",
        "probe",
    ),
    "alerting": ("alert", "alarm", "paging", "pager", "notification", "noise", "threshold"),
    "testing": ("test", "sandbox", "staging", "qa", "smoke", "e2e", "end-to-end", "verif"),
    "deployment": (
        "deploy",
        "release",
        "rollout",
        "roll out",
        "pipeline",
        "rollback",
        "roll back",
        "upgrade",
        "version",
        "ci/cd",
        "merge",
        "ship",
    ),
    "configuration": (
        "config",
        "setting",
        "parameter",
        "flag",
        "hardcoded",
        "hard-coded",
        "timeout value",
        "default",
        "manifest",
        "annotation",
    ),
    "capacity": (
        "capacity",
        "memory",
        "cpu",
        "disk",
        "scale",
        "scaling",
        "load",
        "quota",
        "limit",
        "exhaust",
        "starv",
        "saturat",
        "resource",
        "throttl",
    ),
    "dependency": (
        "dependen",
        "depend on",
        "third party",
        "third-party",
        "vendor",
        "upstream",
        "provider",
        "external",
        "library",
        "bug in",
    ),
    "documentation": ("document", "docs", "runbook", "playbook", "knowledge", "notes", "wiki"),
    "process": ("process", "review", "procedure", "workshop", "planning", "priorit", "guideline"),
    "on-call": ("on-call", "on call", "oncall", "staff", "rota", "shift", "handover", "hand-over"),
    "communication": (
        "communicat",
        "announce",
        "slack",
        "status page",
        "inform",
        "message",
        "comms",
        "aware",
    ),
    "infrastructure": (
        "network",
        "subnet",
        "cluster",
        "node",
        "dns",
        "load balancer",
        "kubernetes",
        "server",
        "infrastructure",
        "ip address",
        "availability zone",
        "instance",
    ),
    "security": (
        "security",
        "privilege",
        "permission",
        "access",
        "certificate",
        "vulnerab",
        "credential",
        "secret",
        "auth",
    ),
    "data": ("data", "database", "schema", "migration", "corrupt", "backup", "table", "postgres"),
}

_ZONE_PHRASES = {
    "pacific time": "America/Los_Angeles",
    "eastern time": "America/New_York",
    "central time": "America/Chicago",
    "mountain time": "America/Denver",
    "central european time": "Europe/Berlin",
    "central european summer time": "Europe/Berlin",
    "coordinated universal time": "UTC",
    "greenwich mean time": "UTC",
    "british summer time": "Europe/London",
    "eastern european time": "Europe/Helsinki",
    "indian standard time": "Asia/Kolkata",
    "japan standard time": "Asia/Tokyo",
}
_ZONE_WORD = re.compile(
    r"(?:UTC|GMT)\s*[+-]\s*\d{1,2}(?::?\d{2})?|\b[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?\b"
    r"|\b[A-Z]{2,5}\b"
)
_ZONE_NOTE = re.compile(r"^\(?[^()]*\b(times?|timezone|time zone)\b[^()]*\)?\.?$", re.IGNORECASE)
_TIME_WORD = re.compile(
    r"\b(times?|timestamps?|timezone|time zone|tz|hours|clock)\b", re.IGNORECASE
)
_STAT_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z /()-]{1,40}?)(?:\*\*|__)?\s*:\s*"
    r"(?:\*\*|__)?\s*(?P<value>.*?)\s*(?:\*\*|__)?\s*$"
)
_DURATION_PART = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>d(ays?)?|h(ours?|rs?)?|m(in(ute)?s?)?|s(ec(ond)?s?)?)\b",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(r"^(\?+|n/?a|unknown|tbd|tbc|-+|—|none|not known|unclear)$", re.IGNORECASE)
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_|`)+|(\*\*|__|\*|_|`)+$")
_LEADING_SEP = re.compile(r"^\s*[-–—:|,.]?\s*")
_DONE_MARK = re.compile(r"^(\[[xX]\]|✅|✔️?|☑️?|✓|\(done\)|\(x\))\s*")
_OPEN_MARK = re.compile(r"^(\[ \]|❌|⬜|☐|🔲)\s*")
_STRUCK = re.compile(r"^~~(.+)~~\s*(.*)$")
_OWNER_INLINE = re.compile(
    r"\(\s*(?:owner|owned by|assignee|assigned to|who)\s*[:=-]?\s*@?(?P<owner>[^),;]+?)[\s,;]*\)"
    r"|\b(?:owner|assignee)\s*:\s*@?(?P<owner2>[\w.\- ]+?)(?=[,;)]|$)",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w/])@(?P<h>[A-Za-z0-9][\w.-]*[A-Za-z0-9_]|[A-Za-z0-9])")
_DUE_INLINE = re.compile(
    r"\b(?:due|by|deadline|before|until|eta)\s*[:=]?\s*(?P<due>\d{4}-\d{2}-\d{2})", re.IGNORECASE
)
_STATUS_WORD = re.compile(
    r"(?:\*\*)?\b(?P<s>done|completed?|fixed|closed|todo|to do|open|in[- ]progress|wip|started"
    r"|won'?t[- ]do|wontfix|dropped|cancell?ed)\b(?:\*\*)?",
    re.IGNORECASE,
)
_BOLD_TITLE = re.compile(
    r"^\*\*(?P<t>[^*]+?)\*\*\s*[:.\-–—]?\s*(?P<rest>.*)$|^__(?P<t2>[^_]+?)__\s*[:.\-–—]?\s*(?P<rest2>.*)$"
)


def _norm_heading(text: str) -> str:
    text = re.sub(r"[*_`#\[\]]", "", text).lower()
    text = re.sub(r"^\s*(\d+[.)]|[ivx]+\.)\s*", "", text)  # "3. Timeline", "IV. Impact"
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[^\w/;'\s-]", " ", text)
    return " ".join(text.split())


def classify_heading(text: str) -> str | None:
    """Which known section a heading names, or None."""
    norm = _norm_heading(text)
    if not norm:
        return None
    for kind, pattern in SECTION_PATTERNS:
        if pattern.search(norm):
            return kind
    return None


_GAP = re.compile(
    r"\b(no|lack of|lacking|missing|insufficient|inadequate|without|not enough|too much|too many"
    r"|poor|unclear|absent)\b\W+(?:\w+\W+){0,2}",
    re.IGNORECASE,
)
_CATEGORY_WORDS = {
    category: re.compile(r"\b(?:" + "|".join(re.escape(w.strip()) for w in words) + ")", re.I)
    for category, words in FACTOR_CATEGORIES.items()
}


def guess_category(text: str, title: str = "") -> str:
    """The factor category whose words the text uses most; "process" if none.

    Words are matched at word starts ("test" in "tests", not in "latest"). A word right
    after "no", "lack of", "missing"... counts double, because a factor usually names
    what was missing ("No monitoring of subnet capacity" is about monitoring), and so
    does a word in the factor's own `title` (the bold lead-in authors give it). Ties
    go to the category listed first in `FACTOR_CATEGORIES`, which puts specific causes
    before broad ones such as infrastructure.
    """
    hits = [
        (match.start(), category)
        for category, pattern in _CATEGORY_WORDS.items()
        for match in pattern.finditer(text)
    ]
    scores = {
        category: len(pattern.findall(title)) for category, pattern in _CATEGORY_WORDS.items()
    }
    for _, category in hits:
        scores[category] += 1
    for gap in _GAP.finditer(text):
        # Only the first category word after "no"/"lack of" names what was missing.
        after = [(pos, category) for pos, category in hits if gap.start() < pos <= gap.end()]
        if after:
            scores[min(after)[1]] += 1
    best: tuple[int, int] | None = None
    chosen = "process"
    for rank, category in enumerate(_CATEGORY_WORDS):
        if scores[category] and (best is None or (-scores[category], rank) < best):
            best, chosen = (-scores[category], rank), category
    return chosen


def parse_duration(text: str) -> float | None:
    """Minutes in '54 minutes', '4 hours 42 minutes', '1h 48m', '01:30'; None if unknown.

    Raises ValueError when the text is neither a duration nor a way of saying unknown.
    """
    value = re.sub(r"[*_`~]", "", text).strip().rstrip(".").strip()
    if not value or _UNKNOWN.match(value):
        return None
    value = re.sub(r"\(.*?\)", "", value).strip()
    clock = re.fullmatch(r"(\d{1,3}):(\d{2})(?::(\d{2}))?", value)
    if clock:
        return int(clock[1]) * 60 + int(clock[2]) + int(clock[3] or 0) / 60
    total = 0.0
    matched = False
    rest = value
    for part in _DURATION_PART.finditer(value):
        matched = True
        n = float(part["n"].replace(",", "."))
        unit = part["unit"][0].lower()
        total += n * {"d": 1440, "h": 60, "m": 1, "s": 1 / 60}[unit]
        rest = rest.replace(part.group(0), " ", 1)
    leftover = re.sub(r"\b(and|approx\w*|about|around|roughly|~|ca)\b|[,~+]", " ", rest, flags=re.I)
    if not matched or leftover.strip():
        raise ValueError(f"not a duration: {text!r}")
    return total


def _clean(text: str) -> str:
    # Entities such as &amp; are Markdown's way of writing "&": the field holds the text.
    return " ".join(html.unescape(text).split())


def _strip_emphasis(text: str) -> str:
    return _EMPHASIS.sub("", text.strip()).strip()


@dataclass
class _Placed:
    at: datetime
    text: str
    lines: list[int]
    order: int
    day_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    from_table: bool = False


@dataclass
class _Context:
    """What the document says that helps place times: its date, year and zone."""

    doc_date: date | None
    doc_year: int | None
    doc_zone: tzinfo | None
    doc_zone_text: str
    default_zone: tzinfo
    default_name: str


class _Importer:
    def __init__(self, text: str, filename: str, default_tz: str) -> None:
        self.filename = filename
        self.lines = text.splitlines()
        self.default_name = default_tz
        self.default_zone = require_zone(default_tz, "default timezone")
        self.consumed: set[int] = set()
        self.report: list[str] = []
        self.fields: dict[str, Any] = {}
        self.stated: dict[str, Any] = {}
        self.derived: dict[str, Any] = {}
        self.base_fields: dict[str, Any] = {}
        self._front_matter()
        self.code = md.code_lines(self.lines)
        self.heads = md.headings(self.lines, self.code)
        self.sections = md.sections(self.lines, self.heads)
        self.title_section: md.Section | None = None
        self.kinds: dict[int, str | None] = {}
        for section in self.sections[1:]:
            self.kinds[id(section)] = classify_heading(section.title)

    # ----------------------------------------------------------------- helpers
    def _front_matter(self) -> None:
        # A file that already has front matter keeps it; extraction only fills gaps.
        if not self.lines or self.lines[0].strip() != "---":
            return
        for end in range(1, len(self.lines)):
            if self.lines[end].strip() in ("---", "..."):
                try:
                    data = yaml.safe_load("\n".join(self.lines[1:end])) or {}
                except yaml.YAMLError as exc:
                    mark = getattr(exc, "problem_mark", None)
                    line = mark.line + 2 if mark is not None else None
                    raise source_error(
                        self.filename, f"front matter is not valid YAML: {exc}", line=line
                    ) from None
                if not isinstance(data, dict):
                    raise source_error(self.filename, "front matter is not a mapping", line=1)
                self.base_fields = data
                for i in range(end + 1):
                    self.consumed.add(i)
                    self.lines[i] = ""
                self.report.append(f"front matter: kept {len(data)} existing field(s)")
                return

    def kind_of(self, section: md.Section, inherit: bool = True) -> str | None:
        own = self.kinds.get(id(section))
        if own or not inherit:
            return own
        parent = section.parent
        while parent is not None and parent.heading is not None:
            if self.kinds.get(id(parent)):
                return self.kinds[id(parent)]
            parent = parent.parent
        return None

    def sections_of(self, kind: str, inherit: bool = True) -> list[md.Section]:
        return [s for s in self.sections[1:] if self.kind_of(s, inherit) == kind]

    def blocks_of(self, section: md.Section) -> list[md.Block]:
        return md.blocks(self.lines, section.start, section.end, self.code)

    def where(self, line: int) -> str:
        return f"{self.filename}:{line + 1}"

    def section_text(self, section: md.Section, subtree: bool = False) -> list[int]:
        parts = section.subtree() if subtree else [section]
        found: list[int] = []
        for s in parts:
            if s is not section and s.heading is not None:
                found.extend(range(s.heading.line, s.heading.last_line + 1))
            found.extend(i for i in range(s.start, s.end) if self.lines[i].strip())
        return sorted(found)

    # ----------------------------------------------------------------- title
    def title(self) -> None:
        for section in self.sections[1:]:
            head = section.heading
            assert head is not None
            if head.level == 1 and classify_heading(head.text) is None and head.text:
                title = re.sub(
                    r"^(post[- ]?mortem|incident report|incident review|pir)"
                    r"(\s*[:\-–—]\s*|\s+(for|of)\s+(the\s+)?)",
                    "",
                    head.text,
                    flags=re.IGNORECASE,
                ).strip()
                self.fields["title"] = _strip_emphasis(title) or head.text
                self.consumed.update(range(head.line, head.last_line + 1))
                self.report.append(f"title: {self.fields['title']!r} (first level-1 heading)")
                self.title_section = section
                return
            if head.level <= 2 and classify_heading(head.text):
                break
        stem = PurePath(self.filename).stem
        stem = re.sub(r"^(PM)?\d{4}[-_]\d{2,3}(?:[-_]\d{2})?[-_]?", "", stem, flags=re.I)
        words = re.sub(r"[_-]+", " ", stem).strip()
        self.fields["title"] = (words[:1].upper() + words[1:]) if words else stem
        self.report.append(
            f"title: {self.fields['title']!r} (from the file name; no title heading)"
        )

    # ----------------------------------------------------------------- context
    def context(self) -> _Context:
        head_text = self.fields.get("title", "")
        title_line = ""
        for h in self.heads[:1]:
            title_line = h.text
        date_lines = [
            ln
            for ln in self.lines[:40]
            if re.match(r"^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(date|when|incident date)\b", ln, re.I)
        ]
        intro = [ln for i, ln in enumerate(self.lines[:60]) if i not in self.code]
        doc_date = None
        for source in (title_line or head_text, *date_lines):
            doc_date = find_full_date(source)
            if doc_date:
                break
        doc_year: int | None = doc_date.year if doc_date else None
        if doc_date is None:
            for source in date_lines:
                partial = find_partial_date(source)
                year = find_year(source)
                if partial and year:
                    try:
                        doc_date = date(year, partial[0], partial[1])
                    except ValueError:
                        doc_date = None
                    break
        if doc_date is None:
            doc_date = find_full_date("\n".join(intro))
        if doc_date is None:
            match = re.search(r"(\d{4})-(\d{2})-(\d{2})", PurePath(self.filename).name)
            if match:
                try:
                    doc_date = date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    doc_date = None
        if doc_date is not None:
            doc_year = doc_year or doc_date.year
        doc_year = doc_year or find_year(
            " ".join([head_text, *date_lines, PurePath(self.filename).name])
        )
        zone, zone_text = self.stated_zone(
            [i for i in range(len(self.lines)) if i not in self.code]
        )
        return _Context(doc_date, doc_year, zone, zone_text, self.default_zone, self.default_name)

    def stated_zone(self, line_numbers: list[int]) -> tuple[tzinfo | None, str]:
        """A zone stated in prose like 'All times in CET' among these lines."""
        for i in line_numbers:
            line = self.lines[i]
            if not _TIME_WORD.search(line) or md.is_table_sep(line):
                continue
            found = self.zone_in(line, require_time_word=True)
            if found[0] is not None:
                return found
        return None, ""

    def zone_in(self, text: str, require_time_word: bool = False) -> tuple[tzinfo | None, str]:
        if require_time_word and not _TIME_WORD.search(text):
            return None, ""
        low = text.lower()
        for phrase, name in _ZONE_PHRASES.items():
            if phrase in low:
                return require_zone(name), phrase
        for match in _ZONE_WORD.finditer(text):
            zone = zone_token(match.group(0))
            if zone is not None:
                return zone, match.group(0)
        return None, ""

    # ----------------------------------------------------------------- timeline
    def timeline(self, ctx: _Context) -> list[_Placed]:
        placed: list[_Placed] = []
        sections = self.sections_of("timeline")
        used: list[md.Section] = []
        for section in sections:
            placed += self.timeline_section(section, ctx, placed)
            used.append(section)
        if not placed:
            # No timeline heading (or an empty one): accept a table or list elsewhere
            # only if it clearly is one, so ordinary prose with a date is left alone.
            for section in self.sections:
                if section in used or self.kind_of(section) is not None:
                    continue
                snapshot = (set(self.consumed), len(self.report))
                found = self.timeline_section(section, ctx, placed, strict=True)
                if len(found) >= 3:
                    placed += found
                    self.report.append(
                        f"timeline: no timeline heading; took {len(found)} timed rows "
                        f"from '{section.title or 'the start'}'"
                    )
                    used.append(section)
                else:
                    self.consumed = snapshot[0]
                    del self.report[snapshot[1] :]
        return placed

    def _place(
        self, when: When, zone: tzinfo | None, ctx: _Context, state: dict[str, Any]
    ) -> tuple[datetime | None, bool, str]:
        """(instant, day_only, why-not) for one written time."""
        if when.approximate:
            return None, False, "the time is approximate"
        day = when.day_of(state.get("year") or ctx.doc_year)
        if when.has_date and day is None:
            return None, False, "no year is given or known" if when.year is None else "invalid date"
        if when.has_date and when.year is None and day is not None and state.get("day"):
            # A year that rolls over inside a timeline (Dec 31 -> Jan 1).
            previous: date = state["day"]
            if (previous - day).days > 180:
                day = day.replace(year=day.year + 1)
        if day is None:
            day = state.get("day") or ctx.doc_date
            if day is None:
                return None, False, "no date is given above it or in the document"
        tz = when.zone or zone or ctx.doc_zone or ctx.default_zone
        if not when.has_time:
            state["day"] = day
            state["year"] = day.year
            return datetime.combine(day, time(0, 0), tzinfo=tz), True, ""
        assert when.hour is not None and when.minute is not None
        moment = datetime.combine(day, time(when.hour, when.minute, when.second), tzinfo=tz)
        last: datetime | None = state.get("last")
        if not when.has_date and last is not None and last - moment > timedelta(hours=12):
            # A time-only row after late-evening rows is the next morning.
            moment += timedelta(days=1)
        state["day"] = moment.date()
        state["year"] = moment.year
        state["last"] = moment
        return moment, False, ""

    def timeline_section(
        self,
        section: md.Section,
        ctx: _Context,
        earlier: list[_Placed],
        strict: bool = False,
    ) -> list[_Placed]:
        placed: list[_Placed] = []
        state: dict[str, Any] = {}
        if earlier:
            state["day"] = earlier[-1].at.date()
            state["last"] = earlier[-1].at
        # A date in the section's heading ("### 29 September") sets the day.
        if section.heading is not None:
            head_when = read_when(_strip_emphasis(section.heading.text))
            if head_when and head_when.has_date:
                day = head_when.day_of(ctx.doc_year)
                if day:
                    state["day"], state["last"] = day, None
        zone, zone_text = self.stated_zone(list(range(section.start, section.end)))
        if zone is None and section.heading is not None:
            # "Timeline (UTC)": a zone in the heading itself needs no "times" wording.
            zone, zone_text = self.zone_in(section.heading.text)
        parent = section.parent
        if zone is None and parent is not None and self.kind_of(parent) == "timeline":
            # "All times in CET" above sub-sections per day applies to all of them.
            zone, zone_text = self.stated_zone(list(range(parent.start, parent.end)))
        for block in self.blocks_of(section):
            if block.kind == "table":
                placed += self.timeline_table(
                    block, zone, zone_text, ctx, state, len(earlier) + len(placed), strict
                )
            elif block.kind == "list":
                for item in block.items:
                    placed += self.timeline_item(item, zone, ctx, state, len(earlier) + len(placed))
            elif block.kind == "para" and not strict:
                placed += self.timeline_lines(block, zone, ctx, state, len(earlier) + len(placed))
        from_text = [p for p in placed if not p.from_table]
        if from_text:
            stated = zone_text or ctx.doc_zone_text or f"{self.default_name} (default; none stated)"
            self.report.append(
                f"timeline: {len(from_text)} timed line(s) under "
                f"'{section.title or 'the start'}' (times without a zone in {stated})"
            )
        return placed

    def timeline_table(
        self,
        block: md.Block,
        zone: tzinfo | None,
        zone_text: str,
        ctx: _Context,
        state: dict[str, Any],
        order: int,
        strict: bool,
    ) -> list[_Placed]:
        header = md.table_cells(self.lines[block.start])
        rows = [(i, md.table_cells(self.lines[i])) for i in range(block.start + 2, block.end)]
        if not rows:
            return []
        names = [_norm_heading(h) for h in header]

        def parses(col: int) -> int:
            return sum(
                1
                for _, cells in rows
                if col < len(cells)
                and (w := read_when(_strip_emphasis(cells[col]))) is not None
                and w.end > 0
            )

        # A "Date" column beside a "Time" column is one timestamp split in two.
        date_col = next(
            (c for c, n in enumerate(names) if re.search(r"\b(date|day)\b", n) and "time" not in n),
            None,
        )
        clock_col = next(
            (
                c
                for c, n in enumerate(names)
                if c != date_col and re.search(r"\b(time|when|timestamp|hour|utc|clock)\b", n)
            ),
            None,
        )
        time_cols: list[int]
        if date_col is not None and clock_col is not None:
            time_cols = [date_col, clock_col]
        else:
            time_col = date_col if clock_col is None else clock_col
            if time_col is None or parses(time_col) == 0:
                counts = [parses(c) for c in range(len(header))]
                best = max(range(len(header)), key=lambda c: counts[c]) if header else 0
                time_col = best if counts and counts[best] * 2 >= len(rows) else None
            if time_col is None:
                if not strict:
                    self.report.append(
                        f"timeline: the table at {self.where(block.start)} has no column of "
                        "readable times; it stays in the body"
                    )
                return []
            time_cols = [time_col]
        text_col = next(
            (
                c
                for c, n in enumerate(names)
                if c not in time_cols
                and re.search(
                    r"\b(event|events|description|what|happened|action|details|activity|update"
                    r"|summary|notes?)\b",
                    n,
                )
            ),
            None,
        )
        if text_col is None:
            others = [c for c in range(len(header)) if c not in time_cols]
            if not others:
                return []
            text_col = max(
                others,
                key=lambda c: sum(len(cells[c]) for _, cells in rows if c < len(cells)),
            )
        kind_col = next(
            (
                c
                for c, n in enumerate(names)
                if c not in (*time_cols, text_col) and n in ("kind", "type", "phase")
            ),
            None,
        )
        for c in time_cols:
            head_zone, head_zone_text = self.zone_in(header[c])
            if head_zone is not None:
                zone, zone_text = head_zone, f"{head_zone_text} (from the column '{header[c]}')"
        placed: list[_Placed] = []
        unplaced = 0
        for i, cells in rows:
            raw = " ".join(cells[c] for c in time_cols if c < len(cells) and cells[c].strip())
            text = cells[text_col] if text_col < len(cells) else ""
            cell = _strip_emphasis(raw)
            when = read_when(cell)
            why = ""
            if when is None or cell[when.end :].strip(" .,*_`"):
                why = f"cannot read the time {raw!r}"
            if not text.strip():
                why = why or "the row has no text"
            at: datetime | None = None
            day_only = False
            if not why and when is not None:
                at, day_only, why = self._place(when, zone, ctx, state)
            if at is None:
                unplaced += 1
                self.report.append(f"timeline: {self.where(i)}: {why}; the row stays in the body")
                continue
            assert when is not None
            extra: dict[str, Any] = {}
            for c, name in enumerate(names):
                if c in (*time_cols, text_col) or c >= len(cells) or not cells[c].strip():
                    continue
                if c == kind_col and cells[c].strip().lower() in _EVENT_KINDS:
                    extra["kind"] = cells[c].strip().lower()
                else:
                    key = re.sub(r"\W+", "_", name).strip("_") or f"column_{c + 1}"
                    extra[key] = cells[c].strip()
            if when.range_end is not None and not day_only:
                end = at.replace(hour=when.range_end[0], minute=when.range_end[1])
                if end < at:
                    end += timedelta(days=1)
                extra["until"] = end.isoformat()
            placed.append(
                _Placed(at, _clean(text), [i], order + len(placed), day_only, extra, True)
            )
        if placed:
            self.consumed.update(p.lines[0] for p in placed)
            if unplaced == 0:
                self.consumed.update((block.start, block.start + 1))
            zone_note = zone_text or (
                ctx.doc_zone_text if ctx.doc_zone else f"{self.default_name} (default; none stated)"
            )
            self.report.append(
                f"timeline: {len(placed)} row(s) from the table at {self.where(block.start)}"
                f" (times in {zone_note})"
            )
        return placed

    def _event_from_text(
        self,
        text: str,
        lines: list[int],
        zone: tzinfo | None,
        ctx: _Context,
        state: dict[str, Any],
        order: int,
    ) -> _Placed | str | None:
        """A placed event, None if the text does not start with a time, or why-not."""
        stripped = text.strip()
        opener = re.match(r"^(\*\*|__|\*|_|`|\[|\()?", stripped)
        open_mark = opener.group(1) or "" if opener else ""
        body = stripped[len(open_mark) :]
        when = read_when(body)
        if when is None or when.end == 0:
            return None
        rest = body[when.end :]
        if rest and rest[0].isalnum():
            return None  # "2021-era" or "10am-ish" glued to a word: not a timeline row
        if open_mark:
            close_mark = {"[": "]", "(": ")"}.get(open_mark, open_mark)
            at_close = rest.find(close_mark)
            if at_close >= 0:
                # "**16:58 UTC** - text" or "**16:58 Deploy starts**": drop the pair.
                rest = rest[:at_close] + rest[at_close + len(close_mark) :]
        rest = _LEADING_SEP.sub("", rest, count=1).strip()
        if when.has_date and not when.has_time and _ZONE_NOTE.match(rest):
            # "2015-10-21 (all times UTC)": the day for the rows below, not an event.
            # The line stays in the body; its zone is read by `stated_zone`.
            day = when.day_of(state.get("year") or ctx.doc_year)
            if day is not None:
                state["day"], state["last"] = day, None
                return ""
        if not rest:
            # A line that is only a date sets the day for the rows under it.
            if when.has_date and not when.has_time:
                day = when.day_of(state.get("year") or ctx.doc_year)
                if day is not None:
                    state["day"], state["last"] = day, None
                    self.consumed.update(lines)
                    return ""
            return None
        at, day_only, why = self._place(when, zone, ctx, state)
        if at is None:
            return why
        extra: dict[str, Any] = {}
        if when.range_end is not None and not day_only:
            end = at.replace(hour=when.range_end[0], minute=when.range_end[1])
            extra["until"] = (end if end >= at else end + timedelta(days=1)).isoformat()
        return _Placed(at, _clean(rest), lines, order, day_only, extra)

    def timeline_item(
        self,
        item: md.Item,
        zone: tzinfo | None,
        ctx: _Context,
        state: dict[str, Any],
        order: int,
    ) -> list[_Placed]:
        result = self._event_from_text(item.text, list(item.lines), zone, ctx, state, order)
        placed: list[_Placed] = []
        if isinstance(result, _Placed):
            # Nested bullets without their own time add detail to the event.
            details = []
            for child in item.children:
                sub = self._event_from_text(
                    child.text,
                    list(child.lines),
                    zone,
                    ctx,
                    state,
                    order + 1 + len(placed),
                )
                if isinstance(sub, _Placed):
                    placed.append(sub)
                    self.consumed.update(sub.lines)
                else:
                    details.append(child.full_text())
                    result.lines += child.all_lines()
            if details:
                result.text += " (" + "; ".join(_clean(d) for d in details) + ")"
            self.consumed.update(result.lines)
            return [result, *placed]
        if isinstance(result, str) and result:
            self.report.append(
                f"timeline: {self.where(item.line)}: {result}; the line stays in the body"
            )
        for child in item.children:
            placed += self.timeline_item(child, zone, ctx, state, order + len(placed))
        return placed

    def timeline_lines(
        self,
        block: md.Block,
        zone: tzinfo | None,
        ctx: _Context,
        state: dict[str, Any],
        order: int,
    ) -> list[_Placed]:
        placed: list[_Placed] = []
        for i in range(block.start, block.end):
            result = self._event_from_text(
                self.lines[i], [i], zone, ctx, state, order + len(placed)
            )
            if isinstance(result, _Placed):
                placed.append(result)
                self.consumed.add(i)
            elif isinstance(result, str) and result:
                self.report.append(
                    f"timeline: {self.where(i)}: {result}; the line stays in the body"
                )
            elif result is None and placed and self.lines[i].startswith((" ", "\t")):
                # An indented line under a timed line continues it.
                placed[-1].text += " " + _clean(self.lines[i])
                placed[-1].lines.append(i)
                self.consumed.add(i)
        return placed

    # ----------------------------------------------------------------- times
    def times(self, placed: list[_Placed], ctx: _Context) -> None:
        if not placed:
            self.report.append("timeline: none found")
            return
        # Out-of-order rows are sorted, and the report says where the author's order differed.
        for prev, cur in itertools.pairwise(placed):
            if prev.day_only or cur.day_only:
                backwards = cur.at.date() < prev.at.date()
            else:
                backwards = cur.at < prev.at
            if backwards:
                self.report.append(
                    f"timeline: {self.where(cur.lines[0])}: listed after "
                    f"{prev.at.strftime('%Y-%m-%d %H:%M')} but happened at "
                    f"{cur.at.strftime('%Y-%m-%d %H:%M')}; sorted by time"
                )
        ordered = sorted(placed, key=lambda p: (p.at, p.order))
        rows = [
            Row(p.at, p.text, p.day_only, p.extra.get("kind") if p.from_table else None)
            for p in ordered
        ]
        phases = find_phases(rows)
        start = ordered[phases.start]
        started = start.at

        def chosen(index: int | None) -> _Placed | None:
            return None if index is None else ordered[index]

        detection, mitigation = chosen(phases.detection), chosen(phases.mitigation)
        recovery, resolution = chosen(phases.recovery), chosen(phases.resolution)
        # The derived figures come from the timeline alone, so they can be compared with
        # the stated ones; "ttr" is time to recovery, as the stats blocks mean it.
        self.derived = {
            "ttd_minutes": phases.minutes(rows, phases.detection),
            "ttm_minutes": phases.minutes(rows, phases.mitigation),
            "ttr_minutes": phases.minutes(rows, phases.recovery),
            "ttresolve_minutes": phases.minutes(rows, phases.resolution),
            "started_by": start.text,
            "detected_by": detection.text if detection else None,
            "mitigated_by": mitigation.text if mitigation else None,
            "recovered_by": recovery.text if recovery else None,
            "resolved_by": resolution.text if resolution else None,
        }
        self.fields["started_at"] = started
        how = (
            "first timeline event"
            if phases.start_reason == "first timeline event"
            else f"{phases.start_reason}: {start.text!r}"
        )
        self.report.append(f"started_at: {started.isoformat()} ({how})")
        # A stated "time to recovery" gives resolved_at (the field the metrics count),
        # so it is checked against the row where service came back.
        stated_recovery = self.stated.get("ttr_minutes") is not None
        for name, stat, cue in (
            ("detected_at", "ttd_minutes", detection),
            ("mitigated_at", "ttm_minutes", mitigation),
            ("resolved_at", "ttr_minutes", recovery if stated_recovery else resolution),
        ):
            stated = self.stated.get(stat)
            if stated is not None:
                value = started + timedelta(minutes=stated)
                self.fields[name] = value
                note = f"{name}: {value.isoformat()} (started_at + the stated {stated:g} minutes)"
                if cue is not None and abs(cue.at - value) > timedelta(
                    minutes=max(1, stated * 0.02)
                ):
                    note += (
                        f"; the timeline's cue {cue.text!r} is at {cue.at.isoformat()}:"
                        " check which start the stated figure counts from"
                    )
                self.report.append(note)
            elif cue is not None:
                self.fields[name] = cue.at
                self.report.append(f"{name}: {cue.at.isoformat()} (timeline: {cue.text!r})")
        mitigated, resolved = self.fields.get("mitigated_at"), self.fields.get("resolved_at")
        if mitigated is not None and resolved is not None and mitigated > resolved:
            # A stated recovery time that ends before the timeline's mitigation means the
            # two count from different starts; keeping both would contradict itself.
            del self.fields["mitigated_at"]
            self.report.append(
                "mitigated_at: left out, because the timeline's mitigation comes after the "
                "resolved_at the stated figures give"
            )
        kinds = _kinds_matching_fields(phases.kinds, ordered, self.fields)
        events = []
        for p, derived_kind in zip(ordered, kinds, strict=True):
            extra = dict(p.extra)
            kind = extra.pop("kind", None) or derived_kind
            if p.day_only:
                extra["precision"] = "day"
            events.append(TimelineEvent(at=p.at, event=p.text, kind=kind, **extra))
            shown = p.at.strftime("%Y-%m-%d") if p.day_only else p.at.isoformat()
            self.report.append(
                f"timeline event: {self.where(p.lines[0])} -> {shown}"
                + (f" [{kind}]" if kind else "")
                + f" {_short(p.text)!r}"
            )
        self.fields["timeline"] = events

    # ----------------------------------------------------------------- stats
    def stats(self) -> None:
        keys = {
            "ttd_minutes": re.compile(
                r"^(time to (detect\w*|acknowledge?\w*)|ttd|mttd|tta|detection time)$", re.I
            ),
            "ttr_minutes": re.compile(
                r"^(time to (recover\w*|resol\w*|restor\w*|repair|fix)|ttr|mttr|recovery time|resolution time|duration|outage duration)$",
                re.I,
            ),
            "ttm_minutes": re.compile(r"^(time to mitigat\w*|ttm|mttm|mitigation time)$", re.I),
        }
        stat_sections = {id(s) for s in self.sections_of("stats")}
        for section in self.sections:
            in_stats = id(section) in stat_sections
            for i in range(section.start, section.end):
                if i in self.code or i in self.consumed:
                    continue
                pair = self._key_value(i)
                if pair is None:
                    continue
                key, value, in_table = pair
                stat = next((k for k, pattern in keys.items() if pattern.match(key)), None)
                # "Duration" is a recovery time only in a stats block, and only when
                # no explicit time to recovery is given.
                if (
                    stat == "ttr_minutes"
                    and key.lower().endswith("duration")
                    and (not in_stats or "ttr_minutes" in self.stated)
                ):
                    stat = None
                if stat is not None:
                    try:
                        minutes = parse_duration(value)
                    except ValueError:
                        self.report.append(
                            f"stats: {self.where(i)}: cannot read {value!r} as a duration"
                        )
                        continue
                    if stat not in self.stated:
                        self.stated[stat] = minutes
                        self.stated[stat.replace("_minutes", "_text")] = value
                        shown = "unknown" if minutes is None else f"{minutes:g} minutes"
                        self.report.append(f"stats: {key} {value!r} -> {shown} (kept in the body)")
                    continue
                low = key.lower()
                if in_stats and low == "category" and value and not _UNKNOWN.match(value):
                    self.fields.setdefault("tags", [])
                    if value not in self.fields["tags"]:
                        self.fields["tags"].append(value)
                        self.report.append(f"tags: {value!r} (stated category; kept in the body)")
                if (
                    low in ("severity", "sev", "priority", "incident severity")
                    and value
                    and not _UNKNOWN.match(value)
                ) and "severity" not in self.fields:
                    self.fields["severity"] = _strip_emphasis(value)
                    if not in_table:  # a table keeps its rows; the line form moves
                        self.consumed.add(i)
                    self.report.append(f"severity: {self.fields['severity']!r} ({self.where(i)})")

    def _key_value(self, i: int) -> tuple[str, str, bool] | None:
        """(key, value, from a table) of a 'Key: value' line or a two-cell table row."""
        line = self.lines[i]
        if "|" in line and not md.is_table_sep(line):
            cells = [c for c in md.table_cells(line) if c]
            if len(cells) == 2 and len(cells[0]) <= 40:
                return " ".join(_strip_emphasis(cells[0]).split()).rstrip(":"), cells[1], True
            return None
        match = _STAT_LINE.match(line)
        if not match:
            return None
        return " ".join(match["key"].strip().split()).rstrip(":"), match["value"].strip(), False

    # ----------------------------------------------------------------- text sections
    def summary(self) -> None:
        sections = self.sections_of("summary", inherit=False)
        chunks: list[str] = []
        if sections:
            section = sections[0]
            chunks = self._paragraphs(self.section_text(section, subtree=True))
            where = f"'{section.title}'"
        else:
            intro = self.title_section or self.sections[0]
            lines = [
                i
                for i in range(intro.start, intro.end)
                if i not in self.consumed and i not in self.code
            ]
            chunks = self._paragraphs(lines)
            where = "the text before the first section"
        # Short "Date: ..." / "Status: ..." lines near the top are metadata, not summary.
        chunks = [
            c
            for c in chunks
            if not re.match(r"^\s*(?:\*\*|__)?\s*\w[\w ]{0,20}:\s*(\*\*|__)?", c) or len(c) > 80
        ]
        if chunks:
            self.fields["summary"] = "\n\n".join(chunks)
            self.report.append(
                f"summary: {len(chunks)} paragraph(s) from {where} (kept in the body)"
            )

    def _paragraphs(self, line_numbers: list[int]) -> list[str]:
        chunks: list[str] = []
        current: list[str] = []
        previous = -2
        for i in line_numbers:
            line = self.lines[i]
            if i in self.code or line.strip().startswith("<") or md.is_table_sep(line):
                continue
            if i != previous + 1 and current:
                chunks.append(" ".join(current))
                current = []
            if any(h.line <= i <= h.last_line for h in self.heads):
                previous = -2
                continue
            current.append(line.strip())
            previous = i
        if current:
            chunks.append(" ".join(current))
        return [_clean(c) for c in chunks if c.strip()]

    def impact(self) -> None:
        sections = self.sections_of("impact", inherit=False)
        if not sections:
            for i, line in enumerate(self.lines):
                match = _STAT_LINE.match(line)
                if (
                    (
                        match
                        and match["key"].strip().lower()
                        in ("impact", "customer impact", "user impact")
                        and match["value"]
                    )
                    and i not in self.code
                    and i not in self.consumed
                ):
                    self.fields["impact"] = _strip_emphasis(match["value"])
                    self.consumed.add(i)
                    self.report.append(f"impact: from {self.where(i)}")
                    return
            return
        section = sections[0]
        lines = self.section_text(section, subtree=True)
        text = (
            "\n".join(self.lines[i].rstrip() for i in range(min(lines), max(lines) + 1))
            if lines
            else ""
        )
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        if text:
            self.fields["impact"] = text
            assert section.heading is not None
            self.consumed.update(range(section.heading.line, max(lines) + 1))
            self.report.append(f"impact: the section '{section.title}' ({len(lines)} line(s))")

    def lessons(self) -> None:
        found: list[str] = []
        for section in self.sections_of("lessons"):
            items: list[str] = []
            paras: list[str] = []
            for block in self.blocks_of(section):
                if block.kind == "list":
                    items += [_clean(it.full_text()) for it in block.items if it.text.strip()]
                elif block.kind == "para":
                    paras.append(
                        _clean(" ".join(self.lines[i] for i in range(block.start, block.end)))
                    )
            found += items or paras
        if found:
            self.fields["lessons"] = found
            self.report.append(f"lessons: {len(found)} (kept in the body)")

    # ----------------------------------------------------------------- factors
    def factors(self) -> None:
        factors: list[Factor] = []
        for section in self.sections_of("factors", inherit=False):
            for block in self.blocks_of(section):
                if block.kind == "list":
                    for item in _merge_numbered(block.items):
                        text = _item_text(item)
                        if not text:
                            self.consumed.update(item.all_lines())
                            continue
                        bold = _BOLD_TITLE.match(item.text.strip())
                        title = (bold["t"] or bold["t2"] or "") if bold else ""
                        factors.append(
                            Factor(category=guess_category(text, title), description=text)
                        )
                        self.consumed.update(item.all_lines())
            if not any(b.kind == "list" for b in self.blocks_of(section)):
                self.report.append(
                    f"contributing factors: '{section.title}' is prose, not a list; kept in the body"
                )
        for factor in factors:
            self.report.append(f"factor: [{factor.category}] {_short(factor.description)!r}")
        if factors:
            self.fields["contributing_factors"] = factors
            cats = sorted({f.category for f in factors})
            self.report.append(
                f"contributing factors: {len(factors)} (categories guessed: {', '.join(cats)})"
            )

    # ----------------------------------------------------------------- actions
    def actions(self) -> None:
        items: list[ActionItem] = []
        for section in self.sections_of("actions"):
            group_done = bool(
                re.search(r"\b(completed?|done|finished|already)\b", section.title, re.I)
            )
            group_open = bool(
                re.search(
                    r"\b(planned|in[- ]progress|open|todo|pending|future)\b", section.title, re.I
                )
            )
            # Sub-headings ("Short-term", "Immediate actions (completed)") are kept on
            # each item so the grouping the authors chose survives the move.
            parent = section.parent
            group = section.title if parent and self.kind_of(parent) == "actions" else None
            for block in self.blocks_of(section):
                if block.kind == "list":
                    for item in _merge_numbered(block.items):
                        made = self._action_from_item(
                            item, len(items) + 1, group_done and not group_open, group
                        )
                        self.consumed.update(item.all_lines())
                        if made is not None:
                            items.append(made)
                elif block.kind == "table":
                    items += self._actions_from_table(block, len(items) + 1, group_done)
        if items:
            self.fields["action_items"] = items
            for a in items:
                who = f", owner {a.owner}" if a.owner else ""
                due = f", due {a.due.isoformat()}" if a.due else ""
                self.report.append(
                    f"action item {a.id}: {_short(a.title)!r} ({a.status}{who}{due})"
                )
            done = sum(1 for a in items if a.status == "done")
            owned = sum(1 for a in items if a.owner)
            self.report.append(f"action items: {len(items)} ({done} done, {owned} with an owner)")

    def _action_from_item(
        self, item: md.Item, number: int, done_group: bool, group: str | None
    ) -> ActionItem | None:
        text = item.text.strip()
        if not text:
            return None
        status: ActionStatus = "done" if done_group else "open"
        struck = _STRUCK.match(text)
        if struck:
            text, status = f"{struck[1]} {struck[2]}".strip(), "done"
        if _DONE_MARK.match(text):
            text, status = _DONE_MARK.sub("", text, count=1), "done"
        elif _OPEN_MARK.match(text):
            text, status = _OPEN_MARK.sub("", text, count=1), "open"
        text, owner, due, word_status = _annotations(text)
        status = word_status or status
        notes_parts: list[str] = []
        bold = _BOLD_TITLE.match(text)
        title = text
        if bold:
            title = (bold["t"] or bold["t2"] or "").strip()
            rest = (bold["rest"] or bold["rest2"] or "").strip()
            if rest:
                notes_parts.append(rest)
        for child in item.children:
            notes_parts.append(child.full_text())
        notes = _clean("; ".join(p for p in notes_parts if p)) or None
        if owner is None and notes:
            handle = _HANDLE.search(notes)
            owner = handle["h"] if handle else None
        extra: dict[str, Any] = {"group": group} if group else {}
        return ActionItem(
            id=f"A{number}",
            title=_clean(title).rstrip(".") or _clean(text),
            owner=owner,
            due=due,
            status=status,
            notes=notes,
            **extra,
        )

    def _actions_from_table(
        self, block: md.Block, number: int, done_group: bool
    ) -> list[ActionItem]:
        header = [_norm_heading(h) for h in md.table_cells(self.lines[block.start])]

        def col(pattern: str) -> int | None:
            return next((c for c, h in enumerate(header) if re.search(pattern, h)), None)

        title_c = col(r"\b(action|item|task|title|description|what|remediation|follow)")
        if title_c is None:
            return []
        owner_c = col(r"\b(owner|who|assignee|responsible|team)\b")
        due_c = col(r"\b(due|deadline|by when|target|eta|date)\b")
        status_c = col(r"\b(status|state|done)\b")
        type_c = col(r"\b(type|kind)\b")
        link_c = col(r"\b(link|ticket|issue|bug|jira|tracker|url)\b")
        made: list[ActionItem] = []
        for i in range(block.start + 2, block.end):
            cells = md.table_cells(self.lines[i])

            def get(c: int | None, cells: list[str] = cells) -> str:
                return cells[c].strip() if c is not None and c < len(cells) else ""

            title = get(title_c)
            if not title:
                continue
            status: ActionStatus = "done" if done_group else "open"
            extra: dict[str, Any] = {}
            for c, cell in enumerate(cells):
                word = _STATUS_WORD.search(cell) if c in (status_c, link_c) else None
                if word:
                    status = _status_from_word(word["s"]) or status
            _, owner_inline, due_inline, _ = _annotations(title)
            owner = _strip_emphasis(get(owner_c)).lstrip("@") or owner_inline or None
            due_text = get(due_c)
            due = _date_or_none(due_text) or due_inline
            kind = get(type_c).lower()
            link = get(link_c)
            if link:
                url = re.search(r"https?://\S+?(?=[)\s>]|$)", link)
                if url:
                    extra["link"] = url.group(0)
                else:
                    ticket = _STATUS_WORD.sub("", link).strip(" *_")
                    if ticket and not _UNKNOWN.match(ticket):
                        extra["ticket"] = ticket
            if due_text and due is None:
                extra["due_text"] = due_text
            made.append(
                ActionItem(
                    id=f"A{number + len(made)}",
                    title=_clean(_strip_emphasis(title)),
                    owner=owner,
                    due=due,
                    status=status,
                    type=_ACTION_TYPES.get(kind),
                    **extra,
                )
            )
            self.consumed.add(i)
        if made:
            self.consumed.update((block.start, block.start + 1))
        return made

    # ----------------------------------------------------------------- body
    def body(self) -> str:
        keep = [i for i in range(len(self.lines)) if i not in self.consumed]
        kept = set(keep)
        # A heading whose whole section (with subsections) was moved out goes too.
        for section in reversed(self.sections[1:]):
            head = section.heading
            assert head is not None
            if head.line not in kept:
                continue
            content = [
                i
                for s in section.subtree()
                for i in range(s.start, s.end)
                if i in kept and self.lines[i].strip()
            ]
            # Sub-headings lie outside every section's content range, so `content`
            # holds text only: if none is left, the headings have nothing to head.
            if not content and self.section_text(section, subtree=True):
                for s in section.subtree():
                    if s.heading is not None:
                        kept.difference_update(range(s.heading.line, s.heading.last_line + 1))
        out: list[str] = []
        for i in range(len(self.lines)):
            if i not in kept:
                continue
            line = self.lines[i]
            if not line.strip():
                if out and out[-1] == "":
                    continue
                out.append("")
            else:
                out.append(line)  # trailing spaces can be a Markdown line break: keep them
        return "\n".join(out).strip("\n") + "\n" if any(o.strip() for o in out) else ""

    def run(self) -> MarkdownImport:
        self.title()
        ctx = self.context()
        self.stats()
        placed = self.timeline(ctx)
        self.times(placed, ctx)
        self.summary()
        self.impact()
        self.factors()
        self.actions()
        self.lessons()
        fields = dict(self.base_fields)
        for key, value in self.fields.items():
            if key in fields:
                self.report.append(f"{key}: the existing front matter value was kept")
            else:
                fields[key] = value
        return MarkdownImport(fields, self.body(), self.report, self.stated, self.derived)


_ACTION_TYPES: dict[str, ActionType] = {
    "prevent": "prevent",
    "detect": "detect",
    "mitigate": "mitigate",
    "process": "process",
}
_EVENT_KINDS = {"trigger", "detection", "action", "mitigation", "resolution", "communication"}


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_FIELD_KINDS: dict[str, EventKind] = {
    "detected_at": "detection",
    "mitigated_at": "mitigation",
    "resolved_at": "resolution",
}


def _kinds_matching_fields(
    derived: list[EventKind | None], ordered: list[_Placed], fields: dict[str, Any]
) -> list[EventKind | None]:
    """The rows' kinds, with each phase's kind on the row at its front-matter time.

    The earliest row of a kind and the field of that phase must agree (lint T104).
    When a stated figure puts the field at another row than the timeline's words
    suggest, the kind moves to the row at the stated time, which is the one the
    authors counted to; with no single row there, the words' choice stays.
    """
    kinds = list(derived)
    for name, kind in _FIELD_KINDS.items():
        value = fields.get(name)
        if value is None:
            kinds = ["action" if k == kind else k for k in kinds]
            continue
        earliest = next((i for i, k in enumerate(kinds) if k == kind), None)
        if earliest is not None and ordered[earliest].at == value:
            continue
        at_value = [i for i, p in enumerate(ordered) if not p.day_only and p.at == value]
        if len(at_value) == 1:
            kinds = ["action" if k == kind else k for k in kinds]
            kinds[at_value[0]] = kind
    return kinds


def _merge_numbered(items: list[md.Item]) -> list[md.Item]:
    """Bullets between numbered items are details of the numbered item above them.

    Authors write "1. **Title**" then a loose bullet list of specifics, then "2. ...";
    Markdown makes the bullets siblings, but they are not separate actions or factors.
    """
    if not any(i.ordered for i in items) or all(i.ordered for i in items):
        return items
    merged: list[md.Item] = []
    for item in items:
        if not item.ordered and merged and merged[-1].ordered:
            merged[-1].children.append(item)
        else:
            merged.append(item)
    return merged


def _item_text(item: md.Item) -> str:
    text = item.text.strip()
    bold = _BOLD_TITLE.match(text)
    if bold:
        title = (bold["t"] or bold["t2"] or "").strip().rstrip(":")
        rest = (bold["rest"] or bold["rest2"] or "").strip()
        text = f"{title}: {rest}" if rest else title
    children = [c.full_text() for c in item.children]
    if children:
        text = f"{text.rstrip(':')}: " + "; ".join(children) if text else "; ".join(children)
    return _clean(text)


def _status_from_word(word: str) -> ActionStatus | None:
    w = word.lower().replace(" ", "").replace("-", "")
    if w in ("done", "complete", "completed", "fixed", "closed"):
        return "done"
    if w in ("inprogress", "wip", "started"):
        return "in-progress"
    if w in ("wontdo", "won'tdo", "wontfix", "dropped", "cancelled", "canceled"):
        return "wont-do"
    if w in ("todo", "open"):
        return "open"
    return None


def _date_or_none(text: str) -> date | None:
    when = read_when(_strip_emphasis(text))
    if when is None or not when.has_date or when.year is None:
        return None
    return when.day_of(None)


def _annotations(text: str) -> tuple[str, str | None, date | None, ActionStatus | None]:
    """(text, owner, due, status) from '(owner: x)', '@x', 'due 2026-03-28', '(done)'.

    The recognised annotations are taken out of the text, so the title reads as a
    sentence; the values live on in the item's fields.
    """
    status: ActionStatus | None = None
    trailing = re.search(
        r"\s*[(\[]\s*(done|completed?|in[- ]progress|wip|won'?t do|todo)\s*[)\]]\s*$", text, re.I
    )
    if trailing:
        status = _status_from_word(trailing.group(1))
        text = text[: trailing.start()].strip()
    due: date | None = None
    match_due = _DUE_INLINE.search(text)
    if match_due:
        due = _date_or_none(match_due["due"])
        if due is not None:
            text = (text[: match_due.start()] + text[match_due.end() :]).strip(" ,;")
            text = re.sub(r"\(\s*[,;]?\s*\)", "", text).strip()
    owner: str | None = None
    match = _OWNER_INLINE.search(text)
    if match:
        owner = (match["owner"] or match["owner2"] or "").strip(" ,;") or None
        text = (text[: match.start()] + text[match.end() :]).strip(" ,;-")
    if owner is None:
        handle = _HANDLE.search(text)
        if handle:
            owner = handle["h"]
    # A handle at the very end names the owner; one inside the sentence is part of it.
    if owner is not None:
        text = re.sub(rf"\s*[-–,;(]?\s*@{re.escape(owner)}\s*\)?\s*$", "", text).strip()
    return text, owner, due, status


def import_markdown(text: str, filename: str, default_tz: str = "UTC") -> MarkdownImport:
    """Split a free-form Markdown postmortem into front-matter fields and a body.

    `filename` names the input in the report and errors and supplies a title (and a
    date) when the text has none. `default_tz` is the zone of times when the text
    states none.
    """
    return _Importer(text, filename, default_tz).run()
