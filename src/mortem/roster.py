"""People and teams as a user names them, matched to the roster of mortem.toml.

Front matter names people by roster key (`kofi`); people type what they know, often a
full name (`Kofi Mensah`) or an e-mail. Matching those to the key keeps one person one
name in the files, so counts per owner and per reviewer do not split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import UsageError

if TYPE_CHECKING:
    from .config import Settings
    from .git import Author


def key_of(settings: Settings, who: str) -> str | None:
    """The roster key of a person named by key, full name or e-mail (any case)."""
    who = who.strip()
    if who in settings.people:
        return who
    folded = who.casefold()
    for key, person in settings.people.items():
        if folded in (key.casefold(), person.name.casefold(), (person.email or "").casefold()):
            return key
    return None


def key_of_author(settings: Settings, author: Author | None) -> str | None:
    """An acting git identity as the front matter names people: the roster key when the
    e-mail or the name is on the roster, else the name."""
    if author is None:
        return None
    for key, person in settings.people.items():
        if (person.email and person.email == author.email) or person.name == author.name:
            return key
    return author.name


def roster_people(settings: Settings, names: list[str], option: str) -> list[str]:
    """Names given for an option that wants people of the roster, as roster keys; an
    unknown name is an error that lists who is on the roster. With an empty roster
    the names are kept as given (the caller may warn)."""
    if not settings.people:
        return [n.strip() for n in names]
    keys: list[str] = []
    for name in names:
        key = key_of(settings, name)
        if key is None:
            known = ", ".join(sorted(settings.people))
            raise UsageError(f"{option} {name!r} is not on the roster (people: {known})")
        keys.append(key)
    return keys


def owner_key(settings: Settings, owner: str) -> str:
    """An owner filter: a person's name or e-mail becomes their key; anything else (a
    team, a free name) is kept as given, since owners need not be on the roster."""
    return key_of(settings, owner) or owner.strip()


def roster_team(settings: Settings, team: str) -> str:
    """A team named on the command line, checked against the teams of the roster."""
    known = sorted({p.team for p in settings.people.values() if p.team})
    if team in known:
        return team
    for name in known:
        if name.casefold() == team.strip().casefold():
            return name
    if not known:
        raise UsageError(
            f"--team {team!r}: the roster has no teams (set team = ... under [people.KEY] "
            "in mortem.toml)"
        )
    raise UsageError(f"--team {team!r} is not a team of the roster (teams: {', '.join(known)})")
