//! What a target asks, and how one draw is tested against it (docs/model.md §6).
//!
//! In: a target's kind, comparator, value and the years its statistic is
//! made of. Out: a [`TargetTest`] and, per draw, the statistic and whether
//! the draw meets the target with values compared as they would be
//! published (rounded half away from zero to the indicator's decimals).
//!
//! Adding a kind of target: a variant of [`TargetKind`] (and its name in
//! [`Kind`]), its [`Statistic`] in [`TargetKind::statistic`] and its test in
//! [`evaluate`]; the catalog parses its columns and the people-facing words
//! describe it (docs/architecture.md).

use super::transform::{pow10, round_scaled, Transform};
use super::Named;

crate::named_enum! {
    /// The kind of a target as files spell it (docs/model.md §6).
    pub enum Kind {
        /// The value in the target year.
        Level = "level",
        /// The change from a base year.
        Increase = "increase",
        /// The comparison holds every year of a span.
        EveryYear = "every_year",
        /// The sum over a span of years.
        Cumulative = "cumulative",
        /// Done by the target year.
        Milestone = "milestone",
    }
}

crate::named_enum! {
    /// A comparison with the target value.
    pub enum Comparator {
        /// `>=`
        Ge = ">=",
        /// `>`
        Gt = ">",
        /// `<=`
        Le = "<=",
        /// `<`
        Lt = "<",
    }
}

impl Comparator {
    /// Whether `x` meets `value`.
    #[inline]
    pub fn holds(&self, x: f64, value: f64) -> bool {
        match self {
            Comparator::Ge => x >= value,
            Comparator::Gt => x > value,
            Comparator::Le => x <= value,
            Comparator::Lt => x < value,
        }
    }

    /// Whether larger values are better.
    pub fn upward(&self) -> bool {
        matches!(self, Comparator::Ge | Comparator::Gt)
    }

    /// The symbol as printed for people: ≥, >, ≤, <.
    pub fn printed(&self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
            Comparator::Le => "≤",
            Comparator::Lt => "<",
        }
    }
}

/// How a target's statistic is formed (docs/model.md §6), with the years it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// The value in the target year.
    Level,
    /// Value in the target year minus value in `base_year`.
    Increase {
        /// The base year (observed or simulated).
        base_year: i32,
    },
    /// The comparison holds in every year from `from_year` to the target year.
    EveryYear {
        /// First year checked.
        from_year: i32,
    },
    /// Sum of yearly values from `from_year` to the target year.
    Cumulative {
        /// First year summed.
        from_year: i32,
    },
    /// Done by the target year.
    Milestone,
}

/// The year a target's statistic starts from when that is not the target
/// year: an increase's base year, a span's first year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstYear {
    /// The year.
    pub year: i32,
    /// The column of `targets` that holds it.
    pub column: &'static str,
    /// Whether it must come strictly before the target year (a base year),
    /// or may be the target year itself (a span of one year).
    pub strict: bool,
}

impl FirstYear {
    /// Whether a target year fits it.
    pub fn fits(&self, target_year: i32) -> bool {
        if self.strict {
            self.year < target_year
        } else {
            self.year <= target_year
        }
    }

    /// What the first year must be, given the target year.
    pub fn expected(&self, target_year: i32) -> String {
        if self.strict {
            format!("a base year before the target year {target_year}")
        } else {
            format!("a first year not after the target year {target_year}")
        }
    }

    /// What a target year must be, given the first year.
    pub fn expected_target_year(&self) -> String {
        if self.strict {
            format!("a year after the base year {}", self.year)
        } else {
            format!("a year not before the first year {}", self.year)
        }
    }
}

impl TargetKind {
    /// The year the statistic starts from, when it is not the target year.
    pub fn first_year(&self) -> Option<FirstYear> {
        match *self {
            TargetKind::Increase { base_year } => Some(FirstYear {
                year: base_year,
                column: "base_year",
                strict: true,
            }),
            TargetKind::EveryYear { from_year } | TargetKind::Cumulative { from_year } => {
                Some(FirstYear {
                    year: from_year,
                    column: "from_year",
                    strict: false,
                })
            }
            TargetKind::Level | TargetKind::Milestone => None,
        }
    }

