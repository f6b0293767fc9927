#!/usr/bin/env python3
"""Turn bench/run.sh's raw timings into the Markdown report it prints.

    python3 bench/report.py --raw WORK/raw.tsv --phases WORK/phases.tsv --work WORK --nproc 2

Prints: the table (median wall time of the repeats, throughput in
draws × targets × scenarios per second, peak RSS, multiple of the floor), the
scaling summary, where attain's time goes (its run.json "timing": the
simulation phase against the floor and the variates floor), the speed ratio
attain/NumPy at 10^6 draws, and the check of the NumPy peer's probabilities
against attain's p_attain.
"""

import argparse
import pathlib

import numpy as np
import pandas as pd


def fmt_rate(x):
    return f"{x / 1e6:,.1f} M"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", required=True)
    ap.add_argument("--phases", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nproc", type=int, required=True)
    args = ap.parse_args()
    work = pathlib.Path(args.work)

    raw = pd.read_csv(args.raw, sep="\t")
    keys = ["case", "impl", "draws", "threads"]
    runs = (
        raw.groupby(keys, sort=False)
        .agg(
            indicators=("indicators", "first"),
            targets=("targets", "first"),
            scenarios=("scenarios", "first"),
            normals=("normals", "first"),
            repeats=("wall_s", "size"),
            wall=("wall_s", "median"),
            rss_kb=("rss_kb", "max"),
        )
        .reset_index()
    )
    floor = runs[runs.impl == "floor"].set_index(["case", "draws", "threads"])["wall"]
    variates = runs[runs.impl == "variates"].set_index(["case", "draws", "threads"])["wall"]

    print()
    print(f"## attain benchmark ({args.nproc} cores; median of {runs.repeats.max()} runs)")
    print()
    print("| case | impl | indicators | draws | threads | median wall s | draws×targets×scenarios / s | peak RSS MiB | × floor |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs[~runs.impl.isin(["floor", "variates"])].itertuples():
        work_units = r.draws * r.targets * r.scenarios
        f = floor.get((r.case, r.draws, r.threads), np.nan)
        print(
            f"| {r.case} | {r.impl} | {r.indicators} | {r.draws:,} | {r.threads} | {r.wall:.2f} | "
            f"{fmt_rate(work_units / r.wall)} | {r.rss_kb / 1024:.0f} | {r.wall / f:.1f} |"
        )
    print()
    print("Floor (draw the walks' normals, one multiply-add per scenario; its own clock):")
    print()
    print("| case | draws | threads | normals/draw | scenarios | median s | normals / s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in runs[runs.impl == "floor"].itertuples():
        print(
            f"| {r.case} | {r.draws:,} | {r.threads} | {r.normals} | {r.scenarios} | {r.wall:.3f} | "
            f"{fmt_rate(r.draws * r.normals / r.wall)} |"
        )

    # Variates floor and attain's phases (run.json "timing", medians).
    if len(variates):
        print()
        print("Variates floor (every random number the model draws for the catalog; its own clock):")
        print()
        print("| case | draws | threads | variates/draw | median s | variates / s |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in runs[runs.impl == "variates"].itertuples():
            # bench/run.sh puts the variates per draw in the normals column.
            print(
                f"| {r.case} | {r.draws:,} | {r.threads} | {r.normals} | {r.wall:.3f} | "
                f"{fmt_rate(r.draws * r.normals / r.wall)} |"
            )
    phases = pd.read_csv(args.phases, sep="\t")
    if len(phases):
        ph = phases.groupby(["case", "draws", "threads"], sort=False).median(numeric_only=True).reset_index()
        print()
        print("Where attain's time goes (medians of run.json \"timing\"; CPU seconds summed over workers).")
        print("Simulation phase = paths CPU ÷ threads, against the floor and the variates floor:")
        print()
        print("| case | draws | threads | pilot s | blocks s | paths CPU s | fans CPU s | targets CPU s | sim. × floor | sim. × variates | job × variates |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        walls = runs[runs.impl == "attain"].set_index(["case", "draws", "threads"])["wall"]
        for r in ph.itertuples():
            key = (r.case, r.draws, r.threads)
            sim = r.paths_cpu_s / r.threads
            f, v = floor.get(key, np.nan), variates.get(key, np.nan)
            print(
                f"| {r.case} | {r.draws:,} | {r.threads} | {r.pilot_s:.2f} | {r.blocks_s:.2f} | {r.paths_cpu_s:.2f} | "
                f"{r.fans_cpu_s:.2f} | {r.targets_cpu_s:.2f} | {sim / f:.1f} | {sim / v:.2f} | {walls.get(key, np.nan) / v:.1f} |"
            )

    # Scaling: wall time per indicator·draw on the generated catalogs.
    big = runs[(runs.impl == "attain") & runs.case.str.startswith("big")]
    if len(big):
        print()
        print("Scaling on the generated catalogs (2 scenarios, all cores): time ~ indicators × draws?")
        print()
        print("| case | indicators × draws | median wall s | ns per indicator·draw | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|")
        for r in big.itertuples():
            n = r.indicators * r.draws
            print(f"| {r.case} @ {r.draws:,} | {n:,} | {r.wall:.2f} | {r.wall / n * 1e9:.0f} | {r.rss_kb / 1024:.0f} |")

    # Speed ratio attain / NumPy at 10^6 draws.
    big_draws = 1_000_000
    sel = runs[(runs.case == "default") & (runs.draws == big_draws)]
    numpy_wall = sel[sel.impl == "numpy"].wall
    if len(numpy_wall):
        print()
        for r in sel[sel.impl == "attain"].itertuples():
            print(
                f"Speed ratio attain/NumPy at 10^6 draws, attain on {r.threads} thread(s): "
                f"{numpy_wall.iloc[0] / r.wall:.1f}× (NumPy {numpy_wall.iloc[0]:.1f} s, attain {r.wall:.2f} s)"
            )

    # The peer check: |p_peer − p_attain| ≤ 4·sqrt(p(1−p)/N_a + p(1−p)/N_p).
    print()
    print("### NumPy peer vs attain p_attain (tolerance 4·sqrt(2·p(1−p)/N), p pooled)")
    all_pass = True
    for draws in (100_000, big_draws):
        attain_dir = work / "out" / f"default-attain-{draws}-t{args.nproc}"
        peer_csv = work / "out" / f"default-numpy-{draws}-t1.csv"
        if not (attain_dir / "attainment.parquet").exists() or not peer_csv.exists():
            continue
        a = pd.read_parquet(attain_dir / "attainment.parquet", columns=["scenario", "target_id", "p_attain"])
        p = pd.read_csv(peer_csv)
        m = a.merge(p, on=["scenario", "target_id"], suffixes=("_attain", "_peer")).dropna(
            subset=["p_attain_attain", "p_attain_peer"]
        )
        pooled = (m.p_attain_attain + m.p_attain_peer) / 2
        se = np.sqrt(pooled * (1 - pooled) / draws + pooled * (1 - pooled) / m.draws)
        diff = m.p_attain_peer - m.p_attain_attain
        m = m.assign(diff=diff, tol=4 * se, z=diff / se.where(se > 0))
        bad = m[m["diff"].abs() > m.tol]
        ok = bad.empty
        all_pass &= ok
        worst = m.loc[m["diff"].abs().idxmax()]
        print()
        print(
            f"- {draws:,} draws: {len(m)} scenario×target pairs, max |difference| {m['diff'].abs().max():.5f} "
            f"({worst.scenario} / {worst.target_id}), max |z| {m.z.abs().max():.2f}: "
            + ("all within tolerance" if ok else f"{len(bad)} OUTSIDE tolerance")
        )
        for r in bad.itertuples():
            print(
                f"  - {r.scenario} / {r.target_id}: attain {r.p_attain_attain:.5f}, "
                f"peer {r.p_attain_peer:.5f}, diff {r.diff:+.5f}, tolerance {r.tol:.5f}"
            )
    print()
    print(f"Peer check: {'PASS' if all_pass else 'FAIL'}")

    # Is output/ the same as a fresh default run? (Deterministic at any thread count.)
    shipped = pathlib.Path("output/attainment.parquet")
    fresh = work / "out" / f"default-attain-100000-t{args.nproc}" / "attainment.parquet"
    if shipped.exists() and fresh.exists():
        cols = ["scenario", "target_id", "p_attain"]
        s = pd.read_parquet(shipped, columns=cols).sort_values(cols[:2]).reset_index(drop=True)
        f = pd.read_parquet(fresh, columns=cols).sort_values(cols[:2]).reset_index(drop=True)
        same = s.shape == f.shape and s.equals(f)
        print(
            "output/attainment.parquet "
            + ("holds the same p_attain as this run's default 10^5-draw run."
               if same else "differs from this run's default 10^5-draw run (stale, or another seed/draws).")
        )


if __name__ == "__main__":
    main()
