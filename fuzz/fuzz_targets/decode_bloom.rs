//! `BloomFilter::from_bytes` on any bytes: never a panic; what decodes round-trips and
//! answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::{BloomFilter, Membership};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<BloomFilter>(data, |f| {
        assert!(f.count_ones() <= f.bits());
        let _ = (f.estimated_len(), f.expected_fp_rate(), f.contains("x"));
        let mut g = f.clone();
        g.union(f).unwrap();
        assert_eq!(&g, f, "union with itself changes nothing");
        g.intersect(f).unwrap();
        g.insert("y");
        assert!(g.contains("y"));
    });
});
