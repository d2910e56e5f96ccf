//! `Trie::from_bytes` on any bytes: never a panic; what decodes round-trips and answers
//! queries consistently with its own listing.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::Trie;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<Trie>(data, |t| {
        let all: Vec<(Vec<u8>, u64)> = t.iter().collect();
        assert_eq!(all.len(), t.len());
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "listed in byte order");
        for (w, n) in all.iter().take(64) {
            assert!(*n > 0 && t.count(w) == *n && t.contains(w));
            assert_eq!(t.prefix_iter(w).next().as_ref().map(|x| &x.0), Some(w));
        }
        let mut u = t.clone();
        if let Some((w, n)) = all.first() {
            assert_eq!(u.remove(w), Some(*n));
            assert!(!u.contains(w));
            u.insert(w);
        }
        u.insert(b"zz");
    });
});
