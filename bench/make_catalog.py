#!/usr/bin/env python3
"""Write a large catalog for the scaling runs of bench/run.sh.

    python3 bench/make_catalog.py --data data --indicators 1000 --out big1000

Replicates the shipped indicators (in catalog order, cycling) until there are
`--indicators` of them: replica r of indicator `x` is `x__r{r}` with the same
group, transform, bounds, decimals and history rows, and a copy of each of its
targets under the id `{target}__r{r}`; an indicator that borrows an analog
borrows the analog's replica `{analog}__r{r}` (or none, when the last, partial
replica lacks it). Writes `OUT/data/{indicators,targets,history}.csv`, a copy
of `model.toml` (the persistence prior) and two scenarios in `OUT/scenarios/`:

- `baseline.toml`: the fitted trends, with the shipped yearly hazard 0.15 for
  every milestone (`group:governance`);
- `push.toml`: extends baseline and adds 0.01 a year to the drift of every
  indicator (`select = "*"`; it applies to the level/log/logit ones).

Standard library only: the files are plain CSV and TOML.
"""

import argparse
import csv
import pathlib
import shutil


def read(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
        return rows, list(rows[0].keys()) if rows else []


def write(path, rows, fields):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data", help="the catalog to replicate")
    ap.add_argument("--indicators", type=int, required=True)
    ap.add_argument("--out", required=True, help="folder to write data/ and scenarios/ into")
    args = ap.parse_args()

    src = pathlib.Path(args.data)
    indicators, ind_fields = read(src / "indicators.csv")
    targets, tgt_fields = read(src / "targets.csv")
    history, his_fields = read(src / "history.csv")

    out_ind, out_tgt, out_his = [], [], []
    for i in range(args.indicators):
        base = indicators[i % len(indicators)]
        r = i // len(indicators)
        new_id = f"{base['id']}__r{r}"
        row = {**base, "id": new_id}
        if base.get("analog"):
            position = next(k for k, x in enumerate(indicators) if x["id"] == base["analog"])
            if r * len(indicators) + position < args.indicators:
                row["analog"] = f"{base['analog']}__r{r}"
            else:
                row["analog"] = ""
                row["analog_weight"] = ""
        out_ind.append(row)
        out_his += [{**h, "indicator_id": new_id} for h in history if h["indicator_id"] == base["id"]]
        out_tgt += [
            {**t, "id": f"{t['id']}__r{r}", "indicator_id": new_id}
            for t in targets
            if t["indicator_id"] == base["id"]
        ]

    out = pathlib.Path(args.out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "scenarios").mkdir(parents=True, exist_ok=True)
    write(out / "data" / "indicators.csv", out_ind, ind_fields)
    write(out / "data" / "targets.csv", out_tgt, tgt_fields)
    write(out / "data" / "history.csv", out_his, his_fields)
    if (src / "model.toml").is_file():
        shutil.copy(src / "model.toml", out / "data" / "model.toml")

    milestone = any(row["transform"] == "milestone" for row in out_ind)
    baseline = 'name = "baseline"\ndescription = "Fitted trends (benchmark catalog)."\n'
    if milestone:
        baseline += '\n[[adjust]]\nselect = "group:governance"\nhazard = 0.15\n'
    (out / "scenarios" / "baseline.toml").write_text(baseline, encoding="utf-8")
    (out / "scenarios" / "push.toml").write_text(
        'name = "push"\ndescription = "Every trend 0.01 a year faster (benchmark catalog)."\n'
        'extends = "baseline"\n\n[[adjust]]\nselect = "*"\ndrift_add = 0.01\n',
        encoding="utf-8",
    )
    print(f"{out}: {len(out_ind)} indicators, {len(out_tgt)} targets, {len(out_his)} history rows")


if __name__ == "__main__":
    main()
