//! The floor of the benchmark (`bench/run.sh`): the least work any
//! implementation of the model must do.
//!
//! It draws as many standard normals as the simulation needs for its walk
//! innovations (draws × normals per draw, where normals per draw is the sum
//! over walk indicators of their projected years), with the same generator
//! (`Xoshiro256PlusPlus` seeded per block of [`BLOCK`] draws by
//! [`attain::model::rng::stream`], `rand_distr::StandardNormal`), and does one
//! multiply-add per scenario for each normal, over blocks in parallel with
//! rayon. No parameters, transforms, targets or summaries: what `attain`
//! takes beyond this is the cost of the model itself.
//!
//! ```sh
//! cargo build --release --examples
//! target/release/examples/floor --draws 1000000 --normals-per-draw 83 --scenarios 4 --threads 2
//! ```
//!
//! Prints one line, `floor seconds=… normals=… checksum=…`; the checksum
//! (the sum of every accumulator) keeps the compiler from dropping the work.
//!
//! With `--data` (and `--scenario-files`), it is the *variates floor* instead:
//! every random number the model draws for that catalog's indicators, with
//! the library samplers and the same streams, and still one multiply-add per
//! scenario for each. Per draw and walk: σ² by `ChiSquared`, μ's normal, the
//! persistence's uniform (where the catalog has a prior) and the yearly normals. Per draw and count: λ by `Gamma`, a sub-stream seed
//! and one uniform a year (attain turns the uniform into Poisson additions
//! by inversion, which is not counted here), plus, where a rate reaches
//! [`INVERSION_MAX_RATE`], one `rand_distr::Poisson` variate for each year
//! and distinct rate multiplier, as attain draws them. Per draw and
//! milestone: one uniform a year. Not included: the few shared factor and
//! shock draws per block. What attain takes beyond this is turning the
//! random numbers into paths and summarising them.
//!
//! ```sh
//! target/release/examples/floor --draws 1000000 --threads 1 --data data --scenario-files scenarios
//! ```

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use rand::Rng;
use rand_distr::{ChiSquared, Distribution, Gamma, Poisson, StandardNormal};
use rayon::prelude::*;

use attain::engine::paths::INVERSION_MAX_RATE;
use attain::engine::BLOCK;
use attain::input::load_inputs;
use attain::input::scenario::scenario_files;
use attain::model::fit::Fit;
use attain::model::rng::{stream, Domain};
use attain::plan::{compile, Plan};

/// Draw the model's normals and nothing else.
#[derive(Debug, Parser)]
struct Args {
    /// Monte Carlo draws.
    #[arg(long, default_value_t = 100_000)]
    draws: u64,
    /// Standard normals per draw (walk indicators × projected years).
    #[arg(long, default_value_t = 83)]
    normals_per_draw: usize,
    /// Scenarios: multiply-adds per normal.
    #[arg(long, default_value_t = 4)]
    scenarios: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Seed of the streams.
    #[arg(long, default_value_t = 2030)]
    seed: u64,
    /// A data folder: draw every variate the model draws for its
    /// indicators (the variates floor) instead of `--normals-per-draw`
    /// normals. Scenarios then come from `--scenario-files`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Scenario files or folders (with `--data`).
    #[arg(long, num_args = 1.., default_value = "scenarios")]
    scenario_files: Vec<PathBuf>,
}

