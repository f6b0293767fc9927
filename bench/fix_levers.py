#!/usr/bin/env python3
"""Copy scenario files with every uncertain lever fixed at its central value.

    python3 bench/fix_levers.py SCENARIOS_DIR OUT_DIR

A lever written as a range, `{ low = a, mode = c, high = b }` (triangular) or
`{ low = a, high = b }` (uniform), becomes the number c (the peak) or
(a + b) / 2 (the middle). Everything else, comments included, is copied as it
is. bench/run.sh times the default job on the shipped scenarios against the
same job on these copies: the cost of drawing the levers (issue #17's goal:
at most 10 % more at 10^6 draws).
"""

import pathlib
import re
import sys

RANGE = re.compile(
    r"\{\s*low\s*=\s*(?P<low>[-+0-9.eE]+)\s*,"
    r"(?:\s*mode\s*=\s*(?P<mode>[-+0-9.eE]+)\s*,)?"
    r"\s*high\s*=\s*(?P<high>[-+0-9.eE]+)\s*\}"
)


def central(match):
    if match.group("mode") is not None:
        return match.group("mode")
    return repr((float(match.group("low")) + float(match.group("high"))) / 2)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    fixed = 0
    for path in sorted(source.glob("*.toml")):
        text, n = RANGE.subn(central, path.read_text(encoding="utf-8"))
        fixed += n
        (out / path.name).write_text(text, encoding="utf-8")
    print(f"fix_levers: {fixed} uncertain levers fixed at their central values", file=sys.stderr)


if __name__ == "__main__":
    main()
