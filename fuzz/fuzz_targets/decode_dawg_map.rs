//! `DawgMap::from_bytes` on any bytes: never a panic, including the queries of whatever
//! opens.
#![no_main]

#[path = "common.rs"]
mod common;

use lessram::DawgMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::decode_all::<DawgMap>(data, |d| {
        let mut all = Vec::new();
        d.for_each(|w, v| all.push((w.to_vec(), v)));
        assert_eq!(all.len(), d.len());
        for (w, v) in all.iter().take(16) {
            assert_eq!(d.get(w), Some(*v));
            let _ = d.fuzzy(w, 1);
        }
        let _ = (d.get("a"), d.fuzzy("ab", 2));
        d.for_each_prefixed("a", |_, _| {});
    });
});
