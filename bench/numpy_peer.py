#!/usr/bin/env python3
"""A plain NumPy implementation of the attain model, the peer of the benchmark.

    python3 bench/numpy_peer.py --data data --scenarios scenarios --draws 1000000 --out peer.csv
    python3 bench/numpy_peer.py --data data --scenarios scenarios --counts

Reads data/{indicators,targets,history}.csv, data/model.toml and
scenarios/*.toml directly and computes P(attain) for every scenario and target
as docs/model.md §2–6 defines it, written to a CSV (scenario, target_id, status,
analog, p_attain, draws). It is what an economist would write: vectorised
over draws with NumPy, one indicator at a time, without tricks. It shares no
code and no random numbers with attain (NumPy's PCG64 here), so its
probabilities are an independent estimate.

The model, in short:
- walks (level/log/logit, §2): sigma^2 = nu s^2 / chi2_nu, mu ~ N(mu_n,
  sigma^2/kappa); without an analog nu = m-1, kappa = K, mu_n = mu_hat, and
  fewer than 3 observations give no probability (insufficient_history);
- analogs (§2b): an analog series' increments enter as a power prior of
  weight a (catalog column analog_weight, default 0.5): kappa0 = a K',
  mu0 = mu_hat', nu0 = a m' - 1, nu0 s0^2 = a SS'; the posterior is kappa =
  kappa0 + K, mu_n = (kappa0 mu0 + K mu_hat)/kappa, nu = nu0 + m, nu s_n^2 =
  nu0 s0^2 + SS + (kappa0 K/kappa)(mu_hat - mu0)^2. An indicator with an
  analog needs one own observation (its start); with fewer than 3 its targets
  are `borrowed`. An indicator with no target (an analog-only series) is
  fitted, never projected;
- drift persistence (§2c): per draw phi from the catalog's prior
  (model.toml [persistence] phi, weight) unless the indicator fixes its own
  (column persistence); phi = 1 without either. Projected year j = 1, 2, ...
  moves by M_t phi^j mu + A_t + V_t sigma eps_t + shocks, with
  eps_t = rho F_t + sqrt(1-rho^2) e_t for members of a factor;
- counts (§3): lambda ~ Gamma(0.5 + C, rate K), additions ~ Poisson(R_t
  lambda); a count with only its current stock and a scenario `rate` adds
  Poisson(R_t rate_t) (status assumption_only); a shock adds round(size)
  additions that year, never below zero;
- milestones (§4): done each year with the scenario's hazard (assumption_only);
- uncertain levers (§5): a scenario field written {low, high} (uniform) or
  {low, mode, high} (triangular) takes one value per draw, for every year and
  indicator its entry selects and in every scenario that inherits the entry;
- targets compare published values (rounded half away from zero to the
  indicator's decimals): level, increase, cumulative, every_year, milestone.

Draws are processed in chunks (--chunk) so that 10^6 draws fit in memory.
Within a chunk every scenario reuses an indicator's parameters, persistence
and innovations (common random numbers), like attain (a count's Poisson
additions are drawn afresh per scenario); lever values, shock uniforms and
factor values are drawn once per chunk and shared by everything they select.
--counts prints, instead of simulating, the sizes the floor needs: the
standard normals of the walks per draw (sum over projected walk indicators
of their projected years), the scenarios, the targets and the indicators, as
JSON.
"""

import argparse
import csv
import json
import pathlib
import sys
import time
import tomllib

import numpy as np

WALKS = ("level", "log", "logit")
DEFAULT_ANALOG_WEIGHT = 0.5
# The numeric fields of scenario entries that may be uncertain levers (docs/model.md §5).
NUMERIC = ("drift_mult", "drift_add", "vol_scale", "rate_mult", "rate", "hazard", "probability", "size")


# ---------------------------------------------------------------- inputs


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [row for row in csv.DictReader(f) if any(v.strip() for v in row.values() if v)]


