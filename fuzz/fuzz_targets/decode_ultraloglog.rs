//! `UltraLogLog::from_bytes` on any bytes: never a panic; what decodes round-trips and
//! answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::UltraLogLog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<UltraLogLog>(data, |s| {
        let regs = s.registers().to_vec();
        assert_eq!(regs.len(), 1 << s.precision());
        // Infinite only when every register is saturated (no finite count fits).
        let e = s.estimate();
        assert!(e >= 0.0 && !e.is_nan(), "{e}");
        if let Some(h) = s.estimate_martingale() {
            assert!(h.is_finite() && h >= 0.0, "{h}");
        }
        let mut t = s.clone();
        t.merge(s).unwrap();
        assert_eq!(t.registers(), regs, "merging with itself keeps the registers");
        assert_eq!(s.to_hyperloglog().registers().len(), regs.len());
        if s.precision() > 4 {
            let _ = s.fold(4).unwrap().estimate();
        }
        t.insert_hash(0x0123_4567_89ab_cdef);
        let _ = t.estimate();
    });
});
