//! Random insert/merge/save sequences on two KMV sketches, checked against the exact set
//! of hashes: the sketch keeps exactly the `k` smallest, counts exactly below `k`, merges
//! into the union's minima (at the smaller k when k differ), and round-trips.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use common::Ops;
use lessram::{DistinctCount, Kmv};
use libfuzzer_sys::fuzz_target;

fn check(s: &Kmv, seen: &BTreeSet<u64>) {
    let want: Vec<u64> = seen.iter().copied().take(s.k()).collect();
    assert_eq!(s.hashes(), want, "the k smallest distinct hashes");
    if seen.len() < s.k() {
        assert_eq!(s.estimate(), seen.len() as f64, "exact below k");
    }
    let back = Kmv::from_bytes(&s.to_bytes()).unwrap();
    assert_eq!(&back, s);
    assert_eq!(back.hashes(), want);
    assert_eq!(back.estimate().to_bits(), s.estimate().to_bits());
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let k = match ops.u8() % 4 {
        0 => 1 + usize::from(ops.u16() % 2048),
        _ => 1 + usize::from(ops.u8() % 40),
    };
    let Ok(a) = Kmv::new(k) else { return };
    let mut s = [a.clone(), a];
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
                let j = s[0].jaccard(&s[1]).unwrap();
                assert!((0.0..=1.0).contains(&j), "{j}");
                let both = seen[0].intersection(&seen[1]).count();
                let union = seen[0].union(&seen[1]).count();
                if union < k {
                    assert_eq!(s[0].intersection_estimate(&s[1]).unwrap(), both as f64);
                }
            }
            3 => {
                let start = ops.u64();
                for i in 0..u64::from(ops.u8()) * 4 {
                    let h = start.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                    s[side].insert_hash(h);
                    seen[side].insert(h);
                }
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
    // Different k merge at the smaller k, in either order: an empty sketch of k + 1 adds
    // nothing, and merging into one of k - 1 keeps the k - 1 smallest of the union.
    let mut same = s[0].clone();
    same.merge(&Kmv::new(k + 1).unwrap()).unwrap();
    assert_eq!(same, s[0], "an empty sketch of larger k adds nothing");
    if k > 2 {
        let mut smaller = Kmv::new(k - 1).unwrap();
        smaller.merge(&s[0]).unwrap();
        assert_eq!(smaller.k(), k - 1);
        let want: Vec<u64> = seen[0].iter().copied().take(k - 1).collect();
        assert_eq!(smaller.hashes(), want, "the k - 1 smallest");
        let mut shrunk = s[0].clone();
        shrunk.merge(&Kmv::new(k - 1).unwrap()).unwrap();
        assert_eq!(shrunk, smaller, "either order, the same sketch");
    }
});
