//! Calibrates SuperLogLog's constants for every precision `p = 4..=18`: `α̃_m` of the raw
//! estimate `α̃_m · m · 2^T` (Durand & Flajolet 2003) and `β_m` of the de-oscillated
//! estimate `β_m · m · λ̂(T)` that `estimate()` reports, `T` being the mean of the
//! `⌊0.7 m⌋` smallest registers.
//!
//! Run: `cargo run --release --example calibrate_superloglog` (about 2.5 minutes on 2
//! cores). It prints the tables that `src/counting/loglog.rs` holds as `SUPERLOGLOG_ALPHA`
//! and `SUPERLOGLOG_BETA`, then, per estimator and precision, the constant's own standard
//! error, the relative standard error of the calibrated estimator (times `sqrt(m)`) and how
//! much its mean wobbles with the fractional part of `log2(n/m)` (the largest deviation of
//! one of 8 phase bins from the overall mean).
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
//! estimate `α̃_m · m · 2^T` is unbiased on average over `f`. The same trials record
//! `r' = m λ̂ / n`, with `λ̂` the load whose large-`m` limit of the truncated mean equals
//! `T` (the sketch's own inversion, written out below), and `β_m = 1 / mean(r')`; as that
//! limit follows `f` exactly, `r'` barely wobbles, and `β_m` tends to 1. 2^26 register draws per
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

/// The large-`m` limit of the truncated mean at `λ = 2^x`: the same function as
/// `truncated_mean_limit` in `src/counting/loglog.rs` (crate-private), written out here so
/// this example measures exactly what the sketch computes.
fn truncated_mean_limit(x: f64, frac: f64) -> f64 {
    let k0 = (x.floor() - 6.0).clamp(0.0, 30.0) as u32;
    let mut cdf = (-(x - f64::from(k0)).exp2()).exp();
    let (mut below, mut sum) = (0.0, 0.0);
    for k in k0..=31u32 {
        if k == 31 {
            cdf = 1.0;
        }
        let upto = cdf.min(frac);
        if upto > below {
            sum += f64::from(k) * (upto - below);
            below = upto;
        }
        if below >= frac {
            break;
        }
        cdf = cdf.sqrt();
    }
    sum / frac
}

/// `invert_truncated_mean` of `src/counting/loglog.rs`: the `x` whose limit is `mean`.
fn invert_truncated_mean(mean: f64, frac: f64) -> f64 {
    let (mut lo, mut hi) = (mean - 2.0, mean + 2.0);
    if truncated_mean_limit(lo, frac) > mean {
        lo = -64.0;
    }
    if truncated_mean_limit(hi, frac) < mean {
        hi = 64.0;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if truncated_mean_limit(mid, frac) < mean {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// One estimator's calibration: its constant, the constant's standard error, its RSE
/// times `sqrt(m)`, and the largest relative deviation of a phase bin's mean from the
/// overall mean.
struct Fit {
    constant: f64,
    se: f64,
    rse_sqrt_m: f64,
    wobble: f64,
}

struct Calibration {
    p: u32,
    /// The raw estimate `α̃_m · m · 2^T`.
    raw: Fit,
    /// The de-oscillated estimate `β_m · m · λ̂(T)`.
    inverted: Fit,
}

/// Accumulates ratios `estimate / n` (before the constant), overall and per phase bin.
#[derive(Default)]
struct Ratios {
    sum: f64,
    sum2: f64,
    bins: [(f64, usize); BINS],
}

impl Ratios {
    fn add(&mut self, r: f64, f: f64) {
        self.sum += r;
        self.sum2 += r * r;
        let bin = &mut self.bins[((f * BINS as f64) as usize).min(BINS - 1)];
        bin.0 += r;
        bin.1 += 1;
    }

    fn fit(&self, trials: usize, m: usize) -> Fit {
        let n = trials as f64;
        let mean = self.sum / n;
        let var = (self.sum2 / n - mean * mean).max(0.0) * n / (n - 1.0);
        let sd_rel = var.sqrt() / mean;
        let wobble = self
            .bins
            .iter()
            .map(|&(s, c)| (s / c as f64 / mean - 1.0).abs())
            .fold(0.0, f64::max);
        Fit {
            constant: 1.0 / mean,
            se: sd_rel / n.sqrt(),
            rse_sqrt_m: sd_rel * (m as f64).sqrt(),
            wobble,
        }
    }
}

const DRAWS: usize = 1 << 26;
const BINS: usize = 8;

fn calibrate(p: u32) -> Calibration {
    let m = 1usize << p;
    let m0 = (m as f64 * 0.7).floor() as usize;
    let frac = m0 as f64 / m as f64;
    let trials = DRAWS / m;
    let mut rng = Rng(0x5eed_0000 + u64::from(p));
    let (mut raw, mut inverted) = (Ratios::default(), Ratios::default());
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
        let mean = total as f64 / m0 as f64;
        raw.add((mean - log2_lambda).exp2(), f);
        inverted.add((invert_truncated_mean(mean, frac) - log2_lambda).exp2(), f);
    }
    Calibration {
        p,
        raw: raw.fit(trials, m),
        inverted: inverted.fit(trials, m),
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
        println!("    {:.5}, // p = {}", c.raw.constant, c.p);
    }
    println!("];");
    println!();
    println!("// cargo run --release --example calibrate_superloglog");
    println!("const SUPERLOGLOG_BETA: [f64; 15] = [");
    for c in &results {
        println!("    {:.5}, // p = {}", c.inverted.constant, c.p);
    }
    println!("];");
    for (name, pick) in [
        (
            "raw: alpha · m · 2^T",
            (|c: &Calibration| &c.raw) as fn(&Calibration) -> &Fit,
        ),
        ("de-oscillated: beta · m · λ̂(T)", |c: &Calibration| {
            &c.inverted
        }),
    ] {
        println!();
        println!("{name}");
        println!();
        println!("| p | constant | its std error | RSE x sqrt(m) | mean wobble over log2(n/m) |");
        println!("|---:|---:|---:|---:|---:|");
        for c in &results {
            let fit = pick(c);
            println!(
                "| {} | {:.5} | {:.1e} | {:.3} | {:.2}% |",
                c.p,
                fit.constant,
                fit.constant * fit.se,
                fit.rse_sqrt_m,
                100.0 * fit.wobble
            );
        }
    }
}
