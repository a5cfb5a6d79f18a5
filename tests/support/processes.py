"""Process trees from /proc (Linux): what the web server's tests and its load
benchmark read to find its workers and their memory."""

from __future__ import annotations

from pathlib import Path


def children() -> dict[int, list[int]]:
    """Each running process's children, by parent pid."""
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry.name))
    return out
