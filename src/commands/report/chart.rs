//! The charts, drawn with plotters into SVG strings.
//!
//! In: a [`FanView`] or the [`Scorecard`]s. Out: SVG text. Text in the SVG
//! names [`FONT_STACK`]; the page maps its first family to an embedded CJK
//! font, and a standalone SVG falls back to the reader's CJK fonts.
//!
//! A fan chart has one panel per scenario on a shared value axis: observed
//! figures as points (filled: official, secondary or the plan's own;
//! hollow grey: illustrative stand-ins), the 90 %, 80 % and 50 % bands
//! (p05–p95, p10–p90, p25–p75 of `fan.parquet`) and the median, and each
//! target as a dashed line ending in a marker at the target year.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::view::{FanView, Scorecard};
use crate::commands::words::{Lang, Say};
use crate::error::{Error, Result};

/// The font families charts name, the embedded one first.
pub const FONT_STACK: &str =
    "attain-cjk, Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";

/// Width of every chart, pixels.
pub const WIDTH: u32 = 1280;
const FAN_HEIGHT: u32 = 330;
const SCORECARD_HEIGHT: u32 = 300;
const LEGEND_HEIGHT: u32 = 54;

/// The colour of scenario `i` (baseline first).
pub fn scenario_colour(i: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(0x3B, 0x6F, 0xB6),
        RGBColor(0xD9, 0x80, 0x2E),
        RGBColor(0xC0, 0x39, 0x2B),
        RGBColor(0x2E, 0x8B, 0x57),
        RGBColor(0x7B, 0x5E, 0xA7),
        RGBColor(0x8C, 0x6D, 0x46),
        RGBColor(0xC7, 0x4F, 0x9A),
        RGBColor(0x5F, 0x8F, 0x8F),
    ];
    PALETTE[i % PALETTE.len()]
}

/// The CSS hex of scenario `i`'s colour.
pub fn scenario_hex(i: usize) -> String {
    let RGBColor(r, g, b) = scenario_colour(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const STAND_IN: RGBColor = RGBColor(0x8A, 0x8A, 0x8A);
const TARGET: RGBColor = RGBColor(0xB0, 0x1E, 0x5A);

fn drawing<E: std::fmt::Display>(e: E) -> Error {
    Error::Other(format!("drawing a chart: {e}"))
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT_STACK, size).into_font().color(&INK)
}

fn left(size: u32) -> TextStyle<'static> {
    font(size).pos(Pos::new(HPos::Left, VPos::Center))
}

/// Value-axis range covering the data and the targets, padded.
fn value_range(fan: &FanView) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut take = |v: f64| {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    fan.observed.iter().for_each(|o| take(o.value));
    for b in &fan.bands {
        for (_, q) in &b.points {
            take(q[0]);
            take(q[6]);
        }
    }
    fan.targets.iter().for_each(|t| take(t.value));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { (hi - lo) * 0.06 } else { 1.0 };
    (lo - pad, hi + pad)
}

/// Labels on the value axis at most.
const Y_LABELS: usize = 6;

/// Tick labels with as many decimals as the range needs, at most `most`
/// unless more are needed for the labels to differ: the ticks are at least
/// `span / Y_LABELS` apart, so `ceil(−log10(span / Y_LABELS))` decimals tell
/// them apart.
fn tick(v: f64, span: f64, most: i32) -> String {
    let wanted = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    }
    .min(most.max(0) as usize);
    let step = span / Y_LABELS as f64;
    let distinct = if step > 0.0 && step.is_finite() {
        (-step.log10()).ceil().clamp(0.0, 12.0) as usize
    } else {
        0
    };
    let decimals = wanted.max(distinct);
    format!("{v:.decimals$}")
}

