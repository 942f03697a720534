"""Issue 2 figures: cold and warm `mortem list` against a PyYAML C-loader floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.util import MORTEM, copy_repo, timed

FLOOR_SCRIPT = """
import sys, pathlib, yaml
loader = yaml.CSafeLoader
out = []
for path in sorted(pathlib.Path(sys.argv[1]).glob('*.md')):
    text = path.read_text(encoding='utf-8')
    front = text.split('---\\n', 2)[1]
    out.append(yaml.load(front, Loader=loader))
print(len(out))
"""


def run(corpus: Path) -> list[tuple[str, float, str, str]]:
    repo = copy_repo(corpus, corpus.parent / "foundation-work")
    floor, _ = timed([sys.executable, "-c", FLOOR_SCRIPT, str(repo / "postmortems")], repo)
    cold, cold_mb = timed([*MORTEM, "list", "--format", "json"], repo)
    warm, warm_mb = timed([*MORTEM, "list", "--format", "json"], repo)
    warm_table, _ = timed([*MORTEM, "list"], repo)
    changed = sorted((repo / "postmortems").glob("*.md"))[17]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    after_change, _ = timed([*MORTEM, "list", "--format", "json"], repo)
    subprocess.run(["git", "checkout", "-q", "--", "."], cwd=repo, check=True)
    return [
        ("floor: PyYAML CSafeLoader over all front matter", floor, "s", "~6.4 s here"),
        (
            "cold mortem list --format json (no index)",
            cold,
            "s",
            f"<= 1.5x floor = {1.5 * floor:.2f} s",
        ),
        ("cold / floor", cold / floor, "x", "<= 1.5"),
        ("warm mortem list --format json", warm, "s", "< 0.5 s"),
        ("warm mortem list (table)", warm_table, "s", "< 0.5 s"),
        ("mortem list after one file changed", after_change, "s", "< 0.6 s"),
        ("peak memory, cold list (main process)", cold_mb, "MB", "< 300 MB"),
        ("peak memory, warm list", warm_mb, "MB", "< 300 MB"),
    ]
