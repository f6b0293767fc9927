//! The Chinese names of the tables' columns, for the header row of the
//! workbook (the Parquet names stay the contract; this is a label).
//!
//! In: a column's Parquet name. Out: its Chinese label, or `None` for a
//! column this list does not know (the workbook then repeats the name).

/// The Chinese label of column `name`.
pub fn column_zh(name: &str) -> Option<&'static str> {
    Some(match name {
        // keys
        "scenario" => "情景",
        "target_id" => "目标编号",
        "indicator_id" => "指标编号",
        "group" => "组别",
        "name_zh" => "指标名称（中文）",
        "name_en" => "指标名称（英文）",
        "kind" => "类型",
        "comparator" => "比较方式",
        "target_value" => "目标值",
        "target_year" => "目标年份",
        "status" => "依据",
        "analog" => "借用序列",
        // attainment
        "p_attain" => "达成概率",
        "p_attain_se" => "达成概率标准误",
        "p_low" => "概率下限",
        "p_high" => "概率上限",
        "delta_vs_baseline" => "与基准情景之差",
        "delta_se" => "差值标准误",
        "value_mean" => "统计量均值",
        "value_p05" => "统计量 5% 分位数",
        "value_p10" => "统计量 10% 分位数",
        "value_p25" => "统计量 25% 分位数",
        "value_p50" => "统计量中位数",
        "value_p75" => "统计量 75% 分位数",
        "value_p90" => "统计量 90% 分位数",
        "value_p95" => "统计量 95% 分位数",
        "last_year" => "最近观测年份",
        "last_value" => "最近观测值",
        "n_obs" => "观测数",
        "provenance" => "数据来源类别",
        "draws" => "模拟次数",
        "seed" => "随机种子",
        "p_reached_by" => "目标年前曾达成的概率",
        "first_year_p50" => "首次达成年份中位数",
        "likelihood" => "可能性（英文）",
        "likelihood_zh" => "可能性（中文）",
        // fan
        "year" => "年份",
        "mean" => "均值",
        "p05" => "5% 分位数",
        "p10" => "10% 分位数",
        "p25" => "25% 分位数",
        "p50" => "中位数",
        "p75" => "75% 分位数",
        "p90" => "90% 分位数",
        "p95" => "95% 分位数",
        // scorecard
        "targets" => "计入目标数",
        "k" => "达成目标数",
        "p_exactly" => "恰好达成的概率",
        "p_at_least" => "至少达成的概率",
        // required
        "p_goal" => "目标概率",
        "extra_drift" => "每年所需额外趋势（变换尺度）",
        "extra_natural" => "每年所需额外变化（原单位）",
        "effort_from" => "努力起始年份",
        "extra_natural_unit" => "额外变化的单位",
        "extra_growth_pct" => "每年所需额外增速（%）",
        // sensitivity
        "lever" => "政策杠杆",
        "distribution" => "分布",
        "lever_low" => "杠杆下限",
        "lever_mode" => "杠杆峰值",
        "lever_high" => "杠杆上限",
        "first_order" => "一阶敏感度指数",
        // compare
        "p_old" => "上次达成概率",
        "p_new" => "本次达成概率",
        "change" => "变化",
        "change_se" => "变化标准误",
        "from_data" => "数据带来的变化",
        "from_scenarios" => "情景带来的变化",
        "status_old" => "上次依据",
        "status_new" => "本次依据",
        "note" => "备注",
        // backtest
        "transform" => "变换",
        "origin" => "预测起点",
        "horizon" => "预测步长（年）",
        "observed" => "公布值",
        "observed_g" => "公布值（变换尺度）",
        "fit_n_obs" => "拟合所用数据数",
        "pit" => "PIT 值",
        "crps_model" => "模型 CRPS",
        "threshold" => "阈值",
        "threshold_year" => "阈值年份",
        "p_model" => "模型概率",
        "p_trend" => "趋势规则概率",
        "outcome" => "是否发生",
        "forecaster" => "预测方法",
        "bin_low" => "区间下限",
        "bin_high" => "区间上限",
        "n" => "数量",
        "mean_forecast" => "平均预测概率",
        "observed_frequency" => "实际发生频率",
        _ => return None,
    })
}

/// Whether column `name` holds a probability (or a difference of two), shown
/// as a percentage in the workbook.
pub fn is_probability(name: &str) -> bool {
    matches!(
        name,
        "p_attain"
            | "p_attain_se"
            | "p_low"
            | "p_high"
            | "delta_vs_baseline"
            | "delta_se"
            | "p_reached_by"
            | "p_exactly"
            | "p_at_least"
            | "p_goal"
            | "first_order"
            | "p_old"
            | "p_new"
            | "change"
            | "change_se"
            | "from_data"
            | "from_scenarios"
            | "p_model"
            | "p_trend"
            | "mean_forecast"
            | "observed_frequency"
    )
}
