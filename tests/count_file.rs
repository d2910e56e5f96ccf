//! `examples/count_file.rs`'s way of counting, through the public API, gives bit for bit
//! the estimate of `lessram count --sketch hll`.

use assert_cmd::Command;
use lessram::HyperLogLog;
use lessram::text::{Counter, Distinct, TokenOptions};

/// What the example prints first on its last line.
fn example_estimate(path: &std::path::Path, threads: usize) -> f64 {
    let mut counter = Counter::new(TokenOptions::words()).threads(threads);
    let hll = counter.sink(Distinct(HyperLogLog::new(14).unwrap()));
    let mut report = counter.count_path(path).unwrap();
    report.take(hll).into_inner().estimate()
}

#[test]
fn the_example_estimate_equals_the_binary_s() {
    let dir = tempfile::TempDir::new().unwrap();
    // Enough distinct words that the HyperLogLog is dense, some long, mixed separators.
    let mut text = String::new();
    let mut distinct = std::collections::HashSet::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..400_000u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let word = format!("w{}{}", state % 150_000, "é".repeat((i % 11) as usize));
        text.push_str(&word);
        distinct.insert(word);
        text.push_str(["\n", " ", "\t", "  "][(i % 4) as usize]);
    }
    let path = dir.path().join("words.txt");
    std::fs::write(&path, text).unwrap();
    for threads in [1, 2] {
        let out = Command::cargo_bin("lessram")
            .unwrap()
            .args(["count", "--sketch", "hll", "--json", "--threads"])
            .arg(threads.to_string())
            .arg(&path)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let binary = v["estimators"][0]["estimate"].as_f64().unwrap();
        assert_eq!(v["estimators"][0]["estimator"], "HyperLogLog");
        let example = example_estimate(&path, threads);
        assert_eq!(example.to_bits(), binary.to_bits(), "{threads} threads");
        // Within 5 standard errors (1.04 / sqrt(2^14) = 0.81%) of the truth.
        let truth = distinct.len() as f64;
        assert!(
            (example / truth - 1.0).abs() < 0.041,
            "{example} for {truth}"
        );
    }
}

#[test]
fn a_huge_thread_count_is_capped_and_still_exact() {
    let mut counter = Counter::new(TokenOptions::words())
        .threads(usize::MAX)
        .exact(true);
    let hll = counter.sink(Distinct(HyperLogLog::new(14).unwrap()));
    let mut report = counter.count_bytes(b"a b a c\nd").unwrap();
    assert_eq!(report.threads, Counter::MAX_THREADS);
    assert_eq!(report.distinct(), Some(4));
    assert_eq!(report.take(hll).into_inner().estimate(), 4.0);
}
