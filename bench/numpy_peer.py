#!/usr/bin/env python3
"""A plain NumPy implementation of the attain model, the peer of the benchmark.

    python3 bench/numpy_peer.py --data data --scenarios scenarios --draws 1000000 --out peer.csv
    python3 bench/numpy_peer.py --data data --scenarios scenarios --counts

Reads data/{indicators,targets,history}.csv and scenarios/*.toml directly and
computes P(attain) for every scenario and target as docs/model.md §2–6 defines it,
written to a CSV (scenario, target_id, status, p_attain, draws). It is what an
economist would write: vectorised over draws with NumPy, one indicator at a
time, without tricks. It shares no code and no random numbers with attain
(NumPy's PCG64 here), so its probabilities are an independent estimate.

The model, in short:
- walks (level/log/logit): sigma^2 = (m-1) s^2 / chi2_{m-1}, mu ~ N(mu_hat,
  sigma^2/K), G_t = G_{t-1} + M_t mu + A_t + V_t sigma eps_t + shocks, with
  eps_t = rho F_t + sqrt(1-rho^2) e_t for members of a factor;
- counts: lambda ~ Gamma(0.5 + C, rate K), additions ~ Poisson(R_t lambda),
  a shock adds round(size) additions that year, never below zero;
- milestones: done each year with the scenario's hazard;
- targets compare published values (rounded half away from zero to the
  indicator's decimals): level, increase, cumulative, every_year, milestone.

Draws are processed in chunks (--chunk) so that 10^6 draws fit in memory.
Within a chunk every scenario reuses an indicator's parameters and
innovations (common random numbers), like attain; shock uniforms and factor
values are drawn once per chunk and shared by all indicators they select.
--counts prints, instead of simulating, the sizes the floor needs: the
standard normals of the walks per draw (sum over walk indicators of their
projected years), the scenarios and the targets, as JSON.
"""

import argparse
import csv
import json
import math
import pathlib
import sys
import time
import tomllib

import numpy as np

WALKS = ("level", "log", "logit")


# ---------------------------------------------------------------- inputs


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [row for row in csv.DictReader(f) if any(v.strip() for v in row.values() if v)]


def number(text):
    return float(text) if text not in (None, "") else None


def load_catalog(data):
    data = pathlib.Path(data)
    indicators = []
    for row in read_csv(data / "indicators.csv"):
        indicators.append(
            {
                "id": row["id"],
                "group": row["group"],
                "transform": row["transform"],
                "lower": number(row.get("lower")),
                "upper": number(row.get("upper")),
                "decimals": int(row["decimals"]),
            }
        )
    by_id = {ind["id"]: ind for ind in indicators}
    history = {ind["id"]: {} for ind in indicators}
    for row in read_csv(data / "history.csv"):
        ind = by_id[row["indicator_id"]]
        value = float(row["value"])
        if ind["transform"] == "logit" and value in (ind["lower"], ind["upper"]):
            half = 0.5 * 10.0 ** -ind["decimals"]  # docs/model.md §1: half a unit inside
            value = value + half if value == ind["lower"] else value - half
        history[ind["id"]][int(row["year"])] = value
    for ind in indicators:
        ind["history"] = sorted(history[ind["id"]].items())
    targets = []
    for row in read_csv(data / "targets.csv"):
        targets.append(
            {
                "id": row["id"],
                "indicator": row["indicator_id"],
                "kind": row["kind"],
                "comparator": row["comparator"],
                "value": float(row["value"]),
                "target_year": int(row["target_year"]),
                "base_year": int(row["base_year"]) if row.get("base_year") else None,
                "from_year": int(row["from_year"]) if row.get("from_year") else None,
            }
        )
    return indicators, targets


def load_scenarios(folder):
    raw = {}
    for path in sorted(pathlib.Path(folder).glob("*.toml")):
        with open(path, "rb") as f:
            raw[path.stem] = tomllib.load(f)

    def resolve(name, seen=()):
        if name in seen:
            sys.exit(f"extends cycle at {name}")
        s = raw[name]
        parent = resolve(s["extends"], seen + (name,)) if s.get("extends") else None
        # Entries of the parent first; shocks and factors keep the name of the
        # scenario that defines them, so a child shares its parent's draws.
        own = {
            "adjust": list(s.get("adjust", [])),
            "shock": [dict(sh, key=f"{name}/shock/{i}") for i, sh in enumerate(s.get("shock", []))],
            "factor": [dict(fa, key=f"{name}/factor/{i}") for i, fa in enumerate(s.get("factor", []))],
        }
        if parent is None:
            return own
        return {k: parent[k] + own[k] for k in own}

    names = ["baseline"] + sorted(n for n in raw if n != "baseline")
    return {name: resolve(name) for name in names}


