//! lessram's UltraLogLog error beside the `ultraloglog` crate's (0.1.6) at the same
//! precision: a small seeded table, bias and RMS relative error per count.
//!
//! ```sh
//! cargo run --release --example ultraloglog_peer                 # p = 14, 200 seeds
//! cargo run --release --example ultraloglog_peer -- 12 100       # p = 12, 100 seeds
//! ```
//!
//! Each seed is one stream of uniform 64-bit hashes (xoshiro256++ seeded by SplitMix64).
//! lessram's sketch gets each hash `h`, the crate's gets `h` with the 64 - p bits below the
//! index reversed, so that both hold the very same registers (the crate counts leading
//! zeros where lessram counts trailing zeros: see `tests/ultraloglog_peer.rs`). The columns
//! therefore differ by their estimators alone: lessram's FGRA and martingale estimates, the
//! crate's FGRA and maximum-likelihood ones. Theory for large counts: FGRA 0.782 / sqrt(m),
//! ML 0.761 / sqrt(m), martingale 0.658 / sqrt(m). With 200 seeds a bias is resolved to
//! about RMS / 14.
//!
//! About 2 x 10^6 inserts per seed (to 10^6 distinct): a few seconds at p = 14.

use lessram::UltraLogLog;
use ultraloglog::{Estimator, MaximumLikelihoodEstimator, OptimalFGRAEstimator};

#[path = "../tests/support/stream.rs"]
mod stream;
use stream::Stream;

const CHECKPOINTS: [u64; 9] = [
    10, 100, 1_000, 4_096, 16_384, 50_000, 100_000, 300_000, 1_000_000,
];

/// The hash the crate needs for lessram's `h` at precision `p` (the index kept, the bits
/// below it reversed).
fn reverse_low(h: u64, p: u8) -> u64 {
    let low = h & (u64::MAX >> p);
    (h & !(u64::MAX >> p)) | (low.reverse_bits() >> p)
}

/// Bias and RMS of relative errors, in percent.
fn summary(errs: &[f64]) -> (f64, f64) {
    let n = errs.len() as f64;
    let bias = errs.iter().sum::<f64>() / n;
    let rms = (errs.iter().map(|e| e * e).sum::<f64>() / n).sqrt();
    (100.0 * bias, 100.0 * rms)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let p: u8 = args.next().map_or(14, |a| a.parse().expect("precision"));
    let seeds: u64 = args.next().map_or(200, |a| a.parse().expect("seeds"));
    let m = f64::from(1u32 << p);
    // [checkpoint][estimator] -> relative errors
    let mut errs = vec![[const { Vec::new() }; 4]; CHECKPOINTS.len()];
    for seed in 0..seeds {
        let mut rng = Stream::new(0x0011_1100 + seed);
        let mut ours = UltraLogLog::new(p).expect("precision in 4..=18");
        let mut peer = ultraloglog::UltraLogLog::new(u32::from(p)).expect("precision");
        let mut inserted = 0;
        for (c, &n) in CHECKPOINTS.iter().enumerate() {
            while inserted < n {
                let h = rng.next();
                ours.insert_hash(h);
                peer.add(reverse_low(h, p));
                inserted += 1;
            }
            let truth = n as f64;
            let martingale = ours.estimate_martingale().expect("never merged");
            for (k, e) in [
                ours.estimate(),
                martingale,
                OptimalFGRAEstimator.estimate(&peer),
                MaximumLikelihoodEstimator.estimate(&peer),
            ]
            .into_iter()
            .enumerate()
            {
                errs[c][k].push(e / truth - 1.0);
            }
        }
    }
    let fgra = 100.0 * 0.782 / m.sqrt();
    println!(
        "UltraLogLog p = {p} (m = {m}), {seeds} seeds; bias and RMS relative error in %; \
         theory for large n: FGRA {fgra:.3}, ML {:.3}, martingale {:.3}\n",
        100.0 * 0.761 / m.sqrt(),
        100.0 * 0.658 / m.sqrt()
    );
    println!(
        "| n | lessram FGRA bias | RMS | lessram martingale bias | RMS | \
         ultraloglog FGRA bias | RMS | ultraloglog ML bias | RMS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (c, &n) in CHECKPOINTS.iter().enumerate() {
        let mut row = format!("| {n} |");
        for e in &errs[c] {
            let (bias, rms) = summary(e);
            row += &format!(" {bias:+.3} | {rms:.3} |");
        }
        println!("{row}");
    }
}
