"""Workspace.open(path): the one object that the CLI and the web page both drive."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .config import CONFIG_NAME, DEFAULT_CONFIG, Settings, load_settings
from .errors import ConfigError, NotFoundError, Problem, UsageError
from .evidence import check_image, missing_links, safe_name, sniff, unique_path
from .git import Author, Git
from .index import Index
from .listing import check_status_and_severity
from .store import STATE_DIR, Saved, Store

# The model, the YAML parser and the templates load on first use: commands that only
# query the index (search, list, actions) never need them, and they are a fifth of
# those commands' start-up.
if TYPE_CHECKING:
    from .document import Document
    from .templates import NewPostmortem, Template

SCHEMA_PATH = "schema/postmortem.schema.json"


def find_root(start: Path) -> Path | None:
    current = start.resolve()
    for folder in (current, *current.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


@dataclass(frozen=True)
class Attached:
    path: Path
    link: str


class Workspace:
    def __init__(self, root: Path, settings: Settings, config_path: Path | None) -> None:
        self.root = root
        self.settings = settings
        self.config_path = config_path
        self.store = Store(root, settings)
        self.git = Git(root)

    @classmethod
    def open(cls, path: Path | None = None) -> Workspace:
        start = (path or Path.cwd()).resolve()
        root = find_root(start)
        if root is None:
            raise ConfigError(
                f"no {CONFIG_NAME} in {start} or any folder above it: run `mortem init` first"
            )
        loaded = load_settings(root / CONFIG_NAME)
        return cls(root, loaded.settings, loaded.path)

    @classmethod
    def init(cls, path: Path, author: Author | None = None) -> Workspace:
        """Set up a repository: mortem.toml, the postmortems folder, schema, git."""
        path.mkdir(parents=True, exist_ok=True)
        path = path.resolve()
        config = path / CONFIG_NAME
        if config.exists():
            raise UsageError(f"{config} already exists: this is a mortem repository already")
        git = Git(path)
        if not git.is_repo():
            git.init()
        config.write_text(DEFAULT_CONFIG, encoding="utf-8")
        ws = cls(path, Settings(), config)
        ws.store.folder.mkdir(exist_ok=True)
        keep = ws.store.folder / ".gitkeep"
        keep.touch()
        (path / "templates").mkdir(exist_ok=True)
        ws.write_schema()
        ignore = path / ".gitignore"
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
        if f"{STATE_DIR}/" not in lines:
            ignore.write_text("\n".join([*lines, f"{STATE_DIR}/"]) + "\n", encoding="utf-8")
        paths = [config, keep, path / SCHEMA_PATH, ignore]
        git.commit(paths, "mortem: set up the postmortem repository", author)
        return ws

    def reload_settings(self) -> bool:
        """Read mortem.toml again (a server runs for days while people change it); True
        when the settings changed. The folders cannot move under a running process: a
        changed [paths] table is a ConfigError, and the old settings stay."""
        path = self.config_path or self.root / CONFIG_NAME
        loaded = load_settings(path)
        if loaded.settings == self.settings:
            return False
        if loaded.settings.paths != self.settings.paths:
            raise ConfigError(f"{path}: [paths] changed: restart to use the new folders")
        self.settings = loaded.settings
        self.store.settings = loaded.settings
        return True

    def write_schema(self) -> Path:
        target = self.root / SCHEMA_PATH
        target.parent.mkdir(parents=True, exist_ok=True)
        from .model import json_schema

        target.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
        return target

    @cached_property
    def index(self) -> Index:
        return Index(self.root / STATE_DIR / "index.sqlite", self.store)

    # -- people ----------------------------------------------------------------------

    def author(self, explicit: str | None = None) -> Author | None:
        """The acting person: --author, else the git config (None lets git decide)."""
        if explicit:
            person = self.settings.people.get(explicit)
            if person is not None:
                return Author(person.name, person.email or Author.parse(person.name).email)
            return Author.parse(explicit)
        return self.git.configured_author()

    # -- templates and new postmortems ---------------------------------------------------

    @property
    def templates_folder(self) -> Path:
        return self.root / self.settings.paths.templates

    def templates(self) -> dict[str, Template]:
        from .templates import all_templates

        return all_templates(self.templates_folder)

    def new_id(self, title: str, started: dt.datetime | None) -> str:
        day = (started or dt.datetime.now(dt.UTC)).date().isoformat()
        from .templates import slugify

        base = f"{day}-{slugify(title)}"
        candidate, n = base, 2
        while self.store.exists(candidate):
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def create(
        self, new: NewPostmortem, template: str | None = None, author: Author | None = None
    ) -> Saved:
        check_status_and_severity(None, new.severity, self.settings)
        from .templates import get_template, render_new

        tpl = get_template(template or self.settings.templates.default, self.templates_folder)
        doc_id = self.new_id(new.title, new.started_at)
        schema_ref: str | None = None
        if (self.root / SCHEMA_PATH).exists():
            schema_ref = _relative(self.root / SCHEMA_PATH, self.store.folder)
        text = render_new(tpl, new, schema_ref)
        return self.store.create(doc_id, text, f"Create postmortem {doc_id}", author)

    # -- validation --------------------------------------------------------------------

    def validate_document(self, doc: Document, base: Path | None = None) -> list[Problem]:
        problems = list(
            doc.problems(self.settings.severity_names, tuple(self.settings.factors.categories))
        )
        folder = base or self.store.folder
        problems += missing_links(doc.body, doc.split.body_line, folder, doc.display)
        return problems

    def validate_all(self) -> dict[str, list[Problem]]:
        """Problems of every file, through the index (so an unchanged file is not re-read)."""
        found = self.index.problems()
        for row in self.index.rows():
            body = self.index.body(row.id)
            if body and "](" in body:
                doc_path = self.store.path_for(row.id)
                links = missing_links(body, 1, doc_path.parent, self.store.display(doc_path))
                if links:
                    doc = self.store.load(row.id)
                    found.setdefault(row.id, []).extend(
                        missing_links(doc.body, doc.split.body_line, doc_path.parent, doc.display)
                    )
        return found

    # -- evidence ----------------------------------------------------------------------

    def attach(self, doc_id: str, files: list[Path], author: Author | None) -> list[Attached]:
        doc = self.store.load(doc_id)
        folder = self.store.folder / doc_id
        limit = self.settings.limits.max_attachment_bytes
        staged: list[tuple[Path, bytes, str]] = []
        for source in files:
            if not source.is_file():
                raise NotFoundError(f"{source}: no such file")
            size = source.stat().st_size
            if size > limit:
                raise UsageError(f"{source}: {size} bytes is over the attachment limit of {limit}")
            data = source.read_bytes()
            kind = sniff(data, source.name)
            if kind.mime.startswith("image/"):
                check_image(data, kind, str(source))  # the whole image, not its first bytes
            name = safe_name(source.name, kind.suffix)
            staged.append((source, data, name))
        folder.mkdir(parents=True, exist_ok=True)
        attached: list[Attached] = []
        for source, data, name in staged:
            target = unique_path(folder, name, data)
            if not target.exists():
                shutil.copyfile(source, target)
            link = f"{doc_id}/{target.name}"
            attached.append(Attached(target, link))

        def add_links(body: str) -> str:
            lines = []
            for item in attached:
                if f"]({item.link})" in body:
                    continue
                is_image = item.path.suffix in (".png", ".jpg", ".gif", ".webp")
                bang = "!" if is_image else ""
                lines.append(f"- {bang}[{item.path.name}]({item.link})")
            if not lines:
                return body
            text = body.rstrip("\n")
            if "\n## Evidence" not in "\n" + text:
                text += "\n\n## Evidence\n"
            return text + "\n" + "\n".join(lines) + "\n"

        self.store.update(
            doc.id,
            lambda front: None,
            f"Attach evidence to {doc_id}: " + ", ".join(a.path.name for a in attached),
            author,
            body=add_links,
            extra_paths=[a.path for a in attached],
        )
        return attached


def _relative(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target, start).replace(os.sep, "/")
