//! `MorrisCounter::from_bytes` on any bytes: never a panic; what decodes round-trips.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::MorrisCounter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<MorrisCounter>(data, |c| {
        let e = c.estimate();
        assert!(e >= 0.0 && e <= c.max_estimate(), "{c:?}");
        let _ = c.relative_std_error();
        let _ = c.is_saturated();
    });
});
