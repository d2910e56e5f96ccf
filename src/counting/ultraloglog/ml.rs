//! The maximum-likelihood estimator for UltraLogLog.
//!
//! O. Ertl, "UltraLogLog: A Practical and More Space-Efficient Alternative to HyperLogLog
//! for Approximate Distinct Counting", PVLDB 17(7), 2024 (arXiv 2308.16862), its
//! maximum-likelihood estimator;
//! the equation has the shape of the HyperLogLog one in O. Ertl, "New cardinality
//! estimation algorithms for HyperLogLog sketches", arXiv 1702.01284, 2017.
//!
//! Under the Poisson model (the count `n` drawn from a Poisson distribution of mean
//! `lambda`) each update value `k` reaches a given register independently, with probability
//! `1 - exp(-x rho_k)`, `x = lambda / m`, `rho_k = 2^-k` for `k < w` and `rho_w = 2^-(w-1)`
//! (`w = 65 - p`, the largest value). A register `4u + b` says: `u` was seen, every value
//! above `u` was not, and `u - 1`, `u - 2` were or were not as its two bits say; it says
//! nothing of the values below `u - 2`. So the log-likelihood of the whole sketch is
//!
//! ```text
//! ln L(x) = -alpha x + sum_j beta_j ln(1 - exp(-x 2^-j)),
//! ```
//!
//! `alpha` the total probability mass of the values known to be unseen (which is the mass
//! of the values that would change a register: `change_sum / 2^64`), `beta_j` the number of
//! values known to be seen with `rho = 2^-j`. Setting the derivative to zero and
//! multiplying by `x`: `S(x) = sum_j beta_j phi(x 2^-j) = alpha x` with
//! `phi(t) = t / (e^t - 1)`. `S` is convex and decreasing, `alpha x` increasing, so the root
//! is unique, and Newton's method on `S(x) - alpha x` converges to it from any start (from
//! the right it lands left of the root, from the left it climbs monotonically). It starts
//! at the FGRA estimate, which is within a few standard errors, and takes 2 to 4 steps.
//!
//! The maximum-likelihood estimate is biased upwards by about `c / m`; dividing by
//! `1 + c / m` removes that first-order term (as the paper and hash4j's
//! `UltraLogLog.MaximumLikelihoodEstimator` do). The constants are the paper's, from the
//! Fisher information of one register: with `zeta` the Hurwitz zeta function,
//! the asymptotic relative standard error is `sqrt(ln 2 / zeta(2, 5/4)) / sqrt(m)` and
//! `c = 3/2 ln 2 zeta(3, 5/4) / zeta(2, 5/4)^2`; the unit tests below recompute both.

use super::change_weight;

/// `sqrt(ln 2 / zeta(2, 5/4))`: the asymptotic relative standard error times `sqrt(m)`
/// (memory-variance product `8 ln 2 / zeta(2, 5/4) = 4.631`, as hash4j's README states). Only the tests need it.
#[cfg(test)]
const RSE_FACTOR: f64 = 0.760_862_100_272_518_2;

/// `3/2 ln 2 zeta(3, 5/4) / zeta(2, 5/4)^2`: the first-order bias is `BIAS / m`.
const BIAS: f64 = 0.481_473_765_277_200_65;

/// Newton steps at most; the method converges quadratically and rarely needs more than 4.
const MAX_STEPS: usize = 60;

/// The coefficients of the log-likelihood: `alpha` scaled by `2^64` (exact) and `beta[j]`
/// for `j = 1..=64 - p` (`beta[0]` unused).
fn coefficients(hist: &[u32; 256], p: u8) -> (u128, [u64; 65]) {
    let w = 65 - p;
    let mut alpha = 0u128;
    let mut beta = [0u64; 65];
    for (r, &count) in hist.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let r = r as u8;
        alpha += u128::from(count) * change_weight(r, p);
        let u = r >> 2;
        if u == 0 {
            continue;
        }
        let count = u64::from(count);
        // rho_w = rho_(w-1): the largest value shares the exponent below it.
        beta[usize::from(u.min(w - 1))] += count;
        if u >= 2 && r & 2 != 0 {
            beta[usize::from(u - 1)] += count;
        }
        if u >= 3 && r & 1 != 0 {
            beta[usize::from(u - 2)] += count;
        }
    }
    (alpha, beta)
}

