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

from .document import Split, split_front_matter
from .errors import NotFoundError, Problem, UsageError


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    sections: tuple[str, ...]
    body: str
    origin: str  # "built-in" or the file it came from


class TemplateError(Exception):
    """A repository template that cannot be used; `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _key_line(split: Split, key: str) -> int:
    """The line of a top-level key in a template's front matter (its first line if absent)."""
    for offset, line in enumerate(split.front.splitlines()):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return split.front_line + offset
    return split.front_line


def _yaml_problem(exc: yaml.MarkedYAMLError, split: Split, display: str) -> Problem:
    """A YAML error at the line a person would fix.

    Something left open (a `[`, a quote) is only noticed at the end of the front
    matter; the line where it was opened is the useful one then.
    """
    mark = exc.problem_mark
    at_end = mark is None or mark.index >= len(split.front.rstrip())
    if at_end and exc.context_mark is not None:
        mark = exc.context_mark
    line = split.front_line + mark.line if mark is not None else split.front_line
    what = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        what += f" ({exc.context})"
    return Problem(display, line, None, f"YAML syntax error: {what}")


def _parse_template(text: str, origin: str, fallback_name: str, display: str) -> Template:
    """A template from its file text; raises TemplateError naming `display` and the line."""
    split = split_front_matter(text)
    meta: dict[str, Any] = {}
    body = text
    if split is not None:
        body = split.body
        try:
            loaded = yaml.safe_load(split.front)
        except yaml.MarkedYAMLError as exc:
            raise TemplateError(_yaml_problem(exc, split, display)) from None
        except yaml.YAMLError as exc:
            raise TemplateError(
                Problem(display, split.front_line, None, f"YAML error: {exc}")
            ) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise TemplateError(
                Problem(display, split.front_line, None, "template front matter must be a mapping")
            )
        meta = loaded or {}
    for key in ("name", "description"):
        if isinstance(meta.get(key), dict | list):
            raise TemplateError(
                Problem(display, _key_line(split, key) if split else None, key, "must be text")
            )
    sections = meta.get("sections")
    if sections is None:
        sections = [m.group(1).strip() for m in re.finditer(r"^##\s+(.+)$", body, re.M)]
    elif not isinstance(sections, list) or any(isinstance(s, dict | list) for s in sections):
        line = _key_line(split, "sections") if split else None
        raise TemplateError(Problem(display, line, "sections", "must be a list of section names"))
    return Template(
        name=str(meta.get("name", fallback_name)),
        description=str(meta.get("description") or ""),
        sections=tuple(str(s) for s in sections),
        body=body,
        origin=origin,
    )


def builtin_templates() -> dict[str, Template]:
    found: dict[str, Template] = {}
    folder = resources.files("mortem") / "templates"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            text = entry.read_text(encoding="utf-8")
            tpl = _parse_template(text, "built-in", entry.name[:-3], entry.name)
            found[tpl.name] = tpl
    return found


def _display(path: Path) -> str:
    """A template file as the repository names it: relative to mortem.toml's folder."""
    from .config import CONFIG_NAME

    for folder in path.parents:
        if (folder / CONFIG_NAME).is_file():
            return path.relative_to(folder).as_posix()
    return str(path)


def all_templates(
    repo_folder: Path | None, broken: dict[str, Problem] | None = None
) -> dict[str, Template]:
    """Built-in templates, overridden or extended by the repository's `templates/`.

    A repository template that cannot be read is left out, so that the others stay
    usable; it is added to `broken` (by its file name without `.md`, as its own name
    may be what is unreadable) for the caller to report.
    """
    found = builtin_templates()
    if repo_folder is not None and repo_folder.is_dir():
        for path in sorted(repo_folder.glob("*.md")):
            try:
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise TemplateError(Problem(_display(path), None, None, "not UTF-8")) from None
                tpl = _parse_template(text, str(path), path.stem, _display(path))
            except TemplateError as exc:
                if broken is not None:
                    broken[path.stem] = exc.problem
                continue
            found[tpl.name] = tpl
    return found


def get_template(name: str, repo_folder: Path | None) -> Template:
    broken: dict[str, Problem] = {}
    templates = all_templates(repo_folder, broken)
    # A broken file is reported even when a built-in of the same name exists: the
    # repository meant to replace it, and silently using the built-in would hide that.
    if name in broken:
        raise UsageError(f"{broken[name]}")
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
