#!/usr/bin/env python3
"""Search for a persistence prior (and, where needed, a simple extra knob) on the
development corpus (M1 + Tourism yearly); M3 is touched only in the last stage.

    python3 search.py              # all stages, writes results/search.json, prints a summary
    python3 search.py --quick      # fewer bootstrap resamples / random priors

Stages
  A  phi prior alone (attain's t: lambda = 1, nu = m - 1):
       single phi scan; CRPS-optimal prior on the grid 0, 0.05, ..., 1 and on
       the small support {0, 0.5, 0.8, 0.9, 1}; best Beta(a, b) per-draw prior;
       and a feasibility scan: over ~25,000 priors (all two-point priors on the
       0.05-grid in weight steps of 0.05, plus random sparse Dirichlet priors),
       the smallest violation of the calibration criteria.
  B  phi prior + two knobs: nu = min(m - 1, c) for c in {none, 3, 4, 5, 6, 8}
       and a scale multiplier lambda in 0.60 ... 1.00. For each (c, lambda) the
       weights on {0, 0.5, 0.8, 0.9, 1} minimise the dev total CRPS subject to
       a dev mean PIT in [0.465, 0.535] (a 0.005 margin inside the criterion);
       the model chosen is the lowest dev CRPS among those meeting all three
       criteria on dev after rounding the weights to 2 decimals (support points
       below 0.01 dropped).
  C  stability: the same selection run on M1 alone and on Tourism alone; a
       bootstrap over dev series (weights and skills); neighbours of the chosen
       (c, lambda).
  D  alternatives documented (not chosen): a Beta per-draw prior, fitting on
       the last 11 observations only, s^2 from the last 10 increments.
  E  holdout: the chosen model on M3 (and per corpus, per horizon) via
       evaluate.tables.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core import DEV, Rows, beta_weights, pq_matrices  # noqa: E402
import evaluate as ev  # noqa: E402

SUPPORT = np.array([0.0, 0.5, 0.8, 0.9, 1.0])
GRID21 = np.round(np.linspace(0, 1, 21), 3)
CAPS = [0, 3, 4, 5, 6, 8]
LAMBDAS = [0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 1.00]
PIT_BAND = (0.465, 0.535)
NOMINAL = np.array([0.5, 0.8, 0.95])


def qp(A, Pbar=None, band=None):
    """argmin_w w'Aw on the simplex (optionally with lo <= Pbar.w <= hi)."""
    J = A.shape[0]
    cons = [{"type": "eq", "fun": lambda w: w.sum() - 1, "jac": lambda w: np.ones(J)}]
    if Pbar is not None:
        lo, hi = band
        cons += [{"type": "ineq", "fun": lambda w: hi - Pbar @ w, "jac": lambda w: -Pbar},
                 {"type": "ineq", "fun": lambda w: Pbar @ w - lo, "jac": lambda w: Pbar}]
    best = None
    for w0 in [np.ones(J) / J] + [np.eye(J)[j] * 0.9 + 0.1 / J for j in range(J)]:
        r = minimize(lambda w: w @ A @ w, w0, jac=lambda w: 2 * A @ w, method="SLSQP",
                     bounds=[(0, 1)] * J, constraints=cons, options={"ftol": 1e-15, "maxiter": 2000})
        w = np.clip(r.x, 0, None)
        w /= w.sum()
        ok = Pbar is None or (band[0] - 1e-6 <= Pbar @ w <= band[1] + 1e-6)
        if ok and (best is None or w @ A @ w < best @ A @ best):
            best = w
    return best


def round_w(w, support):
    w = np.where(w < 0.01, 0, w)
    w = w / w.sum()
    r = np.round(w, 2)
    r[np.argmax(r)] += 1 - r.sum()  # make the rounded weights sum to 1
    keep = r > 0
    return support[keep], np.round(r[keep], 2)


def scores(P, Q, w, m, rows):
    pit = P[m] @ w
    crps = np.einsum("rjk,j,k->r", Q[m], w, w)
    cov = np.array([np.mean(np.abs(pit - 0.5) <= c / 2) for c in NOMINAL])
    m6 = m & (rows.h == 6)
    p6 = P[m6] @ w
    cov6 = np.array([np.mean(np.abs(p6 - 0.5) <= c / 2) for c in NOMINAL])
    return {"crps": float(crps.sum()), "cov": cov.round(4).tolist(), "cov_h6": cov6.round(4).tolist(),
            "mean_pit": float(pit.mean())}