/// The fan chart of one indicator.
pub fn fan_svg(fan: &FanView, scenarios: &[String], lang: Lang) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, FAN_HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let (top, body) = root.split_vertically(LEGEND_HEIGHT);
        fan_legend(&top, fan, lang)?;
        let (y0, y1) = value_range(fan);
        let first_year = fan
            .observed
            .first()
            .map(|o| o.year)
            .into_iter()
            .chain(
                fan.bands
                    .iter()
                    .filter_map(|b| b.points.first().map(|p| p.0)),
            )
            .min()
            .unwrap_or(2020);
        let last_year = fan
            .bands
            .iter()
            .filter_map(|b| b.points.last().map(|p| p.0))
            .chain(fan.targets.iter().map(|t| t.year))
            .chain(fan.observed.last().map(|o| o.year))
            .max()
            .unwrap_or(first_year + 1);
        let x = (f64::from(first_year) - 0.5)..(f64::from(last_year) + 0.5);
        let panels = body.split_evenly((1, fan.bands.len().max(1)));
        for (i, (panel, bands)) in panels.iter().zip(&fan.bands).enumerate() {
            let colour = scenario_colour(
                scenarios
                    .iter()
                    .position(|s| s == &bands.scenario)
                    .unwrap_or(i),
            );
            let mut chart = ChartBuilder::on(panel)
                .caption(&bands.scenario, font(18).color(&colour))
                .margin_left(6)
                .margin_right(10)
                .margin_bottom(4)
                .x_label_area_size(24)
                .y_label_area_size(if i == 0 { 54 } else { 40 })
                .build_cartesian_2d(x.clone(), y0..y1)
                .map_err(drawing)?;
            let span = y1 - y0;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .bold_line_style(INK.mix(0.07))
                .axis_style(INK.mix(0.5))
                .x_labels(5)
                .y_labels(Y_LABELS)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| tick(*v, span, fan.decimals))
                .label_style(font(14))
                .draw()
                .map_err(drawing)?;
            let pts = &bands.points;
            if pts.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        lang.say(Say::ChartNoProjection),
                        ((x.start + x.end) / 2.0, (y0 + y1) / 2.0),
                        font(15).pos(Pos::new(HPos::Center, VPos::Center)),
                    )))
                    .map_err(drawing)?;
            }
            for (lo, hi, alpha) in [(0, 6, 0.16), (1, 5, 0.20), (2, 4, 0.28)] {
                if pts.len() < 2 {
                    break;
                }
                let outline: Vec<(f64, f64)> = pts
                    .iter()
                    .map(|(y, q)| (f64::from(*y), q[hi]))
                    .chain(pts.iter().rev().map(|(y, q)| (f64::from(*y), q[lo])))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        colour.mix(alpha).filled(),
                    )))
                    .map_err(drawing)?;
            }
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|(y, q)| (f64::from(*y), q[3])),
                    colour.stroke_width(2),
                ))
                .map_err(drawing)?;
            chart
                .draw_series(LineSeries::new(
                    fan.observed.iter().map(|o| (f64::from(o.year), o.value)),
                    INK.mix(0.35).stroke_width(1),
                ))
                .map_err(drawing)?;
            chart
                .draw_series(fan.observed.iter().map(|o| {
                    let at = (f64::from(o.year), o.value);
                    if o.published() {
                        Circle::new(at, 3, INK.filled())
                    } else {
                        Circle::new(at, 3, STAND_IN.stroke_width(1))
                    }
                }))
                .map_err(drawing)?;
            for t in &fan.targets {
                let line = vec![
                    (f64::from(t.from_year), t.value),
                    (f64::from(t.year), t.value),
                ];
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        line,
                        6,
                        4,
                        TARGET.stroke_width(2),
                    )))
                    .map_err(drawing)?;
                chart
                    .draw_series(std::iter::once(TriangleMarker::new(
                        (f64::from(t.year), t.value),
                        7,
                        TARGET.filled(),
                    )))
                    .map_err(drawing)?;
            }
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

