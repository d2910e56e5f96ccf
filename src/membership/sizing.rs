//! Sizing formulas: how many bits and hashes a layout needs for `n` items at rate `p`.
//!
//! * Classic (Bloom 1970, with the exact fill of Kirsch & Mitzenmacher's analysis): after
//!   `n` insertions into `m` bits with `k` probes each, a bit is still zero with probability
//!   `(1 - 1/m)^(kn) ≈ e^(-kn/m)`, so a query for an absent key hits `k` set bits with
//!   probability `(1 - e^(-kn/m))^k`. For each `k` the smallest `m` meeting `p` is
//!   `m = -k n / ln(1 - p^(1/k))`; we take the `k` with the smallest `m` (at 1%: k = 7,
//!   9.59 bits per item).
//! * Blocked (Putze, Sanders & Singler 2007): a key picks one of `B` blocks of 512 bits and
//!   sets `k` bits inside it. A block's load is Poisson with mean `λ = n / B` (the binomial's
//!   variance is a little smaller, so Poisson is the conservative choice), and
//!   `FP = Σ_j Pois(j; λ) (1 - (1 - 1/512)^(kj))^k`. For each `k` near the classic optimum we
//!   search the smallest `B` meeting `p`, then keep the best `k` (at 1%: k = 6, 9.90 bits per
//!   item; at 0.1%: k = 9, 15.49 bits; at 10%: k = 3, 4.83 bits).

use crate::error::{Error, Result};

/// Bits in one cache-line block.
pub(crate) const BLOCK_BITS: u64 = 512;
/// The largest bit array a filter may have (2^48 bits, 32 TiB).
pub(crate) const MAX_BITS: u64 = 1 << 48;
/// The most probes per key.
pub(crate) const MAX_HASHES: u32 = 64;

/// Checks an expected-item count and a false-positive rate.
pub(crate) fn check_params(expected_items: u64, fp_rate: f64) -> Result<()> {
    if expected_items == 0 {
        return Err(Error::parameter("expected items", 0, "1 or more"));
    }
    if !(fp_rate > 0.0 && fp_rate < 1.0) {
        return Err(Error::parameter(
            "false-positive rate",
            crate::error::float(fp_rate),
            "(0, 1), exclusive",
        ));
    }
    Ok(())
}

fn too_big(n: u64, p: f64) -> Error {
    Error::parameter(
        "expected items and false-positive rate",
        format!("{n} at {}", crate::error::float(p)),
        format!("a filter of at most 2^48 bits ({MAX_BITS} bits)"),
    )
}

/// Bits of the smallest classic filter with `k` probes and `FP <= p` at `n` items:
/// `(1 - e^(-kn/m))^k <= p  <=>  m >= -k n / ln(1 - p^(1/k))`.
fn classic_bits_for(n: f64, p: f64, k: u32) -> Option<u64> {
    let root = p.powf(1.0 / f64::from(k));
    let m = (-f64::from(k) * n / (-root).ln_1p()).ceil();
    (m.is_finite() && m <= MAX_BITS as f64).then(|| (m as u64).max(1))
}

/// `(bits, hashes)` of the smallest classic filter with `FP <= p` at `n` items.
pub(crate) fn classic(n: u64, p: f64) -> Result<(u64, u32)> {
    check_params(n, p)?;
    (1..=MAX_HASHES)
        .filter_map(|k| classic_bits_for(n as f64, p, k).map(|m| (m, k)))
        .min()
        .ok_or_else(|| too_big(n, p))
}

/// Bits of the smallest classic filter with exactly `k` probes and `FP <= p` at `n` items.
pub(crate) fn classic_with_hashes(n: u64, p: f64, k: u32) -> Result<u64> {
    check_params(n, p)?;
    classic_bits_for(n as f64, p, k).ok_or_else(|| too_big(n, p))
}

/// `ln(j!)`: exact sums for small `j`, Stirling's series (error < 1e-10) above.
fn ln_factorial(j: u64) -> f64 {
    if j < 32 {
        (2..=j).map(|i| (i as f64).ln()).sum()
    } else {
        let x = j as f64;
        x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x * x * x)
    }
}

/// Expected false-positive rate of a blocked filter with `blocks` blocks, `k` probes and
/// `n` items (Poisson block loads).
pub(crate) fn blocked_fp(blocks: u64, k: u32, n: f64) -> f64 {
    let lambda = n / blocks as f64;
    if lambda <= 0.0 {
        return 0.0;
    }
    // ln of the probability that one probe misses a given bit: (1 - 1/512).
    let ln_miss = (-1.0 / BLOCK_BITS as f64).ln_1p() * f64::from(k);
    let spread = 12.0 * lambda.sqrt() + 30.0;
    let lo = (lambda - spread).max(0.0) as u64;
    let hi = (lambda + spread).ceil() as u64;
    let ln_lambda = lambda.ln();
    let mut sum = 0.0;
    let mut ln_pmf = lo as f64 * ln_lambda - lambda - ln_factorial(lo);
    for j in lo..=hi {
        let fill = -(ln_miss * j as f64).exp_m1(); // 1 - (1 - 1/512)^(kj)
        sum += ln_pmf.exp() * fill.powi(k as i32);
        ln_pmf += ln_lambda - ((j + 1) as f64).ln();
    }
    sum.min(1.0)
}

