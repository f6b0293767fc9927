#!/usr/bin/env python3
"""Are the tables of two runs identical, bit for bit?

    python3 scripts/same_tables.py OUT_A OUT_B [TABLE ...]

Compares every Parquet table the two output folders share (or the named
ones): the same columns in the same order, the same types, the same number
of rows, and every value equal bit for bit (floats compared by their 64-bit
patterns, so 0.1 + 0.2 is not 0.3 and NaN equals NaN). The run manifest in
the files' metadata (start time, wall time) is not compared: it differs from
run to run by design. Exit status 0 when every table is identical, 1 when
one differs (the first difference of each is printed), 2 on bad arguments.

Needs pyarrow (`python3 -m pip install pyarrow`). Used to show that a
refactoring of the code leaves every result as it was.
"""

import struct
import sys
from pathlib import Path

import pyarrow.parquet as pq


def bits(value):
    """A value as something that compares bit for bit."""
    if isinstance(value, float):
        return struct.pack("<d", value)
    return value


def compare(a: Path, b: Path) -> list[str]:
    ta, tb = pq.read_table(a), pq.read_table(b)
    problems = []
    if ta.schema.names != tb.schema.names:
        return [f"columns differ: {ta.schema.names} vs {tb.schema.names}"]
    for name in ta.schema.names:
        fa, fb = ta.schema.field(name).type, tb.schema.field(name).type
        if fa != fb:
            problems.append(f"column `{name}`: type {fa} vs {fb}")
    if ta.num_rows != tb.num_rows:
        return problems + [f"rows differ: {ta.num_rows} vs {tb.num_rows}"]
    for name in ta.schema.names:
        va, vb = ta.column(name).to_pylist(), tb.column(name).to_pylist()
        for row, (x, y) in enumerate(zip(va, vb)):
            if bits(x) != bits(y):
                problems.append(f"column `{name}`, row {row}: {x!r} vs {y!r}")
                break
    return problems


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    a, b = Path(argv[1]), Path(argv[2])
    names = argv[3:] or sorted(
        p.name for p in a.glob("*.parquet") if (b / p.name).is_file()
    )
    if not names:
        print(f"no Parquet table in both {a} and {b}", file=sys.stderr)
        return 2
    differ = 0
    for name in names:
        name = name if name.endswith(".parquet") else name + ".parquet"
        problems = compare(a / name, b / name)
        rows = pq.read_metadata(a / name).num_rows
        if problems:
            differ += 1
            print(f"{name}: DIFFERS")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"{name}: identical ({rows} rows)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
