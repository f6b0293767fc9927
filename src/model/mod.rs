//! The mathematics of the model: pure functions and the vocabulary they
//! speak, no I/O and no threads.
//!
//! In: numbers and the types defined here. Out: numbers. Everything above
//! this layer (inputs, plan, engine, tables, commands) uses these types;
//! nothing here uses theirs.
//!
//! - [`transform`]: the scales indicators walk on (docs/model.md §1) and the
//!   rounding of published figures (§6);
//! - [`target`]: what a target asks and how one draw is tested against it (§6);
//! - [`fit`]: the sufficient statistics of a history (§2–4);
//! - [`persistence`]: how far a fitted drift carries on (§2c);
//! - [`lever`]: uncertain scenario levers, their distributions (§5);
//! - [`sensitivity`]: which lever matters, from bins of its uniform (§6b);
//! - [`effort`]: the extra drift that lifts P(attain) to a goal;
//! - [`rng`]: random streams keyed by (seed, domain, key, block) (§7);
//! - [`sketch`]: mergeable quantile sketches;
//! - [`score`]: proper scores of forecasts (the backtest);
//! - [`calendar`]: dates from a count of days (time stamps, the current year).

pub mod calendar;
pub mod effort;
pub mod fit;
pub mod lever;
pub mod persistence;
pub mod rng;
pub mod score;
pub mod sensitivity;
pub mod sketch;
pub mod target;
pub mod transform;

/// An enum whose values are spelled in input or output files: one name per
/// variant, read back with `parse`. Code compares the variants; only the
/// edges (parsing a file, writing a table) see the names.
pub trait Named: Sized + Copy + 'static {
    /// Every variant, in a fixed order.
    const ALL: &'static [Self];

    /// The name in files.
    fn name(&self) -> &'static str;

    /// The variant of a name.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == text)
    }

    /// The names, for error messages: "`a`, `b` or `c`".
    fn expected() -> String {
        let names: Vec<String> = Self::ALL
            .iter()
            .map(|v| format!("`{}`", v.name()))
            .collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

/// Defines a fieldless enum and its [`Named`] spelling in one place.
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::model::Named for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn name(&self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Named;

    crate::named_enum! {
        /// A test enum.
        pub enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark_blue",
        }
    }

    #[test]
    fn names_round_trip_and_list_themselves() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.name()), Some(*c));
        }
        assert_eq!(Colour::parse("green"), None);
        assert_eq!(Colour::expected(), "`red` or `dark_blue`");
    }
}
