//! Mergeable quantile sketches for fan charts and target statistics.
//!
//! In: values, one per draw. Out: quantiles and extremes. A [`Grid`] is set
//! from a pilot sample (docs/model.md leaves the method open): a fine uniform grid
//! over the pilot's central range, widened, holds the 5–95 % quantiles; values
//! outside it are counted below or above. Integer-valued series (counts,
//! milestones) get one cell per integer, so their quantiles are exact.
//! Counts are integers, so merging sketches in any order gives the same result.

/// Grids with at most this many cells are tallied four ways (see
/// [`Sketch::add_all_outside`]).
const SPLIT_CELLS: usize = 256;

/// Where a series' cells lie.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    lo: f64,
    width: f64,
    inv_width: f64,
    cells: usize,
    discrete: bool,
}

impl Grid {
    /// A grid for a series whose pilot values are `pilot` (any order).
    /// `cells` is the resolution of continuous series.
    pub fn from_pilot(pilot: &mut [f64], cells: usize, discrete: bool) -> Grid {
        let n = pilot.len();
        // Only a few order statistics are needed: select them (linear time)
        // instead of sorting. Each selection leaves the smaller ones before
        // it, so the next is selected from the rest.
        let rank = |q: f64| ((q * (n - 1) as f64).round() as usize).min(n - 1);
        let mut order = [0, rank(0.01), rank(0.99), n - 1];
        order.sort_unstable();
        let mut value = [0.0; 4];
        let mut from = 0;
        for (v, &r) in value.iter_mut().zip(&order) {
            let (_, nth, _) = pilot[from..].select_nth_unstable_by(r - from, f64::total_cmp);
            *v = *nth;
            from = r;
        }
        let at = |q: f64| value[order.iter().position(|&r| r == rank(q)).expect("selected")];
        if discrete {
            let (lo, hi) = (value[0], value[3]);
            let span = (hi - lo).max(1.0);
            let (lo, hi) = (lo - (0.25 * span).ceil(), hi + (0.25 * span).ceil());
            let count = (hi - lo) as usize + 1;
            if count <= 1 << 16 {
                return Grid {
                    lo: lo - 0.5,
                    width: 1.0,
                    inv_width: 1.0,
                    cells: count,
                    discrete: true,
                };
            }
        }
        let (mut lo, mut hi) = (at(0.01), at(0.99));
        let pad = 0.1 * (hi - lo);
        lo -= pad;
        hi += pad;
        if hi - lo <= f64::EPSILON * lo.abs().max(1.0) * 16.0 {
            let c = 0.5 * (lo + hi);
            let half = 1e-9 * c.abs().max(1.0);
            lo = c - half;
            hi = c + half;
        }
        let width = (hi - lo) / cells as f64;
        Grid {
            lo,
            width,
            inv_width: 1.0 / width,
            cells,
            discrete: false,
        }
    }

    /// The grid's continuous cells as (left edge, width, count); None for an
    /// integer grid.
    pub fn cells(&self) -> Option<(f64, f64, usize)> {
        (!self.discrete).then_some((self.lo, self.width, self.cells))
    }

    /// An empty sketch on this grid.
    pub fn sketch(&self) -> Sketch {
        Sketch {
            counts: vec![0; self.cells],
            below: 0,
            above: 0,
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }
}

/// Counts of values on a [`Grid`], with exact extremes.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    counts: Vec<u32>,
    below: u64,
    above: u64,
    n: u64,
    min: f64,
    max: f64,
}