def selected(select, indicators):
    items = [select] if isinstance(select, str) else select
    out = set()
    for item in items:
        for ind in indicators:
            if item == "*" or item == ind["id"] or item == f"group:{ind['group']}":
                out.add(ind["id"])
    return out


# ---------------------------------------------------------------- model pieces


def forward(ind, x):
    t = ind["transform"]
    if t == "log":
        return np.log(x)
    if t == "logit":
        a, b = ind["lower"], ind["upper"]
        return np.log((x - a) / (b - x))
    return x


def inverse(ind, g):
    t = ind["transform"]
    if t == "log":
        return np.exp(g)
    if t == "logit":
        a, b = ind["lower"], ind["upper"]
        return a + (b - a) / (1.0 + np.exp(-g))
    return g


def fit(ind):
    """Sufficient statistics of docs/model.md §2–4, or None when history is too short."""
    years = np.array([y for y, _ in ind["history"]], dtype=float)
    values = np.array([v for _, v in ind["history"]], dtype=float)
    n = len(years)
    t = ind["transform"]
    if t == "milestone":
        return {"done": bool((values >= 1).any()), "last": int(years[-1]) if n else None}
    if t == "count":
        if n < 2:
            return None
        return {
            "last": int(years[-1]),
            "stock": values[-1],
            "shape": 0.5 + values[-1] - values[0],
            "K": years[-1] - years[0],
        }
    if n < 3:
        return None
    g = forward(ind, values)
    K = years[-1] - years[0]
    mu_hat = (g[-1] - g[0]) / K
    k = np.diff(years)
    z = np.diff(g)
    dof = n - 2
    s2 = np.sum((z - k * mu_hat) ** 2 / k) / dof
    return {"last": int(years[-1]), "g_last": g[-1], "mu_hat": mu_hat, "s2": s2, "dof": dof, "K": K}


def settings(ind, scenario, years):
    """M, A, V, R, hazard per projected year; shocks; factor (docs/model.md §5)."""
    h = len(years)
    M, A, V, R, H = np.ones(h), np.zeros(h), np.ones(h), np.ones(h), np.zeros(h)
    walk = ind["transform"] in WALKS
    for adj in scenario["adjust"]:
        if ind["id"] not in adj["sel"]:
            continue
        on = (years >= adj.get("from", -10**9)) & (years <= adj.get("to", 10**9))
        if walk:
            M[on] *= adj.get("drift_mult", 1.0)
            A[on] += adj.get("drift_add", 0.0)
            V[on] *= adj.get("vol_scale", 1.0)
        if ind["transform"] == "count":
            R[on] *= adj.get("rate_mult", 1.0)
        if ind["transform"] == "milestone" and "hazard" in adj:
            H[on] = adj["hazard"]
    shocks = [
        (int(np.flatnonzero(years == sh["year"])[0]), sh["key"], sh["size"])
        for sh in scenario["shock"]
        if ind["id"] in sh["sel"] and ind["transform"] != "milestone" and sh["year"] in years
    ]
    factor = None
    if walk:
        for fa in scenario["factor"]:
            if ind["id"] in fa["sel"]:
                factor = (fa["key"], fa["loading"])
                break
    return M, A, V, R, H, shocks, factor


def publish(x, decimals):
    """Round half away from zero to `decimals` decimals, as published."""
    scale = 10.0**decimals
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5) / scale


COMPARE = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
}


def met(target, ind, x, start):
    """Per draw: whether the target is met, from natural values x (draws × years)."""
    d = ind["decimals"]
    observed = dict(ind["history"])
    cmp = COMPARE[target["comparator"]]

    def value(year):
        return x[:, year - start] if year >= start else np.full(len(x), observed.get(year, np.nan))

    kind, T, v = target["kind"], target["target_year"], target["value"]
    if kind in ("level", "milestone"):
        return cmp(publish(value(T), d), v)
    if kind == "increase":
        return cmp(publish(publish(value(T), d) - publish(value(target["base_year"]), d), d), v)
    if kind == "cumulative":
        total = sum(publish(value(y), d) for y in range(target["from_year"], T + 1))
        return cmp(publish(total, d), v)
    if kind == "every_year":
        ok = np.ones(len(x), dtype=bool)
        for y in range(target["from_year"], T + 1):
            ok &= cmp(publish(value(y), d), v)
        return ok
    raise ValueError(f"unknown target kind {kind}")


# ---------------------------------------------------------------- simulation


