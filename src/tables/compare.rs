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
        /// The part due to the scenarios.
        pub from_scenarios: Option<f64>,
        /// Status in the earlier run (null when the row is new).
        pub status_old: Option<Status>,
        /// Status in the later run (null when the row is gone).
        pub status_new: Option<Status>,
        /// `new`, `dropped`, or empty.
        pub note: Note,
    }
}
