"""Which timeline rows start, detect, mitigate and resolve an incident, read from their words.

A free-form timeline does not say which row is the detection; its words do. Each row is
read for cues (a change, a sign of impact, people learning of it, a mitigating action, a
statement that service is back, a permanent fix, a message to customers), and the
phases are then chosen by position:

- start: a row marked as the start ("OUTAGE BEGINS", "(problem started)"); else the
  first sign of impact before the first detection; else the last change before it (the
  change nearest to the detection is the likeliest trigger: earlier maintenance steps
  and changes days before caused nothing visible); else the first row.
- detection: the first row after the start in which people learn of the problem or
  start working on it. The first row itself counts only with words that say people
  learned of it ("alert", "paged", "customers report"): "node starts reporting errors"
  is the failure, not anyone noticing it.
- mitigation: the first mitigating action or statement of restored service after the
  detection.
- recovery (time to recovery, as authors state it): the first statement that service
  is back; else the first mitigating action; else the resolution. A rollback is when
  people acted, "bookings flowing normally again" is when users got service back.
- resolution: the first permanent fix or end of the incident at or after the
  recovery; else the recovery.

A mitigation or restoration that a later row contradicts ("errors return", "still
returning 404") before another one follows does not count. Words in double quotes or
backticks are quoted, not meant ('"Fix" applied'), except as signs of impact (a quoted
error message is still an error).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from mortem.model import EventKind

__all__ = ["Phases", "Row", "cues_of", "find_phases"]


def _any(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


_START = _any(
    r"\b(outage|impact|problem|issue|degradation|disruption)\s+(begins|began|starts|started)\b",
    r"\bstart of (the )?(outage|impact|problem|incident|degradation)\b",
)
_END = _any(
    r"\b(outage|incident|impact|disruption|degradation)\s+(ends?|ended|(is |was )?over|closed)\b",
    r"\bend of (the )?(outage|impact|incident)\b",
    r"\ball[- ]clear\b",
)
_RESOLUTION = _any(
    r"\bpermanent(ly)?\b",
    r"\blong[- ]term (fix|solution)\b",
    r"\broot cause (was )?(fixed|removed|addressed|resolved|eliminated)\b",
    r"\b(resolved|solved)\b",
    r"\bfully (restored|recovered)\b",
)
_SUBJECT = (
    r"(all|everything|services?|systems?|sites?|apps?|applications?|apis?|requests|traffic"
    r"|platform|it|logins?|endpoints?|customers|users)"
)
_RESTORED = _any(
    r"\b(restored|recovered|resumed|mitigated|resolved|solved|fixed)\b",
    r"\bback (to|at) (normal|baseline|nominal|health|real[- ]?time|full (service|capacity))\b",
    r"\bback (online|in service)\b|\b(came|comes|coming|is|are|was|were) back (up|online)\b",
    r"\bup and running\b",
    rf"\b{_SUBJECT}\W+(\w+\W+){{0,2}}?(operational|healthy|available|stable|ok|okay)\b",
    r"\b(operational|healthy|available|stable) again\b",
    r"\b(confirmed|verified|reported|seen) (to be |as )?(working|fixed|operational|healthy|correct"
    r"|good|ok|okay)\b",
    r"\bworking (again|as (intended|expected|normal|usual)|normally|fine|correctly)\b",
    r"\b(it|that|everything|all|this|now) works\b|\bworks (again|fine|normally|as (expected"
    r"|intended))\b",
    r"\b(?!fail|error|crash|tim|drop|break|los|degrad|throttl|reject|return|stall|hang|lag"
    r"|spik|climb|ris|grow|increas|fall|slow|leak|queu|pil)\w+ing (\w+ ){0,2}?(normally|again"
    r"|successfully|as (normal|usual|expected))\b",
    r"\b(complete|correct|accurate|consistent|available|visible|reachable|accessible|responsive"
    r"|green|fast|up) again\b",
    r"\b(success|availability|uptime|throughput)\b(?:[^.;]|\.(?=\d)){0,30}\b(again|restored|recovered"
    r"|back)\b",
    r"\b(errors?|failures?|timeouts?|duplicat\w+|crash\w*|warnings?|exceptions?|retries|drops"
    r"|[45]\d\d|[45]xx)\b[^.;]{0,30}\b(stop(s|ped)?|ceas\w+|subsid\w+|disappear\w*|clear(s|ed)?"
    r"|gone|went away|vanish\w*)\b",
    r"\b(at|to|within) (normal|baseline|nominal)( levels?)?\b",
    r"\b(drops?|dropped|fell|falls|down) to (zero|0|baseline|normal)\b",
    r"\bcaught up\b|\bup to date\b|\bon time\b|\bregain(s|ed)\b",
    r"\b(is|are|looks?|seems?|appears?) (normal|healthy|correct|right|fine)\b",
    r"\bno (more|further|new)\b(?:[^.;]){0,40}\b(sent|seen|observed|reported|errors?|failures?"
    r"|occur\w*|happen\w*|appear\w*|logged|created|lost|dropped)\b",
    r"\b(accepting|serving|processing|taking|handling) (\w+ )?(writes|requests|traffic|orders"
    r"|payments|connections|jobs|events|bookings|logins)\b",
)
_PEOPLE = (
    r"\b(on-?call|engineers?|team|dba|sre|operators?|responders?|developers?|admins?"
    r"|the business|service desk|help ?desk|support desk)"
)
_CONTACTED = r"(called|phoned|rung|woken|paged|pinged|contacted|summoned)\b"
_CONTACT = r"(call(s|ed)?|phon(es|ed)|wakes?|woke|ping(s|ed)?|page(s|d)?|summon(s|ed)?)"
_DETECT = _any(
    r"\b(alert(s|ed|ing)?|alarms?|paged|pages|paging|pager|page[ds]? (the )?on-?call)\b",
    r"\b(detect(ed|s|ion)|notic(ed|es|ing)|discover(ed|s)|spotted|observed|witnessed)\b",
    r"\b(report(s|ed|ing)?|first report|complain(ts?|ed|s|ing)?|warning)\b",
    r"\b(became|become|becomes|were made|was made) aware\b|\baware of\b|\breali[sz]\w+",
    r"\b(posts?|posted|sends?|sent|shares?|shared|asks?|asked|writes?|wrote|flags?|flagged"
    r"|raised?|messages?|messaged)\b[^.;]{0,40}\b(in|to) #[\w-]+",
    r"\b(notified|informed|told) us\b|\b(we|on-?call|team) (are|were|was|got|get) "
    r"(notified|informed|told|alerted)\b|\breached out\b",
    r"\bescalat\w+|\b(support )?tickets?\b|\b(writes|wrote|calls|called) in\b",
    r"\b(incident|outage)( was| is)? (declared|opened|raised|created|called)\b|\bdeclared\b",
    r"\b(open(s|ed)?|raise[sd]?|fil(es|ed)) an? (incident|ticket|issue)\b",
    rf"{_PEOPLE}\b[^.;]{{0,25}}\b(is |are |was |were |gets? |got )?{_CONTACTED}",
    rf"\b{_CONTACT} (up )?(the |an? |our )?{_PEOPLE}",
    r"\b(receives?|received|got|gets) (an? )?(page|alert|alarm|call|notification)\b",
    r"\b(customers?|users?|clients?|merchants?|partners?|developers?|someone|support)\b[^.;]{0,30}"
    r"\b(tweet\w*|post(s|ed)|send(s)?|sent|shar(es|ed)|email(s|ed)?|mention\w*|ask(s|ed)|contact(s|ed)|flag(s|ged)"
    r"|raise[sd]?|forward\w*|call(s|ed)|phon\w+|messag\w+|ping\w*|tell|tells|writes?|wrote"
    r"|complain\w*|notic\w+|open(s|ed)? an? (ticket|issue|incident))\b",
    r"\bflag(s|ged)? (it|this|the (issue|problem|errors?))\b",
    r"\b(tell|tells|told|warn(s|ed)?|notif(y|ies|ied)|alert(s|ed)?|ask(s|ed)?) (the |our |an? )?"
    r"(\w+ )?(team|on-?call|engineers?|ops|sre|support|platform|us)\b",
    r"\b(dashboards?|grafana|monitoring|graphs?|metrics|status wall)\b[^.;]{0,15}\b(shows?|showed"
    r"|raises?|raised|flag\w*|turn(s|ed)? red)\b",
)
# Only these say that people learned of the problem in the very first row.
_DETECT_AT_START = _any(
    r"\b(reached out|inform(ed)? us|notified us|told us|became aware|we were (alerted|paged"
    r"|notified|told)|alert(ed|s)?|alarm|paged|pager|customers? (report|complain|wr[io]te)\w*"
    r"|users? report(ed|s)?|tickets?|escalat\w+)\b",
)
_INVESTIGATE = _any(
    r"\b(investigat\w+|troubleshoot\w*|look(s|ed|ing)? into|diagnos\w+|triag\w+|debugg\w+)\b",
)
_COMMUNICATE = _any(
    r"\bstatus ?page\b",
    r"\b(informed|notified|emailed|updated|told|contacted|messaged|alerted|warned) (the |all "
    r"|our |affected )?(customers?|users?|clients|stakeholders|management|partners|merchants"
    r"|teams?|owners?|support)\b",
    r"\b(owner|team)\b[^.;]{0,40}\bcontacted\b",
    r"\bannounc\w+|\bcommunicat\w+|\bposted (an? )?(update|notice|message)\b",
)
# Resizing a setting after the detection is a remedy: "pool size raised to 50".
_SETTING = r"(limits?|pool|count|size|replicas|capacity|quotas?|instances|workers|nodes|threads)"
_RESIZED = r"(raised|increased|bumped|doubled|lowered|reduced)"
_MITIGATE = _any(
    r"\b(roll(ed|ing|s)?[- ]?back|rollback|revert(ed|ing|s)?|undo(ne|ing|es)?|undid)\b",
    r"\b(downgrad\w+|workaround|hot-?fix\w*|fix(es)?|re-?attach\w*|re-?enabl\w+|disabl\w+"
    r"|toggl\w+|turn(ed)? off|switch(ed)? off|fail(ed)?[- ]?over|drain(ed|ing)?)\b",
    r"\b(re-?start\w*|reboot\w*|scal(ed|ing) (up|out)|scaled \w+ to|killed|cancell?ed|halted"
    r"|paused|rate[- ]limit\w*|blocked|free(d)? up|to free|re-?rout\w+|redirect\w+|shifted"
    r"|patched|flush(ed)?|purg\w+|cleared|deleted|removed|put back|re-?deploy\w*|re-?ran"
    r"|rerun|re-?issu\w+|issued|renewed|replaced|moved|promoted|evacuat\w+|switched"
    r"|turned off|undrain\w*|stop(s|ped)? the \w+)\b",
    rf"\b{_SETTING}\b(\W+\w+){{0,3}}?\W+{_RESIZED}\b|\b{_RESIZED}\b(\W+\w+){{0,3}}?\W+{_SETTING}\b",
)
# An action that did not (yet) work: "rollback attempted", "restart had no effect".
_FAILED = _any(
    r"\b(attempt(s|ed)?|fail(s|ed)?(?! ?over)|unsuccessful|did not (work|help)|didn't (work"
    r"|help)|tried|trying|not effective|ineffective|no effect|without effect)\b",
    r"\b(initiated|in progress|planned|decided|decision|considered|prepar\w+|proposed)\b",
)
# A change nobody meant is the cause, not a remedy: "accidentally reverts", "unintended".
_ACCIDENTAL = _any(
    r"\b(accident(al|ally)?|unexpected(ly)?|unintend(ed|edly)|unintentional(ly)?"
    r"|ungraceful(ly)?|by mistake|mistaken(ly)?|inadvertent(ly)?|erroneous(ly)?)\b"
)
# Work that has only begun says nothing is fixed yet: "started working on a long-term fix".
_PENDING = _any(
    r"\b(start(s|ed|ing)? (working |work )?on|working on|plan(s|ned)?|will|initiated"
    r"|in progress|decided|propos\w+|discuss\w+)\b"
)
_IMPACT = _any(
    r"\b(outages?|unavailab\w+|unreachable|inaccessible|degrad(ed|ation|ing)|errors?|erroring"
    r"|[45]\d\d|[45]xx|fail(s|ed|ing|ures?)?(?! ?over)|crash\w*|time[sd]? ?out|timing out"
    r"|latency|slow(ness|er|ed|s|ly)?|saturat\w+|exhaust\w+|starv\w+|overwhelm\w+|overload\w+"
    r"|no space|disk full|broke|broken|breaking|breaks|stall(s|ed|ing)?|hang(s|ing)?|hung"
    r"|unhealthy|lag(s|ging)?|backlog|delay(s|ed)?|drop(s|ped|ping)?|lost|los(es|ing)"
    r"|missing|expir(e|es|ed|y|ing)|leak\w*|spik(e|es|ed|ing)|block(s|ed|ing)|throttl\w+"
    r"|reject\w+|pending|disrupt\w*|deleted|panic\w*|out of memory|oom\w*|duplicat\w+|wrong"
    r"|incorrect\w*|corrupt\w*|inconsisten\w+|mismatch\w*|stale|invalid|garbled|logged out"
    r"|full|fill(s|ed|ing)? up|run(s|ning)? out|ran out|empty|blank)\b",
    r"\b(fall(s|ing)?|fell) behind\b",
    r"\b(queues?|lag|backlog|latency|errors?|error rate|memory|cpu|load|depth|connections|retries"
    r"|p9\d|response times?|usage)\b(\W+\w+){0,3}?\W+(grow(s|ing)?|grew|climb(s|ed|ing)?|ris(es|ing)"
    r"|rose|increas\w+|build(s|ing)? up|pil(es|ing) up|surg(e|es|ed|ing)|spik\w+)\b",
    r"\b(is|are|was|were|went|goes|go|fully|completely|totally|service|site|api|system"
    r"|services|systems) down\b",
    r"\bstop(s|ped)? (being|working|responding|serving|processing|receiving|sending|loading)\b",
    r"\bnot (being )?(?!affected|impacted|needed|required|related|yet)\w+(ed|ing)\b",
    r"\b(can't|cannot|could not|couldn't|unable to)\b",
)
_TRIGGER = _any(
    r"\b(deploy\w*|releas\w+|roll(ed|ing|s)? ?out|rollout|ship(ped|s|ping)?|appl(y|ied|ies"
    r"|ying)|merg\w+|upgrad\w+|updat\w+|migrat\w+|chang(e|es|ed|ing)|modif\w+|replac\w+"
    r"|maintenance|push(ed|es|ing)?|execut\w+|install\w*|patch\w*|provision\w*|rotat\w+"
    r"|renew\w+|cut ?over|enabl\w+|disabl\w+|remov\w+|delet\w+|commenc\w+|triggered"
    r"|fail(ed)?[- ]?over|restart\w*|reboot\w*|expir\w+|import(ed|ing|s)?|batch|job)\b",
    r"\b(scal(ed|ing|es?)|roll(ed|ing|s)?) (up|down|out|in|over)\b",
    r"\b(turn(s|ed|ing)?|switch(es|ed|ing)?|flip(s|ped|ping)?) on\b",
    r"\b(start(s|ed|ing)?|begins?|began|kick(s|ed)? off)\b",
)
# A later row saying the impact goes on takes back a restoration before it.
_CONTINUES = _any(
    r"\b(still|again|return(s|ed|ing)?|persist\w*|continu\w+|recur\w*|re-?appear\w*"
    r"|remain\w*|resurfac\w+|came back)\b"
)
_NOT_A_PROBLEM = _any(
    r"\b(all (is )?(fine|good|ok|well)|no (issues?|problems?|errors?|impact)|nothing (unusual"
    r"|out of the ordinary)|looks? (fine|good|ok)|false alarm|as expected"
    r"|tests? pass(ed|es)?)\b",
)
_NEGATED = re.compile(
    r"\b(not|n't|never|un|partially|partly|some|most|failed to|still|attempt(ed)? to|no longer)\s+"
    r"(\w+\s+){0,2}$",
    re.IGNORECASE,
)
# "Reporting service", "alerting pipeline": names of systems, not anyone reporting.
_NAMED_SYSTEM = re.compile(
    r"\b(?:report(?:ing)?|alert(?:ing)?|monitoring|paging|notification|detection)\s+(?P<thing>service|system"
    r"|database|db|pipeline|job|tool|api|dashboard|cluster|layer|stack|platform|server|worker"
    r"|queue)s?\b",
    re.IGNORECASE,
)
# A negation inside a longer match: "API no longer available", "all regions not healthy".
_NEGATION = re.compile(
    r"\b(not|n't|never|no longer|partially|partly|some|most|failed to|still)\b", re.IGNORECASE
)
_QUOTED = re.compile(r'"[^"\n]{0,120}"|“[^”\n]{0,120}”|`[^`\n]{0,120}`')
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<https?://[^>\s]*>|https?://\S+")

# Cue names, strongest first: a row is labelled by the first cue it has.
PRECEDENCE = (
    "start",
    "end",
    "resolution",
    "restored",
    "detection",
    "communication",
    "mitigation",
    "attempt",
    "investigation",
    "impact",
    "trigger",
)
_EXPLICIT: dict[str, frozenset[str]] = {
    "trigger": frozenset({"start"}),
    "detection": frozenset({"detection"}),
    "mitigation": frozenset({"mitigation"}),
    "resolution": frozenset({"restored", "resolution"}),
    "communication": frozenset({"communication"}),
    "action": frozenset(),
}


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `text` says what `pattern` looks for, and does not negate it."""
    return any(
        not _NEGATED.search(text[: m.start()]) and not _NEGATION.search(m.group(0))
        for m in pattern.finditer(text)
    )


