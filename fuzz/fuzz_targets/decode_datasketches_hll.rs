//! `interop::datasketches::from_bytes` on any bytes, as they are and behind a valid preamble:
//! never a panic; what decodes estimates, and round-trips through every target type and
//! form with the same registers (and the same HIP estimate when written in order).
#![no_main]

use lessram::interop::datasketches::{self, Target, header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inputs = vec![data.to_vec()];
    if let Some((&first, rest)) = data.split_first() {
        // A valid preamble (mode and type from the first byte, lg_k 4..=11), so the fuzzer
        // reaches the coupon, array and exception-table checks.
        let mode = first % 3;
        let pre_ints = [2u8, 3, 10][usize::from(mode)];
        let lg_k = 4 + (first >> 2) % 8;
        let flags = (first >> 5) << 3; // compact, out-of-order, full-size bits
        let mut v = vec![pre_ints, 1, 7, lg_k];
        v.extend_from_slice(rest.get(..2).unwrap_or(&[0, 0]));
        v[5] = (v[5] & 0x06) | flags;
        v.push(rest.get(2).copied().unwrap_or(0));
        v.push((((first >> 3) % 3) << 2) | mode);
        v.extend_from_slice(rest.get(3..).unwrap_or(&[]));
        inputs.push(v);
    }
    for bytes in inputs {
        let _ = header(&bytes);
        let Ok(hll) = datasketches::from_bytes(&bytes) else {
            continue;
        };
        let regs = hll.registers();
        assert_eq!(regs.len(), 1 << hll.precision());
        let _ = hll.estimate();
        for target in [Target::Hll4, Target::Hll6, Target::Hll8] {
            for compact in [true, false] {
                let again =
                    datasketches::to_bytes(&hll, target, compact).expect("a read sketch writes");
                let back = datasketches::from_bytes(&again).expect("a written sketch reads");
                assert_eq!(back.registers(), regs, "{target:?} compact {compact}");
                if !header(&again).expect("a written header").out_of_order {
                    assert_eq!(back.estimate_hip(), hll.estimate_hip());
                }
            }
        }
    }
});