    /// The years whose values the statistic reads, in order.
    pub fn years_read(&self, target_year: i32) -> Vec<i32> {
        match *self {
            TargetKind::Increase { base_year } => vec![base_year, target_year],
            TargetKind::EveryYear { from_year } | TargetKind::Cumulative { from_year } => {
                (from_year..=target_year).collect()
            }
            TargetKind::Level | TargetKind::Milestone => vec![target_year],
        }
    }

    /// Whether the first year the target is met is tracked (`p_reached_by`,
    /// `first_year_p50`): for targets on one year's value.
    pub fn tracks_first_passage(&self) -> bool {
        matches!(self, TargetKind::Level | TargetKind::Milestone)
    }

    /// The kind without its years.
    pub fn kind(&self) -> Kind {
        match self {
            TargetKind::Level => Kind::Level,
            TargetKind::Increase { .. } => Kind::Increase,
            TargetKind::EveryYear { .. } => Kind::EveryYear,
            TargetKind::Cumulative { .. } => Kind::Cumulative,
            TargetKind::Milestone => Kind::Milestone,
        }
    }

    /// The catalog name.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// The statistic of a target of this kind with target year
    /// `target_year`, `value_of` telling how each year's value is known.
    pub fn statistic(&self, target_year: i32, value_of: impl Fn(i32) -> YearValue) -> Statistic {
        match *self {
            TargetKind::Level | TargetKind::Milestone => Statistic::Level(value_of(target_year)),
            TargetKind::Increase { base_year } => Statistic::Increase {
                end: value_of(target_year),
                base: value_of(base_year),
            },
            TargetKind::EveryYear { from_year } => {
                Statistic::EveryYear((from_year..=target_year).map(&value_of).collect())
            }
            TargetKind::Cumulative { from_year } => {
                Statistic::Cumulative((from_year..=target_year).map(&value_of).collect())
            }
        }
    }

    /// The yearly level a target of this kind asks of its indicator, for a
    /// line on a chart: the value itself for `level` and `every_year`, the
    /// base-year value plus the increase for `increase` (`base` gives it),
    /// the yearly average for `cumulative`; none for a milestone. The line
    /// starts in the returned year (None: at the first observation).
    pub fn yearly_level(
        &self,
        value: f64,
        target_year: i32,
        base: impl FnOnce(i32) -> Option<f64>,
    ) -> Option<(f64, Option<i32>)> {
        match *self {
            TargetKind::Level => Some((value, None)),
            TargetKind::EveryYear { from_year } => Some((value, Some(from_year))),
            TargetKind::Increase { base_year } => Some((base(base_year)? + value, Some(base_year))),
            TargetKind::Cumulative { from_year } => {
                let years = (target_year - from_year + 1).max(1);
                Some((value / f64::from(years), Some(from_year)))
            }
            TargetKind::Milestone => None,
        }
    }
}

/// A value a target statistic uses: observed, or the projection of a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YearValue {
    /// Known.
    Observed(f64),
    /// Index into the indicator's projected years.
    Projected(usize),
}

/// How a target's statistic is computed from one draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// Value of a year.
    Level(YearValue),
    /// Value of a year minus value of the base year.
    Increase {
        /// Target year.
        end: YearValue,
        /// Base year.
        base: YearValue,
    },
    /// Every year meets the comparison; the statistic is the worst year.
    EveryYear(Vec<YearValue>),
    /// Sum of the years.
    Cumulative(Vec<YearValue>),
}