def number(text):
    return float(text) if text not in (None, "") and text.strip() else None


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
                "analog": (row.get("analog") or "").strip() or None,
                "analog_weight": number(row.get("analog_weight")),
                "persistence": number(row.get("persistence")),
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
    for ind in indicators:  # docs/model.md §2b: the rules that make an analog well defined
        name = ind["analog"]
        if name is None:
            continue
        other = by_id.get(name)
        if other is None:
            sys.exit(f"indicators.csv: `{ind['id']}` names `{name}` as analog: not an indicator of the catalog")
        if other is ind or other["analog"] is not None:
            sys.exit(f"indicators.csv: `{ind['id']}` names `{name}` as analog, which names an analog itself")
        same = (other["transform"], other["lower"], other["upper"]) == (ind["transform"], ind["lower"], ind["upper"])
        if ind["transform"] not in WALKS or not same:
            sys.exit(f"indicators.csv: `{ind['id']}` and its analog `{name}` are not walks on the same transform")
        ind["analog"] = other
    settings = {}
    if (data / "model.toml").is_file():
        with open(data / "model.toml", "rb") as f:
            settings = tomllib.load(f)
    prior = settings.get("persistence")
    prior = (np.array(prior["phi"], float), np.array(prior["weight"], float)) if prior else None
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
    return indicators, targets, prior


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
        # Entries of the parent first; every entry keeps the name of the
        # scenario that defines it, so a child shares its parent's draws of
        # shocks, factors and uncertain levers.
        own = {
            kind: [dict(e, key=f"{name}/{kind}/{i}") for i, e in enumerate(s.get(kind, []))]
            for kind in ("adjust", "shock", "factor")
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
        with np.errstate(over="ignore"):  # far below the floor: exp overflows, x = a
            return a + (b - a) / (1.0 + np.exp(-g))
    return g


def increments(ind, history):
    """m, K, mu_hat and SS of a history on the indicator's transform (docs/model.md §2)."""
    if len(history) < 2:
        return 0, 0.0, 0.0, 0.0
    years = np.array([y for y, _ in history], dtype=float)
    g = forward(ind, np.array([v for _, v in history], dtype=float))
    K = years[-1] - years[0]
    mu_hat = (g[-1] - g[0]) / K
    k = np.diff(years)
    ss = np.sum((np.diff(g) - k * mu_hat) ** 2 / k)
    return len(history) - 1, K, mu_hat, ss


def fit(ind, assumed_rate):
    """Sufficient statistics of docs/model.md §2–4 and the targets' status; None
    when the history is too short (status insufficient_history)."""
    history = ind["history"]
    n = len(history)
    t = ind["transform"]
    last = history[-1][0] if n else None
    if t == "milestone":
        return {"status": "assumption_only", "done": any(v >= 1 for _, v in history), "last": last}
    if t == "count":
        if n == 1 and assumed_rate:
            return {"status": "assumption_only", "last": last, "stock": history[0][1], "assumed": True}
        if n < 2:
            return None
        return {
            "status": "ok",
            "last": last,
            "stock": history[-1][1],
            "shape": 0.5 + history[-1][1] - history[0][1],
            "K": history[-1][0] - history[0][0],
            "assumed": False,
        }
    m, K, mu_hat, ss = increments(ind, history)
    analog = ind["analog"]
    if analog is None:
        if n < 3:
            return None
        kappa, mu, nu, nu_s2, status = K, mu_hat, m - 1, ss, "ok"
    else:
        if n < 1:
            return None
        # docs/model.md §2b: the analog's increments as a power prior of weight a.
        a = ind["analog_weight"] if ind["analog_weight"] is not None else DEFAULT_ANALOG_WEIGHT
        m0, K0, mu0, ss0 = increments(ind, analog["history"])
        kappa0, nu0 = a * K0, a * m0 - 1
        if not (0 < a <= 1) or nu0 <= 0 or K0 <= 0:
            sys.exit(f"`{ind['id']}`: analog weight {a} on `{analog['id']}` gives nu0 = {nu0} <= 0")
        kappa = kappa0 + K
        mu = (kappa0 * mu0 + K * mu_hat) / kappa
        nu = nu0 + m
        nu_s2 = a * ss0 + ss + kappa0 * K / kappa * (mu_hat - mu0) ** 2
        status = "borrowed" if n < 3 else "ok"
    g_last = forward(ind, np.array([history[-1][1]]))[0]
    return {"status": status, "last": last, "g_last": g_last, "mu": mu, "s2": nu_s2 / nu, "nu": nu, "kappa": kappa}


def persistence(ind, prior):
    """The drift persistence of a walk (docs/model.md §2c): a fixed phi, or the prior (phi_k, w_k)."""
    if ind["persistence"] is not None:
        return ind["persistence"]
    return prior if prior is not None else 1.0


def draw_levers(scenarios, n, rng):
    """One value per draw of every uncertain lever (docs/model.md §5), by entry identity."""
    levers = {}
    for s in scenarios.values():
        for entry in s["adjust"] + s["shock"]:
            for field in NUMERIC:
                v, key = entry.get(field), f"{entry['key']}/{field}"
                if not isinstance(v, dict) or key in levers:
                    continue
                if "mode" in v:
                    levers[key] = rng.triangular(v["low"], v["mode"], v["high"], n)
                else:
                    levers[key] = rng.uniform(v["low"], v["high"], n)
    return levers


def settings(ind, f, scenario, years, levers):
    """M, A, V, R, hazard per projected year (docs/model.md §5): arrays of the
    years, or draws × years where an uncertain lever enters; shocks; factor."""
    h = len(years)
    M, A, V, R, H, rate = np.ones(h), np.zeros(h), np.ones(h), np.ones(h), np.zeros(h), np.zeros(h)
    t = ind["transform"]

    def value(entry, field):  # a number, or the lever's draws as a column
        v = entry[field]
        return levers[f"{entry['key']}/{field}"][:, None] if isinstance(v, dict) else float(v)

    for adj in scenario["adjust"]:
        if ind["id"] not in adj["sel"]:
            continue
        on = (years >= adj.get("from", -10**9)) & (years <= adj.get("to", 10**9))
        if t in WALKS:
            if "drift_mult" in adj:
                M = M * np.where(on, value(adj, "drift_mult"), 1.0)
            if "drift_add" in adj:
                A = A + np.where(on, value(adj, "drift_add"), 0.0)
            if "vol_scale" in adj:
                V = V * np.where(on, value(adj, "vol_scale"), 1.0)
        if t == "count":
            if "rate_mult" in adj:
                R = R * np.where(on, value(adj, "rate_mult"), 1.0)
            if "rate" in adj:  # the last assumed rate wins
                rate = np.where(on, value(adj, "rate"), rate)
        if t == "milestone" and "hazard" in adj:  # the last hazard wins
            H = np.where(on, value(adj, "hazard"), H)
    if t == "count" and f["assumed"]:
        R = R * rate
    shocks = []
    for sh in scenario["shock"]:
        if ind["id"] in sh["sel"] and t != "milestone" and sh["year"] in years:
            size = value(sh, "size")
            shocks.append((int(np.flatnonzero(years == sh["year"])[0]), sh["key"], np.ravel(size) if np.ndim(size) else size))
    factor = None
    if t in WALKS:
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


def prepare(indicators, targets, scenarios, prior):
    for s in scenarios.values():
        for entry in s["adjust"] + s["shock"] + s["factor"]:
            entry["sel"] = selected(entry["select"], indicators)
    horizon = max(t["target_year"] for t in targets)
    plans = []
    for ind in indicators:
        # A count with only its current stock is projected from an assumed rate (§3).
        assumed_rate = any(ind["id"] in a["sel"] and "rate" in a for s in scenarios.values() for a in s["adjust"])
        f = fit(ind, assumed_rate)
        mine = [t for t in targets if t["indicator"] == ind["id"]]
        last = f["last"] if f and f.get("last") is not None else horizon
        start = last + 1
        years = np.arange(start, horizon + 1)
        if f is None or not mine:  # no fit, or an analog-only series: not projected
            years = years[:0]
        plans.append(
            {
                "ind": ind,
                "fit": f,
                "start": start,
                "years": years,
                "phi": persistence(ind, prior),
                "targets": mine,
            }
        )
    first_year = min((p["start"] for p in plans if len(p["years"])), default=horizon)
    return plans, first_year, horizon


def simulate_chunk(plans, scenarios, first_year, horizon, n, rng, counts):
    calendar = horizon - first_year + 1
    levers = draw_levers(scenarios, n, rng)
    shocks, factors = {}, {}
    for s in scenarios.values():
        for sh in s["shock"]:
            if sh["key"] not in shocks:
                p = sh["probability"]
                p = levers[f"{sh['key']}/probability"] if isinstance(p, dict) else p
                shocks[sh["key"]] = rng.random(n) < p
        for fa in s["factor"]:
            if fa["key"] not in factors:
                factors[fa["key"]] = rng.standard_normal((n, calendar))
    for p in plans:
        ind, f, years = p["ind"], p["fit"], p["years"]
        h = len(years)
        if h == 0:
            continue
        t = ind["transform"]
        off = p["start"] - first_year
        if t in WALKS:
            if f["s2"] > 0:
                sigma = np.sqrt(f["nu"] * f["s2"] / rng.chisquare(f["nu"], n))
            else:
                sigma = np.zeros(n)
            mu = f["mu"] + sigma / np.sqrt(f["kappa"]) * rng.standard_normal(n)
            # Drift persistence: the drift of projected year j is phi^j mu.
            j = np.arange(1, h + 1)
            if isinstance(p["phi"], tuple):
                phi = rng.choice(p["phi"][0], size=n, p=p["phi"][1] / p["phi"][1].sum())
                damp = phi[:, None] ** j
            else:
                damp = p["phi"] ** j
            e = rng.standard_normal((n, h))
        elif t == "count":
            lam = np.ones(n) if f["assumed"] else rng.gamma(f["shape"], 1.0 / f["K"], n)
        else:
            u = rng.random((n, h))
        for name, scenario in scenarios.items():
            M, A, V, R, H, sh_list, factor = settings(ind, f, scenario, years, levers)
            if t in WALKS:
                shock = np.zeros((n, h))
                for ti, key, size in sh_list:
                    shock[:, ti] += np.where(shocks[key], size, 0.0)
                eps = e
                if factor is not None:
                    key, rho = factor
                    eps = rho * factors[key][:, off : off + h] + np.sqrt(1 - rho * rho) * e
                steps = M * damp * mu[:, None] + A + V * sigma[:, None] * eps + shock
                x = inverse(ind, f["g_last"] + np.cumsum(steps, axis=1))
            elif t == "count":
                adds = rng.poisson(np.broadcast_to(R * lam[:, None], (n, h))).astype(float)
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

    indicators, targets, prior = load_catalog(args.data)
    scenarios = load_scenarios(args.scenarios)
    plans, first_year, horizon = prepare(indicators, targets, scenarios, prior)

    if args.counts:
        normals = sum(len(p["years"]) for p in plans if p["ind"]["transform"] in WALKS)
        print(
            json.dumps(
                {
                    "walk_normals_per_draw": normals,
                    "scenarios": len(scenarios),
                    "targets": len(targets),
                    "indicators": len(indicators),
                    "projected_indicators": sum(1 for p in plans if len(p["years"])),
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

    by_id = {p["ind"]["id"]: p for p in plans}
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "target_id", "status", "analog", "p_attain", "draws"])
        for s in scenarios:
            for t in targets:
                p = by_id[t["indicator"]]
                if p["fit"] is None:
                    w.writerow([s, t["id"], "insufficient_history", "", "", args.draws])
                    continue
                analog = p["ind"]["analog"]["id"] if p["ind"]["transform"] in WALKS and p["ind"]["analog"] else ""
                w.writerow([s, t["id"], p["fit"]["status"], analog, counts[(s, t["id"])] / args.draws, args.draws])
    print(f"numpy peer: {args.draws} draws, {len(scenarios)} scenarios, {len(targets)} targets, "
          f"{seconds:.2f} s simulating -> {args.out}")


if __name__ == "__main__":
    main()