def prepare(indicators, targets, scenarios):
    for s in scenarios.values():
        for entry in s["adjust"] + s["shock"] + s["factor"]:
            entry["sel"] = selected(entry["select"], indicators)
    horizon = max(t["target_year"] for t in targets)
    plans = []
    for ind in indicators:
        f = fit(ind)
        last = f["last"] if f and f.get("last") is not None else horizon
        start = last + 1
        years = np.arange(start, horizon + 1)
        if f is None:
            years = years[:0]
        plans.append(
            {
                "ind": ind,
                "fit": f,
                "start": start,
                "years": years,
                "by_scenario": {name: settings(ind, s, years) for name, s in scenarios.items()},
                "targets": [t for t in targets if t["indicator"] == ind["id"]],
            }
        )
    first_year = min((p["start"] for p in plans if len(p["years"])), default=horizon)
    return plans, first_year, horizon


def simulate_chunk(plans, scenarios, first_year, horizon, n, rng, counts):
    calendar = horizon - first_year + 1
    shocks, factors = {}, {}
    for s in scenarios.values():
        for sh in s["shock"]:
            if sh["key"] not in shocks:
                shocks[sh["key"]] = rng.random(n) < sh["probability"]
        for fa in s["factor"]:
            if fa["key"] not in factors:
                factors[fa["key"]] = rng.standard_normal((n, calendar))
    for p in plans:
        ind, f, years = p["ind"], p["fit"], p["years"]
        h = len(years)
        if f is None:
            continue
        t = ind["transform"]
        off = p["start"] - first_year
        if t in WALKS:
            if f["s2"] > 0:
                sigma = np.sqrt(f["dof"] * f["s2"] / rng.chisquare(f["dof"], n))
            else:
                sigma = np.zeros(n)
            mu = f["mu_hat"] + sigma / np.sqrt(f["K"]) * rng.standard_normal(n)
            e = rng.standard_normal((n, h))
        elif t == "count":
            lam = rng.gamma(f["shape"], 1.0 / f["K"], n)
        else:
            u = rng.random((n, h))
        for name in scenarios:
            M, A, V, R, H, sh_list, factor = p["by_scenario"][name]
            if t in WALKS:
                shock = np.zeros((n, h))
                for ti, key, size in sh_list:
                    shock[:, ti] += np.where(shocks[key], size, 0.0)
                eps = e
                if factor is not None:
                    key, rho = factor
                    eps = rho * factors[key][:, off : off + h] + np.sqrt(1 - rho * rho) * e
                steps = M * mu[:, None] + A + V * sigma[:, None] * eps + shock
                x = inverse(ind, f["g_last"] + np.cumsum(steps, axis=1))
            elif t == "count":
                adds = rng.poisson(R * lam[:, None]).astype(float)
                for ti, key, size in sh_list:
                    adds[:, ti] = np.where(shocks[key], np.maximum(adds[:, ti] + publish(size, 0), 0), adds[:, ti])
                x = f["stock"] + np.cumsum(adds, axis=1)
            else:
                x = (f["done"] | np.logical_or.accumulate(u < H, axis=1)).astype(float)
            for target in p["targets"]:
                counts[(name, target["id"])] += int(met(target, ind, x, p["start"]).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--scenarios", default="scenarios")
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2030)
    ap.add_argument("--chunk", type=int, default=250_000, help="draws simulated at once")
    ap.add_argument("--out", default="peer.csv")
    ap.add_argument("--counts", action="store_true", help="print the floor's sizes as JSON and exit")
    args = ap.parse_args()

    indicators, targets = load_catalog(args.data)
    scenarios = load_scenarios(args.scenarios)
    plans, first_year, horizon = prepare(indicators, targets, scenarios)

    if args.counts:
        normals = sum(len(p["years"]) for p in plans if p["ind"]["transform"] in WALKS and p["fit"])
        print(
            json.dumps(
                {
                    "walk_normals_per_draw": normals,
                    "scenarios": len(scenarios),
                    "targets": len(targets),
                    "indicators": len(indicators),
                }
            )
        )
        return

    started = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    counts = {(s, t["id"]): 0 for s in scenarios for t in targets}
    done = 0
    while done < args.draws:
        n = min(args.chunk, args.draws - done)
        simulate_chunk(plans, scenarios, first_year, horizon, n, rng, counts)
        done += n
    seconds = time.perf_counter() - started

    fitted = {p["ind"]["id"]: p["fit"] for p in plans}
    kind = {ind["id"]: ind["transform"] for ind in indicators}
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "target_id", "status", "p_attain", "draws"])
        for s in scenarios:
            for t in targets:
                if fitted[t["indicator"]] is None:
                    w.writerow([s, t["id"], "insufficient_history", "", args.draws])
                    continue
                status = "assumption_only" if kind[t["indicator"]] == "milestone" else "ok"
                w.writerow([s, t["id"], status, counts[(s, t["id"])] / args.draws, args.draws])
    print(f"numpy peer: {args.draws} draws, {len(scenarios)} scenarios, {len(targets)} targets, "
          f"{seconds:.2f} s simulating -> {args.out}")


if __name__ == "__main__":
    main()
