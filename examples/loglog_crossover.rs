//! Measures where LogLog and SuperLogLog should hand over from linear counting to their
//! raw Durand–Flajolet estimates: prints the crossovers `src/counting/loglog.rs` holds as
//! `LOGLOG_CROSSOVER` and `SUPERLOGLOG_CROSSOVER`.
//!
//! Run: `cargo run --release --example loglog_crossover` (a few seconds per precision).
//!
//! # Method
//!
//! Linear counting, `m ln(m/V)` with `V` empty registers, has a relative standard error
//! that grows with the load `t = n/m`, `sqrt(e^t - t - 1) / (t sqrt(m))` (Whang et al.
//! 1990); the raw estimates are biased upwards at small `t` and settle to their asymptotic
//! errors (`1.30/sqrt(m)`, `≈ 1.1/sqrt(m)`) from about `t = 10`. For each precision the
//! example feeds `SEEDS` streams of random 64-bit hashes (SplitMix64) through `insert_hash`,
//! reads linear counting and both raw estimates at every load `t = 0.25, 0.5, …, 8`, and
//! prints the RMS relative error of each, times `sqrt(m)`. The crossover is the smallest
//! load at which linear counting's RMS exceeds the raw estimate's (a seed with `V = 0`
//! counts as a linear-counting failure at that load). It also prints the load at which
//! Whang's formula reaches the asymptotic error, the crossover theory alone would give.

use lessram::counting::SplitMix64;
use lessram::{DistinctCount, LogLog, SuperLogLog};

const SEEDS: u64 = 1000;
/// Loads `t = n/m`, in quarters.
const QUARTERS: usize = 32;

fn linear_counting(registers: &[u8]) -> Option<f64> {
    let m = registers.len() as f64;
    let empty = registers.iter().filter(|&&r| r == 0).count();
    (empty > 0).then(|| m * (m / empty as f64).ln())
}

/// Whang's relative standard error of linear counting, times `sqrt(m)`.
fn whang(t: f64) -> f64 {
    (t.exp() - t - 1.0).sqrt() / t
}

/// The load at which `whang(t) = c`, by bisection (whang increases with t).
fn whang_inverse(c: f64) -> f64 {
    let (mut lo, mut hi) = (0.01, 20.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if whang(mid) < c {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn main() {
    println!(
        "theory: Whang's linear-counting error reaches 1.30/sqrt(m) at t = {:.2}, \
         1.10/sqrt(m) at t = {:.2}, 1.14/sqrt(m) at t = {:.2}",
        whang_inverse(1.30),
        whang_inverse(1.10),
        whang_inverse(1.14)
    );
    for p in [4u8, 6, 8, 10, 12, 14] {
        let m = 1usize << p;
        // Per load: squared errors of linear counting, raw LogLog, raw SuperLogLog; and
        // how many seeds had no empty register.
        let mut sq = [[0.0f64; 3]; QUARTERS];
        let mut saturated = [0u64; QUARTERS];
        for seed in 0..SEEDS {
            let mut rng =
                SplitMix64::new(seed.wrapping_mul(0xa076_1d64_78bd_642f) ^ (u64::from(p) << 56));
            let mut ll = LogLog::new(p).expect("valid p");
            let mut sll = SuperLogLog::new(p).expect("valid p");
            let mut n = 0usize;
            for (q, acc) in sq.iter_mut().enumerate() {
                let target = (q + 1) * m / 4;
                while n < target {
                    let h = rng.next_word();
                    ll.insert_hash(h);
                    sll.insert_hash(h);
                    n += 1;
                }
                let rel = |e: f64| e / n as f64 - 1.0;
                match linear_counting(&ll.registers()) {
                    Some(e) => acc[0] += rel(e).powi(2),
                    None => saturated[q] += 1,
                }
                acc[1] += rel(ll.estimate_raw()).powi(2);
                acc[2] += rel(sll.estimate_raw()).powi(2);
            }
        }
        let root_m = (m as f64).sqrt();
        println!("\np = {p} (m = {m}), {SEEDS} seeds: RMS relative error x sqrt(m)");
        println!("   t  linear(V>0)  V=0 seeds  LogLog raw  SuperLogLog raw");
        let mut cross = [None::<f64>; 2];
        for (q, acc) in sq.iter().enumerate() {
            let t = (q + 1) as f64 / 4.0;
            let ok = SEEDS - saturated[q];
            let lc = if ok > 0 {
                (acc[0] / ok as f64).sqrt() * root_m
            } else {
                f64::INFINITY
            };
            let ll = (acc[1] / SEEDS as f64).sqrt() * root_m;
            let sll = (acc[2] / SEEDS as f64).sqrt() * root_m;
            // A seed without an empty register cannot use linear counting at all.
            let lc_usable = saturated[q] == 0;
            for (c, raw) in cross.iter_mut().zip([ll, sll]) {
                if c.is_none() && (!lc_usable || lc > raw) {
                    *c = Some(t);
                }
            }
            println!(
                "{t:5.2}  {lc:11.3}  {:9}  {ll:10.3}  {sll:15.3}",
                saturated[q]
            );
        }
        println!(
            "crossover (first load where linear counting is worse): LogLog t = {}, \
             SuperLogLog t = {}",
            cross[0].map_or("> 8".into(), |t| format!("{t}")),
            cross[1].map_or("> 8".into(), |t| format!("{t}"))
        );
    }
}
