//! `MorrisArray::from_bytes` on any bytes: never a panic; what decodes round-trips.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::MorrisArray;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<MorrisArray>(data, |a| {
        assert_eq!(a.exponents().len(), a.len());
        for i in 0..a.len().min(64) {
            assert!(a.estimate(i).unwrap() >= 0.0);
        }
        assert!(a.estimate(a.len()).is_err());
        let mut b = a.clone();
        let _ = b.increment(0);
    });
});
