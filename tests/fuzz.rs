//! Mutation fuzzing of the shipped inputs (issue 20): copies of `data/` and
//! `scenarios/` with one random mutation each (a CSV cell, a CSV line, a
//! byte of any file, a TOML value or key), run through `attain check` and
//! `attain run`. Every run must end with exit 0 or 2 (never a panic, an
//! abort or a hang), and a run that fails must leave the earlier outputs in
//! its folder as they were.
//!
//! In CI the test runs [`DEFAULT_CASES`] mutations from a fixed seed (about
//! half a minute). For thousands:
//!
//! ```sh
//! ATTAIN_FUZZ_CASES=5000 ATTAIN_FUZZ_SEED=1 \
//!   cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! It prints how many mutations ended in each exit status; a failing case
//! prints its seed, case number and mutation, and keeps its folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

#[path = "common/mod.rs"]
mod common;
use common::{repo, Scratch, BIN};

/// Mutations in a default `cargo test` run.
const DEFAULT_CASES: usize = 400;
/// The seed of a default run.
const DEFAULT_SEED: u64 = 20;
/// A run that takes longer than this has hung.
const TIME_LIMIT: Duration = Duration::from_secs(120);
/// Draws of each run: enough for every table, few for speed.
const DRAWS: &str = "300";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn copy_inputs(to: &Path) {
    for folder in ["data", "scenarios"] {
        fs::create_dir_all(to.join(folder)).unwrap();
        for entry in fs::read_dir(repo(folder)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                fs::copy(entry.path(), to.join(folder).join(entry.file_name())).unwrap();
            }
        }
    }
}

