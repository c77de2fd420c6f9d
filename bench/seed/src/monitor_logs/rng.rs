//! The generator's random numbers: SplitMix64, written out here so the same seed gives the same
//! log on any machine and with any version of any crate (`rand`'s `StdRng` may change its
//! algorithm between releases). Integer arithmetic only: no floating point, whose rounding in
//! library functions such as `powf` or `ln` can differ between platforms.

/// Sebastiano Vigna's SplitMix64: passes BigCrush, one state word, a few instructions a draw.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// A generator for one independent purpose (sites, clients, traffic), so that changing how
    /// many numbers one part draws does not reshuffle the others.
    pub fn stream(seed: u64, purpose: u64) -> SplitMix64 {
        let mut mixer = SplitMix64::new(seed ^ purpose.wrapping_mul(0xA076_1D64_78BD_642F));
        SplitMix64::new(mixer.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), by Lemire's multiply-shift: no division, and the
    /// tiny bias for huge `n` does not matter to a benchmark.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a slice of length `len`.
    pub fn index(&mut self, len: usize) -> usize {
        // The result is below `len`, which is a usize.
        self.below(len as u64) as usize
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// A heavy-tailed size: a power of two from `2^min_log2` up to `2^max_log2`, each step up
    /// half as likely as the one below (a Pareto-like tail with exponent about 1), then a
    /// uniform point inside that doubling. Most sizes are small; a few are very large, as in
    /// real proxy logs.
    pub fn heavy_tail(&mut self, min_log2: u32, max_log2: u32) -> u64 {
        let extra = self.next_u64().trailing_ones();
        let log2 = (min_log2 + extra).min(max_log2);
        let base = 1u64 << log2;
        base + self.below(base)
    }

    /// An item chosen with the given cumulative weights (`cumulative[i]` is the sum of the
    /// weights of items `0..=i`); `None` when every weight is zero.
    pub fn weighted(&mut self, cumulative: &[u64]) -> Option<usize> {
        let total = *cumulative.last()?;
        if total == 0 {
            return None;
        }
        let target = self.below(total);
        Some(cumulative.partition_point(|&sum| sum <= target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let second: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(first, second);
        // The published first output of SplitMix64 seeded with 0, so the algorithm cannot
        // drift unnoticed.
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn below_stays_in_range_and_weighted_follows_the_weights() {
        let mut rng = SplitMix64::new(7);
        assert!((0..10_000).all(|_| rng.below(13) < 13));
        assert_eq!(rng.below(0), 0);
        let cumulative = [0, 10, 10, 1010];
        let mut counts = [0u32; 4];
        for _ in 0..10_000 {
            if let Some(i) = rng.weighted(&cumulative) {
                counts[i] += 1;
            }
        }
        assert_eq!(counts[0], 0, "an item of weight zero is never chosen");
        assert_eq!(counts[2], 0);
        assert!(counts[3] > counts[1] * 20, "{counts:?}");
        assert_eq!(rng.weighted(&[0, 0]), None);
    }

    #[test]
    fn heavy_tail_sizes_stay_within_their_bounds() {
        let mut rng = SplitMix64::new(3);
        for _ in 0..10_000 {
            let size = rng.heavy_tail(10, 20);
            assert!((1024..(1 << 21)).contains(&size), "{size}");
        }
    }
}
