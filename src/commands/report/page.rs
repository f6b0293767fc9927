//! The HTML page.
//!
//! In: the [`ReportView`] and the charts as SVG text. Out: one
//! self-contained HTML document: inline CSS, the SVGs inline, an embedded
//! subset of Noto Sans CJK SC (`assets/report/`, SIL Open Font License; made
//! by `scripts/make_report_font.py` from the characters of the catalog and of
//! this page) so Chinese renders with no font installed, no script and no
//! network. Characters outside the subset fall back to the reader's CJK fonts.

use std::fmt::Write as _;

use base64::Engine as _;

use super::chart::{scenario_hex, FONT_STACK};
use super::view::{Cell, ReportView};
use crate::commands::words::{number, Basis};
use crate::input::catalog::Provenance;
use crate::model::Named;
use crate::plan::Status;

/// The embedded font (WOFF2).
const FONT: &[u8] = include_bytes!("../../../assets/report/cjk-subset.woff2");

/// The licence of the embedded font, written beside the page.
pub const FONT_LICENCE: &str = include_str!("../../../assets/report/OFL.txt");

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The heat-map colour of a probability: red (0) through pale yellow (0.5)
/// to blue (1), the ColorBrewer RdYlBu scale, readable by most colour-blind
/// readers.
pub fn heat_colour(p: f64) -> (u8, u8, u8) {
    const STOPS: [(f64, (f64, f64, f64)); 7] = [
        (0.0, (165.0, 0.0, 38.0)),
        (0.1, (215.0, 48.0, 39.0)),
        (0.33, (253.0, 174.0, 97.0)),
        (0.5, (255.0, 255.0, 191.0)),
        (0.66, (171.0, 217.0, 233.0)),
        (0.9, (69.0, 117.0, 180.0)),
        (1.0, (49.0, 54.0, 149.0)),
    ];
    let p = p.clamp(0.0, 1.0);
    let i = STOPS
        .windows(2)
        .position(|w| p <= w[1].0)
        .unwrap_or(STOPS.len() - 2);
    let ((a, ca), (b, cb)) = (STOPS[i], STOPS[i + 1]);
    let t = if b > a { (p - a) / (b - a) } else { 0.0 };
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    (mix(ca.0, cb.0), mix(ca.1, cb.1), mix(ca.2, cb.2))
}

/// White or dark text, whichever reads on `rgb`.
fn text_on(rgb: (u8, u8, u8)) -> &'static str {
    let luminance =
        0.2126 * f64::from(rgb.0) + 0.7152 * f64::from(rgb.1) + 0.0722 * f64::from(rgb.2);
    if luminance < 128.0 {
        "#fff"
    } else {
        "#222"
    }
}