def cues_of(text: str, first: bool = False) -> frozenset[str]:
    """The cues one timeline row's text holds (see `PRECEDENCE` for their names).

    `first` says the row is the first of the timeline, where only explicit words of
    people learning of the problem count as detection.
    """
    plain = _LINK_TARGET.sub("]", text)
    meant = _NAMED_SYSTEM.sub(r"\g<thing>", _QUOTED.sub(" … ", plain))
    found: set[str] = set()
    fine = bool(_NOT_A_PROBLEM.search(meant))
    if _START.search(meant):
        found.add("start")
    if _END.search(meant):
        found.update(("end", "resolution", "restored"))
    pending = bool(_PENDING.search(meant))
    if _said(_RESOLUTION, meant) and not pending:
        found.add("resolution")
    if _said(_RESTORED, meant):
        found.add("restored")
    if not fine and _said(_DETECT_AT_START if first else _DETECT, meant):
        found.add("detection")
    if _COMMUNICATE.search(meant):
        found.add("communication")
    accidental = bool(_ACCIDENTAL.search(meant))
    if _MITIGATE.search(meant) and not accidental:
        found.add("attempt" if _FAILED.search(meant) or pending else "mitigation")
    if _INVESTIGATE.search(meant):
        found.add("investigation")
    if not fine and (_IMPACT.search(plain) or accidental):
        found.add("impact")
        if _CONTINUES.search(meant):
            found.add("continues")
    if _TRIGGER.search(meant):
        found.add("trigger")
    return frozenset(found)


