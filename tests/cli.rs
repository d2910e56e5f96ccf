//! The `lessram` binary end to end, on small generated inputs.

use std::io::Write;

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt as _;
use serde_json::Value;
use tempfile::TempDir;

fn lessram() -> Command {
    Command::cargo_bin("lessram").expect("the binary is built")
}

/// Runs `count --json` with `args` and returns the parsed object.
fn count_json(args: &[&str], stdin: Option<&[u8]>) -> Value {
    let mut cmd = lessram();
    cmd.arg("count").arg("--json").args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input.to_vec());
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).expect("one JSON object")
}

fn row<'a>(v: &'a Value, estimator: &str) -> &'a Value {
    v["estimators"]
        .as_array()
        .expect("estimators")
        .iter()
        .find(|r| r["estimator"] == estimator)
        .unwrap_or_else(|| panic!("no {estimator} row in {v}"))
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// A deterministic text of `n` tokens over a vocabulary of `v` words, with mixed separators,
/// and its number of distinct tokens.
fn text(n: usize, v: u64) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let w = format!("w{}", state % v);
        out.extend_from_slice(w.as_bytes());
        seen.insert(w);
        out.extend_from_slice(match i % 7 {
            0 => b"\n",
            1 => b"\t \r\n",
            _ => b" ",
        });
    }
    (out, seen.len())
}

#[test]
fn exact_count_of_a_small_file() {
    let dir = TempDir::new().unwrap();
    let f = write(
        &dir,
        "a.txt",
        b"the cat the\tdog\n\nThe  cat\r\n\xff\xfe bytes",
    );
    let v = count_json(&[&f], None);
    assert_eq!(v["tokens"], 8);
    // the, cat, dog, The, \xff\xfe, bytes
    assert_eq!(v["distinct"], 6);
    assert_eq!(row(&v, "exact")["estimate"], 6.0);
    let v = count_json(&["--lowercase", &f], None);
    assert_eq!(v["distinct"], 5);
    // Lines: "the cat the\tdog", "", "The  cat\r", "\xff\xfe bytes".
    let v = count_json(&["--lines", &f], None);
    assert_eq!(
        (v["tokens"].as_u64(), v["distinct"].as_u64()),
        (Some(4), Some(4))
    );
}

#[test]
fn stdin_and_compressed_inputs_count_the_same() {
    let dir = TempDir::new().unwrap();
    let (plain, distinct) = text(50_000, 3_000);
    let f = write(&dir, "t.txt", &plain);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    let zst = zstd::encode_all(&plain[..], 1).unwrap();
    let gz_file = write(&dir, "t.txt.gz", &gz);
    let zst_file = write(&dir, "t.zst", &zst);
    // Magic bytes are enough, whatever the name.
    let disguised = write(&dir, "t.data", &zst);
    for args in [
        vec![f.as_str()],
        vec!["--exact", gz_file.as_str()],
        vec!["--exact", zst_file.as_str()],
        vec!["--exact", disguised.as_str()],
    ] {
        let v = count_json(&args, None);
        assert_eq!(v["distinct"].as_u64(), Some(distinct as u64), "{args:?}");
        assert_eq!(v["tokens"], 50_000);
    }
    let v = count_json(&["--exact", "-"], Some(&gz));
    assert_eq!(v["distinct"].as_u64(), Some(distinct as u64));
    // Two inputs count as one stream.
    let v = count_json(&[&f, &gz_file, "--exact"], None);
    assert_eq!(
        (v["tokens"].as_u64(), v["distinct"].as_u64()),
        (Some(100_000), Some(distinct as u64))
    );
}

#[test]
fn tokens_longer_than_the_buffer_are_one_token() {
    let dir = TempDir::new().unwrap();
    let long = vec![b'x'; 700_000];
    let mut input = long.clone();
    input.extend_from_slice(b" short ");
    input.extend_from_slice(&long);
    input.push(b'\n');
    input.extend_from_slice(&long);
    input.push(b'y');
    let f = write(&dir, "long.txt", &input);
    for threads in ["1", "2"] {
        let v = count_json(&["--threads", threads, &f], None);
        assert_eq!(v["tokens"], 4);
        assert_eq!(v["distinct"], 3, "threads {threads}");
    }
    let v = count_json(&["--lines", "--lowercase", &f], None);
    assert_eq!(
        (v["tokens"].as_u64(), v["distinct"].as_u64()),
        (Some(2), Some(2))
    );
}

#[test]
fn empty_input_counts_zero() {
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "empty.txt", b"");
    let v = count_json(&[&f], None);
    assert_eq!(
        (v["tokens"].as_u64(), v["distinct"].as_u64()),
        (Some(0), Some(0))
    );
    for r in v["estimators"].as_array().unwrap() {
        assert_eq!(r["estimate"], 0.0, "{r}");
    }
    let v = count_json(&["--exact", "-"], Some(b"  \n\t "));
    assert_eq!(v["distinct"], 0);
}

#[test]
fn threads_give_identical_results() {
    let dir = TempDir::new().unwrap();
    let (plain, distinct) = text(400_000, 100_000);
    let f = write(&dir, "t.txt", &plain);
    let one = count_json(&["--threads", "1", &f], None);
    assert_eq!(one["distinct"].as_u64(), Some(distinct as u64));
    for threads in ["2", "3"] {
        let many = count_json(&["--threads", threads, &f], None);
        assert_eq!(many["tokens"], one["tokens"]);
        for r in one["estimators"].as_array().unwrap() {
            let name = r["estimator"].as_str().unwrap();
            if ["MorrisCounter", "ScalingBloomFilter"].contains(&name) {
                continue;
            }
            assert_eq!(
                row(&many, name)["estimate"],
                r["estimate"],
                "{name}, {threads} threads"
            );
        }
    }
    // The sample too: each thread generates its own range.
    let one = count_json(&["--threads", "1", "--sample-tokens", "200000"], None);
    let two = count_json(&["--threads", "2", "--sample-tokens", "200000"], None);
    assert_eq!(one["distinct"], two["distinct"]);
}

