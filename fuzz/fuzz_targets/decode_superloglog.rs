//! `SuperLogLog::from_bytes` on any bytes: never a panic; what decodes round-trips and answers.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::{DistinctCount, SuperLogLog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<SuperLogLog>(data, |s| {
        assert_eq!(s.registers().len(), 1 << s.precision());
        let e = s.estimate();
        assert!(!e.is_nan() && e >= 0.0, "{e}");
        let mut t = s.clone();
        t.merge(s).unwrap();
        assert_eq!(&t, s, "merging with itself changes nothing");
        t.insert_hash(u64::MAX);
        let _ = t.estimate();
    });
});