/// The legend strip above a fan chart: title, bands, points, targets.
fn fan_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, fan: &FanView, lang: Lang) -> Result<()> {
    let unit = if fan.unit.is_empty() {
        String::new()
    } else {
        format!("  ({})", fan.unit)
    };
    let title = format!("{}  {}{unit}", fan.name_zh, fan.name_en);
    area.draw(&Text::new(title, (8, 12), left(18)))
        .map_err(drawing)?;
    let y = 38;
    let mut x = 8;
    let grey = RGBColor(0x60, 0x60, 0x60);
    for (label, alpha) in [("90 %", 0.16), ("80 %", 0.36), ("50 %", 0.64)] {
        area.draw(&Rectangle::new(
            [(x, y - 6), (x + 18, y + 6)],
            grey.mix(alpha).filled(),
        ))
        .map_err(drawing)?;
        area.draw(&Text::new(label, (x + 22, y), left(15)))
            .map_err(drawing)?;
        x += 72;
    }
    area.draw(&PathElement::new(
        vec![(x, y), (x + 20, y)],
        grey.stroke_width(2),
    ))
    .map_err(drawing)?;
    area.draw(&Text::new(
        lang.say(Say::ChartMedian),
        (x + 26, y),
        left(15),
    ))
    .map_err(drawing)?;
    x += 96;
    area.draw(&Circle::new((x + 4, y), 3, INK.filled()))
        .map_err(drawing)?;
    area.draw(&Text::new(
        lang.say(Say::ChartObserved),
        (x + 12, y),
        left(15),
    ))
    .map_err(drawing)?;
    x += 96;
    if fan.illustrative {
        area.draw(&Circle::new((x + 4, y), 3, STAND_IN.stroke_width(1)))
            .map_err(drawing)?;
        area.draw(&Text::new(
            lang.say(Say::ChartIllustrative),
            (x + 12, y),
            left(15).color(&STAND_IN),
        ))
        .map_err(drawing)?;
        x += 260;
    }
    for t in &fan.targets {
        area.draw(&PathElement::new(
            vec![(x, y), (x + 20, y)],
            TARGET.stroke_width(2),
        ))
        .map_err(drawing)?;
        area.draw(&TriangleMarker::new((x + 20, y), 6, TARGET.filled()))
            .map_err(drawing)?;
        area.draw(&Text::new(
            t.label.clone(),
            (x + 28, y),
            left(15).color(&TARGET),
        ))
        .map_err(drawing)?;
        x += 44 + 8 * t.label.chars().count() as i32;
    }
    Ok(())
}

/// The distribution of the number of targets met, one panel per scenario.
pub fn scorecard_svg(cards: &[Scorecard], scenarios: &[String], lang: Lang) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, SCORECARD_HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing)?;
        let n = cards.iter().map(|c| c.targets).max().unwrap_or(1).max(1);
        let top = cards
            .iter()
            .flat_map(|c| c.p_exactly.iter().copied())
            .fold(0.0_f64, f64::max)
            .max(0.05)
            * 1.12;
        let panels = root.split_evenly((1, cards.len().max(1)));
        for (i, (panel, card)) in panels.iter().zip(cards).enumerate() {
            let colour = scenario_colour(
                scenarios
                    .iter()
                    .position(|s| s == &card.scenario)
                    .unwrap_or(i),
            );
            let mut chart = ChartBuilder::on(panel)
                .caption(&card.scenario, font(18).color(&colour))
                .margin(8)
                .x_label_area_size(34)
                .y_label_area_size(if i == 0 { 46 } else { 36 })
                .build_cartesian_2d(-0.5..(f64::from(n) + 0.5), 0.0..top)
                .map_err(drawing)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .disable_x_mesh()
                .bold_line_style(INK.mix(0.07))
                .axis_style(INK.mix(0.5))
                .x_labels(6)
                .y_labels(5)
                .x_desc(lang.say(Say::ChartTargetsMet))
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| format!("{v:.2}"))
                .label_style(font(14))
                .axis_desc_style(font(15))
                .draw()
                .map_err(drawing)?;
            chart
                .draw_series(card.p_exactly.iter().enumerate().map(|(k, p)| {
                    let k = k as f64;
                    Rectangle::new([(k - 0.38, 0.0), (k + 0.38, *p)], colour.mix(0.8).filled())
                }))
                .map_err(drawing)?;
            let mean = card.mean();
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(mean, 0.0), (mean, top * 0.9)],
                    5,
                    3,
                    INK.stroke_width(1),
                )))
                .map_err(drawing)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    lang.fill(Say::ChartMean, &[&format!("{mean:.1}"), &card.targets]),
                    (mean, top * 0.95),
                    font(15).pos(Pos::new(HPos::Center, VPos::Center)),
                )))
                .map_err(drawing)?;
        }
        root.present().map_err(drawing)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::tick;

    #[test]
    fn tick_labels_differ_even_on_a_narrow_range_of_a_one_decimal_figure() {
        for (lo, hi) in [
            (99.9, 100.06),
            (99.94, 100.0),
            (3.1, 3.25),
            (0.0, 1.0),
            (10.0, 60.0),
        ] {
            let span: f64 = hi - lo;
            // the finest steps the axis may use: 1, 2 or 5 × 10^k, at least span / 6 apart
            let mut step = 10f64.powf((span / 6.0).log10().floor());
            while step * 6.0 < span {
                step *= 2.0;
            }
            let labels: Vec<String> = (0..=((span / step) as usize))
                .map(|i| tick(lo + i as f64 * step, span, 1))
                .collect();
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels, "span {span}");
        }
    }
}
