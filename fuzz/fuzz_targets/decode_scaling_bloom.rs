//! `ScalingBloomFilter::from_bytes` on any bytes: never a panic; what decodes round-trips
//! and answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::{Membership, ScalingBloomFilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<ScalingBloomFilter>(data, |f| {
        assert!(f.filters() >= 1);
        let _ = (f.expected_fp_rate(), f.contains("x"));
        let (low, high) = f.len_bounds();
        assert!(low <= f.len() && f.len() <= high);
        assert_eq!(f.exact_len().is_some(), low == high);
        // No insert: a full newest sub-filter would grow, and the next sub-filter's size
        // follows the decoded (legal) parameters, not the input's length.
        let mut h = f.clone();
        let _ = h.union(f);
    });
});
