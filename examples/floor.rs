//! The floor of the benchmark (`bench/run.sh`): the least work any
//! implementation of the model must do.
//!
//! It draws as many standard normals as the simulation needs for its walk
//! innovations (draws × normals per draw, where normals per draw is the sum
//! over walk indicators of their projected years), with the same generator
//! (`Xoshiro256PlusPlus` seeded per block of 2,048 draws by
//! [`attain::rng::stream`], `rand_distr::StandardNormal`), and does one
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

use std::time::Instant;

use clap::Parser;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use attain::rng::{stream, Domain};
use attain::simulate::BLOCK;

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
    let start = Instant::now();
    let checksum: f64 = pool.install(|| {
        (0..blocks)
            .into_par_iter()
            .map(|b| {
                let len = (args.draws - b * block_len).min(block_len) as usize;
                block(args.seed, b, len, args.normals_per_draw, &weights)
            })
            .sum()
    });
    let seconds = start.elapsed().as_secs_f64();
    let normals = args.draws * args.normals_per_draw as u64;
    println!(
        "floor seconds={seconds:.4} normals={normals} threads={threads} checksum={}",
        std::hint::black_box(checksum)
    );
}