#[test]
fn vector_and_scalar_paths_give_identical_results() {
    // Tokens of 1 to 40 bytes (the vector hash takes those under 16), any byte but
    // whitespace, between runs of every kind of whitespace; half are one or two bytes, so
    // some 64-byte chunks hold more than 32 token boundaries (the vector scan's first
    // store).
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut bytes = Vec::new();
    for _ in 0..300_000 {
        let len = if next() % 2 == 0 {
            1 + next() % 2
        } else {
            1 + next() % 40
        };
        // A small vocabulary of prefixes, so tokens repeat.
        let seed = next() % 50_000;
        bytes.extend(
            (0..len).map(|i| match (seed.wrapping_mul(31) + i * 7) as u8 {
                b if b.is_ascii_whitespace() || b == 0x0b => b'_',
                b => b,
            }),
        );
        for _ in 0..1 + next() % 4 / 3 {
            bytes.push(b" \t\n\x0b\x0c\r"[(next() % 6) as usize]);
        }
    }
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "t.txt", &bytes);
    let run = |scalar: bool| {
        let mut cmd = lessram();
        cmd.args(["count", "--json", "--threads", "1", &f]);
        if scalar {
            cmd.env("LESSRAM_NO_AVX512", "1")
                .env("LESSRAM_NO_AVX2", "1");
        }
        let out = cmd.assert().success().get_output().stdout.clone();
        serde_json::from_slice::<Value>(&out).expect("one JSON object")
    };
    let (vector, scalar) = (run(false), run(true));
    assert_eq!(scalar["scan_hash_paths"], "scalar");
    eprintln!("this machine: {}", vector["scan_hash_paths"]);
    assert_eq!(vector["tokens"], scalar["tokens"]);
    assert_eq!(vector["distinct"], scalar["distinct"]);
    for r in scalar["estimators"].as_array().unwrap() {
        let name = r["estimator"].as_str().unwrap();
        assert_eq!(row(&vector, name)["estimate"], r["estimate"], "{name}");
    }
}

/// A pseudo-file whose size is 0 but which has contents is read as a stream, to its end.
#[cfg(target_os = "linux")]
#[test]
fn pseudo_files_of_size_zero_are_read_to_their_end() {
    let v = count_json(&["--threads", "2", "/proc/self/status"], None);
    assert!(v["tokens"].as_u64().unwrap() > 10, "{v}");
}

#[test]
fn the_sample_runs_with_every_estimator() {
    let v = count_json(&["--sample-tokens", "20000"], None);
    assert_eq!(v["tokens"], 20_000);
    assert!(v["distinct"].as_u64().unwrap() > 5_000);
    let names: Vec<&str> = v["estimators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["estimator"].as_str().unwrap())
        .collect();
    assert_eq!(names.last(), Some(&"exact"));
    for r in v["estimators"].as_array().unwrap() {
        for field in [
            "parameters",
            "estimate",
            "relative_error",
            "memory_bytes",
            "seconds",
        ] {
            assert!(!r[field].is_null(), "{field} in {r}");
        }
    }
    // And the table shows the same rows.
    let out = lessram()
        .args(["count", "--sample-tokens", "20000"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(out).unwrap();
    for name in names {
        assert!(table.contains(name), "{name} missing from\n{table}");
    }
    assert!(table.contains("rel. error"));
}

/// Asserts the command fails with one `error:` line on stderr mentioning `needle`.
fn fails_with(args: &[&str], stdin: Option<&[u8]>, needle: &str) {
    let mut cmd = lessram();
    cmd.args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_vec());
    }
    let out = cmd.assert().failure().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err} lacks {needle:?}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"));
}

#[test]
fn bad_input_gives_one_clear_line() {
    let dir = TempDir::new().unwrap();
    fails_with(&["count", "/no/such/file"], None, "/no/such/file");
    let d = dir.path().to_str().unwrap();
    fails_with(&["count", d], None, "is a directory");
    // A truncated gzip stream.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&text(20_000, 500).0).unwrap();
    let gz = gz.finish().unwrap();
    let cut = write(&dir, "cut.gz", &gz[..gz.len() / 2]);
    fails_with(&["count", &cut], None, "cut.gz");
    fails_with(&["count", "-"], Some(&gz[..gz.len() / 2]), "reading -");
    let fake = write(&dir, "fake.gz", b"plain text, not gzip");
    fails_with(&["count", &fake], None, "not a gz file");
    fails_with(&["count", "--threads", "0"], None, "threads 0");
    fails_with(&["count", "--sketch", "nope"], None, "unknown sketch");
    fails_with(&["estimate", &fake], None, "fake.gz");
    fails_with(&["estimate", d], None, "is a directory");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_read_as_a_stream() {
    let dir = TempDir::new().unwrap();
    let fifo = dir.path().join("fifo");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        std::fs::write(writer_path, b"a b c a\n").unwrap();
    });
    let v = count_json(&["--exact", fifo.to_str().unwrap()], None);
    writer.join().unwrap();
    assert_eq!(v["distinct"], 3);
}

#[test]
fn invalid_parameters_are_refused_before_reading() {
    fails_with(
        &["count", "--precision", "30"],
        None,
        "precision 30 out of range",
    );
    fails_with(&["count", "--error-rate", "2"], None, "2");
    fails_with(&["count", "--k", "0"], None, "k 0");
    fails_with(&["count", "--base", "1"], None, "base 1");
}

