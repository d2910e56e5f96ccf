//! Random insert/batch insert/merge/save sequences on two HyperLogLogs, checked against an oracle: the
//! exact set of hashes (the sketch counts exactly while sparse), a sketch built by inserting
//! every hash (merging equals inserting both streams) and the round trip.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use common::Ops;
use lessram::HyperLogLog;
use libfuzzer_sys::fuzz_target;

fn check(s: &HyperLogLog, seen: &BTreeSet<u64>) {
    let mut oracle = HyperLogLog::new(s.precision()).unwrap();
    seen.iter().for_each(|&h| oracle.insert_hash(h));
    assert_eq!(s.registers(), oracle.registers(), "registers of the same hashes");
    if s.is_sparse() {
        assert!(seen.len() <= s.sparse_limit());
        assert_eq!(s.estimate(), seen.len() as f64, "exact while sparse");
    } else {
        assert!(seen.len() > s.sparse_limit(), "dense only past the sparse limit");
    }
    let back = HyperLogLog::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(&back, s);
    assert_eq!(back.estimate().to_bits(), s.estimate().to_bits());
    assert_eq!(back.estimate_hip().map(f64::to_bits), s.estimate_hip().map(f64::to_bits));
    assert_eq!(back.is_sparse(), s.is_sparse());
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let p = 4 + ops.u8() % 9; // 4..=12 keeps the oracle's dense copy cheap
    let mut s = [HyperLogLog::new(p).unwrap(), HyperLogLog::new(p).unwrap()];
    let mut seen = [BTreeSet::new(), BTreeSet::new()];
    while !ops.is_empty() {
        let side = usize::from(ops.u8() & 1);
        match ops.u8() % 8 {
            0 => {
                let other = s[1 - side].clone();
                s[side].merge(&other).unwrap();
                let union: Vec<u64> = seen[1 - side].iter().copied().collect();
                seen[side].extend(union);
            }
            1 => check(&s[side], &seen[side]),
            2 => {
                // A burst of many hashes, to cross the sparse limit.
                let start = ops.u64();
                let n = u64::from(ops.u8()) * 4;
                for i in 0..n {
                    let h = start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                    s[side].insert_hash(h);
                    seen[side].insert(h);
                }
            }
            3 => {
                // A burst through the batch insert (it drops hashes that cannot change a
                // register, so it must leave the registers of the same hashes).
                let start = ops.u64();
                let n = u64::from(ops.u8()) * 4;
                let burst: Vec<u64> = (0..n)
                    .map(|i| start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
                    .collect();
                s[side].insert_hashes(burst.iter().copied());
                seen[side].extend(burst);
            }
            _ => {
                let h = ops.item();
                s[side].insert_hash(h);
                seen[side].insert(h);
            }
        }
    }
    check(&s[0], &seen[0]);
    check(&s[1], &seen[1]);
    // A sketch of higher precision does not merge into one of lower; the other way round
    // folds it, which must equal the lower-precision sketch of the same hashes.
    let mut higher = HyperLogLog::new(p + 1).unwrap();
    assert!(higher.merge(&s[0]).is_err(), "a lower precision does not merge in");
    if p > 4 {
        let mut lower = HyperLogLog::new(p - 1).unwrap();
        lower.merge(&s[0]).unwrap();
        let mut oracle = HyperLogLog::new(p - 1).unwrap();
        seen[0].iter().for_each(|&h| oracle.insert_hash(h));
        assert_eq!(lower.registers(), oracle.registers(), "fold merge");
        if lower.is_sparse() {
            assert_eq!(lower.estimate(), seen[0].len() as f64);
        }
    }
});
