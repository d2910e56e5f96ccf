//! Random word lists built into a Dawg and a DawgMap (from words in any order, from sorted
//! words, from a Trie), checked against a `BTreeSet` / `BTreeMap`: membership, listing,
//! prefix and range listing, fuzzy search against a plain Levenshtein distance, and the
//! round trip through the saved bytes.
#![no_main]

#[path = "common.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Ops;
use lessram::{Dawg, DawgMap, Trie};
use libfuzzer_sys::fuzz_target;

/// Levenshtein distance in characters (as `fuzzy` counts), on lossy UTF-8.
fn distance(a: &[u8], b: &[u8]) -> u32 {
    let a: Vec<char> = String::from_utf8_lossy(a).chars().collect();
    let b: Vec<char> = String::from_utf8_lossy(b).chars().collect();
    let mut prev: Vec<u32> = (0..=b.len() as u32).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i as u32 + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + u32::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fuzz_target!(|data: &[u8]| {
    let mut ops = Ops::new(data);
    let mut words = Vec::new();
    let n = ops.u8() % 64;
    for _ in 0..n {
        // Small alphabets make shared prefixes and suffixes, which the DAWG merges.
        let w: Vec<u8> = ops.word().into_iter().map(|b| if b < 200 { b'a' + b % 4 } else { b }).collect();
        words.push(w);
    }
    let set: BTreeSet<Vec<u8>> = words.iter().cloned().collect();
    let listed: Vec<Vec<u8>> = set.iter().cloned().collect();
    let d = Dawg::from_words(&words).unwrap();
    assert_eq!(d.words(), listed);
    assert_eq!(Dawg::from_sorted(&listed).unwrap(), d);
    let trie: Trie = words.iter().collect();
    assert_eq!(Dawg::from_trie(&trie), d);
    let back = Dawg::from_bytes(&d.to_bytes()).unwrap();
    assert_eq!(back.words(), listed);
    if listed.len() >= 2 && listed[0] != listed[1] {
        let unsorted = [listed[1].clone(), listed[0].clone()];
        assert!(Dawg::from_sorted(&unsorted).is_err(), "unsorted input is an error");
    }

    let probe: Vec<u8> = ops.word().into_iter().map(|b| b'a' + b % 4).collect();
    let max = u32::from(ops.u8() % 3);
    assert_eq!(d.contains(&probe), set.contains(&probe));
    assert_eq!(back.contains(&probe), set.contains(&probe));
    let pre: Vec<Vec<u8>> = listed.iter().filter(|w| w.starts_with(&probe)).cloned().collect();
    assert_eq!(d.words_with_prefix(&probe), pre);
    let hi: Vec<u8> = probe.iter().map(|b| b.saturating_add(1)).collect();
    let range: Vec<Vec<u8>> =
        listed.iter().filter(|w| **w >= probe && **w < hi).cloned().collect();
    assert_eq!(d.words_in_range(probe.clone()..hi.clone()), range);
    if std::str::from_utf8(&probe).is_ok() {
        let want: Vec<(Vec<u8>, u32)> = listed
            .iter()
            .filter(|w| std::str::from_utf8(w).is_ok())
            .map(|w| (w.clone(), distance(w, &probe)))
            .filter(|(_, dist)| *dist <= max)
            .collect();
        let got: Vec<(Vec<u8>, u32)> = d
            .fuzzy(&probe, max)
            .into_iter()
            .filter(|(w, _)| std::str::from_utf8(w).is_ok())
            .collect();
        assert_eq!(got, want, "fuzzy {probe:?} within {max}");
    }

    // The map: each word's value is its position in the list.
    let pairs: BTreeMap<Vec<u8>, u64> = listed.iter().cloned().zip(0..).collect();
    let m = DawgMap::from_pairs(pairs.iter().map(|(w, &v)| (w, v)).rev()).unwrap();
    let back = DawgMap::from_bytes(&m.to_bytes()).unwrap();
    for (w, &v) in &pairs {
        assert_eq!((m.get(w), back.get(w)), (Some(v), Some(v)));
    }
    assert_eq!(m.get(&probe), pairs.get(&probe).copied());
});
