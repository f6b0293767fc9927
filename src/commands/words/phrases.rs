//! Every sentence the commands print and the report page shows, in English
//! and in Chinese, side by side.
//!
//! In: a [`Say`] key and a [`Lang`](super::Lang). Out: the sentence, with its numbered
//! blanks `{0}`, `{1}`, … filled by [`Lang::fill`](super::Lang::fill) (numbered, because the two
//! languages put them in different orders). A new message gets a key here,
//! with both texts.

macro_rules! phrases {
    ($($(#[$meta:meta])* $key:ident => ($en:expr, $zh:expr),)+) => {
        /// A sentence people read, by what it says.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Say {
            $($(#[$meta])* #[doc = concat!("```text\n", $en, "\n```")] $key,)+
        }

        impl Say {
            /// Every key (for tests: each text has its blanks in both languages).
            pub const ALL: &'static [Say] = &[$(Say::$key),+];

            /// The English text.
            pub fn en(self) -> &'static str {
                match self { $(Say::$key => $en,)+ }
            }

            /// The Chinese text.
            pub fn zh(self) -> &'static str {
                match self { $(Say::$key => $zh,)+ }
            }
        }
    };
}

phrases! {
    // attain run
    RunHeading => (
        "P(target met){5}, {0} draws, seed {1}, {2} threads, {3} s (Monte Carlo SE ≤ {4})",
        "目标达成概率{5}：{0} 次模拟，种子 {1}，{2} 个线程，用时 {3} 秒（蒙特卡洛标准误 ≤ {4}）"),
    OnCourse => (" by {0} (on course)", "（截至 {0} 年是否在进度上）"),
    PrecisionNotMet => (
        "--precision {0} not met: the largest standard error is {1} after {2} draws (--max-draws); raise --max-draws or ask for less precision",
        "未达到 --precision {0}：{2} 次模拟（--max-draws）后最大标准误为 {1}；请提高 --max-draws 或放宽精度要求"),
    Target => ("target", "目标"),
    BaselineSays => ("baseline says", "基准情景判断"),
    NoPublicDataYet => ("no public data yet", "暂无公开数据"),
    AssumedTag => ("(assumed)", "（假设）"),
    BorrowedTag => ("(borrowed)", "（借用）"),
    BorrowedNote => (
        "‡ borrowed: fewer than 3 own figures, with the dynamics of an analog series: {0}",
        "‡ 借用：自身数据少于 3 个，借用相近序列的走势：{0}"),
    AssumptionNote => (
        "§ assumption: the probability comes from the scenarios (a hazard or an assumed rate), not from data: {0}",
        "§ 假设：概率来自情景设定（年度完成概率或假定的年增量），而非数据：{0}"),
    MissingNote => (
        "no public data yet for {0} targets; the figures would come from:",
        "{0} 个目标暂无公开数据；数据可来自："),
    NoPublicationKnown => ("(no publication known)", "（尚不知发布渠道）"),
    SwingsHeading => (
        "largest swings across uncertain levers (P with the lever in the lowest → highest tenth of its range):",
        "不确定政策杠杆的影响（杠杆取其范围最低 → 最高十分之一时的达成概率）："),
    Peak => ("peak", "峰值"),
    IllustrativeNote => (
        "† rests on illustrative history (stand-ins to replace with official series; see data/README.md)",
        "† 依赖示意性历史数据（待以官方数据替换，见 data/README.md）"),
    Warning => ("warning: {0}", "警告：{0}"),
    TablesWritten => (
        "tables written to {0}/ (attainment, fan, scorecard, required, sensitivity .parquet; run.json)",
        "表格已写入 {0}/（attainment、fan、scorecard、required、sensitivity .parquet；run.json）"),
    Done => ("done", "完成"),
    Yearly => ("yearly", "每年"),

    // attain check
    InputsValid => (
        "inputs are valid: {0} indicators, {1} targets, {2} scenarios",
        "输入有效：{0} 个指标，{1} 个目标，{2} 个情景"),
    IndicatorsByGroup => ("indicators by group and transform:", "指标（按组别和变换）："),
    TargetsByKind => ("targets by kind: {0}", "目标（按类型）：{0}"),
    HistoryRows => ("history rows: {0} ({1}), years {2}–{3}", "历史数据：{0} 行（{1}），年份 {2}–{3}"),
    OnIllustrative => ("indicators resting on illustrative rows: {0}", "依赖示意数据的指标：{0}"),
    Nothing => ("none", "无"),
    Scenarios => ("scenarios:", "情景："),
    NoScenarioFolder => (
        "scenarios: none checked (no `{0}`; the data folder was validated alone)",
        "情景：未检查（没有 `{0}`，只检查了数据文件夹）"),
    LeversNone => ("uncertain levers: none", "不确定杠杆：无"),
    Levers => ("uncertain levers:", "不确定杠杆："),
    UsedIn => ("in {0}", "用于 {0}"),
    WarningsNone => ("warnings: none", "警告：无"),

    // attain compare
    OldRun => ("old run: {0}", "上次运行：{0}"),
    NewRun => ("new run: {0}", "本次运行：{0}"),
    RunLine => ("{0} (seed {1}, {2} draws, attain {3})", "{0}（种子 {1}，{2} 次模拟，attain {3}）"),
    LargestChanges => ("largest changes in P(target met)", "达成概率变化最大的目标"),
    ScenarioTarget => ("scenario / target", "情景 / 目标"),
    Old => ("old", "旧"),
    New => ("new", "新"),
    Change => ("change", "变化"),
    FromData => ("data", "数据"),
    FromScenarios => ("scen.", "情景"),
    FromSettings => ("sett.", "设置"),
    OldIsNewer => (
        "OLD was made after NEW ({0} > {1}): are the two folders in the wrong order? (attain compare OLD NEW)",
        "OLD 晚于 NEW（{0} > {1}）：两个文件夹的顺序是否颠倒？（attain compare OLD NEW）"),
    SettingsDiffer => (
        "the runs' settings differ ({0}); what they moved is in `sett.` (from_settings), not in the scenarios' part",
        "两次运行的设置不同（{0}）；由此带来的变化计入 `设置`（from_settings），不计入情景部分"),
    ChangedCount => (
        "{0} of {1} probabilities changed, {2} by more than 2 standard errors",
        "{1} 个概率中有 {0} 个变化，其中 {2} 个超过 2 倍标准误"),
    NewDropped => (
        "{0} new and {1} dropped scenario-target pairs (see `note`)",
        "新增 {0} 个、删除 {1} 个情景-目标组合（见 `note` 列）"),
    NotSplit => ("change not split into data and scenarios: {0}", "变化未拆分为数据和情景两部分：{0}"),
    SplitLegend => (
        "data = new or revised figures (old scenarios rerun on the new data, old seed); scen. = scenario edits; sett. = the runs' settings",
        "数据 = 新增或修订的数字（旧情景在新数据上以旧种子重跑）；情景 = 情景文件的修改；设置 = 两次运行的设置"),
    TableWritten => ("table written to {0}", "表格已写入 {0}"),

    // attain backtest
    BacktestHeading => (
        "Backtest of the baseline model (fit only, no scenario adjustments), origins {0}..{1}, published figures only",
        "基准模型回测（只拟合，不加情景调整），预测起点 {0}..{1}，只用已公布数据"),
    PersistencePrior => (
        "drift persistence prior (data/model.toml): {0}",
        "趋势持续性先验（data/model.toml）：{0}"),
    ThinEvidence => (
        "thin evidence: {0} forecasts of {1} series (fewer than {2} series or {3} forecasts), from overlapping origins, not independent",
        "证据不足：{1} 个序列的 {0} 次预测（少于 {2} 个序列或 {3} 次预测），起点相互重叠，并不独立"),
    Evidence => (
        "evidence: {0} forecasts of {1} series (forecasts from one series' overlapping origins are not independent)",
        "证据：{1} 个序列的 {0} 次预测（同一序列不同起点的预测并不独立）"),
    BacktestTables => ("tables: {0}", "表格：{0}"),

    // attain report (terminal)
    ReportWritten => (
        "report written to {0}: index.html ({1} targets × {2} scenarios, {3} fan charts), charts/, tables/ ({4}), attain.xlsx",
        "报告已写入 {0}：index.html（{1} 个目标 × {2} 个情景，{3} 张扇形图），charts/，tables/（{4}），attain.xlsx"),

    // what a probability rests on
    BasisOwn => ("Own published history 自身公布数据", "自身公布数据"),
    BasisBorrowed => ("Borrowed dynamics 借用: {0} (`{1}`)", "借用相近序列的走势：{0}（`{1}`）"),
    BasisAssumption => ("Scenario assumption 情景假设", "情景假设"),
    BasisNoData => ("No public data yet 暂无公开数据", "暂无公开数据"),

    // the charts of the page
    ChartMedian => ("median", "中位数"),
    ChartObserved => ("observed", "观测值"),
    ChartIllustrative => ("illustrative (stand-in) 示意数据", "示意数据"),
    ChartNoProjection => ("no projection: too little history", "无预测：历史数据不足"),
    ChartTargetsMet => ("targets met", "达成目标数"),
    ChartMean => ("mean {0} of {1}", "平均 {0} / {1}"),
    BaseValue => ("value", "数值"),
    DrawnAt => (
        " (drawn at {0}: figures from there publish as {1}, rounded as published)",
        "（画在 {0}：按公布的小数位数四舍五入，从此值起公布为 {1}）"),
    BaseMedian => ("baseline median", "基准情景中位数"),

    // attain report (the page; the English texts are the bilingual page of
    // earlier versions, the Chinese ones are Chinese only)
    PageTitle => ("目标达成概率报告 · Target attainment report", "目标达成概率报告"),
    PageH1 => (
        "目标达成概率报告 <span class=\"en\">· How likely is each target to be met?</span>",
        "目标达成概率报告 <span class=\"en\">· 每项目标实现的可能性有多大？</span>"),
    RunOf => (
        "Run of {0} · attain {1} · seed <b>{2}</b> · <b>{3}</b> draws{4}{5}",
        "运行于 {0} · attain {1} · 种子 <b>{2}</b> · <b>{3}</b> 次模拟{4}{5}"),
    Threads => (" · {0} threads", " · {0} 个线程"),
    Seconds => (" · {0} s", " · 用时 {0} 秒"),
    UnknownTime => ("(unknown time)", "（时间不详）"),
    ScenariosHeading => ("情景 · Scenarios", "情景"),
    DataFolder => (
        "Data folder <code>{0}</code>: {1} targets, {2} history rows — {3}.",
        "数据文件夹 <code>{0}</code>：{1} 个目标，{2} 行历史数据 —— {3}。"),
    IllustrativeWarn => (
        "<b>Illustrative history 示意数据.</b> {0} of {1} history rows are stand-ins to be replaced with official series. The {2} targets marked <span class=\"dagger\">†</span> rest on them: their probabilities say what the stand-in implies, not what the published record implies. 标 <span class=\"dagger\">†</span> 的目标依赖示意性历史数据（待以官方数据替换），其概率仅供说明。 On the fan charts, stand-ins are hollow grey points.",
        "<b>示意数据。</b>{1} 行历史数据中有 {0} 行是待以官方数据替换的示意数据。标 <span class=\"dagger\">†</span> 的 {2} 个目标依赖这些数据：其概率反映示意数据的含义，而非已公布数据的含义，仅供说明。扇形图中示意数据显示为灰色空心点。"),
    InsufficientCell => (
        "历史数据不足<br><span class=\"small\">insufficient history</span>",
        "历史数据不足"),
    NoProbabilityCell => ("no probability", "无概率"),
    IntervalTitle => ("95 % interval {0}–{1}", "95% 区间 {0}–{1}"),
    AssumedCell => (" <span class=\"small\">(assumed 假设)</span>", " <span class=\"small\">（假设）</span>"),
    BorrowedCell => (" <span class=\"small\">(borrowed 借用)</span>", " <span class=\"small\">（借用）</span>"),
    HeatHeading => ("目标 × 情景 · P(target met) by scenario", "目标 × 情景：各情景下的达成概率"),
    HeatLegend => (
        "Colour by probability: 0 <span class=\"legend\"></span> 1. Each cell: P(attain), its 95 % interval and its likelihood term (中文 · English).",
        "颜色表示达成概率：0 <span class=\"legend\"></span> 1。每格：达成概率、其 95% 区间和可能性用语。"),
    TargetColumn => ("目标 · Target", "目标"),
    WouldComeFrom => ("would come from 数据来源: {0}", "数据来源：{0}"),
    IllustrativeTitle => ("rests on illustrative history", "依赖示意数据"),
    ScorecardHeading => ("达标目标数 · How many targets are met together", "达标目标数：同时达成多少项目标"),
    ScorecardNote => (
        "Distribution of the number of targets met in the same draw (group <code>all</code> of <code>scorecard.parquet</code>; targets without a probability are not counted).",
        "同一次模拟中达成的目标个数的分布（<code>scorecard.parquet</code> 中 group 为 <code>all</code> 的行；没有概率的目标不计入）。"),
    ScorecardColumns => (
        "<th>scenario</th><th>targets counted</th><th>expected number met</th><th>middle 50 %</th><th>P(all met)</th>",
        "<th>情景</th><th>计入目标数</th><th>预期达成数</th><th>中间 50% 范围</th><th>全部达成的概率</th>"),
    LeversHeading => ("哪个判断最关键 · Which judgement matters", "哪个判断最关键"),
    LeversNote => (
        "For each scenario setting written as a range (an uncertain lever): P(target met) when the lever is in the lowest tenth of its range (left end of the bar) and in the highest tenth (right end), the probability over all draws (mark), and the share of the target's uncertainty the lever explains alone (first-order index; the rest is the data's own uncertainty). From <code>sensitivity.parquet</code>.",
        "对每个写成范围的情景设定（不确定杠杆）：杠杆处于其范围最低十分之一（条形左端）和最高十分之一（右端）时的达成概率、全部模拟的达成概率（竖线），以及该杠杆单独解释的不确定性份额（一阶指数；其余来自数据本身的不确定性）。数据来自 <code>sensitivity.parquet</code>。"),
    LeversColumns => (
        "<th>目标 · Target</th><th>判断 · Lever</th><th>P low → high</th><th class=\"bar\">0 — P(target met) — 1</th><th>解释份额 · Share</th>",
        "<th>目标</th><th>判断（杠杆）</th><th>达成概率 低 → 高</th><th class=\"bar\">0 — 达成概率 — 1</th><th>解释份额</th>"),
    FansHeading => ("指标走势 · Fan charts", "指标走势（扇形图）"),
    FansNote => (
        "One chart per indicator with a level, increase, every-year or cumulative target: observed figures, then for each scenario the median and the 50 %, 80 % and 90 % bands of the projection (p25–p75, p10–p90, p05–p95 of <code>fan.parquet</code>); the target as a dashed line ending at the target year. A cumulative target is drawn as the yearly average it needs; an increase as the base-year value plus the increase.",
        "每个有水平、增量、逐年或累计目标的指标一张图：先是已公布的数字，然后是各情景预测的中位数及 50%、80%、90% 区间（<code>fan.parquet</code> 的 p25–p75、p10–p90、p05–p95）；目标为止于目标年份的虚线。累计目标画成所需的年均值，增量目标画成基年数值加增量。"),
    FanIllustrative => (
        " <span class=\"dagger\">†</span> history includes illustrative stand-ins (hollow grey points).",
        " <span class=\"dagger\">†</span> 历史数据含示意数据（灰色空心点）。"),
    NoFanChart => (
        "No fan chart (a milestone has no path to draw, and a target without enough history has no projection; both are in the heat map): {0}.",
        "以下目标没有扇形图（里程碑类目标没有路径可画，历史数据不足的目标没有预测；二者都在上方的表中）：{0}。"),
    TablesHeading => ("表格 · Tables", "表格"),
    TablesNote => (
        "All tables in one Excel workbook: <a href=\"attain.xlsx\">attain.xlsx</a> (a sheet per table, Chinese and English column names, and the run's manifest). Spreadsheet copies of the run's tables (CSV, UTF-8 with a byte-order mark, opens in Excel with Chinese intact): {0}. Charts as SVG files in <code>charts/</code>.",
        "全部表格的 Excel 工作簿：<a href=\"attain.xlsx\">attain.xlsx</a>（每张表一个工作表，列名中英对照，另有运行信息表）。本次运行各表格的电子表格副本（CSV，带 BOM 的 UTF-8，Excel 打开中文不乱码）：{0}。图表的 SVG 文件在 <code>charts/</code> 中。"),
    Footer => (
        "Made by <code>attain report</code> from the run's Parquet tables. Likelihood terms follow the calibrated scale of the IPCC guidance (virtually certain ≥ 0.99, very likely ≥ 0.90, likely ≥ 0.66, unlikely ≤ 0.33, very unlikely ≤ 0.10, exceptionally unlikely ≤ 0.01). Chinese text uses a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see fonts-OFL.txt).",
        "由 <code>attain report</code> 根据本次运行的 Parquet 表格生成。可能性用语采用 IPCC 指南的校准尺度（几乎确定 ≥ 0.99，很可能 ≥ 0.90，可能 ≥ 0.66，不太可能 ≤ 0.33，很不可能 ≤ 0.10，极不可能 ≤ 0.01）。中文字体为 Noto Sans CJK SC 子集（SIL Open Font License 1.1，见 fonts-OFL.txt）。"),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::words::Lang;

    fn blanks(text: &str) -> Vec<usize> {
        let mut found: Vec<usize> = (0..10)
            .filter(|i| text.contains(&format!("{{{i}}}")))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn both_languages_have_the_same_blanks() {
        for say in Say::ALL {
            assert_eq!(blanks(say.en()), blanks(say.zh()), "{say:?}");
        }
    }

    #[test]
    fn fill_puts_each_value_in_its_numbered_blank() {
        assert_eq!(
            Lang::Zh.fill(Say::ChangedCount, &[&3, &88, &1]),
            "88 个概率中有 3 个变化，其中 1 个超过 2 倍标准误"
        );
        assert_eq!(
            Lang::En.fill(Say::ChangedCount, &[&3, &88, &1]),
            "3 of 88 probabilities changed, 1 by more than 2 standard errors"
        );
    }
}
