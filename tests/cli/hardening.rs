//! Issue 20: what a new user hit in one afternoon. Each test runs the real
//! binary on a copy of the small fixture and fails on the code before the
//! fix.

use super::*;

/// Keeps only the last `keep` history rows of `indicator` (by year).
fn keep_last_rows(fx: &Scratch, indicator: &str, keep: usize) {
    let text = fx.read("data/history.csv");
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    let prefix = format!("{indicator},");
    let own: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with(&prefix))
        .collect();
    let drop: Vec<usize> = own[..own.len().saturating_sub(keep)].to_vec();
    let kept: Vec<&str> = (0..lines.len())
        .filter(|i| !drop.contains(i))
        .map(|i| lines[i])
        .collect();
    fx.write(
        "data/history.csv",
        &(std::iter::once(header)
            .chain(kept)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"),
    );
}

/// Every kind of indicator (a level, log and logit walk, a count, a
/// milestone) with zero, one and two history rows: `check` and `run` agree,
/// and both end with exit 0 or 2, never a panic.
#[test]
fn every_kind_with_zero_one_or_two_history_rows_runs_or_is_an_input_error() {
    for indicator in [
        "quality_index",
        "rd_intensity",
        "pass_rate",
        "labs",
        "regulation",
        "new_brands",
    ] {
        for keep in 0..=2 {
            let fx = fixture(&format!("rows-{indicator}-{keep}"));
            keep_last_rows(&fx, indicator, keep);
            let check = fx.check();
            let run = fx.run(&[]);
            let what = format!(
                "{indicator} with {keep} rows\ncheck:\n{}\nrun:\n{}",
                check.text(),
                run.text()
            );
            assert!(matches!(run.code, Some(0 | 2)), "{what}");
            assert_eq!(check.code, run.code, "check and run agree: {what}");
            assert!(!run.text().contains("panicked"), "{what}");
        }
    }
}

/// A milestone without any history row (nothing says whether it is done)
/// gets no probability, and both `check` and `run` say why.
#[test]
fn a_milestone_without_history_has_no_probability_and_a_warning() {
    let fx = fixture("milestone-no-rows");
    keep_last_rows(&fx, "regulation", 0);
    let check = fx.check();
    check.assert_success();
    assert!(
        check.stdout.contains("no row for indicator `regulation`"),
        "{}",
        check.stdout
    );
    let run = fx.run(&[]);
    run.assert_success();
    assert!(
        run.stdout.contains("no row for indicator `regulation`"),
        "{}",
        run.stdout
    );
    let att = read_parquet(&fx.out().join("attainment.parquet"));
    let target = strings(&att, "target_id");
    let status = strings(&att, "status");
    let p = floats(&att, "p_attain");
    for i in (0..att.height()).filter(|&i| target[i].as_deref() == Some("regulation_2030")) {
        assert_eq!(status[i].as_deref(), Some("insufficient_history"));
        assert_eq!(p[i], None);
    }
}
