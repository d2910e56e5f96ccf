//! Calibrates SuperLogLog's constant `α̃_m` for every precision `p = 4..=18`.
//!
//! Run: `cargo run --release --example calibrate_superloglog`. It prints the table that
//! `src/counting/loglog.rs` holds as `SUPERLOGLOG_ALPHA`, then, per precision, the
//! constant's own standard error, the relative standard error of the calibrated estimator
//! (times `sqrt(m)`) and how much the mean wobbles with the fractional part of `log2(n/m)`.
//!
//! # Method
//!
//! Durand and Flajolet give SuperLogLog's constant no closed form, so it is measured. Under
//! the Poisson model (a Poisson(`λ`) number of items per register, `λ = n/m`), a register's
//! maximum rank `M` satisfies `P(M <= k) = exp(-λ 2^-k)`, so `M = max(0, ⌈log2(λ / E)⌉)`
//! with `E` a standard exponential, restricted to `0..=31` as in the sketch. Each trial
//! draws `m` registers at `λ = 2^(12 + f)`, with `f` spread evenly over `[0, 1)` across the
//! trials (the truncated mean's bias oscillates with `f`), takes the mean `T` of the
//! `⌊0.7 m⌋` smallest, and records `r = m 2^T / n`. The constant is `1 / mean(r)`, so the
//! estimate `α̃_m · m · 2^T` is unbiased on average over `f`. 2^26 register draws per
//! precision (2^22 trials at `p = 4`, 256 at `p = 18`); the generator is seeded, so the
//! output is the same on every run.

use std::thread;

/// SplitMix64, seeded per precision.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `(0, 1]`.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }
}

struct Calibration {
    p: u32,
    alpha: f64,
    alpha_se: f64,
    rse_sqrt_m: f64,
    wobble: f64,
}

const DRAWS: usize = 1 << 26;
const BINS: usize = 8;

fn calibrate(p: u32) -> Calibration {
    let m = 1usize << p;
    let m0 = (m as f64 * 0.7).floor() as usize;
    let trials = DRAWS / m;
    let mut rng = Rng(0x5eed_0000 + u64::from(p));
    let (mut sum, mut sum2) = (0.0, 0.0);
    let mut bins = [(0.0, 0usize); BINS];
    for t in 0..trials {
        let f = (t as f64 + 0.5) / trials as f64;
        let log2_lambda = 12.0 + f;
        let mut hist = [0u32; 32];
        for _ in 0..m {
            let e = -rng.unit().ln();
            let v = (log2_lambda - e.log2()).ceil().clamp(0.0, 31.0) as usize;
            hist[v] += 1;
        }
        let (mut left, mut total) = (m0 as u64, 0u64);
        for (v, &c) in hist.iter().enumerate() {
            let take = u64::from(c).min(left);
            total += take * v as u64;
            left -= take;
        }
        let r = (total as f64 / m0 as f64 - log2_lambda).exp2();
        sum += r;
        sum2 += r * r;
        let bin = &mut bins[((f * BINS as f64) as usize).min(BINS - 1)];
        bin.0 += r;
        bin.1 += 1;
    }
    let n = trials as f64;
    let mean = sum / n;
    let var = (sum2 / n - mean * mean).max(0.0) * n / (n - 1.0);
    let sd_rel = var.sqrt() / mean;
    let wobble = bins
        .iter()
        .map(|&(s, c)| (s / c as f64 / mean - 1.0).abs())
        .fold(0.0, f64::max);
    Calibration {
        p,
        alpha: 1.0 / mean,
        alpha_se: sd_rel / n.sqrt(),
        rse_sqrt_m: sd_rel * (m as f64).sqrt(),
        wobble,
    }
}

fn main() {
    let ps: Vec<u32> = (4..=18).collect();
    let mut results: Vec<Calibration> = thread::scope(|s| {
        let (even, odd): (Vec<u32>, Vec<u32>) = ps.iter().partition(|p| *p % 2 == 0);
        let a = s.spawn(move || even.into_iter().map(calibrate).collect::<Vec<_>>());
        let b = s.spawn(move || odd.into_iter().map(calibrate).collect::<Vec<_>>());
        let mut v = a.join().expect("worker");
        v.extend(b.join().expect("worker"));
        v
    });
    results.sort_by_key(|c| c.p);
    println!("// cargo run --release --example calibrate_superloglog");
    println!("const SUPERLOGLOG_ALPHA: [f64; 15] = [");
    for c in &results {
        println!("    {:.5}, // p = {}", c.alpha, c.p);
    }
    println!("];");
    println!();
    println!("| p | alpha | its std error | RSE x sqrt(m) | mean wobble over log2(n/m) |");
    println!("|---:|---:|---:|---:|---:|");
    for c in &results {
        println!(
            "| {} | {:.5} | {:.1e} | {:.3} | {:.2}% |",
            c.p,
            c.alpha,
            c.alpha * c.alpha_se,
            c.rse_sqrt_m,
            100.0 * c.wobble
        );
    }
}
