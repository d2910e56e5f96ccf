//! `Dawg::from_bytes` (what `Dawg::load` does with a file's bytes) on any bytes: never a
//! panic, including the queries of whatever opens.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::Dawg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<Dawg>(data, |d| {
        let all = d.words();
        assert_eq!(all.len(), d.len());
        assert!(all.windows(2).all(|w| w[0] < w[1]), "listed in byte order");
        for w in all.iter().take(16) {
            assert!(d.contains(w));
            let _ = d.words_with_prefix(w);
            let _ = d.fuzzy(w, 1);
        }
        let _ = (d.contains("a"), d.words_with_prefix("a"), d.fuzzy("ab", 2));
        let _ = d.words_in_range(b"a".to_vec()..b"m".to_vec());
    });
});
