//! Random insert/batch insert/merge/fold/save sequences on two UltraLogLogs, checked against
//! oracles: a sketch built by inserting every hash seen (merging equals inserting both
//! streams, folding equals inserting at the lower precision), HyperLogLog fed the same
//! hashes (`to_hyperloglog`), and the codec round trip; merge must be commutative and
//! idempotent, folding must commute with merging, estimates must be finite unless every
//! register is saturated.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use common::Ops;
use lessram::{HyperLogLog, UltraLogLog};
use libfuzzer_sys::fuzz_target;

fn oracle(p: u8, seen: &BTreeSet<u64>) -> UltraLogLog {
    let mut o = UltraLogLog::new(p).unwrap();
    seen.iter().for_each(|&h| o.insert_hash(h));
    o
}

/// Every register at the largest value with both values below it seen: no finite count
/// fits, and only then may the estimate be infinite.
fn saturated(s: &UltraLogLog) -> bool {
    let top = 4 * (65 - s.precision()) + 3;
    s.registers().iter().all(|&r| r == top)
}

fn check_estimates(s: &UltraLogLog, seen: &BTreeSet<u64>, merged: bool) {
    let e = s.estimate();
    assert!(!e.is_nan() && e >= 0.0, "estimate {e}");
    assert!(
        e.is_finite() || saturated(s),
        "infinite estimate of unsaturated registers"
    );
    assert_eq!(e == 0.0, seen.is_empty(), "zero exactly when empty: {e}");
    match s.estimate_martingale() {
        None => assert!(merged, "martingale dropped without a merge or fold of registers"),
        Some(h) => {
            assert!(!merged, "martingale kept after a merge of registers");
            assert!(h.is_finite() && h >= 0.0, "martingale {h}");
            assert_eq!(h == 0.0, seen.is_empty());
            if seen.len() == 1 {
                assert_eq!(h, 1.0, "the martingale is exact for one item");
            }
        }
    }
    let c = s.change_probability();
    assert!((0.0..=1.0).contains(&c), "change probability {c}");
}

fn check(s: &UltraLogLog, seen: &BTreeSet<u64>, merged: bool) {
    assert_eq!(
        s.registers(),
        oracle(s.precision(), seen).registers(),
        "registers of the same hashes"
    );
    check_estimates(s, seen, merged);
    let back = UltraLogLog::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(&back, s, "round trip");
    assert_eq!(back.estimate().to_bits(), s.estimate().to_bits());
    assert_eq!(
        back.change_probability().to_bits(),
        s.change_probability().to_bits()
    );
    // The HyperLogLog projection: the registers a HyperLogLog fed the same hashes holds.
    let mut hll = HyperLogLog::new(s.precision()).unwrap();
    seen.iter().for_each(|&h| hll.insert_hash(h));
    let projected = s.to_hyperloglog();
    assert_eq!(projected.registers(), hll.registers(), "to_hyperloglog");
    assert!(!projected.estimate().is_nan());
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let p = 4 + ops.u8() % 9; // 4..=12 keeps the oracles cheap
    let mut s = [UltraLogLog::new(p).unwrap(), UltraLogLog::new(p).unwrap()];
    let mut seen = [BTreeSet::new(), BTreeSet::new()];
    let mut merged = [false, false];
    while !ops.is_empty() {
        let side = usize::from(ops.u8() & 1);
        match ops.u8() % 10 {
            0 => {
                let other = s[1 - side].clone();
                s[side].merge(&other).unwrap();
                let union: Vec<u64> = seen[1 - side].iter().copied().collect();
                // Merging registers drops the martingale; merging an exact sketch inserts
                // its hashes and keeps it.
                merged[side] |= !other.is_sparse() && other.registers().iter().any(|&r| r != 0);
                seen[side].extend(union);
            }
            1 => check(&s[side], &seen[side], merged[side]),
            2 => {
                // A burst of many hashes.
                let start = ops.u64();
                let n = u64::from(ops.u8()) * 4;
                for i in 0..n {
                    let h = start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                    s[side].insert_hash(h);
                    seen[side].insert(h);
                }
            }
            3 => {
                // A burst through the batch insert.
                let start = ops.u64();
                let n = u64::from(ops.u8()) * 4;
                let burst: Vec<u64> = (0..n)
                    .map(|i| start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
                    .collect();
                s[side].insert_hashes(burst.iter().copied());
                seen[side].extend(burst);
            }
            4 => {
                // Hashes whose low bits are mostly zero: the largest update values, up to
                // saturation, for any register.
                let index = ops.u64() & !(u64::MAX >> p);
                let shift = u32::from(ops.u8() % 64);
                let h = index | ((1u64 << shift) & (u64::MAX >> p));
                s[side].insert_hash(h);
                seen[side].insert(h);
            }
            5 => {
                // Merge laws on copies: commutative, idempotent, and folding commutes with
                // merging.
                let (a, b) = (&s[0], &s[1]);
                let mut ab = a.clone();
                ab.merge(b).unwrap();
                let mut ba = b.clone();
                ba.merge(a).unwrap();
                assert_eq!(ab.registers(), ba.registers(), "merge is commutative");
                let mut abb = ab.clone();
                abb.merge(b).unwrap();
                assert_eq!(abb.registers(), ab.registers(), "merge is idempotent");
                let q = 4 + ops.u8() % (p - 3);
                let mut folds = a.fold(q).unwrap();
                folds.merge(&b.fold(q).unwrap()).unwrap();
                assert_eq!(
                    ab.fold(q).unwrap().registers(),
                    folds.registers(),
                    "fold of merge"
                );
            }
            6 => {
                // Fold to a lower precision: the sketch of the same hashes there.
                let q = 4 + ops.u8() % (p - 3);
                let folded = s[side].fold(q).unwrap();
                assert_eq!(folded.precision(), q);
                // A fold of registers to a lower precision drops it; an exact sketch is
                // folded by inserting its hashes.
                let merged_here = merged[side] || (q < p && !s[side].is_sparse());
                check(&folded, &seen[side], merged_here);
                assert!(
                    s[side].fold(p + 1).is_err(),
                    "no fold to a higher precision"
                );
            }
            7 => {
                // Merge a sketch of lower precision in: self folds down to it.
                let q = 4 + ops.u8() % (p - 3);
                let mut low = UltraLogLog::new(q).unwrap();
                let h = ops.item().wrapping_mul(0x9e37_79b9_7f4a_7c15);
                low.insert_hash(h);
                let mut t = s[side].clone();
                t.merge(&low).unwrap();
                let mut both = seen[side].clone();
                both.insert(h);
                assert_eq!(
                    t.registers(),
                    oracle(q, &both).registers(),
                    "merge of a coarser sketch"
                );
                // And the other way round: the finer one is folded into the coarser.
                let mut u = low.clone();
                u.merge(&s[side]).unwrap();
                assert_eq!(u.registers(), t.registers(), "coarser merged with finer");
            }
            _ => {
                let h = ops.item();
                s[side].insert_hash(h);
                seen[side].insert(h);
            }
        }
    }
    check(&s[0], &seen[0], merged[0]);
    check(&s[1], &seen[1], merged[1]);
});
