//! `HyperLogLog::from_bytes` on any bytes: never a panic; what decodes round-trips and
//! answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::HyperLogLog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<HyperLogLog>(data, |s| {
        let regs = s.registers();
        assert_eq!(regs.len(), 1 << s.precision());
        let e = s.estimate();
        assert!(e.is_finite() && e >= 0.0, "{e}");
        if let Some(h) = s.estimate_hip() {
            assert!(h.is_finite() && h >= 0.0, "{h}");
        }
        let mut t = s.clone();
        t.merge(s).unwrap();
        assert_eq!(t.registers(), regs, "merging with itself keeps the registers");
        t.insert_hash(0x0123_4567_89ab_cdef);
        let _ = t.estimate();
    });
});
