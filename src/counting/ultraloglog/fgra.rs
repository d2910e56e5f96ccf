//! Ertl's FGRA ("further generalized remaining area") estimator for UltraLogLog.
//!
//! O. Ertl, "UltraLogLog: A Practical and More Space-Efficient Alternative to HyperLogLog
//! for Approximate Distinct Counting", PVLDB 17(7), 2024, section 3 and Algorithm 6. The
//! constants `ETA_0..ETA_3`, `TAU` and `V` are the paper's optimal ones, as published there
//! and in its reference implementation (hash4j, `UltraLogLog.OptimalFGRAEstimator`).
//!
//! Register `r = 4 u + b` (the paper's notation: `u` the largest update value seen, bit 1
//! of `b` whether `u - 1` was seen, bit 0 whether `u - 2` was). The estimate is
//! `lambda_p s^(-1/tau)` with `s = sum_i g(r_i)` and, for registers in the intermediate
//! range (`3 <= u < w`, `w = 65 - p` the largest update value), `g(4u + b) = eta_b 2^(-tau u)`.
//! Registers with `u < 3` (empty or nearly) and saturated ones (`u = w`) instead contribute
//! the expectation of `g` given what they show, under a cardinality estimated from the
//! counts of such registers alone (the paper's eq. 18, 23 and 24): no switch between
//! estimators, no bias tables. The relative standard error is `sqrt(v / m) = 0.782 / sqrt(m)`
//! for large counts and smaller below about `m`.

const ETA_0: f64 = 4.663_135_422_063_788;
const ETA_1: f64 = 2.137_850_213_795_852_4;
const ETA_2: f64 = 2.781_144_650_979_996;
const ETA_3: f64 = 0.982_408_254_515_371_5;
const TAU: f64 = 0.819_491_137_591_089_7;
/// The asymptotic variance factor: relative variance `V / m`.
pub(super) const V: f64 = 0.611_893_149_697_843_7;

/// `eta_b` for the two low bits `b` of a register.
const ETA: [f64; 4] = [ETA_0, ETA_1, ETA_2, ETA_3];

/// `psi(z) = eta_3 + (eta_1 - eta_3) z + (eta_2 - eta_3) z^2 + (eta_0 - eta_1 - eta_2 + eta_3) z^3`:
/// the expected `eta` of a register's two low bits when each of the two update values below
/// its maximum is absent with probability `z` (the paper's `psi`).
fn psi(z: f64) -> f64 {
    let x = ETA_0 - ETA_1 - ETA_2 + ETA_3;
    ((x * z + (ETA_2 - ETA_3)) * z + (ETA_1 - ETA_3)) * z + ETA_3
}

/// The expected contribution of an empty register, given that a register is empty with
/// probability `z`: `sigma(z) = (1/z) sum_{k >= 0} 2^(tau k) (z^(2^k) - z^(2^(k+1))) psi(z^(2^(k+1)))`,
/// `eta_3` at 0, infinite at 1 (the sketch is empty).
fn sigma(z: f64) -> f64 {
    if z <= 0.0 {
        return ETA_3;
    }
    if z >= 1.0 {
        return f64::INFINITY;
    }
    let (mut sum, mut weight, mut a) = (0.0, 1.0, z);
    loop {
        let b = a * a;
        let next = sum + weight * (a - b) * psi(b);
        if next <= sum {
            return sum / z;
        }
        sum = next;
        weight *= TAU.exp2();
        a = b;
    }
}

/// The large-range series `phi(x)` of the paper's eq. 24 (the expected contribution of a
/// saturated register, up to the terms in closed form), for `x` in `[0, 1]`.
fn phi(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let two_tau = TAU.exp2();
    if x >= 1.0 {
        return ETA_0 / (two_tau * (2.0 * two_tau - 1.0));
    }
    let half_tau = (-TAU).exp2();
    // x_k = x^(2^-k); `weight` carries 4^-tau / (2 - 2^-tau) 2^(-tau k) / prod_{j=1..=k+1} (1 + x_j).
    let (mut prev, mut cur) = (x * x, x);
    let mut next = cur.sqrt();
    let mut weight = (-2.0 * TAU).exp2() / (2.0 - half_tau) / (1.0 + next);
    let mut psi_prev = psi_with_square(cur, prev);
    let mut sum = next * 2.0 * psi_prev * weight;
    loop {
        prev = cur;
        cur = next;
        next = cur.sqrt();
        let psi_cur = psi_with_square(cur, prev);
        weight *= half_tau / (1.0 + next);
        let after = sum + next * (2.0 * psi_cur - (cur + next) * psi_prev) * weight;
        if after <= sum {
            return sum;
        }
        sum = after;
        psi_prev = psi_cur;
    }
}

/// `psi(z)` where the caller already has `z^2` (the series above walk square roots, so the
/// square is the previous term, exactly).
fn psi_with_square(z: f64, z2: f64) -> f64 {
    let x = ETA_0 - ETA_1 - ETA_2 + ETA_3;
    x * z2 * z + (ETA_2 - ETA_3) * z2 + (ETA_1 - ETA_3) * z + ETA_3
}

/// The probability-of-emptiness estimate from the small registers alone (eq. 23): `z`,
/// the probability that a register has seen no item, from the counts of registers that are
/// empty (`c0`), hold `4` (`c4`), `8` (`c8`) and `10` (`c10`).
fn small_range_z(c0: f64, c4: f64, c8: f64, c10: f64, m: f64) -> f64 {
    let a = m + 3.0 * (c0 + c4 + c8 + c10);
    let b = m - c0 - c4;
    let c = 4.0 * c0 + 2.0 * c4 + 3.0 * c8 + c10;
    let y = ((b * b + 4.0 * a * c).sqrt() - b) / (2.0 * a);
    let y2 = y * y;
    y2 * y2
}

