#!/usr/bin/env python3
"""Markdown tables from results/eval_*.json (written by evaluate.py --json)."""
import json
from pathlib import Path

R = Path(__file__).resolve().parent / "results"
FC = [("before: walk with drift, phi = 1 (attain now)", "drift"), ("naive walk, phi = 0", "naive"),
      ("phi prior alone {0: .30, .8: .70}", "phi_only"), ("**after: chosen model**", "chosen")]
GROUPS = ["M1", "Tourism", "dev (M1+Tourism)", "M3 (holdout)", "all three"]


def pct(x):
    return f"{100*x:.1f}"


def main():
    ev = {k: json.load(open(R / f"eval_{k}.json")) for _, k in FC}
    for g in GROUPS:
        n = ev["chosen"]["groups"][g]["all"]["n"]
        print(f"\n**{g}** — {n} forecasts\n")
        print("| forecaster | cov 50/80/95 | h=1 cov 50/80/95 | h=3 | h=6 | mean PIT | below/above 95 | ΣCRPS | skill vs naive | vs drift | vs no-change |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for lab, k in FC:
            G = ev[k]["groups"][g]
            a = G["all"]
            c = lambda s: f"{pct(s['cov50'])} / {pct(s['cov80'])} / {pct(s['cov95'])}"  # noqa: E731
            print(f"| {lab} | {c(a)} | {c(G['h1'])} | {c(G['h3'])} | {c(G['h6'])} | {a['mean_pit']:.3f} | "
                  f"{pct(a['below95'])} / {pct(a['above95'])} | {a['crps']:.1f} | {pct(a['skill_naive'])} % | "
                  f"{pct(a['skill_drift'])} % | {pct(a['skill_nochange'])} % |")
    print("\n**Chosen model per horizon**\n")
    print("| group | h | forecasts | cov 50 | cov 80 | cov 95 | below/above 95 | mean PIT | ΣCRPS | skill vs naive | vs drift | vs no-change |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for g in GROUPS:
        for h in ["all", "h1", "h2", "h3", "h4", "h5", "h6"]:
            s = ev["chosen"]["groups"][g][h]
            print(f"| {g if h == 'all' else ''} | {h.lstrip('h')} | {s['n']} | {pct(s['cov50'])} | {pct(s['cov80'])} | "
                  f"{pct(s['cov95'])} | {pct(s['below95'])} / {pct(s['above95'])} | {s['mean_pit']:.3f} | {s['crps']:.1f} | "
                  f"{pct(s['skill_naive'])} % | {pct(s['skill_drift'])} % | {pct(s['skill_nochange'])} % |")


if __name__ == "__main__":
    main()
