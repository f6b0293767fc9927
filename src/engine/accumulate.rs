//! A worker's running summaries: what the draws of each block add to them,
//! and how two workers' summaries merge.
//!
//! In: blocks of draws ([`super::paths`]). Out: an [`Accumulator`] per
//! worker, merged with integer counts and block-ordered sums (so results do
//! not depend on the thread count); `finish.rs` turns it into the outcome.
//!
//! Per block and indicator: the fan series are binned into their sketches;
//! then every target is tested draw by draw (a `level` target on whole
//! columns, on the transform scale), its statistic summarised, its required
//! effort's per-draw boundary or surplus counted, the first year it is met
//! tracked, and each draw's number of targets met counted per group for
//! the scorecard.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::paths::{simulate_indicator, Block, Commons, Paths, Scratch};
use super::pilot::Grids;
use crate::model::effort::{self, Effort, SURPLUS_SPAN};
use crate::model::fit::Fit;
use crate::model::sensitivity::Bins;
use crate::model::sketch::{Grid, Sketch};
use crate::model::target::evaluate;
use crate::plan::{IndicatorPlan, Plan, TargetPlan};

/// Draws per block.
pub const BLOCK: usize = 4096;

/// What every block of a run shares.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The quantile grids.
    pub grids: &'a Grids,
    /// The run seed.
    pub seed: u64,
}

/// CPU time of a worker's blocks by phase (see [`super::Timing`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Cpu {
    /// Simulating paths, by kind of indicator: walks, counts, milestones.
    pub(super) paths: [Duration; 3],
    /// Binning fan series.
    pub(super) fans: Duration,
    /// Everything else of the blocks: tests, statistics, effort, scorecard.
    pub(super) targets: Duration,
}

impl Cpu {
    fn add(&mut self, other: &Cpu) {
        for (a, b) in self.paths.iter_mut().zip(other.paths) {
            *a += b;
        }
        self.fans += other.fans;
        self.targets += other.targets;
    }
}

/// A worker's running summaries.
pub struct Accumulator {
    pub(super) fan: Vec<Sketch>,
    pub(super) stat: Vec<Sketch>,
    pub(super) met: Vec<u64>,
    pub(super) only_here: Vec<u64>,
    pub(super) only_baseline: Vec<u64>,
    pub(super) first_met: Vec<u64>,
    pub(super) scorecard: Vec<Vec<u64>>,
    /// Per-draw effort boundaries (finite ones).
    pub(super) effort: Vec<Sketch>,
    /// Draws whose boundary is −∞ (met whatever the drift) and +∞ (never met).
    pub(super) effort_infinite: Vec<[u64; 2]>,
    /// Histograms of count surpluses (empty for other targets).
    pub(super) surplus: Vec<Vec<u32>>,
    /// Per row of [`Plan::sensitivity`]: draws and draws met by bin of the
    /// lever's uniform.
    pub(super) sensitivity: Vec<Bins>,
    /// (block, sums of natural fan values then of target statistics), merged in block order.
    pub(super) sums: Vec<(u64, Vec<f64>)>,
    pub(super) draws: u64,
    pub(super) cpu: Cpu,
    /// Buffers reused from block to block (not part of the summaries).
    work: Work,
}

/// A worker's buffers, reused from block to block.
#[derive(Default)]
struct Work {
    paths: Paths,
    scratch: Scratch,
    /// One target's statistic by draw.
    stats: Vec<f64>,
    /// Whether each draw meets the current target, by scenario (`s * len + d`).
    met_by: Vec<bool>,
    /// Finite per-draw effort boundaries of one target and scenario.
    boundaries: Vec<f64>,
    /// One draw's natural values.
    x: Vec<f64>,
    /// One scenario's natural values, draw by draw ([`Paths::by_draw`]).
    xs: Vec<f64>,
    /// One scenario's transform-scale values, draw by draw.
    gs: Vec<f64>,
    /// Scratch of the effort boundary.
    base: Vec<f64>,
    /// The first projected year each draw meets a target (first passage).
    first_year: Vec<u16>,
}

/// What one block adds up besides the sketches: its sums and, per scenario,
/// group and draw, the number of targets met.
struct BlockTally {
    sums: Vec<f64>,
    met_counts: Vec<u32>,
}