/// Blocks of the smallest blocked filter with `k` probes and `FP <= p` at `n` items,
/// searched from the classic size (a blocked filter never needs fewer bits).
fn blocked_blocks_for(n: f64, p: f64, k: u32, classic_bits: u64) -> Option<u64> {
    let max_blocks = MAX_BITS / BLOCK_BITS;
    let mut lo = (classic_bits / BLOCK_BITS).clamp(1, max_blocks);
    if blocked_fp(lo, k, n) <= p {
        return Some(lo);
    }
    let mut hi = lo;
    loop {
        if hi == max_blocks {
            return None;
        }
        hi = hi.saturating_mul(2).min(max_blocks);
        if blocked_fp(hi, k, n) <= p {
            break;
        }
        lo = hi;
    }
    // Invariant: fp(lo) > p >= fp(hi). Stop within 0.01% (or one block).
    while hi - lo > 1 && hi - lo > hi / 10_000 {
        let mid = lo + (hi - lo) / 2;
        if blocked_fp(mid, k, n) <= p {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// `(bits, hashes)` of the smallest blocked filter with `FP <= p` at `n` items; `bits` is
/// a multiple of 512. The optimal `k` is searched near the classic one.
pub(crate) fn blocked(n: u64, p: f64) -> Result<(u64, u32)> {
    let (classic_bits, classic_k) = classic(n, p)?;
    let k_lo = classic_k.saturating_sub(4).max(1);
    let k_hi = (classic_k + 3).min(MAX_HASHES);
    (k_lo..=k_hi)
        .filter_map(|k| blocked_blocks_for(n as f64, p, k, classic_bits).map(|b| (b, k)))
        .min()
        .map(|(b, k)| (b * BLOCK_BITS, k))
        .ok_or_else(|| too_big(n, p))
}

/// Bits (a multiple of 512) of the smallest blocked filter with exactly `k` probes and
/// `FP <= p` at `n` items.
pub(crate) fn blocked_with_hashes(n: u64, p: f64, k: u32) -> Result<u64> {
    let (classic_bits, _) = classic(n, p)?;
    blocked_blocks_for(n as f64, p, k, classic_bits)
        .map(|b| b * BLOCK_BITS)
        .ok_or_else(|| too_big(n, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_matches_the_textbook_figures() {
        // 1.44 log2(1/p) bits per item, k = log2(1/p), within rounding of k.
        let (m, k) = classic(1_000_000, 0.01).unwrap();
        assert_eq!(k, 7);
        let bpi = m as f64 / 1e6;
        assert!((9.58..9.61).contains(&bpi), "{bpi}");
        let (m, k) = classic(1_000_000, 0.001).unwrap();
        assert_eq!(k, 10);
        assert!((14.37..14.40).contains(&(m as f64 / 1e6)));
    }

    #[test]
    fn blocked_costs_a_little_more_at_one_percent() {
        // Published figure for 512-bit blocks at 1%: 9.90 bits per item.
        let (m, k) = blocked(1_000_000, 0.01).unwrap();
        assert_eq!(m % 512, 0);
        let bpi = m as f64 / 1e6;
        assert!((9.8..10.0).contains(&bpi), "{bpi} bits/item, k {k}");
        assert!(blocked_fp(m / 512, k, 1e6) <= 0.01);
        assert!(blocked_fp(m / 512 - 2, k, 1e6) > 0.01);
    }

    #[test]
    fn poisson_sum_is_a_distribution() {
        // With k probes on an always-full block the sum is the Poisson mass, 1.
        for lambda in [0.5, 3.0, 53.0, 4000.0] {
            let blocks = 1000;
            let fp = blocked_fp(blocks, 1, lambda * blocks as f64);
            // 1 probe: FP = E[1 - (1-1/512)^J] = 1 - exp(-λ/512).
            let want = -(-lambda / 512.0).exp_m1();
            assert!((fp - want).abs() < 1e-9, "λ {lambda}: {fp} vs {want}");
        }
    }

    #[test]
    fn bad_and_extreme_parameters_are_errors_not_panics() {
        assert!(classic(0, 0.01).is_err());
        for p in [0.0, 1.0, -0.5, 2.0, f64::NAN, f64::INFINITY] {
            assert!(classic(10, p).is_err(), "{p}");
            assert!(blocked(10, p).is_err(), "{p}");
        }
        assert!(classic(u64::MAX, 1e-300).is_err());
        assert!(blocked(u64::MAX, 0.5).is_err());
        // Tiny and huge but legal rates still size.
        assert!(classic(10, 1e-300).is_ok());
        assert!(blocked(10, 1e-12).is_ok());
        assert!(blocked(10, 0.999_999).is_ok());
        assert!(classic(1, 0.999_999).unwrap().0 >= 1);
    }
}

#[cfg(test)]
mod table {
    use super::*;

    /// The bits-per-item table of the module documentation (`src/membership/mod.rs`) and
    /// of `docs/performance.md`: `cargo test --lib sizing_table -- --nocapture` prints it.
    #[test]
    fn sizing_table() {
        let n = 10_000_000u64;
        let mut rows = vec![];
        for p in [0.1, 0.01, 0.001] {
            let (cm, ck) = classic(n, p).unwrap();
            let (bm, bk) = blocked(n, p).unwrap();
            let (c, b) = (cm as f64 / n as f64, bm as f64 / n as f64);
            println!(
                "| {}% | {c:.2} (k = {ck}) | {b:.2} (k = {bk}) | +{:.1}% |",
                p * 100.0,
                (b / c - 1.0) * 100.0
            );
            rows.push((ck, (c * 100.0).round(), bk, (b * 100.0).round()));
        }
        assert_eq!(
            rows,
            [
                (3, 481.0, 3, 483.0),
                (7, 959.0, 6, 990.0),
                (10, 1438.0, 9, 1549.0),
            ]
        );
    }
}
