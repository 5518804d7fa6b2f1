"""The shipped test files' checksums (``tests/SHA256SUMS``), so an edited test cannot count as a solve.

Editing a test until it passes is not solving the exercise. The kit ships the SHA-256 of every
exercise's test files (and of what else its kind grades by: a test-writing kata's hidden mutants), in ``sha256sum`` format (``cd tests && sha256sum -c SHA256SUMS`` checks it too);
an exercise whose tests differ shows as "tests modified" and is never counted as solved. Maintainers
rewrite the file after changing a test with ``dojo checksums --write``; the kit's own tests fail
while it is stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from dojo import kinds
from dojo.curriculum import Curriculum, Exercise

MANIFEST = "tests/SHA256SUMS"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected(root: Path) -> dict[str, str]:
    """Path (relative to the root) to its shipped checksum; empty when the kit has no manifest."""
    try:
        text = (root / MANIFEST).read_text(encoding="utf-8")
    except OSError:
        return {}
    entries: dict[str, str] = {}
    for line in text.splitlines():
        checksum, _, name = line.partition("  ")
        if checksum and name:
            entries[f"tests/{name.strip()}"] = checksum.strip()
    return entries


def _shipped(exercise: Exercise) -> tuple[str, ...]:
    return kinds.of(exercise).shipped_files(exercise)


def render(root: Path, curriculum: Curriculum) -> str:
    """The manifest's text for the test files on disk now."""
    files = sorted({rel for exercise in curriculum for rel in _shipped(exercise)})
    return "".join(f"{digest(root / rel)}  {rel.removeprefix('tests/')}\n" for rel in files if (root / rel).is_file())


def modified_tests(root: Path, exercise: Exercise, shipped: dict[str, str] | None = None) -> list[str]:
    """The exercise's test files that differ from what the kit shipped (none without a manifest)."""
    shipped = expected(root) if shipped is None else shipped
    changed = []
    for rel in _shipped(exercise):
        want = shipped.get(rel)
        path = root / rel
        if want is not None and (not path.is_file() or digest(path) != want):
            changed.append(rel)
    return changed


def stale(root: Path, exercises: Iterable[Exercise]) -> list[str]:
    """The exercises' test files whose manifest line is missing or out of date, for ``dojo verify``:
    a maintainer who changed or added a test must rewrite the manifest before the kit ships. A kit
    with no manifest at all checks nothing here (the kit's own tests insist on the real one's)."""
    shipped = expected(root)
    if not shipped:
        return []
    found = []
    for exercise in exercises:
        for rel in _shipped(exercise):
            path = root / rel
            if path.is_file() and shipped.get(rel) != digest(path):
                found.append(rel)
    return found


def restore_command(root: Path, files: list[str]) -> str:
    """The one command that puts the shipped tests back."""
    if (root / ".git").exists():
        return f"git checkout -- {' '.join(files)}"
    return f"download the kit again and copy {' '.join(files)} from it"