/// Counts, into `first` (calendar-year slots from the plan's first year, the
/// last one for never), the first projected year up to `until` in which each
/// draw of scenario `s` passes the target's transform-scale cut.
fn first_passage(
    tp: &TargetPlan,
    paths: &Paths,
    (s, until): (usize, usize),
    offset: usize,
    first: &mut [u64],
    year: &mut Vec<u16>,
) {
    let never = u16::MAX;
    let cy = first.len() - 1;
    year.clear();
    year.resize(paths.len(), never);
    for t in (0..=until.min(paths.years().saturating_sub(1))).rev() {
        let column = paths.g(s, t);
        let (at, cut) = (t as u16, tp.test.cut_g);
        if tp.test.cut.upward {
            for (y, &v) in year.iter_mut().zip(column) {
                *y = if v >= cut { at } else { *y };
            }
        } else {
            for (y, &v) in year.iter_mut().zip(column) {
                *y = if v < cut { at } else { *y };
            }
        }
    }
    for &y in year.iter() {
        first[if y == never { cy } else { offset + y as usize }] += 1;
    }
}

impl Accumulator {
    /// Empty summaries for a plan.
    pub fn new(plan: &Plan, grids: &Grids) -> Self {
        let ns = plan.scenarios.len();
        let nt = plan.targets.len();
        Accumulator {
            fan: grids.fan.iter().map(Grid::sketch).collect(),
            stat: grids.stat.iter().map(Grid::sketch).collect(),
            met: vec![0; ns * nt],
            only_here: vec![0; ns * nt],
            only_baseline: vec![0; ns * nt],
            first_met: vec![0; ns * nt * (plan.calendar_years() + 1)],
            scorecard: (0..ns)
                .flat_map(|_| plan.groups.iter().map(|(_, n)| vec![0; n + 1]))
                .collect(),
            effort: grids.effort.iter().map(Grid::sketch).collect(),
            effort_infinite: vec![[0; 2]; ns * nt],
            surplus: (0..ns * nt)
                .map(|k| match plan.targets[k % nt].effort {
                    Effort::Count { .. } => vec![0; 2 * SURPLUS_SPAN as usize + 1],
                    _ => Vec::new(),
                })
                .collect(),
            sensitivity: vec![Bins::default(); plan.sensitivity.len()],
            sums: Vec::new(),
            draws: 0,
            cpu: Cpu::default(),
            work: Work::default(),
        }
    }