/// The input files a mutation may touch.
fn input_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in ["data", "scenarios"] {
        for entry in fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if ext == "csv" || ext == "toml" {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Cell values that have broken readers before.
const CELLS: &[&str] = &[
    "",
    "n/a",
    "-1",
    "0",
    "1",
    "0.5",
    "100",
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "2199",
    "1900",
    "2031",
    "2024",
    "2030.5",
    "99999999999",
    "\"",
    "level",
    "log",
    "logit",
    "count",
    "milestone",
    "cumulative",
    "increase",
    "every_year",
    ">=",
    "<",
    "official",
    "illustrative",
    "group:brand",
    "1,2",
    "   ",
    "x\u{0}y",
    "é",
    "中文",
];

/// TOML values that have broken scenario readers before.
const TOML_VALUES: &[&str] = &[
    "0",
    "-1",
    "50",
    "1e9",
    "-1e9",
    "0.5",
    "1.5",
    "\"x\"",
    "[]",
    "[1]",
    "true",
    "2020",
    "2024",
    "2031",
    "2100",
    "nan",
    "inf",
    "{}",
    "\"*\"",
    "\"group:brand\"",
    "{ low = 0.1, high = 0.05 }",
    "{ low = 0.1, mode = 0.2, high = 0.3 }",
    "[\"baseline\"]",
    "\"\"",
];

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Splits a CSV line on commas outside quotes (enough for mutating cells).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                fields.last_mut().unwrap().push(c);
            }
            ',' if !quoted => fields.push(String::new()),
            _ => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// Applies one random mutation to one file and says what it did.
fn mutate(rng: &mut impl Rng, root: &Path) -> String {
    let files = input_files(root);
    let path = pick(rng, &files).clone();
    let name = path.strip_prefix(root).unwrap().display().to_string();
    let bytes = fs::read(&path).unwrap();
    let is_csv = name.ends_with(".csv");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let what = rng.random_range(0..10);
    let (new, done): (Vec<u8>, String) = match what {
        // a byte flipped, inserted or deleted
        0 | 1 if !bytes.is_empty() => {
            let mut b = bytes.clone();
            let at = rng.random_range(0..b.len());
            let how = rng.random_range(0..3);
            let byte: u8 = rng.random();
            match how {
                0 => b[at] = byte,
                1 => b.insert(at, byte),
                _ => {
                    b.remove(at);
                }
            }
            (
                b,
                format!("byte {at} of {name}: {}", ["set", "insert", "delete"][how]),
            )
        }
        // a line deleted, duplicated, swapped, truncated or blanked
        2 | 3 if !lines.is_empty() => {
            let i = rng.random_range(0..lines.len());
            let how = rng.random_range(0..5);
            match how {
                0 => {
                    lines.remove(i);
                }
                1 => lines.insert(i, lines[i].clone()),
                2 => {
                    let j = rng.random_range(0..lines.len());
                    lines.swap(i, j);
                }
                3 => {
                    let cut = lines[i].char_indices().map(|(k, _)| k).collect::<Vec<_>>();
                    if !cut.is_empty() {
                        let k = cut[rng.random_range(0..cut.len())];
                        lines[i].truncate(k);
                    }
                }
                _ => lines.insert(i, String::new()),
            }
            (
                (lines.join("\n") + "\n").into_bytes(),
                format!(
                    "line {} of {name}: {}",
                    i + 1,
                    ["delete", "duplicate", "swap", "truncate", "blank"][how]
                ),
            )
        }
        // a CSV cell replaced
        _ if is_csv && lines.len() > 1 => {
            let i = rng.random_range(0..lines.len());
            let mut fields = split_csv(&lines[i]);
            let j = rng.random_range(0..fields.len());
            let value = if rng.random_bool(0.2) {
                // a cell of another row of the same file
                let other = split_csv(&lines[rng.random_range(0..lines.len())]);
                pick(rng, &other).clone()
            } else {
                pick(rng, CELLS).to_string()
            };
            fields[j] = value.clone();
            lines[i] = fields.join(",");
            (
                (lines.join("\n") + "\n").into_bytes(),
                format!("row {} column {} of {name} = {value:?}", i + 1, j + 1),
            )
        }
        // a TOML value or key changed
        _ => {
            let keyed: Vec<usize> = (0..lines.len())
                .filter(|&i| {
                    let l = lines[i].trim_start();
                    !l.starts_with('#') && l.contains('=')
                })
                .collect();
            if keyed.is_empty() {
                return "nothing".into();
            }
            let i = *pick(rng, &keyed);
            let (key, _) = lines[i].split_once('=').unwrap();
            let key = key.to_string();
            if rng.random_bool(0.7) {
                let value = pick(rng, TOML_VALUES);
                lines[i] = format!("{key}= {value}");
                (
                    (lines.join("\n") + "\n").into_bytes(),
                    format!("line {} of {name}: {}= {value}", i + 1, key),
                )
            } else {
                let renamed = match rng.random_range(0..3) {
                    0 => format!("{}x ", key.trim_end()),
                    1 => pick(
                        rng,
                        &[
                            "select ",
                            "from ",
                            "to ",
                            "year ",
                            "drift_add ",
                            "hazard ",
                            "extends ",
                            "name ",
                        ],
                    )
                    .to_string(),
                    _ => format!("[[adjust]]\n{key}"),
                };
                let rest = lines[i].split_once('=').unwrap().1.to_string();
                lines[i] = format!("{renamed}={rest}");
                (
                    (lines.join("\n") + "\n").into_bytes(),
                    format!(
                        "line {} of {name}: key {:?} → {renamed:?}",
                        i + 1,
                        key.trim()
                    ),
                )
            }
        }
    };
    fs::write(&path, new).unwrap();
    done
}

/// Runs the binary with a time limit: (exit status, stderr), or None for a hang.
fn run_limited(args: &[&std::ffi::OsStr]) -> Option<(Option<i32>, String)> {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code(), reader.join().unwrap()));
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every file of a folder with its bytes, sorted by path.
fn contents(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mutated_shipped_inputs_end_in_exit_0_or_2_and_keep_earlier_outputs() {
    let cases = env_number("ATTAIN_FUZZ_CASES", DEFAULT_CASES as u64) as usize;
    let seed = env_number("ATTAIN_FUZZ_SEED", DEFAULT_SEED);
    // The earlier outputs every failed run must leave as they were.
    let base = Scratch::empty("fuzz-base");
    copy_inputs(&base.root);
    let earlier = base.path("earlier");
    let made = Command::new(BIN)
        .arg("run")
        .arg("--data")
        .arg(base.path("data"))
        .arg("--scenarios")
        .arg(base.path("scenarios"))
        .arg("--out")
        .arg(&earlier)
        .args(["--draws", DRAWS, "--quiet", "--threads", "1"])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mut tally = std::collections::BTreeMap::<(&str, Option<i32>), usize>::new();
    let mut failures = Vec::new();
    for case in 0..cases {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(1_000_003) + case as u64);
        let scratch = Scratch::empty("fuzz");
        copy_inputs(&scratch.root);
        let mutation = mutate(&mut rng, &scratch.root);
        let out = scratch.path("out");
        let copy = |from: &Path, to: &Path| {
            for (path, bytes) in contents(from) {
                let target = to.join(path.strip_prefix(from).unwrap());
                fs::create_dir_all(target.parent().unwrap()).unwrap();
                fs::write(target, bytes).unwrap();
            }
        };
        copy(&earlier, &out);
        let before = contents(&out);
        let data = scratch.path("data");
        let scenarios = scratch.path("scenarios");
        let check = run_limited(&[
            "check".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--scenarios".as_ref(),
            scenarios.as_os_str(),
        ]);
        let run = run_limited(&[
            "run".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--scenarios".as_ref(),
            scenarios.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
            "--draws".as_ref(),
            DRAWS.as_ref(),
            "--quiet".as_ref(),
            "--threads".as_ref(),
            "1".as_ref(),
        ]);
        let mut problem = None;
        for (command, result) in [("check", &check), ("run", &run)] {
            match result {
                None => problem = Some(format!("{command} hung")),
                Some((code, stderr)) => {
                    *tally.entry((command, *code)).or_default() += 1;
                    if !matches!(code, Some(0 | 2)) || stderr.contains("panicked") {
                        problem = Some(format!("{command} exit {code:?}: {stderr}"));
                    }
                }
            }
        }
        if let Some((Some(code), _)) = &run {
            if *code != 0 && contents(&out) != before {
                problem = Some("a failed run changed the earlier outputs".into());
            }
        }
        if let Some(p) = problem {
            failures.push(format!("seed {seed} case {case}: {mutation}: {p}"));
            std::mem::forget(scratch); // keep the folder to look at
        }
    }
    let counts: Vec<String> = tally
        .iter()
        .map(|((command, code), n)| format!("{command} exit {code:?}: {n}"))
        .collect();
    println!(
        "fuzz: {cases} mutations (seed {seed}); {}; {} failures",
        counts.join(", "),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