impl Statistic {
    /// The projected years the statistic reads (its observed values are
    /// fixed).
    pub fn projected_years(&self) -> Vec<usize> {
        let projected = |y: &YearValue| match *y {
            YearValue::Projected(i) => Some(i),
            YearValue::Observed(_) => None,
        };
        match self {
            Statistic::Level(y) => projected(y).into_iter().collect(),
            Statistic::Increase { end, base } => {
                [end, base].into_iter().filter_map(projected).collect()
            }
            Statistic::EveryYear(ys) | Statistic::Cumulative(ys) => {
                ys.iter().filter_map(projected).collect()
            }
        }
    }
}

/// "round(x) to `decimals` compares with `value`" as a cut on x: for `>=`
/// and `>`, x ≥ `at`; for `<=` and `<`, x < `at`. Exact for rounding half
/// away from zero except on the measure-zero set where x is itself a
/// negative half-way point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PublishedCut {
    /// The cut point.
    pub at: f64,
    /// Whether larger values meet it.
    pub upward: bool,
}

impl PublishedCut {
    /// The cut for a comparison.
    pub fn new(comparator: Comparator, value: f64, decimals: i32) -> Self {
        let scale = 10f64.powi(decimals);
        let half = 0.5 / scale;
        let scaled = value * scale;
        let tol = 1e-9 * scaled.abs().max(1.0);
        // Grid values (published figures) next to the target value.
        let at_or_above = (scaled - tol).ceil() / scale;
        let above = (scaled + tol).floor() / scale + 1.0 / scale;
        let at_or_below = (scaled + tol).floor() / scale;
        let below = (scaled - tol).ceil() / scale - 1.0 / scale;
        match comparator {
            Comparator::Ge => PublishedCut {
                at: at_or_above - half,
                upward: true,
            },
            Comparator::Gt => PublishedCut {
                at: above - half,
                upward: true,
            },
            Comparator::Le => PublishedCut {
                at: at_or_below + half,
                upward: false,
            },
            Comparator::Lt => PublishedCut {
                at: below + half,
                upward: false,
            },
        }
    }

    /// Whether the published value of x meets the target.
    #[inline]
    pub fn meets(&self, x: f64) -> bool {
        if self.upward {
            x >= self.at
        } else {
            x < self.at
        }
    }
}

/// Everything needed to test one draw against a target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetTest {
    /// The statistic.
    pub statistic: Statistic,
    /// The comparison.
    pub comparator: Comparator,
    /// The target value, in the indicator's units.
    pub value: f64,
    /// Decimals of publication.
    pub decimals: i32,
    /// The published comparison of one year's value as a cut on the
    /// unrounded value.
    pub cut: PublishedCut,
    /// The same cut on the transform scale, g(cut): a value meets it iff its
    /// transform-scale value is ≥ it (`>`/`>=`) or < it (`<`/`<=`).
    pub cut_g: f64,
}

impl TargetTest {
    /// The test of `statistic` against `comparator value`, published with
    /// `decimals` decimals, on an indicator on `transform`.
    pub fn new(
        statistic: Statistic,
        (comparator, value): (Comparator, f64),
        decimals: i32,
        transform: Transform,
    ) -> Self {
        let cut = PublishedCut::new(comparator, value, decimals);
        TargetTest {
            statistic,
            comparator,
            value,
            decimals,
            cut,
            cut_g: transform.forward_cut(cut.at),
        }
    }

    /// The worst observed year of an `every_year` statistic that also reads
    /// projected years: the statistic is then the worse of this fixed value
    /// and the worst projected year, so its distribution has an atom here.
    /// Its quantiles are those of the projected part, capped by it
    /// ([`TargetTest::sketched`], [`TargetTest::quantile_of`]).
    pub fn observed_worst(&self) -> Option<f64> {
        let Statistic::EveryYear(years) = &self.statistic else {
            return None;
        };
        let observed = years.iter().filter_map(|y| match *y {
            YearValue::Observed(v) => Some(v),
            YearValue::Projected(_) => None,
        });
        let projected = years.iter().any(|y| matches!(y, YearValue::Projected(_)));
        let worst = if self.comparator.upward() {
            observed.reduce(f64::min)
        } else {
            observed.reduce(f64::max)
        };
        worst.filter(|_| projected)
    }

