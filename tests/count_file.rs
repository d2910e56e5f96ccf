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

/// The distinct tokens of `text` by a plain `HashSet` of byte strings: the exact count's
/// oracle (words are cut at ASCII whitespace, lines at `\n`, a last empty line is none).
fn oracle(text: &[u8], lines: bool, lowercase: bool) -> std::collections::HashSet<Vec<u8>> {
    let text = if lowercase {
        text.to_ascii_lowercase()
    } else {
        text.to_vec()
    };
    let is_sep = |b: &u8| {
        if lines {
            *b == b'\n'
        } else {
            matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
        }
    };
    let mut tokens: Vec<&[u8]> = text.split(is_sep).collect();
    if lines {
        if tokens.last() == Some(&&b""[..]) {
            tokens.pop();
        }
    } else {
        tokens.retain(|t| !t.is_empty());
    }
    tokens.into_iter().map(<[u8]>::to_vec).collect()
}

#[test]
fn the_exact_count_is_a_hash_set_s_on_any_number_of_threads() {
    // Some 3 MB: a dozen read blocks (256 KiB), so tokens straddle their boundaries; words
    // and lines in both cases, repeated, and a few tokens longer than a block (one only
    // differing from another in case).
    let mut text = Vec::new();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let long: Vec<u8> = (0..300_000u32).map(|i| b"abCD"[(i % 4) as usize]).collect();
    for i in 0..400_000u64 {
        let r = next();
        match i % 50_000 {
            7 => text.extend_from_slice(&long),
            8 => text.extend_from_slice(&long.to_ascii_uppercase()),
            _ => {
                let word = format!(
                    "{}{}",
                    ["w", "W", "line ", "x y"][(r % 4) as usize],
                    r % 60_000
                );
                text.extend_from_slice(word.as_bytes());
            }
        }
        text.extend_from_slice([&b"\n"[..], b" ", b"\t", b"\n\n", b"  "][(r >> 40) as usize % 5]);
    }
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("text.txt");
    std::fs::write(&path, &text).unwrap();
    for (lines, lowercase) in [(false, false), (false, true), (true, false), (true, true)] {
        let want = oracle(&text, lines, lowercase);
        let opts = if lines {
            TokenOptions::lines()
        } else {
            TokenOptions::words()
        }
        .lowercase(lowercase);
        for threads in 1..=4 {
            let why = format!("lines {lines}, lowercase {lowercase}, {threads} threads");
            let counter = || Counter::new(opts).threads(threads).exact(true);
            let reports = [
                ("file", counter().count_path(&path).unwrap()),
                (
                    "stream",
                    counter()
                        .count_reader(std::io::Cursor::new(text.clone()))
                        .unwrap(),
                ),
                ("bytes", counter().count_bytes(&text).unwrap()),
            ];
            for (way, report) in reports {
                let exact = report.exact().unwrap();
                assert_eq!(exact.len(), want.len(), "{way}, {why}");
                let got: std::collections::HashSet<Vec<u8>> =
                    exact.tokens().map(<[u8]>::to_vec).collect();
                assert_eq!(got.len(), want.len(), "{way}, {why}: a token stored twice");
                assert!(got == want, "{way}, {why}: other tokens");
            }
        }
    }
}
