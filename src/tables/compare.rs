//! `compare.parquet`: what moved between two runs, and why.
//!
//! In: nothing (the schema). Out: [`CompareRow`], one per scenario and
//! target of either run; `attain compare` fills it.

use crate::plan::Status;

crate::named_enum! {
    /// Whether a row is in both runs or only one.
    pub enum Note {
        /// In both runs.
        Both = "",
        /// Only in the later run.
        New = "new",
        /// Only in the earlier run.
        Dropped = "dropped",
    }
}

crate::named_enum! {
    /// A setting of a run that `compare` holds the two runs to.
    pub enum Setting {
        /// The version of attain (its model).
        Version = "version",
        /// `--seed`.
        Seed = "seed",
        /// `--draws` (or the draws `--precision` reached).
        Draws = "draws",
        /// `--precision`.
        Precision = "precision",
        /// `--target-year`.
        TargetYear = "target_year",
        /// `--only`.
        Only = "only",
        /// `--effort-from`.
        EffortFrom = "effort_from",
    }
}

crate::table! {
    /// One row of `compare.parquet`.
    pub struct CompareRow {
        /// Scenario name.
        pub scenario: String,
        /// Target id.
        pub target_id: String,
        /// P(attain) in the earlier run.
        pub p_old: Option<f64>,
        /// P(attain) in the later run.
        pub p_new: Option<f64>,
        /// p_new − p_old.
        pub change: Option<f64>,
        /// Its standard error, from the two runs' SEs as if independent (an
        /// upper bound: runs on one seed share their random numbers).
        pub change_se: Option<f64>,
        /// The part due to the data.
        pub from_data: Option<f64>,
        /// The part due to the scenarios (null when the runs' settings
        /// differ and the scenarios changed too: the two are not separated).
        pub from_scenarios: Option<f64>,
        /// The part due to the runs' settings (seed, draws, `--precision`,
        /// `--target-year`, `--only`, `--effort-from`, version of attain);
        /// 0 when they are the same.
        pub from_settings: Option<f64>,
        /// Status in the earlier run (null when the row is new).
        pub status_old: Option<Status>,
        /// Status in the later run (null when the row is gone).
        pub status_new: Option<Status>,
        /// `new`, `dropped`, or empty.
        pub note: Note,
    }
}
