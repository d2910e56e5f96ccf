//! The shared frame decoder: any bytes, every kind, never a panic.
#![no_main]

use lessram::codec::{peek_kind, Decoder, Kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = peek_kind(data);
    if let Ok(mut d) = Decoder::new(data, Kind::HyperLogLog) {
        // Read whatever is there as counted u64s: counts must never over-allocate.
        if let Ok(n) = d.payload().count(8) {
            let v: Vec<u64> = (0..n).filter_map(|_| d.payload().u64().ok()).collect();
            assert_eq!(v.len(), n);
        }
        let _ = d.finish();
    }
});
