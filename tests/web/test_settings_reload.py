"""`mortem serve` runs for days: a change to mortem.toml applies without a restart."""

from __future__ import annotations

from typing import Any

from webkit import CHECKOUT_ID

from mortem.workspace import Workspace

SEV2_TABLE = (
    '[[severities]]\nname = "SEV2"\n'
    'description = "Major: a core flow is degraded or a feature is down."\n'
)


def problems(viewer: Any) -> list[str]:
    data = viewer.get(f"/postmortems/{CHECKOUT_ID}.json").json()
    return [p["message"] for p in data["problems"]]


def test_a_changed_mortem_toml_is_used_without_a_restart(login: Any, repo: Workspace) -> None:
    viewer = login("vic")
    assert problems(viewer) == []
    config = repo.root / "mortem.toml"
    original = config.read_text(encoding="utf-8")
    assert SEV2_TABLE in original
    config.write_text(original.replace(SEV2_TABLE, ""), encoding="utf-8")
    found = problems(viewer)
    assert any("unknown severity 'SEV2'" in m for m in found), found
    listed = viewer.get("/postmortems.json?q=").json()["rows"]
    assert any(r["id"] == CHECKOUT_ID and r["problems"] for r in listed)
    # A broken file keeps the settings in use (and the server up); a good one again.
    config.write_text(original + "\n[[severities]\nname = broken\n", encoding="utf-8")
    assert any("unknown severity 'SEV2'" in m for m in problems(viewer))
    config.write_text(original, encoding="utf-8")
    assert problems(viewer) == []


def test_moving_the_folders_needs_a_restart(login: Any, repo: Workspace) -> None:
    viewer = login("vic")
    config = repo.root / "mortem.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'postmortems = "postmortems"', 'postmortems = "pm"'
        ),
        encoding="utf-8",
    )
    assert 'postmortems = "pm"' in config.read_text(encoding="utf-8")
    assert viewer.get(f"/postmortems/{CHECKOUT_ID}").status_code == 200  # old folders kept
    assert repo.store.folder.name == "postmortems"