/// One block of the variates floor: every random number the model draws
/// for `plan`'s indicators in block `index`, each added to every scenario's
/// accumulator. Returns the accumulators' sum and the variates drawn.
fn variates_block(plan: &Plan, seed: u64, index: u64, len: usize, weights: &[f64]) -> (f64, u64) {
    let mut acc = vec![0.0f64; weights.len()];
    let mut drawn = 0u64;
    let mut add = |v: f64| {
        drawn += 1;
        for (a, w) in acc.iter_mut().zip(weights) {
            *a += w * v;
        }
    };
    for ip in plan.indicators.iter().filter(|ip| ip.years > 0) {
        let mut rng = stream(seed, Domain::Indicator, ip.key, index);
        match &ip.fit {
            Fit::Walk(w) => {
                let chi = ChiSquared::new(w.dof).expect("dof > 0");
                let prior = !ip.persistence.is_fixed();
                for _ in 0..len {
                    if w.s2 > 0.0 {
                        add(chi.sample(&mut rng));
                    }
                    add(rng.sample(StandardNormal));
                    if prior {
                        add(rng.random::<f64>());
                    }
                    for _ in 0..ip.years {
                        add(rng.sample(StandardNormal));
                    }
                }
            }
            fit @ (Fit::Count(_) | Fit::AssumedCount { .. }) => {
                // An assumed rate is in the multipliers: no rate to draw.
                let gamma = match fit {
                    Fit::Count(c) => {
                        Some(Gamma::new(c.shape(), 1.0 / c.span_years).expect("shape > 0"))
                    }
                    _ => None,
                };
                // The distinct rate multipliers, and per year the ones the
                // scenarios use (as indexes into them).
                let mut all: Vec<f64> = Vec::new();
                let mut used: Vec<Vec<usize>> = vec![Vec::new(); ip.years];
                for spec in &ip.paths {
                    for (t, &m) in spec.rate_mult.iter().enumerate() {
                        if m <= 0.0 {
                            continue;
                        }
                        let i = all.iter().position(|&x| x == m).unwrap_or_else(|| {
                            all.push(m);
                            all.len() - 1
                        });
                        if !used[t].contains(&i) {
                            used[t].push(i);
                        }
                    }
                }
                let mut samplers: Vec<Option<Poisson<f64>>> = vec![None; all.len()];
                for _ in 0..len {
                    let lambda: f64 = gamma.as_ref().map_or(1.0, |g| g.sample(&mut rng));
                    add(lambda);
                    add(rng.random::<u64>() as f64);
                    for _ in 0..ip.years {
                        add(rng.random::<f64>());
                    }
                    for (p, &m) in samplers.iter_mut().zip(&all) {
                        let rate = m * lambda;
                        *p = (rate >= INVERSION_MAX_RATE)
                            .then(|| Poisson::new(rate).ok())
                            .flatten();
                    }
                    for &i in used.iter().flatten() {
                        if let Some(p) = &samplers[i] {
                            add(p.sample(&mut rng));
                        }
                    }
                }
            }
            Fit::Milestone { .. } => {
                for _ in 0..len * ip.years {
                    add(rng.random::<f64>());
                }
            }
            Fit::Insufficient { .. } => {}
        }
    }
    (acc.iter().sum(), drawn)
}

/// One block: `len` draws of `k` normals, each added to every scenario's
/// accumulator with that scenario's weight. Returns the accumulators' sum.
fn block(seed: u64, index: u64, len: usize, k: usize, weights: &[f64]) -> f64 {
    let mut rng = stream(seed, Domain::Indicator, 0, index);
    let mut acc = vec![0.0f64; weights.len()];
    for _ in 0..len * k {
        let e: f64 = rng.sample(StandardNormal);
        for (a, w) in acc.iter_mut().zip(weights) {
            *a += w * e;
        }
    }
    acc.iter().sum()
}

fn main() {
    let args = Args::parse();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a thread pool");
    // Weights the compiler cannot see through: one per scenario.
    let weights: Vec<f64> = (0..args.scenarios.max(1))
        .map(|s| std::hint::black_box(1.0 + 0.1 * s as f64))
        .collect();
    let block_len = BLOCK as u64;
    let blocks = args.draws.div_ceil(block_len);
    let len_of = |b: u64| (args.draws - b * block_len).min(block_len) as usize;
    if let Some(data) = &args.data {
        let inputs = scenario_files(&args.scenario_files)
            .and_then(|files| load_inputs(data, &files))
            .unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(2);
            });
        let horizon = inputs.catalog.targets.iter().map(|t| t.target_year).max();
        let plan = compile(
            &inputs.catalog,
            &inputs.scenarios,
            horizon.unwrap_or(2030),
            None,
        );
        let weights: Vec<f64> = (0..plan.scenarios.len().max(1))
            .map(|s| std::hint::black_box(1.0 + 0.1 * s as f64))
            .collect();
        let start = Instant::now();
        let (checksum, variates) = pool.install(|| {
            (0..blocks)
                .into_par_iter()
                .map(|b| variates_block(&plan, args.seed, b, len_of(b), &weights))
                .reduce(|| (0.0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
        });
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "variates seconds={seconds:.4} variates={variates} threads={threads} checksum={}",
            std::hint::black_box(checksum)
        );
        return;
    }
    let start = Instant::now();
    let checksum: f64 = pool.install(|| {
        (0..blocks)
            .into_par_iter()
            .map(|b| block(args.seed, b, len_of(b), args.normals_per_draw, &weights))
            .sum()
    });
    let seconds = start.elapsed().as_secs_f64();
    let normals = args.draws * args.normals_per_draw as u64;
    println!(
        "floor seconds={seconds:.4} normals={normals} threads={threads} checksum={}",
        std::hint::black_box(checksum)
    );
}