/// `phi(t) = t / (e^t - 1)` (1 at 0) and its derivative.
fn phi(t: f64) -> (f64, f64) {
    if t < 1e-4 {
        // Taylor series: 1 - t/2 + t^2/12, derivative -1/2 + t/6.
        return (1.0 - t / 2.0 + t * t / 12.0, -0.5 + t / 6.0);
    }
    let em1 = t.exp_m1();
    if em1.is_infinite() {
        return (0.0, 0.0);
    }
    let f = t / em1;
    // phi' = phi (1/t - e^t / (e^t - 1)).
    (f, f * (1.0 / t - (em1 + 1.0) / em1))
}

/// The root `x` of `S(x) = alpha x`, from `start` (any positive value).
fn solve(alpha: f64, beta: &[u64; 65], start: f64) -> f64 {
    let terms: Vec<(f64, f64)> = beta
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b > 0)
        .map(|(j, &b)| (b as f64, (-(j as f64)).exp2()))
        .collect();
    let total: f64 = terms.iter().map(|t| t.0).sum();
    // phi <= 1, so S(x) <= total and the root is at most total / alpha.
    let upper = total / alpha;
    let mut x = if start.is_finite() && start > 0.0 {
        start.min(upper)
    } else {
        upper
    };
    for _ in 0..MAX_STEPS {
        let (mut s, mut ds) = (0.0, 0.0);
        for &(b, rho) in &terms {
            let (f, df) = phi(x * rho);
            s += b * f;
            ds += b * rho * df;
        }
        let h = s - alpha * x;
        let dh = ds - alpha;
        // dh < 0 always (S decreasing, alpha > 0).
        let mut next = x - h / dh;
        if next <= 0.0 || !next.is_finite() {
            // From the right, Newton may overshoot past zero; the root is positive.
            next = x / 8.0;
        }
        let done = (next - x).abs() <= 1e-13 * x;
        x = next;
        if done {
            break;
        }
    }
    x
}