def meets(s, ref_naive, ref_drift):
    c1 = bool(np.all(np.abs(np.array(s["cov"]) - NOMINAL) <= 0.02) and np.all(np.abs(np.array(s["cov_h6"]) - NOMINAL) <= 0.04))
    c2 = 0.46 <= s["mean_pit"] <= 0.54
    c3 = (1 - s["crps"] / ref_naive) >= 0.02 and (1 - s["crps"] / ref_drift) >= 0.02
    return {"coverage": c1, "pit": c2, "skill": c3, "all": c1 and c2 and c3}


def violation(cov, cov6, pit):
    """Largest violation of the calibration criteria in units of the allowed
    deviation (<= 1: all calibration criteria met)."""
    v = np.max(np.abs(cov - NOMINAL[:, None]) / 0.02, axis=0)
    v = np.maximum(v, np.max(np.abs(cov6 - NOMINAL[:, None]) / 0.04, axis=0))
    v = np.maximum(v, np.maximum(0.46 - pit, pit - 0.54) / 0.04 + 1)
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "search.json")
    a = ap.parse_args()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    rows = Rows()
    dev = rows.mask(DEV)
    masks = {"dev": dev, "M1": rows.mask(["M1"]), "Tourism": rows.mask(["Tourism"])}
    out = {"rows": {c: int((rows.corpus == c).sum()) for c in ("M1", "Tourism", "M3")},
           "series": rows.n_series}

    # ---------------------------------------------------------------- A
    print("== A: phi prior alone (lambda = 1, nu = m - 1)", flush=True)
    P, Q = pq_matrices(rows, GRID21, {}, sel=dev)
    refs = {k: (float(Q[m][:, 0, 0].sum()), float(Q[m][:, -1, -1].sum())) for k, m in masks.items()}
    out["refs"] = {k: {"naive": v[0], "drift": v[1]} for k, v in refs.items()}
    A = {"single": {}}
    for j in range(0, 21, 2):
        s = scores(P, Q, np.eye(21)[j], dev, rows)
        A["single"][float(GRID21[j])] = s
        print(f"  phi={GRID21[j]:.1f}  cov {np.round(100*np.array(s['cov']),1)}  h6 {np.round(100*np.array(s['cov_h6']),1)}  "
              f"PIT {s['mean_pit']:.3f}  CRPS {s['crps']:.1f}")
    Adev = Q[dev].sum(0)
    w21 = qp(Adev)
    s = scores(P, Q, w21, dev, rows)
    A["opt_grid21"] = {"w": {float(p): round(float(x), 3) for p, x in zip(GRID21, w21) if x > 1e-3}, **s,
                       "criteria": meets(s, *refs["dev"])}
    idx5 = [int(np.argmin(np.abs(GRID21 - p))) for p in SUPPORT]
    w5 = qp(Adev[np.ix_(idx5, idx5)])
    w5full = np.zeros(21)
    w5full[idx5] = w5
    s = scores(P, Q, w5full, dev, rows)
    A["opt_support5"] = {"w": {float(p): round(float(x), 3) for p, x in zip(SUPPORT, w5)}, **s, "criteria": meets(s, *refs["dev"])}
    bb = minimize(lambda t: (lambda w: w @ Adev @ w)(beta_weights(np.exp(t[0]), np.exp(t[1]), GRID21)),
                  np.log([2.0, 1.3]), method="Nelder-Mead")
    ab = np.exp(bb.x)
    s = scores(P, Q, beta_weights(*ab, GRID21), dev, rows)
    A["opt_beta"] = {"a": float(ab[0]), "b": float(ab[1]), **s, "criteria": meets(s, *refs["dev"])}
    for k in ("opt_grid21", "opt_support5", "opt_beta"):
        r = A[k]
        print(f"  {k}: {r.get('w', (r.get('a'), r.get('b')))}  cov {np.round(100*np.array(r['cov']),1)}  "
              f"h6 {np.round(100*np.array(r['cov_h6']),1)}  PIT {r['mean_pit']:.3f}  CRPS {r['crps']:.1f}  "
              f"skill naive {100*(1-r['crps']/refs['dev'][0]):.2f}%  drift {100*(1-r['crps']/refs['dev'][1]):.2f}%  {r['criteria']}")
    # feasibility scan
    rng = np.random.default_rng(2024)
    W = []
    for i in range(21):
        for j in range(i + 1, 21):
            for t in np.arange(0.05, 1.0, 0.05):
                w = np.zeros(21)
                w[i], w[j] = t, 1 - t
                W.append(w)
    W += list(np.eye(21))
    n_rand = 5000 if a.quick else 20000
    for conc in (0.05, 0.2, 1.0):
        W += list(rng.dirichlet(np.full(21, conc), n_rand // 3))
    W = np.array(W).T  # (21, n)
    Pd, P6 = P[dev], P[dev & (rows.h == 6)]
    best_v, best_w = np.inf, None
    for b in range(0, W.shape[1], 2000):
        Wb = W[:, b:b + 2000]
        pit = Pd @ Wb
        cov = np.stack([np.mean(np.abs(pit - 0.5) <= c / 2, axis=0) for c in NOMINAL])
        p6 = P6 @ Wb
        cov6 = np.stack([np.mean(np.abs(p6 - 0.5) <= c / 2, axis=0) for c in NOMINAL])
        v = violation(cov, cov6, pit.mean(0))
        k = int(np.argmin(v))
        if v[k] < best_v:
            best_v, best_w = float(v[k]), Wb[:, k]
    s = scores(P, Q, best_w, dev, rows)
    A["feasibility"] = {"priors_scanned": int(W.shape[1]), "smallest_violation": best_v,
                        "w": {float(p): round(float(x), 3) for p, x in zip(GRID21, best_w) if x > 1e-3}, **s}
    print(f"  feasibility: {W.shape[1]} priors; smallest calibration violation {best_v:.2f} (<= 1 would meet the coverage+PIT "
          f"criteria) at {A['feasibility']['w']}: cov {np.round(100*np.array(s['cov']),1)} h6 {np.round(100*np.array(s['cov_h6']),1)} PIT {s['mean_pit']:.3f}")
    out["A"] = A
    del P, Q

    # ---------------------------------------------------------------- B (+ C: per-corpus selection from the same runs)
    print("== B: phi prior on {0, .5, .8, .9, 1} + nu cap + scale", flush=True)
    B = []
    for cap in CAPS:
        for lam in LAMBDAS:
            model = {}
            if cap:
                model["dof_cap"] = cap
            if lam != 1.0:
                model["scale"] = lam
            P, Q = pq_matrices(rows, SUPPORT, model, sel=dev)
            rec = {"dof_cap": cap, "scale": lam}
            for k, m in masks.items():
                Am, Pm = Q[m].sum(0), P[m].mean(0)
                w = qp(Am, Pm, PIT_BAND)
                if w is None:
                    w = qp(Am)
                sup, wr = round_w(w, SUPPORT)
                wfull = np.array([wr[list(sup).index(p)] if p in sup else 0.0 for p in SUPPORT])
                s = scores(P, Q, wfull, m, rows)
                rec[k] = {"w": dict(zip(map(float, sup), map(float, wr))), **s,
                          "skill_naive": 1 - s["crps"] / refs[k][0], "skill_drift": 1 - s["crps"] / refs[k][1],
                          "criteria": meets(s, *refs[k])}
            B.append(rec)
            d = rec["dev"]
            print(f"  cap {cap or '-':>2} lambda {lam:.2f}: w {d['w']}  cov {np.round(100*np.array(d['cov']),1)}  "
                  f"h6 {np.round(100*np.array(d['cov_h6']),1)}  PIT {d['mean_pit']:.3f}  CRPS {d['crps']:.1f}  "
                  f"{'ALL MET' if d['criteria']['all'] else ''}", flush=True)
    out["B"] = B

    def pick(k):
        ok = [r for r in B if r[k]["criteria"]["all"]]
        if not ok:
            return None
        return min(ok, key=lambda r: r[k]["crps"])

    chosen = pick("dev")
    out["chosen"] = chosen
    if chosen is None:
        print("no (cap, lambda) meets all criteria on dev")
        a.out.write_text(json.dumps(out, indent=1))
        return
    fc = {"prior": [(p, w) for p, w in chosen["dev"]["w"].items()], "scale": chosen["scale"], "dof_cap": chosen["dof_cap"]}
    print(f"  CHOSEN: {ev.fmt_fc(fc)}  dev CRPS {chosen['dev']['crps']:.1f}", flush=True)

    # ---------------------------------------------------------------- C
    print("== C: stability", flush=True)
    C = {"selected_on": {}}
    for k in ("M1", "Tourism"):
        r = pick(k)
        C["selected_on"][k] = None if r is None else {"dof_cap": r["dof_cap"], "scale": r["scale"], **r[k]}
        best_free = min(B, key=lambda r: r[k]["crps"])
        C["selected_on"][k + "_crps_only"] = {"dof_cap": best_free["dof_cap"], "scale": best_free["scale"], **best_free[k]}
        print(f"  selected on {k} alone: " + ("none meets all criteria" if r is None else
              f"cap {r['dof_cap']} lambda {r['scale']} w {r[k]['w']} cov {np.round(100*np.array(r[k]['cov']),1)} PIT {r[k]['mean_pit']:.3f}"))
        print(f"  CRPS-only optimum on {k}: cap {best_free['dof_cap']} lambda {best_free['scale']} w {best_free[k]['w']} "
              f"cov {np.round(100*np.array(best_free[k]['cov']),1)} PIT {best_free[k]['mean_pit']:.3f}")
    # chosen model's weights re-optimised per corpus, and the chosen model on each corpus
    model = ev.model_of(fc)
    P, Q = pq_matrices(rows, SUPPORT, model, sel=dev)
    wch = np.array([dict(fc["prior"]).get(p, 0.0) for p in SUPPORT])
    C["chosen_per_corpus"] = {}
    for k, m in masks.items():
        s = scores(P, Q, wch, m, rows)
        w_own = qp(Q[m].sum(0))
        s_own = scores(P, Q, w_own, m, rows)
        C["chosen_per_corpus"][k] = {**s, "skill_naive": 1 - s["crps"] / refs[k][0], "skill_drift": 1 - s["crps"] / refs[k][1],
                                     "criteria": meets(s, *refs[k]),
                                     "own_crps_optimal_w": {float(p): round(float(x), 3) for p, x in zip(SUPPORT, w_own) if x > 1e-3},
                                     "own_w_crps": s_own["crps"]}
        print(f"  chosen on {k}: cov {np.round(100*np.array(s['cov']),1)} h6 {np.round(100*np.array(s['cov_h6']),1)} "
              f"PIT {s['mean_pit']:.3f} skill naive {100*(1-s['crps']/refs[k][0]):.1f}% drift {100*(1-s['crps']/refs[k][1]):.1f}%; "
              f"{k}'s own CRPS-optimal weights {C['chosen_per_corpus'][k]['own_crps_optimal_w']}")
    # bootstrap over dev series
    nb = 100 if a.quick else 400
    ser = rows.series[dev]
    useries, inv = np.unique(ser, return_inverse=True)
    Qs = np.zeros((len(useries), len(SUPPORT), len(SUPPORT)))
    np.add.at(Qs, inv, Q[dev])
    Ps = np.zeros((len(useries), len(SUPPORT)))
    np.add.at(Ps, inv, P[dev])
    ns = np.bincount(inv)
    c0 = np.zeros(len(useries))
    c1 = np.zeros(len(useries))
    # reference CRPS per series (attain's t, phi = 0 / 1)
    P0, Q0 = pq_matrices(rows, np.array([0.0, 1.0]), {}, sel=dev)
    np.add.at(c0, inv, Q0[dev][:, 0, 0])
    np.add.at(c1, inv, Q0[dev][:, 1, 1])
    Wb, skn, skd = [], [], []
    for b in range(nb):
        k = rng.integers(0, len(useries), len(useries))
        Ab, Pb = Qs[k].sum(0), Ps[k].sum(0) / ns[k].sum()
        w = qp(Ab, Pb, PIT_BAND)
        w = qp(Ab) if w is None else w
        Wb.append(w)
        cch = wch @ Ab @ wch
        skn.append(1 - cch / c0[k].sum())
        skd.append(1 - cch / c1[k].sum())
    Wb = np.array(Wb)
    C["bootstrap"] = {"resamples": nb, "series": int(len(useries)),
                      "weights_pct": {float(p): np.percentile(Wb[:, j], [5, 50, 95]).round(3).tolist() for j, p in enumerate(SUPPORT)},
                      "mean_phi_pct": np.percentile(Wb @ SUPPORT, [5, 50, 95]).round(3).tolist(),
                      "skill_naive_pct": np.percentile(skn, [5, 50, 95]).round(4).tolist(),
                      "skill_drift_pct": np.percentile(skd, [5, 50, 95]).round(4).tolist()}
    print(f"  bootstrap ({nb} resamples of {len(useries)} dev series): weights 5/50/95%: {C['bootstrap']['weights_pct']}; "
          f"skill of the chosen model vs naive {C['bootstrap']['skill_naive_pct']}, vs drift {C['bootstrap']['skill_drift_pct']}")
    out["C"] = C
    del P, Q

    # ---------------------------------------------------------------- D
    print("== D: alternatives (documented, not chosen)", flush=True)
    D = {}
    base_knobs = {k: v for k, v in model.items()}
    P, Q = pq_matrices(rows, GRID21, base_knobs, sel=dev)
    Adev = Q[dev].sum(0)
    bb = minimize(lambda t: (lambda w: w @ Adev @ w)(beta_weights(np.exp(t[0]), np.exp(t[1]), GRID21)),
                  np.log([2.0, 1.3]), method="Nelder-Mead")
    ab = np.exp(bb.x)
    s = scores(P, Q, beta_weights(*ab, GRID21), dev, rows)
    D["beta_prior_chosen_knobs"] = {"a": float(ab[0]), "b": float(ab[1]), **s, "criteria": meets(s, *refs["dev"])}
    w21 = qp(Adev, P[dev].mean(0), PIT_BAND)
    s = scores(P, Q, w21, dev, rows)
    D["grid21_prior_chosen_knobs"] = {"w": {float(p): round(float(x), 3) for p, x in zip(GRID21, w21) if x > 1e-3}, **s,
                                      "criteria": meets(s, *refs["dev"])}
    del P, Q
    for name, mdl in [("window11", {"window": 11}), ("window11_chosen_knobs", {"window": 11, **base_knobs}),
                      ("var_last10_chosen_knobs", {"var_k": 10, **base_knobs}),
                      ("dof_half_scale0.8", {"dof_mult": 0.5, "scale": 0.8})]:
        P, Q = pq_matrices(rows, SUPPORT, mdl, sel=dev)
        w = qp(Q[dev].sum(0), P[dev].mean(0), PIT_BAND)
        w = qp(Q[dev].sum(0)) if w is None else w
        s = scores(P, Q, w, dev, rows)
        D[name] = {"model": mdl, "w": {float(p): round(float(x), 3) for p, x in zip(SUPPORT, w) if x > 1e-3}, **s,
                   "skill_naive": 1 - s["crps"] / refs["dev"][0], "skill_drift": 1 - s["crps"] / refs["dev"][1],
                   "criteria": meets(s, *refs["dev"])}
        del P, Q
    for k, r in D.items():
        print(f"  {k}: {r.get('w', (r.get('a'), r.get('b')))} cov {np.round(100*np.array(r['cov']),1)} "
              f"h6 {np.round(100*np.array(r['cov_h6']),1)} PIT {r['mean_pit']:.3f} CRPS {r['crps']:.1f} {r['criteria']}")
    out["D"] = D

    # ---------------------------------------------------------------- E
    print("== E: tables of the chosen model (M3 = holdout, first use)", flush=True)
    res = ev.tables(rows, fc, as_dict=True)
    out["E"] = {"forecaster": fc, "tables": res, "criteria_dev": ev.criteria(res),
                "criteria_M3": ev.criteria(res, "M3 (holdout)")}
    print("criteria on dev:", out["E"]["criteria_dev"])
    print("criteria on M3 :", out["E"]["criteria_M3"])
    out["seconds"] = time.time() - t0
    a.out.write_text(json.dumps(out, indent=1, default=float))
    print(f"wrote {a.out} ({out['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
