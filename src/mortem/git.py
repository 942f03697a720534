"""A thin wrapper over the git command line (it respects the user's config, hooks, signing)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .errors import GitError


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @classmethod
    def parse(cls, text: str) -> Author:
        """'Name <email>' or a bare name (the email is then made up from it)."""
        text = text.strip()
        if "<" in text and text.endswith(">"):
            name, _, email = text[:-1].partition("<")
            return cls(name.strip() or email.strip(), email.strip())
        slug = "".join(c if c.isalnum() else "." for c in text.lower()).strip(".") or "someone"
        return cls(text or "someone", f"{slug}@users.noreply.mortem")


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    date: str
    subject: str


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        if not self.root.is_dir():
            raise GitError(f"{self.root} is not a folder")
        full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=self.root,
                capture_output=True,
                text=True,
                env=full_env,
                check=False,
            )
        except FileNotFoundError:
            raise GitError("git is not installed or not on PATH") from None
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit {proc.returncode}"
            raise GitError(f"git {args[0]} failed: {last}")
        return proc.stdout

    def is_repo(self) -> bool:
        return self.run("rev-parse", "--is-inside-work-tree", check=False).strip() == "true"

    def toplevel(self) -> Path:
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def init(self) -> None:
        self.run("init", "-q")

    def configured_author(self) -> Author | None:
        name = self.run("config", "user.name", check=False).strip()
        email = self.run("config", "user.email", check=False).strip()
        if name and email:
            return Author(name, email)
        return None

    def commit(self, paths: list[Path], message: str, author: Author | None) -> str:
        """Commit exactly `paths` (other staged work is left alone); returns the sha."""
        rel = [str(p.relative_to(self.root)) if p.is_absolute() else str(p) for p in paths]
        self.run("add", "--all", "--", *rel)
        if not self.run("diff", "--cached", "--name-only", "--", *rel).strip():
            return self.head() or ""
        args = ["commit", "-q", "-m", message]
        env: dict[str, str] = {}
        if author is not None:
            args.append(f"--author={author}")
            # Without a configured identity git refuses to commit; the acting person
            # then stands as committer too.
            if self.configured_author() is None:
                env = {
                    "GIT_COMMITTER_NAME": author.name,
                    "GIT_COMMITTER_EMAIL": author.email,
                }
        self.run(*args, "--only", "--", *rel, env=env)
        return self.head() or ""

    def head(self) -> str | None:
        out = self.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip()
        return out or None

    def log(self, path: Path, limit: int = 100) -> list[Commit]:
        if self.head() is None:
            return []
        fmt = "%H%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e"
        out = self.run("log", f"-n{limit}", "--follow", f"--format={fmt}", "--", str(path))
        commits = []
        for record in out.split("\x1e"):
            record = record.strip("\n")
            if record:
                sha, name, email, date, subject = record.split("\x1f")
                commits.append(Commit(sha, name, email, date, subject))
        return commits

    def authors_by_file(self, folder: str) -> dict[str, set[str]]:
        """Every git author of each file under `folder`, in one pass over the history."""
        if self.head() is None:
            return {}
        out = self.run("log", "--format=\x1e%an", "--name-only", "--", folder)
        result: dict[str, set[str]] = {}
        for chunk in out.split("\x1e"):
            lines = [line for line in chunk.splitlines() if line.strip()]
            if not lines:
                continue
            author, files = lines[0], lines[1:]
            for name in files:
                result.setdefault(name, set()).add(author)
        return result
