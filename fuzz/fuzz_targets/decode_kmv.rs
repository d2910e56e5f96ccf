//! `Kmv::from_bytes` on any bytes: never a panic; what decodes round-trips and answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::{DistinctCount, Kmv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<Kmv>(data, |s| {
        let h = s.hashes();
        assert!(h.len() <= s.k());
        assert!(h.windows(2).all(|w| w[0] < w[1]), "minima ascending and distinct");
        let e = s.estimate();
        assert!(e.is_finite() && e >= 0.0, "{e}");
        assert!((s.jaccard(s).unwrap() - if h.is_empty() { 0.0 } else { 1.0 }).abs() < 1e-12);
        let mut t = s.clone();
        t.merge(s).unwrap();
        assert_eq!(t.hashes(), h, "merging with itself changes nothing");
        t.insert_hash(0);
        let _ = t.estimate();
    });
});
