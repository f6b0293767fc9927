#!/usr/bin/env python3
"""Regenerate the illustrative (stand-in) rows of data/history.csv.

What it does
------------
`data/history.csv` holds published figures (provenance `official`,
`secondary`), the plan's own baseline figures (`plan`) and stand-ins
(`illustrative`).  Several indicators of the 2030 targets have too few
published figures for the model (MODEL.md §2 needs >= 3 observations for a
random walk, §3 needs >= 2 for a count).  This script writes, for each such
indicator listed in `stand_ins()` below, a short yearly series that joins the
figure we do have (the anchor) and carries a documented drift and
volatility.  It

* reads `data/indicators.csv` (transform, bounds, decimals) and
  `data/history.csv`;
* drops every `illustrative` row and keeps every other row exactly as it is;
* makes the stand-ins again, with a fixed seed (`SEED`, keyed by indicator id),
  so that re-running it gives the same file byte for byte (idempotent);
* writes the file back sorted by indicator_id, then year.

Python 3 standard library only.  Run from anywhere:
`python3 scripts/make_illustrative.py [--data DIR]`.

When a stand-in is made
-----------------------
Only while the indicator's own (non-illustrative) rows are fewer than the
model needs: 3 for `level`/`log`/`logit`, 2 for `count`.  Once a planner has
added enough official rows, the stand-in is no longer generated (delete its
entry from `stand_ins()` as well, to say so in the code).  If a stand-in year
collides with a non-illustrative row, that stand-in is skipped with a message:
adjust its years here.

Method 1: random-walk bridge (transforms `level`, `log`, `logit`)
-----------------------------------------------------------------
Let `g` be the indicator's transform (identity, ln, or
ln((x - a)/(b - x)) with the catalog bounds), `A` the anchor year and
`G_A = g(anchor value)`.  The window is the run of consecutive years ending
at `A` (it starts at `lands_on` when the stand-in must meet an earlier
published figure).  For its m yearly increments:

1. draw e_1..e_m ~ N(0, 1) from `random.Random(f"{SEED}:{indicator_id}")`;
2. centre them and scale them to sample standard deviation 1
   (denominator m - 1);
3. increment_i = mu + sigma * e_i;
4. walk backwards from the anchor: G_{t-1} = G_t - increment_t;
5. back-transform, round half away from zero to the indicator's decimals,
   keep logit values at least one unit of the last decimal inside the bounds.

Steps 2-3 make the stand-in's own fitted drift and scale (MODEL.md §2:
mu_hat = (G_n - G_1)/K, s^2 = sum (z_i - mu_hat)^2 / (m - 1)) equal mu and
sigma exactly before rounding: the seed decides the wiggles, never the
parameters the model will fit.  When `lands_on` is set, mu is chosen so the
walk lands exactly on that published figure.

Method 2: Poisson additions conditioned on their total (transform `count`)
-------------------------------------------------------------------------
Between a start stock S_0 (year y_0) and an end stock S_A (year A), the
S_A - S_0 additions are placed one by one in a year drawn uniformly from
y_0 + 1 .. A (the multinomial split, which is the law of Poisson additions at
a constant rate given their total).  Stocks never fall.  The implied rate is
(S_A - S_0)/(A - y_0) per year, which is what the model's Gamma posterior is
centred on (MODEL.md §3).

Where drift, volatility and rates come from
-------------------------------------------
* `logit_vol`: pooled scale s of the logit increments of the two published
  shares in history.csv (air_good_days_share, water_iii_share), computed with
  the MODEL.md §2 formula (their own drifts, gaps weighted), currently
  about 0.215 per year.  Used for the pass-rate and satisfaction stand-ins,
  which sit in the same 80-100 range; not for brand_sales_share (58 %),
  where the same logit step would be a swing of 5 points a year.
* mfg_quality_index: drift and scale of the national 制造业质量竞争力指数
  (2019 84.78, 2021 84.91, 2023 85.21, 2024 85.6; see NATIONAL_MQI).
* labour_productivity: drift and scale of ln GDP on the NBS 5th-census basis
  2019-2024 (see GDP_REVISED), total employment being nearly flat
  (3930, 3921, 3924 万人 in 2022-2024).
* mfg_product_pass_rate: anchored at the national rate (2024 93.93) with the
  national logit drift 2022-2024 (93.29 -> 93.93; 93.29 = 93.65 - 0.36 from
  the 2023 report "较上年提高0.36个百分点").
* "On course" (neutral) stand-ins: where nothing about the level or the
  rate is published, the drift or rate is the one that makes the indicator
  reach its 2030 target exactly.  Their attainment probability is then near
  one half by construction and carries no information: they are
  placeholders, flagged as such in data/README.md.
Each entry of `stand_ins()` states its own choice in `why`.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = 20250126  # the plan's publication date; fixed so the file is reproducible
HEADER = ["indicator_id", "year", "value", "provenance", "source"]
MIN_OWN_ROWS = {"level": 3, "log": 3, "logit": 3, "count": 2}
SOURCE_PREFIX = "illustrative: scripts/make_illustrative.py"

# National 制造业质量竞争力指数 (secondary; /work/shared/reference/zhejiang_history_found.csv:
# 2019 bhmbl.cn re-post of 国新办发布会 2020-09-06 (year inferred there), 2021 re-published
# national article, 2023 中国质量报 2024-03-04, 2024 sz.scxxb.com.cn citing 市场监管总局).
NATIONAL_MQI = [(2019, 84.78), (2021, 84.91), (2023, 85.21), (2024, 85.6)]
# Zhejiang GDP, 亿元, NBS 分省年度数据 exports on the 5th-economic-census basis
# (secondary; zhejiang_panel_found.csv series gdp_nbs_revised_5th_census).
GDP_REVISED = [(2019, 64632.0), (2020, 67164.5), (2021, 76765.3), (2022, 80770.0),
               (2023, 85619.6), (2024, 90007.0)]
# National 制造业产品质量合格率 (secondary; 2023 93.65 "较上年提高0.36个百分点", 2024 93.93).
NATIONAL_MFG_PASS = [(2022, 93.65 - 0.36), (2024, 93.93)]


def transform_of(ind: dict):
    """Return (g, g_inverse) for an indicator row of indicators.csv."""
    kind = ind["transform"]
    if kind == "level":
        return (lambda x: x), (lambda g: g)
    if kind == "log":
        return math.log, math.exp
    if kind == "logit":
        a, b = float(ind["lower"]), float(ind["upper"])
        return ((lambda x: math.log((x - a) / (b - x))),
                (lambda g: a + (b - a) / (1.0 + math.exp(-g))))
    raise ValueError(f"no random-walk transform for {ind['id']}: {kind}")


def logit_pct(x: float) -> float:
    return math.log(x / (100.0 - x))


def fit_walk(points, g) -> tuple[float, float, int]:
    """MODEL.md §2 estimates on one series: (mu_hat, sum of squares, degrees of freedom)."""
    years = [y for y, _ in points]
    gs = [g(v) for _, v in points]
    mu = (gs[-1] - gs[0]) / (years[-1] - years[0])
    ss = sum(((gs[i + 1] - gs[i]) - (years[i + 1] - years[i]) * mu) ** 2 / (years[i + 1] - years[i])
             for i in range(len(years) - 1))
    return mu, ss, len(years) - 2


def round_half_away(x: float, decimals: int) -> Decimal:
    q = Decimal(1).scaleb(-decimals)
    d = Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP)  # ROUND_HALF_UP is away from zero
    return d


def published(history, indicator_id):
    return sorted((int(r["year"]), float(r["value"])) for r in history
                  if r["indicator_id"] == indicator_id and r["provenance"] != "illustrative")


def stand_ins(history) -> dict:
    """The stand-in specifications, with parameters derived from published series."""
    air, water = published(history, "air_good_days_share"), published(history, "water_iii_share")
    fits = [fit_walk(s, logit_pct) for s in (air, water) if len(s) >= 3]
    logit_vol = math.sqrt(sum(f[1] for f in fits) / sum(f[2] for f in fits))
    mqi_mu, mqi_ss, mqi_df = fit_walk(NATIONAL_MQI, lambda x: x)
    gdp_mu, gdp_ss, gdp_df = fit_walk(GDP_REVISED, math.log)
    mfg_mu = (logit_pct(NATIONAL_MFG_PASS[1][1]) - logit_pct(NATIONAL_MFG_PASS[0][1])) / (
        NATIONAL_MFG_PASS[1][0] - NATIONAL_MFG_PASS[0][0])
    # 服务质量满意度: straight logit course from the published 79 (2015) to the 91 target (2030).
    svc_mu = (logit_pct(91.0) - logit_pct(79.0)) / (2030 - 2015)
    svc_2023 = 100.0 / (1.0 + math.exp(-(logit_pct(79.0) + 8 * svc_mu)))
    vol_note = "volatility of the published air/water shares"

    def back_at(rate, end, end_year, start_year):
        """Stock at start_year if additions ran at `rate` a year up to `end` in end_year."""
        return end - round(rate * (end_year - start_year))

    return {
        "mfg_quality_index": dict(
            method="walk", years=range(2014, 2023), anchor_year=2023,
            mu=mqi_mu, sigma=math.sqrt(mqi_ss / mqi_df),
            note="level random walk back from the plan's 93.07 (2023); drift and volatility of the national index 2019-2024",
            why="Only the plan's 93.07 is published for Zhejiang; the national index is the same measure."),
        "labour_productivity": dict(
            method="walk", years=range(2015, 2023), anchor_year=2023,
            mu=gdp_mu, sigma=math.sqrt(gdp_ss / gdp_df),
            note="log random walk back from the derived 2023 value; drift and volatility of ln GDP 2019-2024 (NBS, 5th-census basis)",
            why="GDP and total employment share a basis only in 2023-2024; employment is nearly flat, so GDP growth stands in."),
        "zj_jingpin_new": dict(
            method="walk", years=range(2016, 2025), anchor_year=2024, anchor_value=100.0,
            mu=0.0, sigma=0.15,
            note="on-course placeholder: log random walk around the plan's 100 a year, drift 0, volatility 0.15 (assumed)",
            why="Nothing published; the plan's '100个左右' is the only number. Neutral by construction."),
        "export_brands": dict(
            method="walk", years=range(2016, 2024), anchor_year=2024,
            mu=math.log(1500 / 1050) / 6, sigma=0.05,
            note="on-course placeholder: log random walk back from the plan's 1050 (2024) at the growth that reaches 1500 in 2030, volatility 0.05 (assumed)",
            why="Only the plan's stock is published; the rate is unknown, so the neutral rate is used."),
        "brand_sales_share": dict(
            method="walk", years=range(2015, 2024), anchor_year=2023, anchor_value=58.0,
            mu=0.0, sigma=0.06,
            note="on-course placeholder: logit random walk at the 58% target, drift 0, volatility 0.06 (assumed, about 1.5 points a year)",
            why="Nothing published at all. Neutral by construction. The air/water volatility, measured at 80-97 %, "
                "would mean swings of 5 points a year at 58 %, implausible for an aggregate sales share."),
        "agri_pass_rate": dict(
            method="walk", years=range(2015, 2024), anchor_year=2023, anchor_value=98.0,
            mu=0.0, sigma=logit_vol,
            note=f"logit random walk anchored at the plan's floor '98%以上' taken as 98.0 (2023), drift 0, {vol_note}",
            why="The plan gives only a floor; taking the floor itself is the conservative reading."),
        "food_pass_rate": dict(
            method="walk", years=range(2015, 2023), anchor_year=2023,
            mu=0.0, sigma=logit_vol,
            note=f"logit random walk back from the plan's 99.1 (2023), drift 0 (near its ceiling), {vol_note}",
            why="Only the plan's 99.1 is published; pass rates near 99 % have no visible trend."),
        "mfg_product_pass_rate": dict(
            method="walk", years=range(2016, 2025), anchor_year=2024, anchor_value=NATIONAL_MFG_PASS[1][1],
            mu=mfg_mu, sigma=logit_vol,
            note=f"logit random walk back from the NATIONAL rate 93.93 (2024) with the national drift 2022-2024, {vol_note}",
            why="No Zhejiang figure; the national figure of the same measure stands in (the Yangtze delta is reported above it)."),
        "consumer_goods_pass_rate": dict(
            method="walk", years=range(2015, 2024), anchor_year=2023, anchor_value=95.0,
            mu=0.0, sigma=logit_vol,
            note=f"on-course placeholder: logit random walk at the 95% target, drift 0, {vol_note}",
            why="Nothing published at any level. Neutral by construction."),
        "construction_pass_rate": dict(
            method="walk", years=range(2012, 2020), anchor_year=2020,
            mu=0.0, sigma=logit_vol,
            note=f"logit random walk back from the published 100 (2020, read as 99.95), drift 0, {vol_note}; capped at 99.9",
            why="Only 2020 is published (100 %); the plan's '98%以上' is a floor and is not used."),
        "service_satisfaction": dict(
            method="walk", years=range(2016, 2024), anchor_year=2023, anchor_value=svc_2023,
            lands_on=2015, mu=svc_mu, sigma=logit_vol,
            note=f"on-course placeholder: logit bridge from the published 79 (2015) along the straight course to the 91 target (2030), {vol_note}",
            why="Only 2015 is published; the later course is unknown, so the neutral course is used."),
        "provincial_qi_centers": dict(
            method="count", years=range(2020, 2024), start_year=2020,
            start_value=back_at(10 / 5, 86, 2024, 2020), end_year=2024,
            note="on-course placeholder: additions at 2 a year (the rate of the '新建10家' target) back from the plan's 86 (2024)",
            why="Only the plan's stock is published; the rate is unknown, so the neutral rate is used."),
        "metrology_test_centers": dict(
            method="count", years=range(2022, 2024), start_year=2022,
            start_value=back_at((25 - 10) / (2030 - 2024), 10, 2024, 2022), end_year=2024,
            note="on-course placeholder: additions at 2.5 a year (10 -> 25 by 2030) back from the plan's 4 + 6 = 10 (2024)",
            why="Only the plan's stock is published. A longer window would need a stock below zero."),
        "advanced_measurement_labs": dict(
            method="count", years=range(2021, 2025), start_year=2021, start_value=0,
            end_year=2024, end_value=round(12 * (2024 - 2021) / (2030 - 2021)),
            note="on-course placeholder: 0 at the end of 2021, additions at 12/9 a year (0 -> 12 by 2030)",
            why="Nothing published; the category dates from the national 计量发展规划 (2021-2035)."),
        "public_metrology_standards": dict(
            method="count", years=range(2019, 2025), start_year=2018,
            end_year=2024, end_value=3308 + round((4050 - 3308) * (2024 - 2018) / (2030 - 2018)),
            note="on-course placeholder: additions at 61.8 a year from the published 3308 (2018) to the 4050 target (2030)",
            why="Only 2018 is published; the rate is unknown, so the neutral rate is used."),
        "national_quality_standard_labs": dict(
            method="count", years=range(2022, 2024), start_year=2022, start_value=0, end_year=2024,
            note="stock 0 in 2022-2023 (the plan's 0 at the end of 2024 implies it; scheme assumed open from 2022)",
            why="A stock cannot fall, so 0 in 2024 means 0 before; the start year sets the model's exposure."),
        "qi_one_stop_platforms": dict(
            method="count", years=range(2020, 2024), start_year=2020,
            start_value=back_at((220 - 178) / (2030 - 2024), 178, 2024, 2020), end_year=2024,
            note="on-course placeholder: additions at 7 a year (178 -> 220 by 2030) back from the published 178 (2024)",
            why="Only 2024 is published; the rate is unknown, so the neutral rate is used."),
    }


def walk_rows(spec, ind, own, rng):
    g, g_inv = transform_of(ind)
    decimals = int(ind["decimals"])
    anchor_year = spec["anchor_year"]
    if "anchor_value" in spec:
        anchor = spec["anchor_value"]
    else:
        anchor = own[anchor_year]
        if ind["transform"] == "logit":  # a published value on a bound is read as the program reads it
            half = 0.5 * 10.0 ** -decimals
            anchor = min(max(anchor, float(ind["lower"]) + half), float(ind["upper"]) - half)
    first = spec.get("lands_on", min(spec["years"]))
    m = anchor_year - first
    e = [rng.gauss(0.0, 1.0) for _ in range(m)]
    if m >= 2:
        mean = sum(e) / m
        sd = math.sqrt(sum((x - mean) ** 2 for x in e) / (m - 1))
        e = [(x - mean) / sd for x in e]
    inc = [spec["mu"] + spec["sigma"] * x for x in e]  # inc[i] spans first+i -> first+i+1
    walk = {anchor_year: g(anchor)}
    for year in range(anchor_year, first, -1):
        walk[year - 1] = walk[year] - inc[year - 1 - first]
    if "lands_on" in spec:
        assert abs(walk[first] - g(own[first])) < 1e-9, "bridge does not land on the published figure"
    out = {}
    for year in spec["years"]:
        v = g_inv(walk[year])
        if ind["transform"] == "logit":
            unit = 10.0 ** -decimals
            v = min(max(v, float(ind["lower"]) + unit), float(ind["upper"]) - unit)
        out[year] = round_half_away(v, decimals)
    return out


def count_rows(spec, own, rng):
    start = spec["start_value"] if "start_value" in spec else own[spec["start_year"]]
    end = spec["end_value"] if "end_value" in spec else own[spec["end_year"]]
    start, end = int(round(start)), int(round(end))
    if end < start:
        raise ValueError("a count stand-in cannot fall")
    span = list(range(spec["start_year"] + 1, spec["end_year"] + 1))
    adds = {y: 0 for y in span}
    for _ in range(end - start):
        adds[span[rng.randrange(len(span))]] += 1
    stock = {spec["start_year"]: start}
    for y in span:
        stock[y] = stock[y - 1] + adds[y]
    assert stock[spec["end_year"]] == end
    return {y: Decimal(stock[y]) for y in spec["years"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    hist_path, ind_path = args.data / "history.csv", args.data / "indicators.csv"

    with open(ind_path, encoding="utf-8", newline="") as f:
        indicators = {r["id"]: r for r in csv.DictReader(f)}
    with open(hist_path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != HEADER:
            sys.exit(f"{hist_path}: expected header {','.join(HEADER)}")
        kept = [r for r in reader if r["provenance"] != "illustrative"]

    new_rows = []
    for indicator_id, spec in stand_ins(kept).items():
        ind = indicators[indicator_id]
        own = {int(r["year"]): float(r["value"]) for r in kept if r["indicator_id"] == indicator_id}
        need = MIN_OWN_ROWS[ind["transform"]]
        if len(own) >= need:
            print(f"{indicator_id}: {len(own)} own rows (>= {need}), no stand-in made", file=sys.stderr)
            continue
        clash = sorted(set(spec["years"]) & set(own))
        if clash:
            print(f"{indicator_id}: stand-in years {clash} already hold non-illustrative rows; "
                  f"stand-in skipped, adjust its entry in stand_ins()", file=sys.stderr)
            continue
        rng = random.Random(f"{SEED}:{indicator_id}")
        if spec["method"] == "walk":
            values = walk_rows(spec, ind, own, rng)
        else:
            values = count_rows(spec, own, rng)
        for year, value in sorted(values.items()):
            new_rows.append({"indicator_id": indicator_id, "year": str(year), "value": str(value),
                             "provenance": "illustrative",
                             "source": f"{SOURCE_PREFIX} ({spec['note']})"})
        print(f"{indicator_id}: {len(values)} illustrative rows "
              f"{min(values)}-{max(values)}, last {values[max(values)]}", file=sys.stderr)

    rows = kept + new_rows
    rows.sort(key=lambda r: (r["indicator_id"], int(r["year"])))
    seen = set()
    for r in rows:
        key = (r["indicator_id"], r["year"])
        if key in seen:
            sys.exit(f"duplicate history row {key}")
        seen.add(key)
    tmp = hist_path.with_suffix(".csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(hist_path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
