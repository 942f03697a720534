"""Postmortem templates: built-in ones and a repository's own, and new files made from them."""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .document import split_front_matter
from .errors import NotFoundError, UsageError


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    sections: tuple[str, ...]
    body: str
    origin: str  # "built-in" or the file it came from


def _parse_template(text: str, origin: str, fallback_name: str) -> Template:
    split = split_front_matter(text)
    if split is None:
        meta: dict[str, Any] = {}
        body = text
    else:
        loaded = yaml.safe_load(split.front) or {}
        if not isinstance(loaded, dict):
            raise UsageError(f"{origin}: template front matter must be a mapping")
        meta, body = loaded, split.body
    sections = meta.get("sections")
    if sections is None:
        sections = [m.group(1).strip() for m in re.finditer(r"^##\s+(.+)$", body, re.M)]
    return Template(
        name=str(meta.get("name", fallback_name)),
        description=str(meta.get("description", "")),
        sections=tuple(str(s) for s in sections),
        body=body,
        origin=origin,
    )


def builtin_templates() -> dict[str, Template]:
    found: dict[str, Template] = {}
    folder = resources.files("mortem") / "templates"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            tpl = _parse_template(entry.read_text(encoding="utf-8"), "built-in", entry.name[:-3])
            found[tpl.name] = tpl
    return found


def all_templates(repo_folder: Path | None) -> dict[str, Template]:
    """Built-in templates, overridden or extended by the repository's `templates/`."""
    found = builtin_templates()
    if repo_folder is not None and repo_folder.is_dir():
        for path in sorted(repo_folder.glob("*.md")):
            tpl = _parse_template(path.read_text(encoding="utf-8"), str(path), path.stem)
            found[tpl.name] = tpl
    return found


def get_template(name: str, repo_folder: Path | None) -> Template:
    templates = all_templates(repo_folder)
    if name not in templates:
        known = ", ".join(sorted(templates))
        raise NotFoundError(f"no template named {name!r} (available: {known})")
    return templates[name]


def slugify(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "postmortem"


def yaml_scalar(value: Any) -> str:
    """One value written as YAML on a single line, quoted only where YAML needs it."""
    if value is None:
        return "null"
    if isinstance(value, dt.datetime):
        if value.utcoffset() == dt.timedelta(0):
            return value.replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return dumped.removesuffix("\n...\n").removesuffix("\n")


@dataclass
class NewPostmortem:
    title: str
    severity: str | None = None
    services: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    started_at: dt.datetime | None = None
    impact: str | None = None


FIELD_ORDER = (
    "title",
    "status",
    "severity",
    "template",
    "services",
    "tags",
    "authors",
    "facilitator",
    "responders",
    "impact",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "timeline",
    "whys",
    "contributing_factors",
    "action_items",
    "reviews",
)


def render_front_matter(fields: dict[str, Any], schema_ref: str | None = None) -> str:
    """A complete front matter block (with fences) for fields made by a program.

    Keys come in the format's usual order, unknown keys after them; lists of plain
    values are written on one line, lists of records as indented blocks.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from .document import round_trip_yaml

    def convert(value: Any) -> Any:
        if hasattr(value, "model_dump"):
            value = value.model_dump(mode="python", exclude_none=True)
        if isinstance(value, dict):
            return CommentedMap((k, convert(v)) for k, v in value.items())
        if isinstance(value, list | tuple):
            seq = CommentedSeq(convert(v) for v in value)
            if all(not isinstance(v, dict | list) for v in seq):
                seq.fa.set_flow_style()
            return seq
        return value

    ordered = [k for k in FIELD_ORDER if k in fields] + [k for k in fields if k not in FIELD_ORDER]
    data = CommentedMap((key, convert(fields[key])) for key in ordered)
    rt = round_trip_yaml("")
    import io

    out = io.StringIO()
    rt.dump(data, out)
    head = f"# yaml-language-server: $schema={schema_ref}\n" if schema_ref else ""
    return "---\n" + head + out.getvalue() + "---\n"


def render_new(template: Template, new: NewPostmortem, schema_ref: str | None) -> str:
    """The text of a new draft postmortem from a template."""
    values: dict[str, Any] = {
        "title": new.title,
        "status": "draft",
        "severity": new.severity,
        "template": template.name,
        "services": new.services,
        "tags": new.tags,
        "authors": new.authors,
        "facilitator": None,
        "responders": [],
        "impact": new.impact,
        "started_at": new.started_at,
        "detected_at": None,
        "mitigated_at": None,
        "resolved_at": None,
        "timeline": [],
        "whys": [],
        "contributing_factors": [],
        "action_items": [],
        "reviews": [],
    }
    lines = ["---"]
    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
    lines += [f"{key}: {yaml_scalar(values[key])}" for key in FIELD_ORDER]
    lines.append("---")
    body = string.Template(template.body).safe_substitute(title=new.title)
    return "\n".join(lines) + "\n" + body.lstrip("\n")
