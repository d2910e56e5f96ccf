//! Random insert/union/intersect/save sequences on two Bloom filters of either layout,
//! checked against the exact sets: no false negatives, an item inserted twice is never
//! "new", the round trip answers every query as the original does, and batch queries
//! (`contains_each`) answer as single ones.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeSet;

use common::Ops;
use lessram::{BloomFilter, BloomLayout, Membership};
use libfuzzer_sys::fuzz_target;

fn check(f: &BloomFilter, seen: &BTreeSet<Vec<u8>>, probes: &[Vec<u8>]) {
    for w in seen {
        assert!(f.contains(w), "false negative");
    }
    let back = BloomFilter::from_bytes(&f.to_bytes()).unwrap();
    assert_eq!(&back, f);
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
    let layout = if ops.u8() & 1 == 0 { BloomLayout::Classic } else { BloomLayout::Blocked };
    let built = if ops.u8() & 1 == 0 {
        let items = 1 + usize::from(ops.u16() % 4096);
        let rate = f64::from(1 + ops.u8() % 200) / 1000.0;
        BloomFilter::builder().layout(layout).for_items(items, rate)
    } else {
        let bits = 1 + u64::from(ops.u16());
        let hashes = u32::from(ops.u8() % 40);
        BloomFilter::builder().layout(layout).with_bits(bits, hashes)
    };
    let Ok(f) = built else { return };
    let mut s = [f.clone(), f];
    let mut seen = [BTreeSet::new(), BTreeSet::new()];
    let mut probes = Vec::new();
    while !ops.is_empty() {
        let side = usize::from(ops.u8() & 1);
        match ops.u8() % 8 {
            0 => {
                let other = s[1 - side].clone();
                s[side].union(&other).unwrap();
                let add: Vec<Vec<u8>> = seen[1 - side].iter().cloned().collect();
                seen[side].extend(add);
            }
            1 => {
                let other = s[1 - side].clone();
                s[side].intersect(&other).unwrap();
                let keep: BTreeSet<Vec<u8>> =
                    seen[side].intersection(&seen[1 - side]).cloned().collect();
                seen[side] = keep;
            }
            2 => check(&s[side], &seen[side], &probes),
            3 => probes.push(ops.word()),
            _ => {
                let w = ops.word();
                let was_new = s[side].insert(&w);
                if seen[side].contains(&w) {
                    assert!(!was_new, "an inserted item reported new");
                }
                assert!(s[side].contains(&w));
                seen[side].insert(w);
            }
        }
    }
    check(&s[0], &seen[0], &probes);
    check(&s[1], &seen[1], &probes);
});