def primary(cues: frozenset[str]) -> str | None:
    """The strongest of the cues, by `PRECEDENCE`."""
    return next((c for c in PRECEDENCE if c in cues), None)


@dataclass(frozen=True)
class Row:
    """What the phase finder needs of one timeline row; rows come sorted by time."""

    at: datetime
    text: str
    day_only: bool = False
    kind: str | None = None  # a kind the author wrote in a "Kind" column


@dataclass
class Phases:
    """Indexes into the rows for each phase (None: no row says so), and each row's kind."""

    start: int
    start_reason: str
    detection: int | None = None
    mitigation: int | None = None
    recovery: int | None = None
    resolution: int | None = None
    kinds: list[EventKind | None] = field(default_factory=list)
    cues: list[frozenset[str]] = field(default_factory=list)

    def minutes(self, rows: Sequence[Row], index: int | None) -> float | None:
        """Minutes from the start to the row at `index`."""
        if index is None:
            return None
        return (rows[index].at - rows[self.start].at).total_seconds() / 60


def find_phases(rows: Sequence[Row]) -> Phases:
    """Choose the start, detection, mitigation, recovery and resolution rows (see module)."""
    if not rows:
        raise ValueError("a timeline needs at least one row")
    cues = [
        _EXPLICIT[r.kind] if r.kind in _EXPLICIT else cues_of(r.text, first=i == 0)
        for i, r in enumerate(rows)
    ]
    main = [primary(c) for c in cues]
    timed = [i for i, r in enumerate(rows) if not r.day_only]

    def detects(i: int) -> bool:
        return main[i] in ("detection", "investigation") or (
            "detection" in cues[i] and main[i] in ("communication", "mitigation", "attempt")
        )

    marked = next((i for i, c in enumerate(cues) if "start" in c), None)
    first_detection = next((i for i in timed if detects(i)), None)
    if marked is not None:
        start, reason = marked, "marked as the start"
    else:
        before = range(first_detection if first_detection is not None else _bound(main))
        impact = [i for i in before if main[i] == "impact"]
        # Before anyone knows of a problem, a restart or a failover is a change like any other.
        changes = [i for i in before if main[i] in ("trigger", "mitigation", "attempt")]
        if impact:
            start, reason = impact[0], "first sign of impact"
        elif changes and first_detection is not None:
            start, reason = changes[-1], "last change before the detection"
        elif changes:
            start, reason = changes[0], "first change"
        else:
            start, reason = 0, "first timeline event"
    after_start = [i for i in timed if i >= start]
    detection = next((i for i in after_start if detects(i) and i != start), None)
    if detects(start) and not rows[start].day_only:
        detection = start
    begin = detection if detection is not None else start
    later = [i for i in after_start if i >= begin]

    def holds(i: int, again: set[str]) -> bool:
        """Whether no later row says the impact went on before another such row."""
        for j in later:
            if j > i and _goes_on(main[j], cues[j]):
                return not any(k > j and cues[k] & again for k in later)
        return True

    restoring = {"restored"}
    mitigating = {"restored", "mitigation"}
    mitigation = next(
        (
            i
            for i in later
            if main[i] in ("restored", "mitigation", "end", "resolution")
            and cues[i] & mitigating
            and holds(i, mitigating)
        ),
        None,
    )
    recovery = next((i for i in later if "restored" in cues[i] and holds(i, restoring)), None)
    if recovery is None:
        recovery = mitigation
    after_recovery = [i for i in later if recovery is None or i >= recovery]
    resolution = next((i for i in after_recovery if "resolution" in cues[i]), recovery)
    if recovery is None:
        recovery = resolution
    if mitigation is not None and resolution is not None and mitigation > resolution:
        mitigation = resolution
    phases = Phases(start, reason, detection, mitigation, recovery, resolution, cues=cues)
    phases.kinds = _kinds(phases, main)
    return phases


