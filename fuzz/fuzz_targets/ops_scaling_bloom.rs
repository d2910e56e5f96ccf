//! Random insert/union/save sequences on scaling Bloom filters with random growth, limits
//! and layouts, checked against the exact sets: no false negatives, a refused insert leaves
//! the filter unchanged, the round trip answers every query as the original does, and
//! batch queries (`contains_each`) answer as single ones.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use common::Ops;
use lessram::{BloomLayout, Membership, ScalingBloomFilter};
use libfuzzer_sys::fuzz_target;

fn check(f: &ScalingBloomFilter, seen: &BTreeSet<Vec<u8>>, probes: &[Vec<u8>]) {
    for w in seen {
        assert!(f.contains(w), "false negative");
    }
    let back = ScalingBloomFilter::from_bytes(&f.to_bytes()).unwrap();
    assert_eq!(&back, f);
    assert_eq!((back.len(), back.filters()), (f.len(), f.filters()));
    assert_eq!(back.len_bounds(), f.len_bounds());
    // The low bound is certain: never above the distinct items inserted (the high one is
    // statistical, so it is not asserted here).
    let (low, high) = f.len_bounds();
    assert!(low <= seen.len() && low <= f.len() && f.len() <= high);
    for w in seen.iter().chain(probes) {
        assert_eq!(back.contains(w), f.contains(w));
    }
    // Batch queries answer as single ones, in order.
    let each: Vec<bool> = f.contains_each(seen.iter().chain(probes)).collect();
    let single: Vec<bool> = seen.iter().chain(probes).map(|w| f.contains(w)).collect();
    assert_eq!(each, single, "contains_each differs from contains");
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let initial = 1 + usize::from(ops.u8() % 64);
    let rate = f64::from(1 + ops.u8() % 200) / 1000.0;
    let layout = if ops.u8() & 1 == 0 { BloomLayout::Classic } else { BloomLayout::Blocked };
    let mut b = ScalingBloomFilter::builder(initial, rate)
        .layout(layout)
        .growth_factor(u32::from(ops.u8() % 18))
        .tightening_ratio(f64::from(ops.u8()) / 255.0);
    let limits = ops.u8();
    if limits & 1 != 0 {
        b = b.max_filters(usize::from(ops.u8() % 8));
    }
    if limits & 2 != 0 {
        b = b.max_memory(usize::from(ops.u16()));
    }
    let Ok(f) = b.build() else { return };
    let mut s = [f.clone(), f];
    let mut seen = [BTreeSet::new(), BTreeSet::new()];
    let mut probes = Vec::new();
    while !ops.is_empty() {
        let side = usize::from(ops.u8() & 1);
        match ops.u8() % 8 {
            0 => {
                let other = s[1 - side].clone();
                if s[side].union(&other).is_ok() {
                    let add: Vec<Vec<u8>> = seen[1 - side].iter().cloned().collect();
                    seen[side].extend(add);
                }
            }
            1 => check(&s[side], &seen[side], &probes),
            2 => probes.push(ops.word()),
            _ => {
                let w = ops.word();
                let before = s[side].clone();
                match s[side].try_insert(&w) {
                    Ok(new) => {
                        if seen[side].contains(&w) {
                            assert!(!new, "an inserted item reported new");
                        }
                        seen[side].insert(w);
                    }
                    Err(_) => assert!(s[side] == before, "a refused insert changed the filter"),
                }
            }
        }
    }
    check(&s[0], &seen[0], &probes);
    check(&s[1], &seen[1], &probes);
});
