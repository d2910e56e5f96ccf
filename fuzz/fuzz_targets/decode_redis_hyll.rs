//! `interop::redis::from_hyll` on any bytes, as they are and behind a valid header: never a
//! panic; what decodes counts, and round-trips through both encodings with the same
//! registers.
#![no_main]

use lessram::interop::redis::{self, Encoding};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut inputs = vec![data.to_vec()];
    if let Some((&first, rest)) = data.split_first() {
        // A valid header, so the fuzzer reaches the register and run-length checks.
        let mut v = b"HYLL".to_vec();
        v.extend_from_slice(&[first & 1, 0, 0, 0]);
        v.extend_from_slice(&[0; 8]);
        v.extend_from_slice(rest);
        inputs.push(v);
    }
    for bytes in inputs {
        let _ = redis::cached_cardinality(&bytes);
        let Ok(hll) = redis::from_hyll(&bytes) else {
            continue;
        };
        let regs = hll.registers();
        assert_eq!(regs.len(), 1 << 14);
        let n = redis::pfcount(&hll);
        for enc in [Encoding::Dense, Encoding::Sparse] {
            match redis::to_hyll_as(&hll, enc) {
                Ok(again) => {
                    let back = redis::from_hyll(&again).expect("a re-encoded string decodes");
                    assert_eq!(back.registers(), regs, "{enc:?} round trip");
                    assert_eq!(redis::pfcount(&back), n);
                }
                Err(_) => assert!(enc == Encoding::Sparse && regs.iter().any(|&r| r > 32)),
            }
        }
    }
});