def _goes_on(main: str | None, cues: frozenset[str]) -> bool:
    """Whether a row says the impact is (still) there: a sign of it, or a new report."""
    if cues & {"restored", "mitigation"}:
        return False
    return main == "impact" or "continues" in cues or (main == "detection" and "impact" in cues)


def _bound(main: list[str | None]) -> int:
    """Without a detection, the start lies before the first action against the problem."""
    return next(
        (i for i, m in enumerate(main) if m in ("restored", "resolution", "end", "mitigation")),
        len(main),
    )


def _kinds(phases: Phases, main: list[str | None]) -> list[EventKind | None]:
    """One kind per row: the chosen rows by their phase, the rest by their cues.

    Before its chosen row no other row carries the kind detection, mitigation or
    resolution, so the earliest row of each kind is the one the front matter's time
    comes from.
    """
    kinds: list[EventKind | None] = []
    begin = phases.detection if phases.detection is not None else phases.start
    for i, cue in enumerate(main):
        kind: EventKind | None = None
        if i == phases.detection:
            kind = "detection"
        elif i == phases.start:
            kind = "trigger"
        elif i == phases.resolution:
            kind = "resolution"
        elif i in (phases.mitigation, phases.recovery):
            kind = "mitigation"
        elif cue == "communication":
            kind = "communication"
        elif i < begin:
            kind = "trigger" if cue in ("trigger", "mitigation", "attempt") else None
        elif (
            cue in ("mitigation", "restored")
            and phases.mitigation is not None
            and i > phases.mitigation
            and (phases.resolution is None or i < phases.resolution)
        ):
            kind = "mitigation"
        elif cue is not None and cue != "impact":
            kind = "action"
        kinds.append(kind)
    return kinds