    /// The value a sketch of the statistic keeps for one draw whose
    /// statistic is `stat`: the statistic itself, or, when it has an
    /// [`observed_worst`](TargetTest::observed_worst), its worst projected
    /// year (the statistic is a monotone function of it, and a sketch
    /// interpolating within a cell would blur the atom).
    #[inline]
    pub fn sketched(&self, stat: f64, x: &[f64]) -> f64 {
        match (&self.statistic, self.observed_worst()) {
            (Statistic::EveryYear(years), Some(_)) => {
                let projected = years.iter().filter_map(|y| match *y {
                    YearValue::Projected(i) => Some(x[i]),
                    YearValue::Observed(_) => None,
                });
                if self.comparator.upward() {
                    projected.fold(f64::INFINITY, f64::min)
                } else {
                    projected.fold(f64::NEG_INFINITY, f64::max)
                }
            }
            _ => stat,
        }
    }

    /// A quantile of the statistic from the same quantile of what the sketch
    /// keeps ([`TargetTest::sketched`]): the worse of it and the observed
    /// worst, since taking the worse of a fixed value is monotone.
    pub fn quantile_of(&self, sketched: f64) -> f64 {
        if sketched.is_nan() {
            return sketched;
        }
        match self.observed_worst() {
            Some(fixed) if self.comparator.upward() => sketched.min(fixed),
            Some(fixed) => sketched.max(fixed),
            None => sketched,
        }
    }

    /// +1 for `>`/`>=` targets, −1 for `<`/`<=`: the sign that turns a
    /// change into "a change in the helpful direction".
    #[inline]
    pub fn direction(&self) -> f64 {
        if self.comparator.upward() {
            1.0
        } else {
            -1.0
        }
    }
}

/// The statistic of a target for one draw (natural values `x` of the
/// indicator's projected years) and whether the draw meets it.
#[inline]
pub fn evaluate(test: &TargetTest, x: &[f64]) -> (f64, bool) {
    let value = |y: &YearValue| match *y {
        YearValue::Observed(v) => v,
        YearValue::Projected(i) => x[i],
    };
    // Published figures in units of the last decimal are whole numbers:
    // their sums and differences are exact, so the published result is the
    // combination of the units divided once by the scale.
    let scale = pow10(test.decimals);
    let units = |v: f64| round_scaled(v, scale);
    match &test.statistic {
        Statistic::Level(y) => {
            let v = value(y);
            (v, test.cut.meets(v))
        }
        Statistic::Increase { end, base } => {
            let (e, b) = (value(end), value(base));
            let published = (units(e) - units(b)) / scale;
            (e - b, test.comparator.holds(published, test.value))
        }
        Statistic::Cumulative(years) => cumulative(test, years, |i| x[i]),
        Statistic::EveryYear(years) => {
            let mut met = true;
            let upward = test.comparator.upward();
            let mut worst = if upward {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            };
            for y in years {
                let v = value(y);
                met &= test.cut.meets(v);
                worst = if upward { worst.min(v) } else { worst.max(v) };
            }
            (worst, met)
        }
    }
}