/// The large-range estimate (eq. 24) of the probability `z` that an update value reaching
/// the largest `w` misses a register, from the counts `c[b]` of saturated registers with
/// low bits `b`.
fn large_range_z(c: [f64; 4], m: f64) -> f64 {
    let a = m + 3.0 * (c[0] + c[1] + c[2] + c[3]);
    let b = c[0] + c[1] + 2.0 * (c[2] + c[3]);
    let g = m + 2.0 * c[0] + c[2] - c[3];
    (((b * b + 4.0 * a * g).sqrt() - b) / (2.0 * a)).sqrt()
}

/// The contribution of the saturated registers (`u = w`), `c[b]` of them with low bits `b`.
fn large_range_contribution(c: [f64; 4], m: f64, w: u8) -> f64 {
    let z = large_range_z(c, m);
    let root = z.sqrt();
    let half_tau = (-TAU).exp2();
    let total = c[0] + c[1] + c[2] + c[3];
    let mut s = phi(root) * total;
    s += z * (1.0 + root) * (c[0] * ETA_0 + c[1] * ETA_1 + c[2] * ETA_2 + c[3] * ETA_3);
    s += root
        * half_tau
        * ((c[0] + c[1]) * (z * (ETA_0 - ETA_2) + ETA_2)
            + (c[2] + c[3]) * (z * (ETA_1 - ETA_3) + ETA_3));
    s * (-TAU * f64::from(w)).exp2() / ((1.0 + root) * (1.0 + z))
}

/// `lambda_p = m^(1 + 1/tau) / (1 + v (1 + tau) / (2 m))`: the scale, with the first-order
/// bias correction of the paper (section 3.3).
fn lambda(m: f64) -> f64 {
    m * m.powf(1.0 / TAU) / (1.0 + V * (1.0 + TAU) / (2.0 * m))
}

/// The FGRA estimate from `hist[r]`, the number of registers holding `r = 4u + b`, at
/// precision `p`.
pub(super) fn estimate(hist: &[u32; 256], p: u8) -> f64 {
    let m = f64::from(1u32 << p);
    let w = 65 - p;
    let h = |r: usize| f64::from(hist[r]);
    // Intermediate range, smallest contributions first.
    let mut s = 0.0;
    for u in (3..w).rev() {
        let scale = (-TAU * f64::from(u)).exp2();
        for b in 0..4 {
            let n = hist[4 * usize::from(u) + b];
            if n > 0 {
                s += f64::from(n) * ETA[b] * scale;
            }
        }
    }
    let top = 4 * usize::from(w);
    let sat = [h(top), h(top + 1), h(top + 2), h(top + 3)];
    if sat.iter().any(|&c| c > 0.0) {
        s += large_range_contribution(sat, m, w);
    }
    let (c0, c4, c8, c10) = (h(0), h(4), h(8), h(10));
    if c0 + c4 + c8 + c10 > 0.0 {
        let z = small_range_z(c0, c4, c8, c10, m);
        let quarter_tau = (-2.0 * TAU).exp2();
        if c0 > 0.0 {
            s += c0 * sigma(z);
        }
        s += c4 * (-TAU).exp2() * psi(z);
        s += c8 * quarter_tau * (z * (ETA_0 - ETA_1) + ETA_1);
        s += c10 * quarter_tau * (z * (ETA_2 - ETA_3) + ETA_3);
    }
    lambda(m) * s.powf(-1.0 / TAU)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_forms_agree() {
        for &z in &[0.0, 0.3, 0.9, 1.0] {
            assert!((psi(z) - psi_with_square(z, z * z)).abs() < 1e-12);
        }
        // psi(1) is eta_0 (both values below the maximum missing), psi(0) is eta_3.
        assert!((psi(1.0) - ETA_0).abs() < 1e-12);
        assert_eq!(psi(0.0), ETA_3);
    }

    #[test]
    fn sigma_matches_its_series() {
        for &z in &[0.01, 0.3, 0.7, 0.99] {
            let mut want = 0.0;
            for k in 0..40 {
                let a = f64::powf(z, f64::powi(2.0, k));
                let b = a * a;
                want += f64::powf(2.0, TAU * f64::from(k)) * (a - b) * psi(b);
            }
            want /= z;
            assert!((sigma(z) - want).abs() <= 1e-9 * want, "sigma({z})");
        }
        assert_eq!(sigma(0.0), ETA_3);
        assert_eq!(sigma(1.0), f64::INFINITY);
    }

    #[test]
    fn phi_is_finite_and_continuous_at_one() {
        for &x in &[1e-12, 0.1, 0.5, 0.9] {
            let v = phi(x);
            assert!(v.is_finite() && v > 0.0, "phi({x}) = {v}");
        }
        let near = phi(1.0 - 1e-9);
        assert!(
            (near - phi(1.0)).abs() < 1e-3 * phi(1.0),
            "{near} {}",
            phi(1.0)
        );
    }

    #[test]
    fn empty_estimates_zero_and_lambda_follows_the_paper() {
        let mut hist = [0u32; 256];
        hist[0] = 1 << 10;
        assert_eq!(estimate(&hist, 10), 0.0);
        // hash4j tabulates lambda_p; p = 4 gives 455.6358404615186 there.
        assert!((lambda(16.0) - 455.635_840_461_518_6).abs() < 1e-9);
    }
}
