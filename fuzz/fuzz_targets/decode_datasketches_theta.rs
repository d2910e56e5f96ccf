//! `interop::theta::from_bytes` on any bytes, as they are and behind a valid preamble: never a
//! panic; what decodes estimates, round-trips through both forms unchanged (same hashes,
//! theta and estimate), is its own union, and converts to the `Kmv` of `retained + 1` with
//! the same estimate (or refuses with an error).
#![no_main]

use lessram::DistinctCount;
use lessram::interop::theta::{self, ThetaSketch, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inputs = vec![data.to_vec()];
    if let Some((&first, rest)) = data.split_first() {
        // A valid preamble (version, preamble size and flags from the first byte), so the
        // fuzzer reaches the count, theta and hash checks.
        let v4 = first & 1 != 0;
        let pre_longs = if v4 {
            1 + (first >> 1) % 2
        } else {
            1 + (first >> 1) % 3
        };
        let flags = 0x0a | (if v4 { 0x10 } else { (first >> 2) & 0x14 });
        let mut v = vec![pre_longs, if v4 { 4 } else { 3 }, 3];
        v.extend_from_slice(rest.get(..2).unwrap_or(&[0, 0]));
        v.extend_from_slice(&[flags, 0xcc, 0x93]);
        v.extend_from_slice(rest.get(2..).unwrap_or(&[]));
        inputs.push(v);
    }
    for bytes in inputs {
        let _ = header(&bytes);
        let Ok(sketch) = theta::from_bytes(&bytes) else {
            continue;
        };
        let estimate = sketch.estimate();
        assert!(estimate >= 0.0 && !estimate.is_nan());
        for compressed in [false, true] {
            let again = sketch.to_bytes(compressed);
            let back = theta::from_bytes(&again).expect("a written sketch reads");
            assert_eq!(back, sketch, "compressed {compressed}");
            assert_eq!(back.estimate().to_bits(), estimate.to_bits());
        }
        let mut twice = sketch.clone();
        twice.merge(&sketch);
        assert_eq!(twice, sketch, "a self-union changes nothing");
        if let Ok(kmv) = sketch.to_kmv(sketch.hashes().len() + 1) {
            assert_eq!(kmv.estimate().to_bits(), estimate.to_bits());
            assert_eq!(ThetaSketch::from_kmv(&kmv).expect("in range"), sketch);
        }
    }
});