const STYLE: &str = r#"
body { font-family: FONTS; color: #222; margin: 24px auto; max-width: 1320px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.en { color: #555; }
.small { font-size: 12px; }
.run { font-size: 14px; color: #333; }
.warn { background: #fff4e0; border-left: 4px solid #d9802e; padding: 8px 12px; margin: 12px 0; font-size: 14px; }
table { border-collapse: collapse; }
table.heat th, table.heat td { border: 1px solid #fff; padding: 3px 6px; }
table.heat th.scenario { font-size: 14px; min-width: 150px; text-align: center; }
table.heat td.target { background: #f6f6f6; font-size: 14px; max-width: 560px; }
table.heat tr.basis th { text-align: left; background: #e8eef6; font-size: 14px; padding: 6px 8px; }
table.heat td.target .id { color: #777; font-size: 11px; font-family: monospace; }
table.heat td.p { text-align: center; font-size: 13px; }
table.heat td.p b { font-size: 17px; display: block; }
table.plain th, table.plain td { border-bottom: 1px solid #ddd; padding: 3px 10px; font-size: 14px; text-align: right; }
table.plain th:first-child, table.plain td:first-child { text-align: left; }
.dagger { color: #b01e5a; font-weight: bold; }
.legend { display: inline-block; width: 320px; height: 14px; vertical-align: middle; background: linear-gradient(to right, GRADIENT); border: 1px solid #ccc; }
figure { margin: 18px 0 6px; }
figcaption { font-size: 13px; color: #555; }
svg { max-width: 100%; height: auto; display: block; }
table.tornado td { padding: 4px 8px; vertical-align: middle; }
table.tornado .id { color: #777; font-size: 11px; font-family: monospace; }
table.tornado td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.tornado td.bar { width: 40%; min-width: 200px; }
table.tornado .track { position: relative; height: 14px; background: #f0f0f0; border-radius: 2px; }
table.tornado .span { position: absolute; top: 0; height: 14px; background: #4575b4; opacity: 0.75; }
table.tornado .mark { position: absolute; top: -3px; width: 2px; height: 20px; background: #000; }
footer { margin-top: 32px; font-size: 12px; color: #666; }
"#;

/// The page.
pub fn render(
    view: &ReportView,
    fan_svgs: &[String],
    scorecard_svg: &str,
    copies: &[String],
) -> String {
    let gradient: Vec<String> = (0..=10)
        .map(|i| {
            let (r, g, b) = heat_colour(f64::from(i) / 10.0);
            format!("rgb({r},{g},{b})")
        })
        .collect();
    let style = STYLE
        .replace("FONTS", FONT_STACK)
        .replace("GRADIENT", &gradient.join(","));
    let font = base64::engine::general_purpose::STANDARD.encode(FONT);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"generator\" content=\"attain {version} report\">\n\
<title>目标达成概率报告 · Target attainment report</title>\n<style>\n\
/* Noto Sans CJK SC, subset: © 2014-2021 Adobe, SIL Open Font License 1.1 (fonts-OFL.txt) */\n\
@font-face {{ font-family: \"attain-cjk\"; src: url(data:font/woff2;base64,{font}) format(\"woff2\"); }}\n\
{style}</style>\n</head>\n<body>\n",
        version = escape(env!("CARGO_PKG_VERSION")),
    );
    header(&mut h, view);
    heat_map(&mut h, view);
    scorecard(&mut h, view, scorecard_svg);
    levers(&mut h, view);
    fans(&mut h, view, fan_svgs);
    let _ = write!(
        h,
        "<h2 id=\"tables\">表格 · Tables</h2>\n<p class=\"small\">Spreadsheet copies of the run's tables \
(CSV, UTF-8 with a byte-order mark, opens in Excel with Chinese intact): {}. Charts as SVG files in \
<code>charts/</code>.</p>\n",
        copies
            .iter()
            .map(|c| format!("<a href=\"tables/{0}\">{0}</a>", escape(c)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    h.push_str(
        "<footer>Made by <code>attain report</code> from the run's Parquet tables. \
Likelihood terms follow the calibrated scale of the IPCC guidance (virtually certain ≥ 0.99, \
very likely ≥ 0.90, likely ≥ 0.66, unlikely ≤ 0.33, very unlikely ≤ 0.10, exceptionally unlikely ≤ 0.01). \
Chinese text uses a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see fonts-OFL.txt).</footer>\n\
</body>\n</html>\n",
    );
    h
}

fn header(h: &mut String, view: &ReportView) {
    let m = &view.manifest;
    let _ = write!(
        h,
        "<header>\n<h1>目标达成概率报告 <span class=\"en\">· How likely is each target to be met?</span></h1>\n\
<p class=\"run\">Run of {started} · attain {version} · seed <b>{seed}</b> · <b>{draws}</b> draws{threads}{wall} · \
scenarios: {scenarios}</p>\n",
        started = escape(if m.started_utc.is_empty() {
            "(unknown time)"
        } else {
            &m.started_utc
        }),
        version = escape(&m.version),
        seed = m.seed,
        draws = grouped(m.draws),
        threads = if m.threads > 0 {
            format!(" · {} threads", m.threads)
        } else {
            String::new()
        },
        wall = if m.wall_seconds > 0.0 {
            format!(" · {:.1} s", m.wall_seconds)
        } else {
            String::new()
        },
        scenarios = view
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| format!("<b style=\"color:{}\">{}</b>", scenario_hex(i), escape(s)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    let total: usize = view.provenance_counts.iter().map(|(_, n)| n).sum();
    let illustrative = view
        .provenance_counts
        .iter()
        .find(|(p, _)| *p == Provenance::Illustrative)
        .map_or(0, |(_, n)| *n);
    let _ = writeln!(
        h,
        "<p class=\"run\">Data folder <code>{}</code>: {} targets, {} history rows — {}.</p>",
        escape(&view.data),
        view.targets.len(),
        total,
        view.provenance_counts
            .iter()
            .map(|(p, n)| format!("{n} {}", p.name()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let marked = view.targets.iter().filter(|t| t.illustrative).count();
    if illustrative > 0 {
        let _ = writeln!(
            h,
            "<div class=\"warn\"><b>Illustrative history 示意数据.</b> {illustrative} of {total} history rows are \
stand-ins to be replaced with official series. The {marked} targets marked <span class=\"dagger\">†</span> rest on them: \
their probabilities say what the stand-in implies, not what the published record implies. \
标 <span class=\"dagger\">†</span> 的目标依赖示意性历史数据（待以官方数据替换），其概率仅供说明。 \
On the fan charts, stand-ins are hollow grey points.</div>"
        );
    }
    for w in &view.warnings {
        let _ = writeln!(h, "<div class=\"warn\">{}</div>", escape(w));
    }
    h.push_str("</header>\n");
}

fn cell_html(cell: Option<&Cell>) -> String {
    let Some(cell) = cell else {
        return "<td class=\"p\" style=\"background:#eee\">—</td>".into();
    };
    let Some(p) = cell.p else {
        let why = if cell.status == Status::InsufficientHistory {
            "历史数据不足<br><span class=\"small\">insufficient history</span>"
        } else {
            "no probability"
        };
        return format!("<td class=\"p\" style=\"background:#e4e4e4\"><b>n/a</b>{why}</td>");
    };
    let term = cell
        .likelihood
        .unwrap_or_else(|| crate::tables::attainment::Likelihood::of(p));
    let (en, zh) = (term.name(), term.zh());
    let rgb = heat_colour(p);
    let mut title = format!("P = {p:.4}");
    if let Some((lo, hi)) = cell.interval {
        let _ = write!(title, ", 95 % interval {lo:.3}–{hi:.3}");
    }
    let assumed = match cell.status {
        Status::AssumptionOnly => " <span class=\"small\">(assumed 假设)</span>",
        Status::Borrowed => " <span class=\"small\">(borrowed 借用)</span>",
        Status::Ok | Status::InsufficientHistory => "",
    };
    format!(
        "<td class=\"p\" style=\"background:rgb({r},{g},{b});color:{ink}\" title=\"{title}\"><b>{p:.2}</b>{zh} · <span class=\"small\">{en}</span>{assumed}</td>",
        r = rgb.0,
        g = rgb.1,
        b = rgb.2,
        ink = text_on(rgb),
        title = escape(&title),
        zh = escape(zh),
        en = escape(en),
    )
}

fn heat_map(h: &mut String, view: &ReportView) {
    let _ = write!(
        h,
        "<h2 id=\"heatmap\">目标 × 情景 · P(target met) by scenario</h2>\n\
<p class=\"small\">Colour by probability: 0 <span class=\"legend\"></span> 1. Each cell: P(attain), \
its likelihood term (中文 · English); hover for the 95 % interval.</p>\n\
<table class=\"heat\">\n<tr><th>目标 · Target</th>"
    );
    for (i, s) in view.scenarios.iter().enumerate() {
        let _ = write!(
            h,
            "<th class=\"scenario\" style=\"color:{}\">{}</th>",
            scenario_hex(i),
            escape(s)
        );
    }
    h.push_str("</tr>\n");
    let mut group = None;
    for t in &view.targets {
        let heading = t.basis.heading();
        if group.as_ref() != Some(&heading) {
            let _ = writeln!(
                h,
                "<tr class=\"basis\"><th colspan=\"{}\">{}</th></tr>",
                view.scenarios.len() + 1,
                escape(&heading)
            );
            group = Some(heading);
        }
        let dagger = if t.illustrative {
            " <span class=\"dagger\" title=\"rests on illustrative history\">†</span>"
        } else {
            ""
        };
        let would = match &t.basis {
            Basis::NoData {
                published_in: Some(source),
            } => format!(
                "<br><span class=\"small\">would come from 数据来源: {}</span>",
                escape(source)
            ),
            _ => String::new(),
        };
        let _ = write!(
            h,
            "<tr id=\"target-{id}\"><td class=\"target\" title=\"{source}\">{zh}{dagger} <span class=\"en small\">{en}</span><br>\
<b>{condition}</b> <span class=\"id\">{id}</span>{would}</td>",
            id = escape(&t.id),
            source = escape(&t.source),
            zh = escape(&t.name_zh),
            en = escape(&t.name_en),
            condition = escape(&t.condition),
        );
        for c in &t.cells {
            h.push_str(&cell_html(c.as_ref()));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Tornado bars: per scenario with uncertain levers, how far each target's
/// probability moves between the two ends of each lever's range.
fn levers(h: &mut String, view: &ReportView) {
    if view.levers.is_empty() {
        return;
    }
    h.push_str(
        "<h2 id=\"levers\">哪个判断最关键 · Which judgement matters</h2>\n\
<p class=\"small\">For each scenario setting written as a range (an uncertain lever): P(target met) \
when the lever is in the lowest tenth of its range (left end of the bar) and in the highest tenth \
(right end), the probability over all draws (mark), and the share of the target's uncertainty the \
lever explains alone (first-order index; the rest is the data's own uncertainty). \
From <code>sensitivity.parquet</code>.</p>\n",
    );
    let mut scenario = None;
    for bar in &view.levers {
        if scenario != Some(bar.scenario) {
            if scenario.is_some() {
                h.push_str("</table>\n");
            }
            let _ = write!(
                h,
                "<h3 style=\"color:{}\">{}</h3>\n<table class=\"tornado\">\n<tr><th>目标 · Target</th>\
<th>判断 · Lever</th><th>P low → high</th><th class=\"bar\">0 — P(target met) — 1</th><th>解释份额 · Share</th></tr>\n",
                scenario_hex(bar.scenario),
                escape(&view.scenarios[bar.scenario])
            );
            scenario = Some(bar.scenario);
        }
        let (lo, hi) = (bar.p_low.min(bar.p_high), bar.p_low.max(bar.p_high));
        let share = bar
            .first_order
            .map_or_else(|| "—".to_string(), |s| format!("{:.0} %", 100.0 * s));
        let _ = writeln!(
            h,
            "<tr><td>{name} <span class=\"id\">{id}</span></td><td><code>{lever}</code><br>\
<span class=\"small\">{range}</span></td><td class=\"num\">{p_low:.2} → {p_high:.2}</td>\
<td class=\"bar\"><div class=\"track\"><div class=\"span\" style=\"left:{left:.1}%;width:{width:.1}%\"></div>\
<div class=\"mark\" style=\"left:{mark:.1}%\" title=\"P = {p:.3}\"></div></div></td><td class=\"num\">{share}</td></tr>",
            name = escape(&bar.target_name),
            id = escape(&bar.target_id),
            lever = escape(&bar.lever),
            range = escape(&bar.range),
            p_low = bar.p_low,
            p_high = bar.p_high,
            left = 100.0 * lo,
            width = (100.0 * (hi - lo)).max(0.5),
            mark = 100.0 * bar.p,
            p = bar.p,
        );
    }
    h.push_str("</table>\n");
}

fn scorecard(h: &mut String, view: &ReportView, svg: &str) {
    let _ = write!(
        h,
        "<h2 id=\"scorecard\">达标目标数 · How many targets are met together</h2>\n\
<p class=\"small\">Distribution of the number of targets met in the same draw (group <code>all</code> of \
<code>scorecard.parquet</code>; targets without a probability are not counted).</p>\n\
<figure class=\"scorecard\">{svg}</figure>\n\
<table class=\"plain\"><tr><th>scenario</th><th>targets counted</th><th>expected number met</th>\
<th>middle 50 %</th><th>P(all met)</th></tr>\n"
    );
    for (i, c) in view.scorecards.iter().enumerate() {
        let colour = view
            .scenarios
            .iter()
            .position(|s| s == &c.scenario)
            .unwrap_or(i);
        let _ = writeln!(
            h,
            "<tr><td style=\"color:{}\"><b>{}</b></td><td>{}</td><td>{:.1}</td><td>{}–{}</td><td>{}</td></tr>",
            scenario_hex(colour),
            escape(&c.scenario),
            c.targets,
            c.mean(),
            c.quantile(0.25),
            c.quantile(0.75),
            number(c.p_exactly.last().copied().unwrap_or(0.0)),
        );
    }
    h.push_str("</table>\n");
}

fn fans(h: &mut String, view: &ReportView, svgs: &[String]) {
    let _ = write!(
        h,
        "<h2 id=\"fans\">指标走势 · Fan charts</h2>\n<p class=\"small\">One chart per indicator with a \
level, increase, every-year or cumulative target: observed figures, then for each scenario the median \
and the 50 %, 80 % and 90 % bands of the projection (p25–p75, p10–p90, p05–p95 of \
<code>fan.parquet</code>); the target as a dashed line ending at the target year. A cumulative target is \
drawn as the yearly average it needs; an increase as the base-year value plus the increase.</p>\n"
    );
    for (fan, svg) in view.fans.iter().zip(svgs) {
        let note = if fan.illustrative {
            " <span class=\"dagger\">†</span> history includes illustrative stand-ins (hollow grey points)."
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<figure class=\"fan\" id=\"fan-{id}\">{svg}<figcaption>{zh} · {en} (<code>{id}</code>).{note}</figcaption></figure>",
            id = escape(&fan.indicator_id),
            zh = escape(&fan.name_zh),
            en = escape(&fan.name_en),
        );
    }
    let _ = fans_without_chart(h, view);
}

/// Names the targets that have no fan chart (milestones), so none is silently left out.
fn fans_without_chart(h: &mut String, view: &ReportView) -> std::fmt::Result {
    let charted: Vec<&str> = view.fans.iter().map(|f| f.indicator_id.as_str()).collect();
    let rest: Vec<String> = view
        .targets
        .iter()
        .filter(|t| !charted.contains(&t.indicator_id.as_str()))
        .map(|t| format!("{} (<code>{}</code>)", escape(&t.name_zh), escape(&t.id)))
        .collect();
    if !rest.is_empty() {
        writeln!(
            h,
            "<p class=\"small\">No fan chart (a milestone has no path to draw, and a target without enough history has no projection; both are in the heat map): {}.</p>",
            rest.join(", ")
        )?;
    }
    Ok(())
}

/// 1234567 as "1,234,567".
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_colour_runs_from_red_through_yellow_to_blue() {
        assert_eq!(heat_colour(0.0), (165, 0, 38));
        assert_eq!(heat_colour(0.5), (255, 255, 191));
        assert_eq!(heat_colour(1.0), (49, 54, 149));
        assert_eq!(heat_colour(-1.0), heat_colour(0.0));
        let (r, _, b) = heat_colour(0.95);
        assert!(b > r, "high probabilities are blue");
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn grouped_thousands() {
        assert_eq!(grouped(100000), "100,000");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