/// The maximum-likelihood estimate from the register histogram at precision `p`, bias
/// corrected, starting the solver from `start` (the FGRA estimate).
pub(super) fn estimate(hist: &[u32; 256], p: u8, start: f64) -> f64 {
    let m = f64::from(1u32 << p);
    let (alpha, beta) = coefficients(hist, p);
    if alpha == 0 {
        // Nothing is known unseen: every register saturated, the likelihood grows without
        // bound (as FGRA, the estimate is infinite).
        return f64::INFINITY;
    }
    if beta.iter().all(|&b| b == 0) {
        return 0.0; // empty
    }
    let alpha = alpha as f64 / super::TWO_64;
    let x = solve(alpha, &beta, start / m);
    m * x / (1.0 + BIAS / m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Hurwitz zeta function `sum_{n >= 0} (n + q)^-s`, by Euler-Maclaurin after
    /// 1000 terms (error far below 1e-15 for these `s` and `q`).
    fn hurwitz_zeta(s: f64, q: f64) -> f64 {
        let n = 1000;
        let mut sum: f64 = (0..n).map(|k| (f64::from(k) + q).powf(-s)).sum();
        let a = f64::from(n) + q;
        sum += a.powf(1.0 - s) / (s - 1.0) + a.powf(-s) / 2.0 + s * a.powf(-s - 1.0) / 12.0
            - s * (s + 1.0) * (s + 2.0) * a.powf(-s - 3.0) / 720.0;
        sum
    }

    #[test]
    fn constants_follow_from_the_fisher_information() {
        let (z2, z3) = (hurwitz_zeta(2.0, 1.25), hurwitz_zeta(3.0, 1.25));
        let ln2 = std::f64::consts::LN_2;
        assert!(((ln2 / z2).sqrt() - RSE_FACTOR).abs() < 1e-13);
        assert!((1.5 * ln2 * z3 / (z2 * z2) - BIAS).abs() < 1e-13);
        // The memory-variance product the issue quotes: 8 bits x 0.761^2 = 4.63.
        assert!((8.0 * RSE_FACTOR * RSE_FACTOR - 4.631).abs() < 1e-3);
    }

    #[test]
    fn phi_is_smooth_across_the_series_cut() {
        for &t in &[1e-4 * (1.0 - 1e-9), 1e-4, 1e-4 * (1.0 + 1e-9)] {
            let (f, df) = phi(t);
            assert!((f - (1.0 - t / 2.0)).abs() < 1e-8 && (df + 0.5).abs() < 1e-4);
        }
        let (f, df) = phi(2.0);
        assert!((f - 2.0 / (2f64.exp() - 1.0)).abs() < 1e-15);
        // Against a central difference.
        let h = 1e-6;
        assert!((df - (phi(2.0 + h).0 - phi(2.0 - h).0) / (2.0 * h)).abs() < 1e-8);
        assert_eq!(phi(1e4), (0.0, 0.0));
    }

    /// The log-likelihood itself, for the oracle below.
    fn log_likelihood(alpha: f64, beta: &[u64; 65], x: f64) -> f64 {
        let mut l = -alpha * x;
        for (j, &b) in beta.iter().enumerate().filter(|&(_, &b)| b > 0) {
            l += b as f64 * (-(-x * (-(j as f64)).exp2()).exp_m1()).ln();
        }
        l
    }

    #[test]
    fn the_root_maximizes_the_likelihood() {
        // Histograms of a few shapes: one register seen, typical loads, near saturation.
        let p = 8;
        let mut cases = Vec::new();
        let mut one = [0u32; 256];
        one[0] = 255;
        one[4] = 1;
        cases.push(one);
        let mut mid = [0u32; 256];
        (
            mid[4 * 9],
            mid[4 * 10 + 3],
            mid[4 * 11 + 2],
            mid[4 * 12 + 1],
        ) = (60, 100, 80, 16);
        cases.push(mid);
        let mut high = [0u32; 256];
        (high[4 * 57], high[4 * 56 + 3]) = (250, 6);
        cases.push(high);
        for (i, hist) in cases.iter().enumerate() {
            let (alpha, beta) = coefficients(hist, p);
            let alpha = alpha as f64 / super::super::TWO_64;
            // From far below and far above the root: the same answer.
            let x = solve(alpha, &beta, 1e-3);
            let y = solve(alpha, &beta, 1e30);
            assert!((x - y).abs() <= 1e-12 * x, "case {i}: {x} {y}");
            // A maximum: the likelihood is lower a little either side.
            let l = log_likelihood(alpha, &beta, x);
            for d in [1e-4, -1e-4] {
                assert!(log_likelihood(alpha, &beta, x * (1.0 + d)) < l, "case {i}");
            }
        }
        // One register holding 4 (value 1 seen) among 256: the equation reads
        // phi(x/2) = alpha x with alpha = 255 + 1/2, solvable by bisection here.
        let (alpha, beta) = coefficients(&cases[0], p);
        let alpha = alpha as f64 / super::super::TWO_64;
        assert_eq!(alpha, 255.5);
        let (mut lo, mut hi) = (0.0f64, 1.0f64);
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if phi(mid / 2.0).0 > alpha * mid {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let x = solve(alpha, &beta, 0.5);
        assert!((x - lo).abs() < 1e-15, "{x} {lo}");
    }

    #[test]
    fn degenerate_sketches_give_no_nan() {
        for p in [4u8, 10, 18] {
            let m = 1u32 << p;
            let mut hist = [0u32; 256];
            hist[0] = m;
            assert_eq!(estimate(&hist, p, 0.0), 0.0);
            // All saturated, with every low-bit pattern: infinite.
            let top = 4 * usize::from(65 - p);
            hist[0] = 0;
            hist[top + 3] = m;
            assert_eq!(estimate(&hist, p, f64::INFINITY), f64::INFINITY);
            // All saturated but one register: finite, huge, whatever the start.
            hist[top + 3] = m - 1;
            hist[top + 1] = 1;
            for start in [f64::NAN, 0.0, -1.0, 1.0, f64::INFINITY] {
                let e = estimate(&hist, p, start);
                assert!(e.is_finite() && e > 1e18, "p {p} start {start}: {e}");
            }
            // All registers seen the first value only.
            let mut ones = [0u32; 256];
            ones[4] = m;
            let e = estimate(&ones, p, f64::NAN);
            assert!(e.is_finite() && e > 0.0, "{e}");
        }
    }
}
