//! Random insert/add/remove/save sequences on a Trie, checked against a `BTreeMap` of
//! counts: every query (count, contains, listing, prefix listing, longest prefix) and the
//! round trip; and a Dawg built from it holds the same words.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::BTreeMap;

use common::Ops;
use lessram::{Dawg, Trie};
use libfuzzer_sys::fuzz_target;

fn check(t: &Trie, oracle: &BTreeMap<Vec<u8>, u64>, probe: &[u8]) {
    assert_eq!(t.len(), oracle.len());
    let all: Vec<(Vec<u8>, u64)> = t.iter().collect();
    let want: Vec<(Vec<u8>, u64)> = oracle.iter().map(|(w, &n)| (w.clone(), n)).collect();
    assert_eq!(all, want);
    let pre: Vec<(Vec<u8>, u64)> = t.prefix_iter(probe).collect();
    let want_pre: Vec<(Vec<u8>, u64)> =
        want.iter().filter(|(w, _)| w.starts_with(probe)).cloned().collect();
    assert_eq!(pre, want_pre);
    let longest = (0..=probe.len())
        .rev()
        .find_map(|i| oracle.get(&probe[..i]).map(|&n| (&probe[..i], n)));
    assert_eq!(t.longest_prefix(probe), longest);
    let back = Trie::from_bytes(&t.to_bytes()).unwrap();
    assert_eq!(&back, t);
    assert_eq!(back.iter().collect::<Vec<_>>(), want);
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let mut t = Trie::new();
    let mut oracle: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut recent: Vec<Vec<u8>> = Vec::new();
    while !ops.is_empty() {
        // Reuse recent words often, so removals and repeats hit.
        let w = if !recent.is_empty() && ops.u8() & 1 == 0 {
            recent[usize::from(ops.u8()) % recent.len()].clone()
        } else {
            let w = ops.word();
            recent.push(w.clone());
            w
        };
        match ops.u8() % 8 {
            0 | 1 => {
                let removed = t.remove(&w);
                assert_eq!(removed, oracle.remove(&w));
            }
            2 => {
                let n = match ops.u8() % 3 {
                    0 => u64::MAX - u64::from(ops.u8()),
                    _ => u64::from(ops.u8()),
                };
                let new = t.add(&w, n);
                let want = oracle.get(&w).copied().unwrap_or(0).saturating_add(n);
                assert_eq!(new, want);
                if want > 0 {
                    oracle.insert(w.clone(), want);
                }
            }
            3 => check(&t, &oracle, &w),
            4 => {
                assert_eq!(t.count(&w), oracle.get(&w).copied().unwrap_or(0));
                assert_eq!(t.contains(&w), oracle.contains_key(&w));
            }
            _ => {
                let new = t.insert(&w);
                assert_eq!(new, !oracle.contains_key(&w));
                let n = oracle.entry(w).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
    }
    check(&t, &oracle, b"");
    // Building an automaton allocates its registry: once per input, not per check.
    let d = Dawg::from_trie(&t);
    assert_eq!(d.words(), oracle.keys().cloned().collect::<Vec<_>>());
});
