//! `attain compare`: what moved between two runs, split into data and scenarios.

use super::*;

fn compare(old: &Path, new: &Path) -> Outcome {
    Outcome::of(Command::new(BIN).arg("compare").arg(old).arg(new))
}

#[test]
fn compare_splits_each_change_into_data_and_scenarios() {
    let fx = fixture("compare");
    let old = fx.path("old");
    let new = fx.path("new");
    fx.run_to(&old, &[]).assert_success();
    // A new figure for the quality index, and a stronger push.
    fx.append(
        "data/history.csv",
        "quality_index,2025,92.9,official,statistical yearbook 2026\n",
    );
    fx.replace("scenarios/push.toml", "drift_add = 0.2", "drift_add = 0.5");
    fx.run_to(&new, &[]).assert_success();
    let out = compare(&old, &new);
    out.assert_success();
    assert!(out.stdout.contains("largest changes"), "{}", out.stdout);
    let cmp = read_parquet(&new.join("compare.parquet"));
    assert_eq!(cmp.height(), N_TARGETS * 2);
    let scenario = strings(&cmp, "scenario");
    let target = strings(&cmp, "target_id");
    let change = floats(&cmp, "change");
    let data = floats(&cmp, "from_data");
    let scen = floats(&cmp, "from_scenarios");
    let at = |s: &str, t: &str| {
        (0..cmp.height())
            .find(|&i| scenario[i].as_deref() == Some(s) && target[i].as_deref() == Some(t))
            .unwrap()
    };
    for i in 0..cmp.height() {
        if let (Some(c), Some(d), Some(e)) = (change[i], data[i], scen[i]) {
            assert!((c - d - e).abs() < 1e-12, "the parts add up");
        }
    }
    // The baseline scenario did not change: none of its movement is the scenarios'.
    let qi = at("baseline", "quality_index_2030");
    assert_eq!(scen[qi], Some(0.0));
    assert!(
        data[qi].unwrap() != 0.0,
        "the new figure moves the quality index"
    );
    // The labs' data and scenarios did not change: nothing moved at all.
    let labs = at("push", "labs_2030");
    assert_eq!(
        (change[labs], data[labs], scen[labs]),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    // The stronger push moves the quality index up beyond what the data did.
    let push = at("push", "quality_index_2030");
    assert!(scen[push].unwrap() > 0.0);
}

#[test]
fn compare_without_a_snapshot_gives_the_change_only() {
    let fx = fixture("compare-old");
    fx.run(&[]).assert_success();
    let old = fx.path("old");
    fs::rename(fx.out(), &old).unwrap();
    fs::remove_dir_all(old.join("inputs")).unwrap();
    fx.run(&[]).assert_success();
    let out = compare(&old, &fx.out());
    out.assert_success();
    assert!(out.stdout.contains("not split"), "{}", out.stdout);
    let cmp = read_parquet(&fx.out().join("compare.parquet"));
    assert!(floats(&cmp, "from_data").iter().all(Option::is_none));
    assert!(floats(&cmp, "change").iter().flatten().all(|&c| c == 0.0));
}

#[test]
fn compare_of_a_folder_that_is_not_a_run_is_an_input_error() {
    let fx = fixture("compare-bad");
    fx.run(&[]).assert_success();
    let out = compare(&fx.data(), &fx.out());
    out.assert_input_error(&["run.json"]);
    assert!(!fx.out().join("compare.parquet").exists());
}
