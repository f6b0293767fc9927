#!/usr/bin/env python3
"""Turn bench/run.sh's raw timings into the Markdown report it prints.

    python3 bench/report.py --raw WORK/raw.tsv --phases WORK/phases.tsv --work WORK --nproc 2

Prints: the table (median wall time of the rounds, throughput in
draws × targets × scenarios per second, peak RSS, multiple of the floor), the
scaling summary, where attain's time goes (its run.json "timing": the
simulation phase against the floor and the variates floor), the ratios the
goals are about (threads, floors, NumPy), and the check of the NumPy peer's
probabilities against attain's p_attain.

Every ratio is paired: bench/run.sh runs the cases in interleaved rounds, a
ratio is taken between two runs of the same round, and the median over
rounds is reported with its range. The machine's speed can drift by a third
within minutes; runs of one round are at most a few minutes apart.
"""

import argparse
import pathlib

import numpy as np
import pandas as pd


def fmt_rate(x):
    return f"{x / 1e6:,.1f} M"


def by_round(raw, case, impl, draws, threads):
    """Wall seconds of one case, indexed by round."""
    sel = raw[(raw.case == case) & (raw.impl == impl) & (raw.draws == draws) & (raw.threads == threads)]
    return sel.set_index("rep")["wall_s"]


def paired(num, den):
    """Ratio num/den within each round: (median, min, max, rounds); NaNs without a pair."""
    r = (num / den).dropna()
    if r.empty:
        return (np.nan, np.nan, np.nan, 0)
    return (r.median(), r.min(), r.max(), len(r))


def fmt_paired(p, digits=1):
    med, lo, hi, n = p
    if n == 0:
        return "n/a"
    if n == 1:
        return f"{med:.{digits}f}×"
    return f"{med:.{digits}f}× ({lo:.{digits}f}–{hi:.{digits}f})"


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
    variates = runs[runs.impl == "variates"].set_index(["case", "draws", "threads"])["wall"]

    print()
    print(f"## attain benchmark ({args.nproc} cores; median of {runs.repeats.max()} interleaved rounds)")
    print()
    print("| case | impl | indicators | draws | threads | median wall s | draws×targets×scenarios / s | peak RSS MiB | × floor |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    # The feature pairs (a default job without one feature) have a table of their own.
    pairs = ["fixed_levers", "no_persistence"]
    for r in runs[~runs.impl.isin(["floor", "variates"]) & ~runs.case.isin(pairs)].itertuples():
        work_units = r.draws * r.targets * r.scenarios
        times_floor = paired(
            by_round(raw, r.case, r.impl, r.draws, r.threads), by_round(raw, r.case, "floor", r.draws, r.threads)
        )[0]
        print(
            f"| {r.case} | {r.impl} | {r.indicators} | {r.draws:,} | {r.threads} | {r.wall:.2f} | "
            f"{fmt_rate(work_units / r.wall)} | {r.rss_kb / 1024:.0f} | {times_floor:.1f} |"
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
        print("Simulation phase = paths CPU ÷ threads, against the floor and the variates floor (paired by round):")
        print()
        print("| case | draws | threads | pilot s | blocks s | paths CPU s (walks / counts / milestones) | fans CPU s | targets CPU s | sim. × floor | sim. × variates | job × variates |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in ph[~ph.case.isin(pairs)].itertuples():
            sel = phases[(phases.case == r.case) & (phases.draws == r.draws) & (phases.threads == r.threads)]
            sim = sel.set_index("rep")["paths_cpu_s"] / r.threads
            f = by_round(raw, r.case, "floor", r.draws, r.threads)
            v = by_round(raw, r.case, "variates", r.draws, r.threads)
            job = by_round(raw, r.case, "attain", r.draws, r.threads)
            print(
                f"| {r.case} | {r.draws:,} | {r.threads} | {r.pilot_s:.2f} | {r.blocks_s:.2f} | {r.paths_cpu_s:.2f} "
                f"({r.walks_cpu_s:.2f} / {r.counts_cpu_s:.2f} / {r.milestones_cpu_s:.2f}) | "
                f"{r.fans_cpu_s:.2f} | {r.targets_cpu_s:.2f} | {paired(sim, f)[0]:.1f} | {paired(sim, v)[0]:.2f} | "
                f"{paired(job, v)[0]:.1f} |"
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

    # The ratios of the goals, paired by round: median (range).
    default = runs[(runs.case == "default") & (runs.impl == "attain")]
    threads = sorted(default.threads.unique())
    if len(default):
        print()
        print("### Ratios of the goals (paired within rounds: median, range over rounds)")
        print()
        print("| draws | threads | job × floor | job × variates | sim. × floor | NumPy ÷ attain |")
        print("|---:|---:|---:|---:|---:|---:|")
        for draws in sorted(default.draws.unique()):
            numpy_wall = by_round(raw, "default", "numpy", draws, 1)
            for t in threads:
                job = by_round(raw, "default", "attain", draws, t)
                f = by_round(raw, "default", "floor", draws, t)
                v = by_round(raw, "default", "variates", draws, t)
                sel = phases[(phases.case == "default") & (phases.draws == draws) & (phases.threads == t)]
                sim = sel.set_index("rep")["paths_cpu_s"] / t
                print(
                    f"| {draws:,} | {t} | {fmt_paired(paired(job, f))} | {fmt_paired(paired(job, v))} | "
                    f"{fmt_paired(paired(sim, f))} | {fmt_paired(paired(numpy_wall, job))} |"
                )
        if len(threads) > 1:
            lo, hi = threads[0], threads[-1]
            print()
            for draws in sorted(default.draws.unique()):
                speedup = paired(by_round(raw, "default", "attain", draws, lo), by_round(raw, "default", "attain", draws, hi))
                floor_speedup = paired(
                    by_round(raw, "default", "floor", draws, lo), by_round(raw, "default", "floor", draws, hi)
                )
                print(
                    f"- Threads {lo} → {hi} at {draws:,} draws: attain {fmt_paired(speedup, 2)}, "
                    f"the floor {fmt_paired(floor_speedup, 2)}."
                )

    # What a feature of the default job costs: the job against the same job
    # without it, paired by round (wall time, and the simulation's CPU).
    features = [
        ("uncertain levers (#17)", "fixed_levers", "levers fixed at their central values"),
        ("drift-persistence prior (#19)", "no_persistence", "φ = 1, no prior"),
    ]
    present = [f for f in features if (raw.case == f[1]).any()]
    if present:
        print()
        print("### What a feature costs (default job at 10^6 draws ÷ the same job without it; paired by round)")
        print()
        print("| feature | without it | threads | wall ratio | paths CPU ratio |")
        print("|---|---|---:|---:|---:|")
        for name, case, without in present:
            for t in sorted(raw[raw.case == case].threads.unique()):
                job = by_round(raw, "default", "attain", 1_000_000, t)
                other = by_round(raw, case, "attain", 1_000_000, t)
                cpu = lambda c: phases[
                    (phases.case == c) & (phases.draws == 1_000_000) & (phases.threads == t)
                ].set_index("rep")["paths_cpu_s"]
                print(
                    f"| {name} | {without} | {t} | {fmt_paired(paired(job, other), 3)} | "
                    f"{fmt_paired(paired(cpu('default'), cpu(case)), 3)} |"
                )

    # The peer check: |p_peer − p_attain| ≤ 4·sqrt(p(1−p)/N_a + p(1−p)/N_p).
    print()
    print("### NumPy peer vs attain p_attain (tolerance 4·sqrt(2·p(1−p)/N), p pooled)")
    all_pass = True
    for draws in (100_000, 1_000_000):
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