    /// Adds another worker's summaries (order does not matter).
    pub fn merge(&mut self, other: Accumulator) {
        for (a, b) in self.fan.iter_mut().zip(&other.fan) {
            a.merge(b);
        }
        for (a, b) in self.stat.iter_mut().zip(&other.stat) {
            a.merge(b);
        }
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.met, &other.met);
        add(&mut self.only_here, &other.only_here);
        add(&mut self.only_baseline, &other.only_baseline);
        add(&mut self.first_met, &other.first_met);
        for (a, b) in self.scorecard.iter_mut().zip(&other.scorecard) {
            add(a, b);
        }
        for (a, b) in self.effort.iter_mut().zip(&other.effort) {
            a.merge(b);
        }
        for (a, b) in self.effort_infinite.iter_mut().zip(&other.effort_infinite) {
            a[0] += b[0];
            a[1] += b[1];
        }
        for (a, b) in self.surplus.iter_mut().zip(&other.surplus) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        for (a, b) in self.sensitivity.iter_mut().zip(&other.sensitivity) {
            a.merge(b);
        }
        self.sums.extend(other.sums);
        self.draws += other.draws;
        self.cpu.add(&other.cpu);
    }

    /// Runs one block of `len` draws: simulates every indicator and adds
    /// its draws to the summaries.
    pub fn run_block(&mut self, engine: &Engine, block: u64, len: usize) {
        let Engine { plan, seed, .. } = *engine;
        let ns = plan.scenarios.len();
        let started = Instant::now();
        let before = self.cpu;
        let commons = Commons::new(plan, seed, block, len);
        let mut tally = BlockTally {
            sums: vec![0.0; ns * (plan.series + plan.targets.len())],
            met_counts: vec![0u32; ns * plan.groups.len() * len],
        };
        let mut work = std::mem::take(&mut self.work);
        work.stats.resize(len, 0.0);
        work.met_by.resize(ns * len, false);
        for ip in &plan.indicators {
            if matches!(ip.fit, Fit::Insufficient { .. }) {
                continue;
            }
            let clock = Instant::now();
            let context = Block::new(plan, &commons, seed, block, len);
            simulate_indicator(&context, ip, &mut work.paths, &mut work.scratch);
            let simulated = Instant::now();
            let kind = match ip.fit {
                Fit::Walk(_) => 0,
                Fit::Count(_) | Fit::AssumedCount { .. } => 1,
                _ => 2,
            };
            self.cpu.paths[kind] += simulated - clock;
            self.bin_fans(engine, ip, &work.paths, &mut tally.sums);
            self.cpu.fans += simulated.elapsed();
            for &j in &ip.targets {
                let tp = &plan.targets[j];
                self.add_target(engine, ip, tp, &mut work, &mut tally);
                self.add_sensitivity(plan, tp, &commons, &work.met_by);
            }
        }
        self.add_scorecard(&tally.met_counts, len);
        self.work = work;
        self.sums.push((block, tally.sums));
        // Targets: the rest of the block (shared draws, tests, scorecard).
        let inside: Duration = self.cpu.paths.iter().sum::<Duration>() + self.cpu.fans
            - before.paths.iter().sum::<Duration>()
            - before.fans;
        self.cpu.targets += started.elapsed().saturating_sub(inside);
        self.draws += len as u64;
    }

    /// Bins every projected year of indicator `ip` into its fan sketches,
    /// adding the natural values outside each grid to the block's sums (the
    /// natural mean: exact sums outside the grid, cells in `finish`).
    fn bin_fans(&mut self, engine: &Engine, ip: &IndicatorPlan, paths: &Paths, sums: &mut [f64]) {
        let (plan, grids) = (engine.plan, engine.grids);
        let transform = ip.transform;
        // A scenario with the same settings as an earlier one for this
        // indicator (`same_as`) has the same values: its summaries are
        // copied in `finish`.
        for s in (0..plan.scenarios.len()).filter(|&s| ip.is_distinct(s)) {
            for t in 0..ip.years {
                let i = s * plan.series + ip.series + t;
                sums[i] += self.fan[i]
                    .add_all_outside(&grids.fan[i], paths.g(s, t), |g| transform.inverse(g));
            }
        }
    }

    /// Adds the block's draws of target `tp` (of indicator `ip`) under every
    /// scenario: tests, statistic, effort, first passage and its part of the
    /// scorecard.
    fn add_target(
        &mut self,
        engine: &Engine,
        ip: &IndicatorPlan,
        tp: &TargetPlan,
        work: &mut Work,
        tally: &mut BlockTally,
    ) {
        let plan = engine.plan;
        let (ns, ng) = (plan.scenarios.len(), plan.groups.len());
        let len = work.paths.len();
        for s in 0..ns {
            let mine = s * len..(s + 1) * len;
            let alias = ip.same_as[s];
            if alias != s {
                // The same draws as an earlier scenario: its summaries are
                // copied in `finish`, only its part of the joint count is kept.
                work.met_by
                    .copy_within(alias * len..(alias + 1) * len, s * len);
            } else {
                self.test_draws(engine, ip, tp, s, work, &mut tally.sums);
            }
            for &grp in &tp.groups {
                let counts = &mut tally.met_counts[(s * ng + grp) * len..(s * ng + grp + 1) * len];
                for (c, &m) in counts.iter_mut().zip(&work.met_by[mine.clone()]) {
                    *c += u32::from(m);
                }
            }
        }
    }

    /// Tests the block's draws of scenario `s` against target `tp` into
    /// `work.met_by`, and adds them to the target's summaries.
    fn test_draws(
        &mut self,
        engine: &Engine,
        ip: &IndicatorPlan,
        tp: &TargetPlan,
        s: usize,
        work: &mut Work,
        sums: &mut [f64],
    ) {
        let plan = engine.plan;
        let (ns, nt) = (plan.scenarios.len(), plan.targets.len());
        let k = s * nt + tp.index;
        let len = work.paths.len();
        let Work {
            paths,
            stats,
            met_by,
            boundaries,
            x,
            xs,
            gs,
            base,
            first_year,
            ..
        } = work;
        let met = &mut met_by[s * len..(s + 1) * len];
        // The statistic by draw: a level's is its fan column.
        let values: &[f64] = if let Some(t) = tp.fan_year {
            // Compared on the transform scale, summarised by the fan series.
            let column = paths.g(s, t);
            let cut = tp.test.cut_g;
            if tp.test.cut.upward {
                for (m, &v) in met.iter_mut().zip(column) {
                    *m = v >= cut;
                }
            } else {
                for (m, &v) in met.iter_mut().zip(column) {
                    *m = v < cut;
                }
            }
            column
        } else {
            let years = ip.years;
            x.resize(years, 0.0);
            base.resize(years, 0.0);
            paths.by_draw(s, true, xs);
            if matches!(tp.effort, Effort::PerDraw { .. }) {
                paths.by_draw(s, false, gs);
            }
            let mut total = 0.0;
            let mut slope = f64::NAN;
            let atom = tp.test.observed_worst().is_some();
            for d in 0..len {
                x.copy_from_slice(&xs[d * years..(d + 1) * years]);
                let (stat, hit) = evaluate(&tp.test, x);
                stats[d] = if atom {
                    tp.test.sketched(stat, x)
                } else {
                    stat
                };
                total += stat;
                met[d] = hit;
                if let Effort::PerDraw { weights, scale } = &tp.effort {
                    let b = effort::boundary_on_grid(
                        &tp.test,
                        ip.transform,
                        &gs[d * years..(d + 1) * years],
                        weights,
                        *scale,
                        (x, stat),
                        base,
                        (&engine.grids.effort[k], &engine.grids.effort_factors[k]),
                        &mut slope,
                    );
                    if b.is_finite() {
                        boundaries.push(b);
                    } else if b < 0.0 {
                        self.effort_infinite[k][0] += 1;
                    } else {
                        self.effort_infinite[k][1] += 1;
                    }
                }
            }
            sums[ns * plan.series + k] += total;
            self.stat[k].add_all(&engine.grids.stat[k], &stats[..len]);
            if !boundaries.is_empty() {
                self.effort[k].add_all(&engine.grids.effort[k], boundaries);
                boundaries.clear();
            }
            &stats[..len]
        };
        if let Effort::Count { needed, .. } = tp.effort {
            let surplus = &mut self.surplus[k];
            for &v in values {
                let v = v as i64;
                let gap = if tp.test.comparator.upward() {
                    v - needed
                } else {
                    needed - v
                };
                surplus[effort::surplus_slot(gap)] += 1;
            }
        }
        self.count_met(k, s, len, met_by);
        if let Some(until) = tp.passage_until {
            let cy = plan.calendar_years() + 1;
            let offset = (ip.start - plan.first_year).max(0) as usize;
            let first = &mut self.first_met[k * cy..(k + 1) * cy];
            first_passage(tp, paths, (s, until), offset, first, first_year);
        }
    }

    /// Adds the block's draws of target `tp` (whether each meets it, by
    /// scenario: `met_by`) to the bins of every lever that moves it.
    fn add_sensitivity(
        &mut self,
        plan: &Plan,
        tp: &TargetPlan,
        commons: &Commons,
        met_by: &[bool],
    ) {
        let len = met_by.len() / plan.scenarios.len();
        for s in 0..plan.scenarios.len() {
            let rows = plan.sensitivity_rows(s, tp.index);
            let met = &met_by[s * len..(s + 1) * len];
            for (bins, row) in self.sensitivity[rows.clone()]
                .iter_mut()
                .zip(&plan.sensitivity[rows])
            {
                for (&u, &m) in commons.lever_u[row.lever].iter().zip(met) {
                    bins.add(Bins::bin(u), m);
                }
            }
        }
    }

    /// Adds the block's numbers of targets met per draw to the scorecard.
    fn add_scorecard(&mut self, met_counts: &[u32], len: usize) {
        for (slot, hist) in self.scorecard.iter_mut().enumerate() {
            for &m in &met_counts[slot * len..(slot + 1) * len] {
                hist[m as usize] += 1;
            }
        }
    }

    /// Adds scenario `s`'s draws that meet target-scenario `k` (`met_by`, by
    /// scenario and draw) to its count and its pairs against the baseline.
    fn count_met(&mut self, k: usize, s: usize, len: usize, met_by: &[bool]) {
        let met = &met_by[s * len..(s + 1) * len];
        self.met[k] += met.iter().filter(|&&m| m).count() as u64;
        if s > 0 {
            let (mut here, mut base) = (0u64, 0u64);
            for (&m, &b) in met.iter().zip(&met_by[..len]) {
                here += u64::from(m && !b);
                base += u64::from(!m && b);
            }
            self.only_here[k] += here;
            self.only_baseline[k] += base;
        }
    }

    /// Runs blocks `blocks` (draw counts from `total`) on `workers` workers and merges.
    pub fn run_blocks(
        engine: &Engine,
        blocks: std::ops::Range<u64>,
        total: u64,
        workers: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Accumulator {
        let len_of = |b: u64| (total - b * BLOCK as u64).min(BLOCK as u64) as usize;
        let workers = workers.max(1);
        // Workers take the next block as they free up (no idle worker while
        // blocks remain). Which worker ran a block does not matter: counts
        // merge exactly and sums are added in block order in `finish`.
        let next = AtomicU64::new(blocks.start);
        (0..workers)
            .into_par_iter()
            .map(|_| {
                let mut acc = Accumulator::new(engine.plan, engine.grids);
                loop {
                    let b = next.fetch_add(1, Ordering::Relaxed);
                    if b >= blocks.end {
                        break;
                    }
                    let len = len_of(b);
                    acc.run_block(engine, b, len);
                    progress(len as u64);
                }
                acc
            })
            .reduce_with(|mut a, b| {
                a.merge(b);
                a
            })
            .unwrap_or_else(|| Accumulator::new(engine.plan, engine.grids))
    }

    /// Draws summarised so far.
    pub fn draws(&self) -> u64 {
        self.draws
    }

    /// Largest standard error of any P(attain) so far.
    pub fn max_se(&self) -> f64 {
        let n = self.draws.max(1) as f64;
        self.met
            .iter()
            .map(|&m| {
                let p = m as f64 / n;
                (p * (1.0 - p) / n).sqrt()
            })
            .fold(0.0, f64::max)
    }
}