fn estimate_json(files: &[&str]) -> Vec<Value> {
    let out = lessram()
        .arg("estimate")
        .arg("--json")
        .args(files)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn save_merge_estimate_round_trip_equals_a_direct_count() {
    let dir = TempDir::new().unwrap();
    let (all, _) = text(60_000, 20_000);
    let cut = all.iter().rposition(|&b| b == b' ').unwrap() / 2;
    let cut = cut + all[cut..].iter().position(|&b| b == b' ').unwrap();
    let a = write(&dir, "a.txt", &all[..cut]);
    let b = write(&dir, "b.txt", &all[cut..]);
    let whole = write(&dir, "all.txt", &all);
    let direct = count_json(&["--threads", "1", &whole], None);
    let sa = dir.path().join("sa");
    let sb = dir.path().join("sb");
    // Base 1.05 for the shards' Morris counters: a bound below that can fail (base 2 has
    // 71% error); every other estimator ignores the base.
    let mut shard_tokens = Vec::new();
    for (input, save) in [(&a, &sa), (&b, &sb)] {
        let v = count_json(
            &[
                "--threads",
                "2",
                "--base",
                "1.05",
                "--save",
                save.to_str().unwrap(),
                input,
            ],
            None,
        );
        shard_tokens.push(v["tokens"].as_f64().unwrap());
    }
    for (file, name) in [
        ("hyperloglog.lsrm", "HyperLogLog"),
        ("loglog.lsrm", "LogLog"),
        ("superloglog.lsrm", "SuperLogLog"),
        ("kmv.lsrm", "Kmv"),
        ("morris.lsrm", "MorrisCounter"),
    ] {
        let out = dir.path().join(format!("merged-{file}"));
        lessram()
            .arg("merge")
            .arg(sa.join(file))
            .arg(sb.join(file))
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let est = estimate_json(&[out.to_str().unwrap()]);
        assert_eq!(est[0]["estimator"], name);
        if name == "MorrisCounter" {
            // Merging adds b's estimate as events to a's counter: close, not equal. One
            // counter's relative variance is r^2 = (a - 1)/2; the merged counter's is about
            // r^2 (1 + (1 + r^2) (n_b/n)^2) (its own noise over n_a + est_b events, plus
            // est_b's), so 4 standard deviations (Chebyshev: fails with probability <= 1/16
            // for a given seed) bound its relative error.
            let (n_b, n) = (shard_tokens[1], shard_tokens[0] + shard_tokens[1]);
            assert_eq!(n, direct["tokens"].as_f64().unwrap());
            let r2 = (1.05 - 1.0) / 2.0;
            let sigma = (r2 * (1.0 + (1.0 + r2) * (n_b / n).powi(2))).sqrt();
            let got = est[0]["estimate"].as_f64().unwrap();
            assert!(
                (got / n - 1.0).abs() < 4.0 * sigma,
                "merged Morris {got} for {n} tokens, bound {:.3}",
                4.0 * sigma
            );
        } else {
            assert_eq!(est[0]["estimate"], row(&direct, name)["estimate"], "{name}");
        }
    }
    // Issue #16, point 3: a merged scaling Bloom filter's count is not known exactly: no
    // estimate, bounds that hold the true distinct count, and a note saying why.
    let out = dir.path().join("merged-scaling-bloom.lsrm");
    lessram()
        .arg("merge")
        .arg(sa.join("scaling-bloom.lsrm"))
        .arg(sb.join("scaling-bloom.lsrm"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let est = estimate_json(&[out.to_str().unwrap()]);
    let truth = direct["distinct"].as_u64().unwrap();
    assert_eq!(est[0]["estimate"], Value::Null, "{}", est[0]);
    let (low, high) = (
        est[0]["bounds"][0].as_u64().unwrap(),
        est[0]["bounds"][1].as_u64().unwrap(),
    );
    assert!(
        low <= truth && truth <= high,
        "{low} ..= {high}, {truth} true"
    );
    assert!(est[0]["note"].as_str().unwrap().contains("not known"));
    lessram()
        .arg("estimate")
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicates::str::contains("between ")
                .and(predicates::str::contains("not known exactly after a merge")),
        );
    // The saved sketch of one shard estimates what its count printed.
    let one = count_json(&["--threads", "1", &a], None);
    let est = estimate_json(&[sa.join("kmv.lsrm").to_str().unwrap()]);
    assert_eq!(est[0]["estimate"], row(&one, "Kmv")["estimate"]);
    // Text output: one line per file.
    lessram()
        .arg("estimate")
        .arg(sa.join("hyperloglog.lsrm"))
        .arg(sb.join("scaling-bloom.lsrm"))
        .assert()
        .success()
        .stdout(
            predicates::str::contains("HyperLogLog")
                .and(predicates::str::contains("ScalingBloomFilter")),
        );
}

#[test]
fn merge_help_says_which_parameters_may_differ() {
    // `merge` folds precisions and KMV's k (below); its help must not claim they must match.
    let out = lessram().args(["merge", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(!help.contains("same kind and parameters"), "{help}");
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in ["different precisions", "different k", "in any order"] {
        assert!(flat.contains(needed), "no {needed:?} in {help}");
    }
}

#[test]
fn mismatched_or_corrupt_saved_sketches_are_refused() {
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "t.txt", &text(5_000, 1_000).0);
    let s12 = dir.path().join("p12");
    let s14 = dir.path().join("p14");
    count_json(
        &[
            "--precision",
            "12",
            "--k",
            "512",
            "--save",
            s12.to_str().unwrap(),
            &f,
        ],
        None,
    );
    count_json(
        &["--precision", "14", "--save", s14.to_str().unwrap(), &f],
        None,
    );
    let out = dir.path().join("out.lsrm");
    let hll14 = s14.join("hyperloglog.lsrm");
    let kmv = s14.join("kmv.lsrm");
    let o = out.to_str().unwrap();
    fails_with(
        &[
            "merge",
            hll14.to_str().unwrap(),
            kmv.to_str().unwrap(),
            "-o",
            o,
        ],
        None,
        "different kinds",
    );
    // Issue #16, point 2: sketches of different precisions fold to the coarser one, in
    // either order, to the same bytes (so the same estimate); KMVs of different k (512 and
    // the default 4096) merge to the smaller k.
    for file in [
        "loglog.lsrm",
        "superloglog.lsrm",
        "hyperloglog.lsrm",
        "kmv.lsrm",
    ] {
        let (a, b) = (s12.join(file), s14.join(file));
        let merged = |x: &std::path::Path, y: &std::path::Path, name: &str| {
            let o = dir.path().join(name);
            lessram()
                .arg("merge")
                .arg(x)
                .arg(y)
                .arg("-o")
                .arg(&o)
                .assert()
                .success();
            std::fs::read(o).unwrap()
        };
        let (ab, ba) = (merged(&a, &b, "ab.lsrm"), merged(&b, &a, "ba.lsrm"));
        let estimate = |bytes: &[u8]| {
            let f = write(&dir, "merged.lsrm", bytes);
            let out = lessram()
                .args(["estimate", "--json", &f])
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            serde_json::from_slice::<Value>(&out).unwrap()["estimate"].clone()
        };
        assert_eq!(
            estimate(&ab),
            estimate(&ba),
            "{file}: merge order changed it"
        );
        if file != "hyperloglog.lsrm" {
            // The fold of the p14 sketch is the p12 sketch of the same text, byte for byte
            // (for KMV: the k = 4096 sketch shrunk to 512 is the k = 512 sketch)
            // (HyperLogLog's bytes also hold a HIP accumulator, which a merge that changes no
            // register keeps: only its registers would match).
            assert_eq!(ab, ba, "{file}: merge order changed the bytes");
            assert_eq!(
                ab,
                std::fs::read(&a).unwrap(),
                "{file}: fold of p14 into p12"
            );
        }
    }
    // One flipped byte, or a cut file.
    let mut bytes = std::fs::read(&hll14).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    let bad = write(&dir, "bad.lsrm", &bytes);
    fails_with(&["estimate", &bad], None, "bad.lsrm");
    let cut = write(&dir, "cut.lsrm", &std::fs::read(&hll14).unwrap()[..30]);
    fails_with(
        &["merge", &cut, hll14.to_str().unwrap(), "-o", o],
        None,
        "cut.lsrm",
    );
    assert!(!out.exists());
}

// Issue #16, points 9 to 12: quiet fallbacks of the command line.

#[test]
fn piped_stdin_is_counted_when_no_file_is_named() {
    // A pipe (assert_cmd pipes stdin) is read, as `wc` reads it.
    let v = count_json(&["--exact"], Some(b"a b a\n"));
    assert_eq!(
        (v["tokens"].as_u64(), v["distinct"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(v["input"], "-");
    // --sample, and --sample-tokens, count the sample whatever stdin is.
    let v = count_json(&["--sample-tokens", "1000"], Some(b"a b a\n"));
    assert_eq!(v["tokens"], 1000);
    let v = count_json(&["--sample", "--sketch", "hll"], Some(b"a b a\n"));
    assert!(
        v["input"].as_str().unwrap().starts_with("sample corpus"),
        "{v}"
    );
    // /dev/null (and a closed stdin, which the runtime opens as /dev/null) is no input:
    // the sample, as from a terminal.
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("lessram"))
        .args(["count", "--json", "--sketch", "hll", "--no-exact"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["input"].as_str().unwrap().starts_with("sample corpus"),
        "{v}"
    );
    lessram()
        .args(["count", "--sample", "x.txt"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("cannot be used with"));
}

#[test]
fn an_exact_count_named_is_computed_or_refused() {
    let dir = TempDir::new().unwrap();
    let (plain, distinct) = text(20_000, 700);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&plain).unwrap();
    let gz = write(&dir, "t.txt.gz", &gz.finish().unwrap());
    for (args, stdin) in [
        (vec!["--sketch", "exact", "-"], Some(&plain[..])),
        (vec!["--sketch", "exact"], Some(&plain[..])),
        (vec!["--sketch", "hll,exact", gz.as_str()], None),
    ] {
        let v = count_json(&args, stdin);
        assert_eq!(v["distinct"].as_u64(), Some(distinct as u64), "{args:?}");
        assert_eq!(row(&v, "exact")["estimate"], distinct as f64, "{args:?}");
    }
    fails_with(
        &["count", "--sketch", "exact", "--no-exact", &gz],
        None,
        "--no-exact",
    );
}

#[test]
fn bytes_read_equal_the_input_size_in_every_mode() {
    let dir = TempDir::new().unwrap();
    // Lines across many 128 KiB blocks, one longer than a block, and a word longer than
    // a block.
    let mut input = text(300_000, 5_000).0;
    input.extend_from_slice(&vec![b'l'; 700_000]);
    input.push(b'\n');
    input.extend_from_slice(&text(1_000, 50).0);
    let f = write(&dir, "t.txt", &input);
    let long = write(&dir, "long.txt", &vec![b'x'; 600_000]);
    for threads in ["1", "2"] {
        for mode in [&["--lines"][..], &[], &["--lowercase"]] {
            let mut args = vec!["--threads", threads, &f];
            args.extend_from_slice(mode);
            let v = count_json(&args, None);
            assert_eq!(v["bytes"].as_u64(), Some(input.len() as u64), "{args:?}");
            let mut args = vec!["--threads", threads, "-"];
            args.extend_from_slice(mode);
            let v = count_json(&args, Some(&input));
            assert_eq!(
                v["bytes"].as_u64(),
                Some(input.len() as u64),
                "stdin {args:?}"
            );
        }
        let v = count_json(&["--threads", threads, &long], None);
        assert_eq!(
            (v["tokens"].as_u64(), v["bytes"].as_u64()),
            (Some(1), Some(600_000))
        );
    }
}

#[test]
fn small_things_a_user_trips_on() {
    let dir = TempDir::new().unwrap();
    // A negative number reaches the library's range check.
    fails_with(
        &["count", "--error-rate", "-0.1"],
        None,
        "-0.1 out of range",
    );
    fails_with(&["count", "--capacity", "0"], None, "capacity 0");
    // A mistyped thread count is refused rather than forking every sketch 100,000 times.
    fails_with(
        &["count", "--threads", "100000", "--sample-tokens", "10"],
        None,
        "threads 100000 out of range 1..=256",
    );
    // Extreme floats are printed short, not as three hundred digits.
    fails_with(
        &["count", "--error-rate", "5e300", "--sample-tokens", "10"],
        None,
        "false-positive rate 5e300 out of range",
    );
    fails_with(
        &["count", "--error-rate", "1e-300", "--sample-tokens", "10"],
        None,
        "capacity 100000 at false-positive rate 1e-300 out of range a first sub-filter",
    );
    // One token, one byte: singular.
    let one = write(&dir, "one.txt", b"a");
    let out = lessram()
        .args(["count", "--sketch", "hll", &one])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(out).unwrap();
    assert!(table.contains("1 token, 1 byte,"), "{table}");
    // No exact count and no Morris counter: no relative error, no footnote about it.
    assert!(!table.contains("rel. error ="), "{table}");
    // An OS error once, not twice.
    let out = lessram()
        .args(["words", "contains", "/no/such.dawg", "w"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    // A magic shown as text, not as decimal bytes.
    let plain = write(&dir, "plain.txt", b"hello");
    fails_with(&["estimate", &plain], None, r#"found "hell""#);
    // `estimate good bad good` prints the good ones and fails for the bad one.
    let saved = dir.path().join("saved");
    lessram()
        .args(["count", "--sketch", "hll", "--save"])
        .arg(&saved)
        .arg(&one)
        .assert()
        .success();
    let good = saved.join("hyperloglog.lsrm");
    let out = lessram()
        .arg("estimate")
        .args([&good, std::path::Path::new(&plain), &good])
        .assert()
        .failure()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("plain.txt") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn three_tokens_give_loglog_estimates_of_three() {
    // The default table's LogLog and SuperLogLog use linear counting on their empty
    // registers while small: three tokens in m = 2^p registers read m ln(m / (m - 3)),
    // 3 + 4.5/m, unless two share a register. The raw estimates would read 0.4 m and 0.77 m
    // (thousands).
    let v = count_json(&["-"], Some(b"alpha beta gamma\n"));
    // (stdin keeps no exact count by default: the three tokens are distinct by choice.)
    for estimator in ["LogLog", "SuperLogLog"] {
        let e = row(&v, estimator)["estimate"].as_f64().expect("a number");
        assert!((e - 3.0).abs() < 0.01, "{estimator}: {e} in {v}");
    }
}

// Issue #15, point 7: the sample's generation is reported apart from the count.
#[test]
fn sample_generation_time_is_reported_apart() {
    let v = count_json(&["--sample-tokens", "50000", "--sketch", "hll"], None);
    let (all, generating) = (
        v["seconds"].as_f64().unwrap(),
        v["sample_seconds"]
            .as_f64()
            .expect("sample_seconds for the sample"),
    );
    assert!(generating > 0.0 && generating <= all, "{v}");
    let out = lessram()
        .args(["count", "--sample-tokens", "50000", "--sketch", "hll"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(out).unwrap();
    assert!(table.contains("s generating the sample;"), "{table}");
    // A file's count has no sample time.
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "t.txt", b"a b a\n");
    let v = count_json(&["--sketch", "hll", &f], None);
    assert!(v["sample_seconds"].is_null(), "{v}");
}

/// The distinct tokens of `text` as the counter cuts words: runs of non-whitespace.
fn words(text: &[u8]) -> Vec<&[u8]> {
    text.split(|b| b.is_ascii_whitespace() || *b == 0x0b)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Issue #17, point 5: `count --hash X --save --format X`, `estimate` and `merge` for the
/// DataSketches and Redis formats: the files are the engines' bytes for the same tokens.
#[test]
fn datasketches_and_redis_files_round_trip_through_count_estimate_and_merge() {
    use lessram::interop::datasketches::{self, Target};
    use lessram::interop::redis;

    let dir = TempDir::new().unwrap();
    let (all, distinct) = text(40_000, 30_000);
    let cut = all.len() / 2;
    let cut = cut + all[cut..].iter().position(|&b| b == b' ').unwrap();
    let a = write(&dir, "a.txt", &all[..cut]);
    let b = write(&dir, "b.txt", &all[cut..]);
    let whole = write(&dir, "all.txt", &all);
    let mut ds = datasketches::new(12).unwrap();
    let mut rd = redis::new();
    for w in words(&all) {
        ds.insert(w);
        rd.insert(w);
    }
    let cases: [(&str, &str, Vec<u8>); 2] = [
        (
            "datasketches",
            "hyperloglog.dshll",
            datasketches::to_bytes(&ds, Target::Hll8, true).unwrap(),
        ),
        ("redis", "hyperloglog.hyll", redis::to_hyll(&rd).unwrap()),
    ];
    for (hash, file, want) in cases {
        // One thread: the bytes are the engine's own, HIP accumulator included.
        let save = dir.path().join(format!("{hash}-whole"));
        let p = if hash == "redis" { "14" } else { "12" };
        let v = count_json(
            &[
                "--threads",
                "1",
                "--exact",
                "--precision",
                p,
                "--hash",
                hash,
                "--sketch",
                "hll",
                "--save",
                save.to_str().unwrap(),
                "--format",
                hash,
                &whole,
            ],
            None,
        );
        assert_eq!(v["distinct"], distinct);
        let got = std::fs::read(save.join(file)).unwrap();
        assert!(got == want, "{hash}: the saved bytes are not the engine's");
        let est = estimate_json(&[save.join(file).to_str().unwrap()]);
        assert_eq!(est[0]["format"], hash);
        assert_eq!(est[0]["parameters"]["hash"], hash);
        assert_eq!(
            est[0]["estimate"],
            row(&v, "HyperLogLog")["estimate"],
            "{hash}"
        );
        if hash == "datasketches" {
            // One thread: DataSketches' own HIP accumulator, in order.
            assert_eq!(est[0]["hip_estimate"], serde_json::json!(ds.estimate_hip()));
            assert!(!est[0]["hip_estimate"].is_null());
        }
        // Shards on two threads, merged in the engine's format: the registers of the whole.
        let mut shards = Vec::new();
        for (i, input) in [&a, &b].into_iter().enumerate() {
            let save = dir.path().join(format!("{hash}-{i}"));
            count_json(
                &[
                    "-t",
                    "2",
                    "--precision",
                    p,
                    "--hash",
                    hash,
                    "--save",
                    save.to_str().unwrap(),
                    "--format",
                    hash,
                    input,
                ],
                None,
            );
            shards.push(save.join(file));
        }
        let merged = dir.path().join(format!("merged-{file}"));
        lessram()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .assert()
            .success();
        let bytes = std::fs::read(&merged).unwrap();
        if hash == "redis" {
            assert_eq!(
                redis::from_hyll(&bytes).unwrap().registers(),
                rd.registers()
            );
        } else {
            let back = datasketches::from_bytes(&bytes).unwrap();
            assert_eq!(back.registers(), ds.registers());
            // Merged: out of order, as DataSketches marks a union.
            assert!(datasketches::header(&bytes).unwrap().out_of_order);
            let est = estimate_json(&[merged.to_str().unwrap()]);
            assert!(est[0]["hip_estimate"].is_null(), "{}", est[0]);
        }
        // Through lessram's format and back to the engine's: the same registers.
        let lsrm = dir.path().join(format!("merged-{hash}.lsrm"));
        let again = dir.path().join(format!("again-{file}"));
        for (from, to, format) in [(&merged, &lsrm, "lsrm"), (&lsrm, &again, hash)] {
            lessram()
                .arg("merge")
                .arg(from)
                .args(["--format", format, "-o"])
                .arg(to)
                .assert()
                .success();
        }
        let est = estimate_json(&[lsrm.to_str().unwrap(), again.to_str().unwrap()]);
        assert_eq!(est[0]["format"], "lsrm");
        assert_eq!(est[1]["format"], hash);
        assert_eq!(est[0]["estimate"], est[1]["estimate"]);
        assert_eq!(std::fs::read(&again).unwrap(), bytes, "{hash}");
        if hash == "datasketches" {
            // The other target types: the same registers in HLL_4 and HLL_6.
            let t4 = dir.path().join("t4");
            lessram()
                .args([
                    "count",
                    "-q",
                    "-t",
                    "1",
                    "--precision",
                    "12",
                    "--hash",
                    hash,
                ])
                .args([
                    "--sketch", "hll", "--format", hash, "--target", "hll4", "--save",
                ])
                .arg(&t4)
                .arg(&whole)
                .assert()
                .success();
            let t6 = dir.path().join("t6.dshll");
            lessram()
                .arg("merge")
                .arg(t4.join(file))
                .args(["--target", "HLL_6", "-o"])
                .arg(&t6)
                .assert()
                .success();
            for (f, target) in [(t4.join(file), Target::Hll4), (t6, Target::Hll6)] {
                let bytes = std::fs::read(f).unwrap();
                assert_eq!(datasketches::header(&bytes).unwrap().target, target);
                let back = datasketches::from_bytes(&bytes).unwrap();
                assert_eq!(back.registers(), ds.registers(), "{target:?}");
            }
        }
        // The text output names the hashing.
        lessram()
            .arg("estimate")
            .arg(&again)
            .assert()
            .success()
            .stdout(predicates::str::contains(format!("hash {hash}")));
    }
}

/// `--format` and `--hash` that do not fit are refused before anything is read, each error
/// saying what to give.
#[test]
fn impossible_formats_and_hashings_are_refused_saying_what_to_give() {
    let dir = TempDir::new().unwrap();
    let t = write(&dir, "t.txt", b"a b c d a\n");
    let save = dir.path().join("s");
    let s = save.to_str().unwrap();
    fails_with(
        &["count", "--save", s, "--format", "datasketches", &t],
        None,
        "add --hash datasketches",
    );
    fails_with(
        &[
            "count",
            "--hash",
            "datasketches",
            "--save",
            s,
            "--format",
            "redis",
            &t,
        ],
        None,
        "add --hash redis",
    );
    fails_with(
        &[
            "count", "--hash", "redis", "--save", s, "--format", "redis", "--sketch", "kmv", &t,
        ],
        None,
        "add hll to --sketch",
    );
    fails_with(
        &[
            "count", "--hash", "redis", "--save", s, "--target", "hll4", &t,
        ],
        None,
        "--format datasketches",
    );
    fails_with(
        &["count", "--hash", "redis", "--sketch", "kmv", &t],
        None,
        "only hll",
    );
    fails_with(
        &["count", "--hash", "redis", "--precision", "12", &t],
        None,
        "precision 14",
    );
    clap_refuses(&["count", "--hash", "md5", &t], "md5");
    clap_refuses(&["count", "--format", "redis", &t], "--save");
    // Sketches hashed three ways, saved, then merged or converted where they cannot be.
    let mut files = Vec::new();
    for hash in ["lessram", "datasketches", "redis"] {
        let out = dir.path().join(hash);
        let format = if hash == "lessram" { "lsrm" } else { hash };
        lessram()
            .args([
                "count",
                "-q",
                "--sketch",
                "hll,morris",
                "--hash",
                hash,
                "--save",
            ])
            .arg(&out)
            .args(["--format", format, &t])
            .assert()
            .success();
        let ext = ["lsrm", "dshll", "hyll"][files.len()];
        files.push(out.join(format!("hyperloglog.{ext}")));
    }
    let o = dir.path().join("o");
    let o = o.to_str().unwrap();
    let [lessram_hll, ds_hll, redis_hll] = [0, 1, 2].map(|i| files[i].to_str().unwrap());
    fails_with(
        &["merge", "-o", o, "--format", "datasketches", lessram_hll],
        None,
        "count with --hash datasketches",
    );
    fails_with(
        &["merge", "-o", o, "--format", "redis", ds_hll],
        None,
        "count with --hash redis",
    );
    fails_with(
        &["merge", "-o", o, ds_hll, redis_hll],
        None,
        "different kinds",
    );
    // DataSketches sketches of different lg_k: lessram merges one lg_k only.
    let d10 = dir.path().join("d10");
    lessram()
        .args([
            "count",
            "-q",
            "--hash",
            "datasketches",
            "--precision",
            "10",
            "--save",
        ])
        .arg(&d10)
        .args(["--format", "datasketches", &t])
        .assert()
        .success();
    let d10 = d10.join("hyperloglog.dshll");
    fails_with(
        &["merge", "-o", o, ds_hll, d10.to_str().unwrap()],
        None,
        "different lg_k: 14 and 10",
    );
    fails_with(
        &["merge", "-o", o, lessram_hll, ds_hll],
        None,
        "different kinds",
    );
    let morris = dir.path().join("redis/morris.lsrm");
    fails_with(
        &[
            "merge",
            "-o",
            o,
            "--format",
            "redis",
            morris.to_str().unwrap(),
        ],
        None,
        "no Redis HYLL form",
    );
    clap_refuses(&["merge", "-o", o, "--format", "theta", ds_hll], "theta");
}

/// Asserts clap refuses the arguments, naming `needle`.
fn clap_refuses(args: &[&str], needle: &str) {
    let out = lessram().args(args).assert().failure().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(needle) && !err.contains("panicked"),
        "{args:?}: {err}"
    );
}

/// Issue #18, point 5: UltraLogLog in the default table and the JSON, at `--precision`,
/// saved, merged and estimated like the others.
#[test]
fn ultraloglog_runs_in_the_table_and_saves_merges_and_estimates() {
    let v = count_json(&["--sample-tokens", "30000", "--precision", "12"], None);
    let ull = row(&v, "UltraLogLog");
    assert_eq!(ull["parameters"]["precision"], 12);
    assert_eq!(ull["parameters"]["registers"], 4096);
    // 4096 registers: a relative standard error of about 1.2% (0.782 / 64); 5 of them.
    assert!(
        ull["relative_error"].as_f64().unwrap().abs() < 0.06,
        "{ull}"
    );
    let table = lessram()
        .args(["count", "--sample-tokens", "30000"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(table).unwrap().contains("UltraLogLog"));
    let dir = TempDir::new().unwrap();
    let (all, _) = text(30_000, 20_000);
    let cut = all.len() / 2;
    let cut = cut + all[cut..].iter().position(|&b| b == b' ').unwrap();
    let whole = write(&dir, "all.txt", &all);
    let direct = count_json(&["--sketch", "ull", &whole], None);
    let mut saved = Vec::new();
    for (i, part) in [&all[..cut], &all[cut..]].into_iter().enumerate() {
        let f = write(&dir, &format!("{i}.txt"), part);
        let save = dir.path().join(format!("s{i}"));
        count_json(
            &[
                "--sketch",
                "ull",
                "-t",
                "2",
                "--save",
                save.to_str().unwrap(),
                &f,
            ],
            None,
        );
        saved.push(save.join("ultraloglog.lsrm"));
    }
    let merged = dir.path().join("m.lsrm");
    lessram()
        .arg("merge")
        .args(&saved)
        .arg("-o")
        .arg(&merged)
        .assert()
        .success();
    let est = estimate_json(&[merged.to_str().unwrap()]);
    assert_eq!(est[0]["estimator"], "UltraLogLog");
    assert_eq!(est[0]["format"], "lsrm");
    assert_eq!(est[0]["estimate"], row(&direct, "UltraLogLog")["estimate"]);
    // A lessram-hashed UltraLogLog has no DataSketches form; one counted with DataSketches'
    // hashing converts to its HyperLogLog, DataSketches' own registers.
    let out = dir.path().join("u.dshll");
    fails_with(
        &[
            "merge",
            merged.to_str().unwrap(),
            "--format",
            "datasketches",
            "-o",
            out.to_str().unwrap(),
        ],
        None,
        "count with --hash datasketches",
    );
    let save = dir.path().join("ds");
    count_json(
        &[
            "--sketch",
            "ull",
            "--hash",
            "datasketches",
            "--precision",
            "12",
            "--save",
        ]
        .into_iter()
        .chain([save.to_str().unwrap(), &whole])
        .collect::<Vec<_>>(),
        None,
    );
    lessram()
        .arg("merge")
        .arg(save.join("ultraloglog.lsrm"))
        .args(["--format", "datasketches", "-o"])
        .arg(&out)
        .assert()
        .success();
    let mut ds = lessram::interop::datasketches::new(12).unwrap();
    words(&all).into_iter().for_each(|w| ds.insert(w));
    let back = lessram::interop::datasketches::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(back.registers(), ds.registers());
}

/// Against the real systems' bytes (`tests/golden/`, written by the `datasketches` package
/// and by redis-server from the same tokens): `count --hash X --format X` writes them, and
/// `estimate` reads theirs with their own estimate.
#[test]
fn count_writes_the_golden_bytes_of_datasketches_and_redis() {
    let golden = |f: &str| {
        let path = format!("{}/tests/golden/{f}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap()
    };
    let dir = TempDir::new().unwrap();
    let text = |fmt: &str, n: usize, times: usize| -> String {
        let one: Vec<String> = (0..n).map(|j| fmt.replace("{}", &j.to_string())).collect();
        let mut all = one.join(" ");
        all.push('\n');
        all.repeat(times)
    };
    let run = |args: &[&str]| lessram().args(args).assert().success();
    // DataSketches: every token twice, in order, on one thread (HIP included).
    let sketches = String::from_utf8(golden("datasketches/sketches.txt")).unwrap();
    for (name, lg_k, fmt, n) in [
        ("list", "12", "w{}", 5),
        ("set", "12", "w{}", 300),
        ("hll", "12", "w{}", 20_000),
        ("utf8", "10", "ünïcødé-{}", 3_000),
    ] {
        let input = write(&dir, &format!("{name}.txt"), text(fmt, n, 2).as_bytes());
        for target in ["HLL_4", "HLL_6", "HLL_8"] {
            let save = dir.path().join(format!("{name}-{target}"));
            let s = save.to_str().unwrap();
            run(&[
                "count",
                "-q",
                "-t",
                "1",
                "--hash",
                "datasketches",
                "--precision",
                lg_k,
                "--sketch",
                "hll",
                "--save",
                s,
                "--format",
                "datasketches",
                "--target",
                target,
                &input,
            ]);
            let file = format!("{name}.{target}.compact");
            let want = golden(&format!("datasketches/{file}"));
            let ours = save.join("hyperloglog.dshll");
            let got = std::fs::read(&ours).unwrap();
            let theirs = write(&dir, &file, &want);
            let est = estimate_json(&[ours.to_str().unwrap(), &theirs]);
            assert_eq!(est[0]["estimate"], est[1]["estimate"], "{file}");
            assert_eq!(est[0]["hip_estimate"], est[1]["hip_estimate"], "{file}");
            if name == "hll" || name == "utf8" {
                // HLL mode: DataSketches' bytes, and its estimate (HIP) in the JSON.
                assert!(got == want, "{file}: not DataSketches' bytes");
                let line = sketches.lines().find(|l| l.starts_with(&file)).unwrap();
                let bits = u64::from_str_radix(line.split(' ').next_back().unwrap(), 16);
                let hip = est[1]["hip_estimate"].as_f64().unwrap();
                assert_eq!(hip.to_bits(), bits.unwrap(), "{file}");
            } else {
                // LIST and SET: the same header and length (the coupons' order differs).
                assert_eq!(got[..8], want[..8], "{file}");
                assert_eq!(got.len(), want.len(), "{file}");
            }
        }
    }
    // Redis: GET of the keys PFADD built from the same tokens, and PFCOUNT's answers.
    let pfcount = String::from_utf8(golden("redis/pfcount.txt")).unwrap();
    for line in pfcount.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(' ').collect();
        let (name, fmt, n, count) = (f[0], f[1], f[2].parse().unwrap(), f[4]);
        let input = write(&dir, &format!("r-{name}.txt"), text(fmt, n, 1).as_bytes());
        let want = golden(&format!("redis/{name}.hyll"));
        // With the exact count (MurmurHash3 too) and without (MurmurHash64A alone).
        for exact in ["--exact", "--no-exact"] {
            let save = dir.path().join(format!("r-{name}{exact}"));
            run(&[
                "count",
                "-q",
                exact,
                "--hash",
                "redis",
                "--save",
                save.to_str().unwrap(),
                "--format",
                "redis",
                &input,
            ]);
            let got = std::fs::read(save.join("hyperloglog.hyll")).unwrap();
            assert!(got == want, "{name} {exact}: not Redis' bytes");
        }
        let theirs = write(&dir, &format!("{name}.hyll"), &want);
        let est = estimate_json(&[&theirs]);
        assert_eq!(
            est[0]["estimate"].as_f64(),
            Some(count.parse().unwrap()),
            "{name}"
        );
    }
}

/// A KMV counted with `--hash datasketches` is DataSketches' Theta sketch: `--save --format
/// datasketches` writes the bytes of the `datasketches` package's trimmed sketch of the same
/// tokens (`tests/golden/theta/`), `estimate` gives its estimate to the bit, and `merge` of
/// two shards writes the bytes of its `theta_union`.
#[test]
fn theta_files_round_trip_through_count_estimate_and_merge() {
    let golden = |f: &str| {
        let path = format!("{}/tests/golden/theta/{f}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(path).unwrap()
    };
    let sketches = String::from_utf8(golden("sketches.txt")).unwrap();
    let bits = |file: &str| {
        let line = sketches.lines().find(|l| l.starts_with(file)).unwrap();
        u64::from_str_radix(line.split(' ').next_back().unwrap(), 16).unwrap()
    };
    let dir = TempDir::new().unwrap();
    // Tokens `fmt` of indexes `range` stepping by `step`, every one twice.
    let text = |fmt: &str, idx: &mut dyn Iterator<Item = usize>| -> Vec<u8> {
        let one: Vec<String> = idx.map(|j| fmt.replace("{}", &j.to_string())).collect();
        format!("{}\n", one.join(" ")).repeat(2).into_bytes()
    };
    let count = |input: &str, k: &str, save: &std::path::Path, format: &str| {
        lessram()
            .args(["count", "-q", "--hash", "datasketches", "--sketch", "kmv"])
            .args([
                "--k",
                k,
                "--save",
                save.to_str().unwrap(),
                "--format",
                format,
            ])
            .arg(input)
            .assert()
            .success();
    };
    for (name, lg_k, fmt, n) in [
        ("single", 10, "w{}", 1),
        ("exact", 10, "w{}", 100),
        ("estimation", 10, "w{}", 20_000),
        ("utf8", 8, "ünïcødé-{}-€", 3_000),
        ("small", 5, "w{}", 1_000),
    ] {
        let input = write(&dir, &format!("{name}.txt"), &text(fmt, &mut (0..n)));
        let save = dir.path().join(name);
        count(&input, &(1 << lg_k).to_string(), &save, "datasketches");
        let ours = save.join("kmv.dstheta");
        let file = format!("{name}.plain");
        assert!(std::fs::read(&ours).unwrap() == golden(&file), "{file}");
        let theirs = write(&dir, &file, &golden(&file));
        let est = estimate_json(&[ours.to_str().unwrap(), &theirs]);
        for e in &est {
            assert_eq!(e["format"], "datasketches", "{file}");
            assert_eq!(e["estimator"], "Kmv", "{file}");
            assert_eq!(e["parameters"]["hash"], "datasketches", "{file}");
            let got = e["estimate"].as_f64().unwrap();
            assert_eq!(got.to_bits(), bits(&file), "{file}: {got}");
        }
        // Saved as lessram's format, then converted by merge: the same bytes.
        let lsrm = dir.path().join(format!("{name}-lsrm"));
        count(&input, &(1 << lg_k).to_string(), &lsrm, "lsrm");
        let out = dir.path().join(format!("{name}.converted"));
        lessram()
            .args(["merge", "--format", "datasketches", "-o"])
            .arg(&out)
            .arg(lsrm.join("kmv.lsrm"))
            .assert()
            .success();
        assert!(
            std::fs::read(&out).unwrap() == golden(&file),
            "{file} via lsrm"
        );
    }
    // Two shards, the even and the odd indexes: their merge is `theta_union(10)`'s result.
    let mut shards = Vec::new();
    for (i, name) in ["even", "odd"].into_iter().enumerate() {
        let input = write(
            &dir,
            &format!("{name}.txt"),
            &text("w{}", &mut (i..30_000).step_by(2)),
        );
        let save = dir.path().join(name);
        count(&input, "1024", &save, "datasketches");
        shards.push(save.join("kmv.dstheta"));
    }
    let merged = dir.path().join("union.dstheta");
    lessram()
        .args(["merge", "-o"])
        .arg(&merged)
        .args(&shards)
        .assert()
        .success();
    assert!(std::fs::read(&merged).unwrap() == golden("union.plain"));
    let est = estimate_json(&[merged.to_str().unwrap()]);
    assert_eq!(
        est[0]["estimate"].as_f64().unwrap().to_bits(),
        bits("union.plain")
    );
    // DataSketches' own files merge too (an untrimmed sketch with a trimmed one of the
    // same items: the smaller theta, every hash below it), and the result reads back.
    let (a, b) = (
        write(&dir, "untrimmed.plain", &golden("untrimmed.plain")),
        write(&dir, "estimation.plain", &golden("estimation.plain")),
    );
    let out = dir.path().join("both.dstheta");
    lessram()
        .args(["merge", "-o"])
        .arg(&out)
        .args([&a, &b])
        .assert()
        .success();
    let est = estimate_json(&[out.to_str().unwrap(), &b]);
    assert_eq!(est[0]["estimate"], est[1]["estimate"]);
    // Refusals: a Theta file with an HLL one, a k that is no DataSketches size, a KMV hashed
    // the lessram way into Theta's format.
    let hll = dir.path().join("hll");
    lessram()
        .args([
            "count",
            "-q",
            "--hash",
            "datasketches",
            "--sketch",
            "hll,kmv",
        ])
        .args(["--save", hll.to_str().unwrap(), "--format", "datasketches"])
        .arg(dir.path().join("exact.txt"))
        .assert()
        .success();
    let (dshll, dstheta) = (hll.join("hyperloglog.dshll"), hll.join("kmv.dstheta"));
    let o = dir.path().join("never");
    for files in [[&dstheta, &dshll], [&dshll, &dstheta]] {
        let args = [
            "merge",
            "-o",
            o.to_str().unwrap(),
            files[0].to_str().unwrap(),
            files[1].to_str().unwrap(),
        ];
        fails_with(&args, None, "DataSketches Theta");
        fails_with(&args, None, "DataSketches HLL");
    }
    let t = dir.path().join("exact.txt");
    let t = t.to_str().unwrap();
    for k in ["1000", "16", "67108864"] {
        fails_with(
            &[
                "count",
                "--hash",
                "datasketches",
                "--sketch",
                "kmv",
                "--k",
                k,
                t,
            ],
            None,
            "must be a power of two from 32 (lg_k 5) to 33554432 (lg_k 25)",
        );
    }
    let plain = dir.path().join("plain");
    lessram()
        .args(["count", "-q", "--sketch", "kmv", "--save"])
        .arg(&plain)
        .arg(t)
        .assert()
        .success();
    fails_with(
        &[
            "merge",
            "--format",
            "datasketches",
            "-o",
            o.to_str().unwrap(),
            plain.join("kmv.lsrm").to_str().unwrap(),
        ],
        None,
        "count with --hash datasketches",
    );
    assert!(!o.exists());
}
