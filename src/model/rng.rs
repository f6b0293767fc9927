//! Random streams keyed by (seed, domain, key, block).
//!
//! In: the run seed and a key. Out: an independent Xoshiro256++ generator.
//! Every stream the simulation uses is one of these: the innovations and
//! parameters of an indicator (keyed by a hash of its id), the common factor
//! of a scenario entry, the uniform deciding a shock, the uniform an uncertain
//! lever is drawn from. Because a block of draws
//! always gets the same stream, whichever thread runs it, results do not
//! depend on the thread count (docs/model.md §7).
//!
//! ## Derivation
//! `state = SplitMix64(seed ⊕ SplitMix64(domain ⊕ SplitMix64(key ⊕ SplitMix64(block))))`,
//! then `Xoshiro256PlusPlus::seed_from_u64(state)` (which fills its 256 bits
//! with SplitMix64).
//!
//! ## References
//! - Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS 47 (2021).
//! - Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014 (SplitMix64).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator of every stream.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Domain {
    /// An indicator's parameters and innovations.
    Indicator = 1,
    /// A common factor's yearly values.
    Factor = 2,
    /// A shock's uniform.
    Shock = 3,
    /// An uncertain lever's uniform.
    Lever = 4,
}

/// The block number of the pilot draws that place the quantile grids; no
/// counted block ever has it.
pub const PILOT_BLOCK: u64 = u64::MAX;

/// One step of SplitMix64.
#[inline]
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a of a name: the stable key of an indicator's, a factor's or a
/// shock's streams, so that adding an indicator or a scenario entry leaves
/// the others' draws alone.
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The stream of (seed, domain, key, block).
pub fn stream(seed: u64, domain: Domain, key: u64, block: u64) -> Stream {
    let inner = splitmix64(key ^ splitmix64(block));
    let state = splitmix64(seed ^ splitmix64(domain as u64 ^ inner));
    Xoshiro256PlusPlus::seed_from_u64(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_part_of_the_key() {
        let first = |s: &mut Stream| s.random::<u64>();
        let base = first(&mut stream(1, Domain::Indicator, 2, 3));
        assert_eq!(base, first(&mut stream(1, Domain::Indicator, 2, 3)));
        assert_ne!(base, first(&mut stream(2, Domain::Indicator, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Domain::Factor, 2, 3)));
        assert_ne!(base, first(&mut stream(1, Domain::Indicator, 3, 3)));
        assert_ne!(base, first(&mut stream(1, Domain::Indicator, 2, 4)));
    }
}