impl Sketch {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, grid: &Grid, x: f64) {
        self.add_all(grid, std::slice::from_ref(&x));
    }

    /// Adds many values (one series at a time keeps its cells in cache).
    pub fn add_all(&mut self, grid: &Grid, xs: &[f64]) {
        self.add_all_outside(grid, xs, |_| 0.0);
    }

    /// Adds many values like [`Sketch::add_all`] and returns Σ f(x) over the
    /// values outside the grid (below, above, or NaN), for means computed
    /// with [`Sketch::inside_sum`].
    pub fn add_all_outside(&mut self, grid: &Grid, xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
        let (mut below, mut above) = (0u64, 0u64);
        // Extremes over four independent lanes (no loop-carried chain per
        // value; NaN never replaces a value, as with `f64::min`).
        let (mut mins, mut maxs) = ([self.min; 4], [self.max; 4]);
        let mut chunks = xs.chunks_exact(4);
        for chunk in &mut chunks {
            for i in 0..4 {
                mins[i] = if chunk[i] < mins[i] {
                    chunk[i]
                } else {
                    mins[i]
                };
                maxs[i] = if chunk[i] > maxs[i] {
                    chunk[i]
                } else {
                    maxs[i]
                };
            }
        }
        let (mut min, mut max) = (self.min, self.max);
        for &x in chunks.remainder().iter().chain(&mins) {
            min = min.min(x);
        }
        for &x in chunks.remainder().iter().chain(&maxs) {
            max = max.max(x);
        }
        let top = grid.cells as f64;
        let mut outside = 0.0;
        // An inside value's cell is `pos as u32`: Rust's saturating
        // conversion to u32 is a few instructions shorter than to usize
        // (cells never reach 2^32).
        let inside = |pos: f64| pos >= 0.0 && pos < top;
        // Outside values: below the grid, or above it (NaN counts above).
        let mut count_outside = |x: f64, pos: f64| {
            if pos < 0.0 {
                below += 1;
            } else {
                above += 1;
            }
            outside += f(x);
        };
        if grid.cells <= SPLIT_CELLS {
            // Few cells (integer series, constant ones): consecutive values
            // often land in the same cell, and each increment would wait for
            // the previous one. Four interleaved tallies break that chain.
            let mut tallies = [[0u32; SPLIT_CELLS]; 4];
            for (i, &x) in xs.iter().enumerate() {
                let pos = (x - grid.lo) * grid.inv_width;
                if inside(pos) {
                    tallies[i % 4][pos as u32 as usize] += 1;
                } else {
                    count_outside(x, pos);
                }
            }
            for (i, c) in self.counts.iter_mut().enumerate() {
                *c += tallies[0][i] + tallies[1][i] + tallies[2][i] + tallies[3][i];
            }
        } else {
            let counts = &mut self.counts[..];
            for &x in xs {
                let pos = (x - grid.lo) * grid.inv_width;
                if inside(pos) {
                    counts[pos as u32 as usize] += 1;
                } else {
                    count_outside(x, pos);
                }
            }
        }
        self.min = min;
        self.max = max;
        self.below += below;
        self.above += above;
        self.n += xs.len() as u64;
        outside
    }

    /// Σ f over the values inside the grid, each taken at its cell's centre
    /// (exact for integer grids; for a smooth f the error per value is at
    /// most f′·width/2 and averages to O(width²)).
    pub fn inside_sum(&self, grid: &Grid, f: impl Fn(f64) -> f64) -> f64 {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(i, &c)| f64::from(c) * f(grid.lo + (i as f64 + 0.5) * grid.width))
            .sum()
    }

    /// Adds another sketch on the same grid.
    pub fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The q-quantile: linear within a continuous cell, the cell's integer for
    /// a discrete grid. None when empty.
    pub fn quantile(&self, grid: &Grid, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        if self.min == self.max {
            return Some(self.min);
        }
        let rank = q * self.n as f64;
        let mut cum = self.below as f64;
        if rank <= cum && self.below > 0 {
            // Outside the grid: the best we know is between the minimum and the grid.
            let frac = rank / cum;
            return Some(self.min + frac * (grid.lo - self.min));
        }
        for (i, &c) in self.counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = f64::from(c);
            if cum + c >= rank {
                let left = grid.lo + i as f64 * grid.width;
                let value = if grid.discrete {
                    left + 0.5
                } else {
                    left + ((rank - cum) / c).clamp(0.0, 1.0) * grid.width
                };
                return Some(value.clamp(self.min, self.max));
            }
            cum += c;
        }
        let top = grid.lo + grid.cells as f64 * grid.width;
        let frac = ((rank - cum) / self.above.max(1) as f64).clamp(0.0, 1.0);
        Some((top + frac * (self.max - top)).clamp(self.min, self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, StandardNormal, StudentT};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn exact(sorted: &[f64], q: f64) -> f64 {
        let n = sorted.len();
        sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1]
    }

    fn check_within_rank(values: &mut [f64], discrete: bool) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(99);
        let mut pilot: Vec<f64> = (0..4096)
            .map(|_| values[rng.random_range(0..values.len())])
            .collect();
        let grid = Grid::from_pilot(&mut pilot, 2048, discrete);
        let mut halves = [grid.sketch(), grid.sketch()];
        for (i, &v) in values.iter().enumerate() {
            halves[i % 2].add(&grid, v);
        }
        let [mut a, b] = halves;
        a.merge(&b);
        values.sort_unstable_by(f64::total_cmp);
        for q in [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] {
            let got = a.quantile(&grid, q).unwrap();
            let lo = exact(values, q - 0.001);
            let hi = exact(values, q + 0.001);
            assert!(lo <= got && got <= hi, "q={q}: {lo} <= {got} <= {hi}");
        }
    }

    #[test]
    fn quantiles_lie_within_a_thousandth_of_rank_for_heavy_and_light_tails() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut normal: Vec<f64> = (0..200_000)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect();
        check_within_rank(&mut normal, false);
        let cauchy = StudentT::new(1.0).unwrap();
        let mut heavy: Vec<f64> = (0..200_000).map(|_| cauchy.sample(&mut rng)).collect();
        check_within_rank(&mut heavy, false);
        // A shifted mixture: a shock with probability 0.3.
        let mut mixed: Vec<f64> = (0..200_000)
            .map(|_| {
                rng.sample::<f64, _>(StandardNormal)
                    + if rng.random::<f64>() < 0.3 { -4.0 } else { 0.0 }
            })
            .collect();
        check_within_rank(&mut mixed, false);
        let mut counts: Vec<f64> = (0..200_000)
            .map(|_| (rng.random::<f64>() * 7.0).floor() + 40.0)
            .collect();
        check_within_rank(&mut counts, true);
    }

    /// Sketches of a few values each, on one grid, from a value list split
    /// at the given points.
    fn sketches(grid: &Grid, values: &[f64], cuts: &[usize]) -> Vec<Sketch> {
        let mut edges: Vec<usize> = cuts.iter().map(|&c| c % (values.len() + 1)).collect();
        edges.extend([0, values.len()]);
        edges.sort_unstable();
        edges
            .windows(2)
            .map(|w| {
                let mut s = grid.sketch();
                s.add_all(grid, &values[w[0]..w[1]]);
                s
            })
            .collect()
    }

    proptest::proptest! {
        /// Merging the sketches of the parts, in any grouping, gives the
        /// sketch of one pass over all values (what makes results independent
        /// of how blocks are shared among workers).
        #[test]
        fn merging_is_associative_and_equals_one_sequential_pass(
            values in proptest::collection::vec(-50.0f64..150.0, 0..400),
            cuts in proptest::collection::vec(0usize..400, 0..6),
            discrete in proptest::bool::ANY,
        ) {
            let values: Vec<f64> = if discrete {
                values.iter().map(|v| v.round()).collect()
            } else {
                values
            };
            let mut pilot = vec![0.0, 10.0, 50.0, 100.0];
            let grid = Grid::from_pilot(&mut pilot, 64, discrete);
            let mut whole = grid.sketch();
            for &v in &values {
                whole.add(&grid, v);
            }
            let parts = sketches(&grid, &values, &cuts);
            // Left to right.
            let mut left = grid.sketch();
            for p in &parts {
                left.merge(p);
            }
            // Right to left, pairwise.
            let mut right = grid.sketch();
            for p in parts.iter().rev() {
                let mut pair = p.clone();
                pair.merge(&right);
                right = pair;
            }
            proptest::prop_assert_eq!(&left, &whole);
            proptest::prop_assert_eq!(&right, &whole);
        }
    }

    #[test]
    fn a_constant_series_reports_its_value() {
        let mut pilot = vec![3.5; 100];
        let grid = Grid::from_pilot(&mut pilot, 64, false);
        let mut s = grid.sketch();
        for _ in 0..10 {
            s.add(&grid, 3.5);
        }
        assert_eq!(s.quantile(&grid, 0.5), Some(3.5));
    }
}
