"""Summarise a py-spy ``--format raw`` profile (collapsed stacks): top functions by own and
by inclusive samples, as a percentage of all samples.

``python -m bench.spy bench/out/ingest.txt --top 25``
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def frame_key(frame: str) -> str:
    """``func (path/to/file.py:12)`` → ``func (file.py)``: lines of one function are merged."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    return f"{match['name']} ({Path(match['file']).name})"


def parse(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """(frames from the root, samples) per collapsed-stack line."""
    stacks = []
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            stacks.append(([frame_key(f) for f in stack.split(";")], int(count)))
    return stacks


def tally(stacks: list[tuple[list[str], int]]) -> tuple[Counter[str], Counter[str], int]:
    """Own samples (leaf frame), inclusive samples (anywhere in the stack, once) and the total."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for frames, count in stacks:
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return own, inclusive, total


def report(path: Path, top: int) -> str:
    own, inclusive, total = tally(parse(path.read_text(encoding="utf-8").splitlines()))
    lines = [f"{total:,} samples in {path}"]
    for title, counts in (("own", own), ("inclusive", inclusive)):
        lines.append(f"top {top} by {title} samples:")
        lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in counts.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.spy", description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(report(args.path, args.top))


if __name__ == "__main__":
    main()
