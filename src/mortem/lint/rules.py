"""The rule registry: every rule's code, name, group, severity, message, suggestion, docs.

A rule's examples are part of its definition: the docs show them and a test runs them
(every bad example must produce the rule's code, no good example may). Language rules
come from `language.RULES`; the structure rules are defined beside their checks in the
`rules_*` modules and gathered here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from ..fsutil import atomic_write
from .findings import SEVERITIES, Severity

# What an example is, so that the docs can show it and the test can build a file from it:
#   prose   a sentence, placed in a paragraph of the body
#   action  an action-item title
#   front   YAML fields that replace the same fields of a complete postmortem
#   body    a whole Markdown body under a complete front matter
#   file    a whole file
ExampleKind = Literal["prose", "action", "front", "body", "file"]

GROUPS: dict[str, str] = {
    "B": "Blaming language",
    "N": "Naming people",
    "A": "Action items",
    "S": "Completeness",
    "W": "Root cause",
    "T": "Timeline",
    "V": "File format",
    "X": "Suppressions",
}

CUSTOM_PHRASE_CODE = "B110"
EXAMPLE_PHRASES = ("drive-by change",)


@dataclass(frozen=True)
class Example:
    text: str
    kind: ExampleKind = "prose"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    group: str
    severity: Severity
    message: str
    suggestion: str
    bad: tuple[Example, ...]
    good: tuple[Example, ...]
    fixable: bool = False
    why: str = ""

    @property
    def letter(self) -> str:
        return self.code[0]


def _language_rules() -> list[Rule]:
    from . import language

    rules = []
    for info in language.RULES:
        kind: ExampleKind = "action" if info.code.startswith("A") else "prose"
        severity = info.severity if info.severity in SEVERITIES else "warning"
        bad, good = list(info.bad_examples), list(info.good_examples)
        if info.code == CUSTOM_PHRASE_CODE and not bad:
            # The custom-phrase rule only fires for phrases configured in mortem.toml;
            # the examples run with EXAMPLE_PHRASES configured (see rule_examples.py).
            bad = ["It was a drive-by change to the gateway config."]
            good = ["The gateway config change skipped the canary stage."]
        rules.append(
            Rule(
                code=info.code,
                name=info.name,
                group=info.group,
                severity=severity,
                message=info.message.rstrip("."),
                suggestion=info.suggestion,
                bad=tuple(Example(t, kind) for t in bad),
                good=tuple(Example(t, kind) for t in good),
                fixable=info.code == "N101",
                why=getattr(info, "why", "") or "",
            )
        )
    return rules


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule by code, in the order of the docs."""
    from . import (
        rules_actions,
        rules_format,
        rules_sections,
        rules_timeline,
        rules_whys,
        suppress,
    )

    found: list[Rule] = [
        *_language_rules(),
        *rules_actions.RULES,
        *rules_sections.RULES,
        *rules_whys.RULES,
        *rules_timeline.RULES,
        *rules_format.RULES,
        *suppress.RULES,
    ]
    order = list(GROUPS)
    found.sort(key=lambda r: (order.index(r.letter) if r.letter in order else 99, r.code))
    by_code: dict[str, Rule] = {}
    for rule in found:
        if rule.code in by_code:
            raise ValueError(f"two lint rules share the code {rule.code}")
        by_code[rule.code] = rule
    return by_code


def get_rule(code: str) -> Rule:
    return all_rules()[code]


@cache
def ruleset_version() -> str:
    """A fingerprint of the rules, part of the cache key: the source of this package.

    Hashing the code itself means a changed phrase list or check can never be served
    stale results, with nobody having to remember to bump a number.
    """
    from importlib import resources

    digest = hashlib.sha256()
    folder = resources.files("mortem.lint")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()[:16]


def matching(prefix: str) -> list[str]:
    return [code for code in all_rules() if code.startswith(prefix)]


RULES_FILE = "lint-rules.json"


def default_severities(folder: Path | None = None) -> dict[str, str]:
    """Every rule's code and default severity, in registry order.

    Settings only need this much, and gathering it from the rules means importing
    the language module, whose compiled phrase table costs a quarter of a second; a
    run whose files are all cached needs nothing else from it. So the list is kept
    in `folder` (the repository's .mortem/) under the rule set's fingerprint.
    """
    version = ruleset_version()
    path = folder / RULES_FILE if folder is not None else None
    if path is not None:
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("version") == version:
                return dict(saved["rules"])
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    found: dict[str, str] = {code: rule.severity for code, rule in all_rules().items()}
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, json.dumps({"version": version, "rules": found}).encode())
        except OSError:
            pass  # a read-only checkout lints all the same, a little slower
    return found