/// A `cumulative` statistic, `projected(i)` giving projected year `i`'s
/// natural value: the sum, and whether the sum of the published yearly
/// figures meets the target. The published figures are added in whole units
/// of the last decimal (exact), then divided once by the scale.
#[inline]
pub fn cumulative(
    test: &TargetTest,
    years: &[YearValue],
    mut projected: impl FnMut(usize) -> f64,
) -> (f64, bool) {
    let scale = pow10(test.decimals);
    let (mut total, mut units) = (0.0, 0.0);
    for y in years {
        let v = match *y {
            YearValue::Observed(v) => v,
            YearValue::Projected(i) => projected(i),
        };
        total += v;
        units += round_scaled(v, scale);
    }
    (total, test.comparator.holds(units / scale, test.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::transform::round_published;
    use proptest::prelude::*;

    const COMPARATORS: [Comparator; 4] = [
        Comparator::Ge,
        Comparator::Gt,
        Comparator::Le,
        Comparator::Lt,
    ];

    #[test]
    fn the_published_cut_agrees_with_rounding_then_comparing_on_a_fine_grid() {
        for decimals in 0..3 {
            for &value in &[100.0, 99.0, 3.5, 93.0, 95.95, 0.0, 1500.0] {
                for &c in &COMPARATORS {
                    let cut = PublishedCut::new(c, value, decimals);
                    for i in 0..20_000 {
                        let x = value - 2.0 + f64::from(i) * 0.000_2 + 1e-7;
                        let by_rounding = c.holds(round_published(x, decimals), value);
                        assert_eq!(
                            cut.meets(x),
                            by_rounding,
                            "{x} {} {value} at {decimals} decimals",
                            c.name()
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// Away from the half-way points (where x itself is a tie, which
        /// the cut may place either side of for negative x), the cut and
        /// "round, then compare" agree.
        #[test]
        fn the_published_cut_agrees_with_rounding_then_comparing(
            units in -200_000i64..200_000,
            decimals in 0i32..4,
            offset in -3.0f64..3.0,
            c in 0usize..4,
        ) {
            let c = COMPARATORS[c];
            let scale = 10f64.powi(decimals);
            let value = units as f64 / scale;
            let x = value + offset / scale;
            let frac = (x * scale - (x * scale).floor() - 0.5).abs();
            prop_assume!(frac > 1e-6);
            let cut = PublishedCut::new(c, value, decimals);
            prop_assert_eq!(cut.meets(x), c.holds(round_published(x, decimals), value));
        }
    }

    #[test]
    fn an_every_year_statistic_with_an_observed_year_is_sketched_by_its_projected_part() {
        let statistic = Statistic::EveryYear(vec![
            YearValue::Observed(98.4),
            YearValue::Projected(0),
            YearValue::Projected(1),
        ]);
        let test = TargetTest::new(statistic, (Comparator::Ge, 97.0), 1, Transform::Level);
        assert_eq!(test.observed_worst(), Some(98.4));
        let x = [99.0, 98.9];
        let (stat, met) = evaluate(&test, &x);
        assert_eq!((stat, met), (98.4, true));
        assert_eq!(test.sketched(stat, &x), 98.9);
        // The statistic's quantile is the worse of the projected part's and the observed.
        assert_eq!(test.quantile_of(98.9), 98.4);
        assert_eq!(test.quantile_of(97.5), 97.5);
        // No observed year in the span: the statistic is sketched as it is.
        let plain = Statistic::EveryYear(vec![YearValue::Projected(0), YearValue::Projected(1)]);
        let test = TargetTest::new(plain, (Comparator::Ge, 97.0), 1, Transform::Level);
        assert_eq!(test.observed_worst(), None);
        assert_eq!(test.sketched(98.9, &x), 98.9);
    }

    #[test]
    fn kinds_build_their_statistics_from_the_years_they_name() {
        let value_of = |y: i32| {
            if y <= 2024 {
                YearValue::Observed(f64::from(y))
            } else {
                YearValue::Projected((y - 2025) as usize)
            }
        };
        assert_eq!(
            TargetKind::Increase { base_year: 2024 }.statistic(2027, value_of),
            Statistic::Increase {
                end: YearValue::Projected(2),
                base: YearValue::Observed(2024.0)
            }
        );
        let s = TargetKind::Cumulative { from_year: 2024 }.statistic(2026, value_of);
        assert_eq!(s.projected_years(), vec![0, 1]);
        assert_eq!(
            TargetKind::Cumulative { from_year: 2026 }.yearly_level(500.0, 2030, |_| None),
            Some((100.0, Some(2026)))
        );
        assert_eq!(
            TargetKind::Increase { base_year: 2025 }.yearly_level(5.0, 2030, |_| Some(40.0)),
            Some((45.0, Some(2025)))
        );
    }
}
