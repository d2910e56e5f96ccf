//! The `lessram` binary on hostile files: binary data, a very long line, NUL bytes,
//! invalid UTF-8, empty files, directories, FIFOs, and damaged saved sketches and DAWGs.
//! Each gives a correct answer or one clear `error:` line and a non-zero exit, never a
//! panic. (`tests/cli.rs` covers a directory and a missing file given to `count`, a FIFO
//! read as a stream, an empty file counted, and tokens longer than the read buffer.)

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn lessram() -> Command {
    Command::cargo_bin("lessram").expect("the binary is built")
}

fn write(dir: &TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Seeded bytes (xorshift), the same on every run.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The tokenizer's rule: tokens are runs of bytes other than space and `\t` to `\r`.
fn oracle_tokens(bytes: &[u8]) -> (u64, u64) {
    let tokens: Vec<&[u8]> = bytes
        .split(|&b| b == b' ' || (b'\t'..=b'\r').contains(&b))
        .filter(|t| !t.is_empty())
        .collect();
    let distinct: HashSet<&[u8]> = tokens.iter().copied().collect();
    (tokens.len() as u64, distinct.len() as u64)
}

fn count_json(args: &[&str]) -> Value {
    let out = lessram()
        .arg("count")
        .arg("--json")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("one JSON object")
}

fn counts(v: &Value) -> (u64, u64) {
    (
        v["tokens"].as_u64().unwrap(),
        v["distinct"].as_u64().unwrap(),
    )
}

/// Asserts failure with exactly one `error:` line mentioning `needle`, and no panic.
fn fails_with(args: &[&str], needle: &str) {
    let out = lessram().args(args).assert().failure().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn binary_and_invalid_utf8_files_count_exactly() {
    let dir = TempDir::new().unwrap();
    for (i, len) in [1usize, 4096, 300_000].into_iter().enumerate() {
        let bytes = noise(len, 17 + i as u64);
        assert!(std::str::from_utf8(&bytes).is_err() || len < 4);
        let f = write(&dir, &format!("bin{i}"), &bytes);
        for threads in ["1", "2"] {
            let v = count_json(&["--exact", "--threads", threads, s(&f)]);
            assert_eq!(
                counts(&v),
                oracle_tokens(&bytes),
                "{len} bytes, {threads} threads"
            );
        }
    }
}

#[test]
fn a_nul_filled_file_is_one_token() {
    let dir = TempDir::new().unwrap();
    let f = write(&dir, "nul", &vec![0u8; 3 << 20]);
    for mode in ["--exact", "--no-exact"] {
        let v = count_json(&[mode, s(&f)]);
        assert_eq!(v["tokens"], 1, "{mode}");
    }
    assert_eq!(counts(&count_json(&["--exact", "--lines", s(&f)])), (1, 1));
    // As a word list, it is one word of 3 MiB, stored and listed back whole.
    let dawg = dir.path().join("nul.dawg");
    lessram()
        .args(["words", "build", s(&f), "-o", s(&dawg)])
        .assert()
        .success();
    let out = lessram()
        .args(["words", "prefix", s(&dawg), ""])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(out.len(), (3 << 20) + 1);
}

/// Peak resident set of a command in KiB, if GNU time is there to measure it.
fn peak_rss_kib(args: &[&str]) -> Option<u64> {
    let bin = assert_cmd::cargo::cargo_bin("lessram");
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(bin)
        .args(args)
        .output()
        .ok()?;
    assert!(out.status.success(), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines().last()?.trim().parse().ok()
}

#[test]
fn a_very_long_line_is_counted_in_bounded_memory() {
    // 32 MiB on one line stands in for the 1 GB line: one token with the sketches only,
    // whose memory must not grow with the line.
    let dir = TempDir::new().unwrap();
    let mut line = vec![b'x'; 32 << 20];
    line.extend_from_slice(b" tail\n");
    let f = write(&dir, "long", &line);
    for threads in ["1", "2"] {
        let v = count_json(&["--no-exact", "--threads", threads, s(&f)]);
        assert_eq!(v["tokens"], 2, "{threads} threads");
    }
    assert_eq!(counts(&count_json(&["--exact", s(&f)])), (2, 2));
    assert_eq!(counts(&count_json(&["--exact", "--lines", s(&f)])), (1, 1));
    match peak_rss_kib(&["count", "--no-exact", "--quiet", s(&f)]) {
        Some(kib) => {
            eprintln!("counting a 32 MiB line: {kib} KiB peak resident");
            assert!(
                kib < 24 * 1024,
                "counting a 32 MiB line held {kib} KiB resident"
            );
        }
        None => eprintln!("/usr/bin/time not available: memory not measured"),
    }
}

/// A few sketches saved by `count --save`, and their directory.
fn saved(dir: &TempDir) -> Vec<PathBuf> {
    let text = write(dir, "t.txt", b"a b c d e f a b\n");
    let out = dir.path().join("saved");
    lessram()
        .args([
            "count",
            "--no-exact",
            "--quiet",
            "--save",
            s(&out),
            s(&text),
        ])
        .assert()
        .success();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    files
}

#[test]
fn damaged_saved_sketches_are_refused_with_one_line() {
    let dir = TempDir::new().unwrap();
    for f in saved(&dir) {
        let bytes = std::fs::read(&f).unwrap();
        lessram().args(["estimate", s(&f)]).assert().success();
        let cut = write(&dir, "cut", &bytes[..bytes.len() - 3]);
        fails_with(&["estimate", s(&cut)], "truncated");
        let out = dir.path().join("merged");
        fails_with(&["merge", "-o", s(&out), s(&f), s(&cut)], "cut");
        for at in [0, 6, bytes.len() / 2, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[at] ^= 0x04;
            let flipped = write(&dir, "flipped", &b);
            fails_with(&["estimate", s(&flipped)], "flipped");
        }
    }
}

#[test]
fn hostile_files_given_as_sketches_or_dawgs_are_refused() {
    let dir = TempDir::new().unwrap();
    let sketch = saved(&dir).remove(0);
    let empty = write(&dir, "empty", b"");
    let nul = write(&dir, "nul", &[0; 4096]);
    let binary = write(&dir, "binary", &noise(4096, 3));
    let text = write(&dir, "text", "h\u{e9}llo w\u{f6}rld\n".as_bytes());
    let d = s(dir.path());
    let out = dir.path().join("out");
    for f in [&empty, &nul, &binary, &text] {
        let name = f.file_name().unwrap().to_str().unwrap();
        fails_with(&["estimate", s(f)], name);
        fails_with(&["merge", "-o", s(&out), s(f)], name);
        fails_with(&["merge", "-o", s(&out), s(&sketch), s(f)], name);
        fails_with(&["words", "contains", s(f), "a"], name);
        fails_with(&["words", "prefix", s(f), "a"], name);
        fails_with(&["words", "fuzzy", s(f), "a"], name);
    }
    fails_with(&["merge", "-o", s(&out), d], "is a directory");
    fails_with(&["words", "contains", d, "a"], d);
    fails_with(&["words", "build", d, "-o", s(&out)], d);
    // Writing to a directory is an error too, not a panic.
    fails_with(&["merge", "-o", d, s(&sketch)], d);
    let list = write(&dir, "list", b"a\nb\n");
    fails_with(&["words", "build", s(&list), "-o", d], d);
    // A DAWG with a malformed node under a valid checksum (it once made queries panic).
    let crafted = write(
        &dir,
        "crafted.dawg",
        include_bytes!("fuzz_regressions/dawg-malformed-node-valid-crc.bin"),
    );
    for cmd in ["contains", "prefix", "fuzzy"] {
        fails_with(&["words", cmd, s(&crafted), "ca"], "malformed automaton");
    }
    // Sketches of different kinds do not merge.
    let files = saved(&dir);
    fails_with(
        &["merge", "-o", s(&out), s(&files[0]), s(&files[1])],
        "different kinds",
    );
}

#[test]
fn word_lists_of_binary_and_invalid_utf8_build_exactly() {
    let dir = TempDir::new().unwrap();
    let bytes = noise(20_000, 9);
    let list = write(&dir, "list", &bytes);
    let dawg = dir.path().join("bin.dawg");
    lessram()
        .args(["words", "build", s(&list), "-o", s(&dawg)])
        .assert()
        .success();
    // Lines are words: a trailing `\r` dropped, empty lines skipped.
    let mut want: Vec<Vec<u8>> = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
        .filter(|l| !l.is_empty())
        .collect();
    want.sort();
    want.dedup();
    let out = lessram()
        .args(["words", "prefix", s(&dawg), ""])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut listed: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    assert_eq!(listed.pop(), Some(Vec::new()), "ends with a newline");
    assert_eq!(listed, want);
    // An empty word list builds an empty DAWG.
    let empty = write(&dir, "empty", b"");
    let e = dir.path().join("e.dawg");
    lessram()
        .args(["words", "build", s(&empty), "-o", s(&e)])
        .assert()
        .success();
    lessram()
        .args(["words", "contains", s(&e), "a"])
        .assert()
        .success()
        .stdout("a\tno\n");
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn fifos_are_read_as_streams_or_refused_clearly() {
    let dir = TempDir::new().unwrap();
    let sketch = saved(&dir).remove(0);
    let good = std::fs::read(&sketch).unwrap();
    let fifo = dir.path().join("fifo");
    if !mkfifo(&fifo) {
        eprintln!("mkfifo unavailable: skipped");
        return;
    }
    let feed = |bytes: Vec<u8>| {
        let path = fifo.clone();
        std::thread::spawn(move || {
            // The reader may stop early on an error: a broken pipe here is fine.
            let _ = std::fs::write(path, bytes);
        })
    };
    // A saved sketch through a FIFO estimates like the file.
    let w = feed(good.clone());
    lessram().args(["estimate", s(&fifo)]).assert().success();
    w.join().unwrap();
    // Garbage through a FIFO is one clear error.
    let w = feed(noise(100_000, 5));
    fails_with(&["estimate", s(&fifo)], "fifo");
    w.join().unwrap();
    // A word list through a FIFO builds.
    let w = feed(b"b\na\nb\n".to_vec());
    let dawg = dir.path().join("f.dawg");
    lessram()
        .args(["words", "build", s(&fifo), "-o", s(&dawg)])
        .assert()
        .success();
    w.join().unwrap();
    lessram()
        .args(["words", "prefix", s(&dawg), ""])
        .assert()
        .success()
        .stdout("a\nb\n");
    // Binary data through a FIFO counts exactly.
    let bytes = noise(200_000, 11);
    let w = feed(bytes.clone());
    let v = count_json(&["--exact", s(&fifo)]);
    w.join().unwrap();
    assert_eq!(counts(&v), oracle_tokens(&bytes));
}

/// Issue #17, point 5: DataSketches and Redis files, truncated, bit-flipped or random under
/// their headers, given to `estimate` and `merge`: one error line naming the file and the
/// format, never a panic.
#[test]
fn damaged_datasketches_and_redis_files_are_refused_naming_file_and_format() {
    let dir = TempDir::new().unwrap();
    // Enough distinct words for every mode: LIST, SET and HLL for DataSketches, sparse and
    // dense for Redis.
    let mut files = Vec::new();
    for (n, tag) in [(5usize, "list"), (300, "set"), (20_000, "dense")] {
        let words: String = (0..n).map(|i| format!("w{i} ")).collect();
        let text = write(&dir, &format!("{tag}.txt"), words.as_bytes());
        for (hash, ext) in [("datasketches", "dshll"), ("redis", "hyll")] {
            let out = dir.path().join(format!("{hash}-{tag}"));
            lessram()
                .args([
                    "count",
                    "-q",
                    "--sketch",
                    "hll",
                    "--hash",
                    hash,
                    "--precision",
                    "14",
                ])
                .args(["--save", s(&out), "--format", hash, s(&text)])
                .assert()
                .success();
            files.push((out.join(format!("hyperloglog.{ext}")), hash));
        }
    }
    let merged = dir.path().join("merged");
    for (f, hash) in &files {
        let format = if *hash == "redis" {
            "Redis HYLL"
        } else {
            "DataSketches HLL"
        };
        let bytes = std::fs::read(f).unwrap();
        lessram().args(["estimate", s(f)]).assert().success();
        let mut cuts = vec![8, bytes.len() - 1, bytes.len() / 2];
        if *hash == "redis" {
            cuts.push(4);
        }
        for cut in cuts {
            let name = format!("cut-{cut}");
            let c = write(&dir, &name, &bytes[..cut.min(bytes.len() - 1)]);
            for args in [
                vec!["estimate", s(&c)],
                vec!["estimate", "--json", s(&c)],
                vec!["merge", "-o", s(&merged), s(f), s(&c)],
                vec!["merge", "-o", s(&merged), s(&c)],
            ] {
                fails_with(&args, &format!("{name} ({format})"));
            }
        }
        // Bit flips and random tails under the header: an error or a sketch, never a panic.
        for at in 0..bytes.len().min(64) {
            let mut b = bytes.clone();
            b[at] ^= 1 << (at % 8);
            let flipped = write(&dir, "flipped", &b);
            let out = lessram().args(["estimate", s(&flipped)]).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{f:?} flip at {at}: {err}");
            if !out.status.success() {
                assert!(
                    err.starts_with("error: ") && err.contains("flipped"),
                    "{err}"
                );
            }
        }
        let mut b = bytes[..8.min(bytes.len())].to_vec();
        b.extend(noise(bytes.len().saturating_sub(8), 11));
        let noisy = write(&dir, "noisy", &b);
        let out = lessram()
            .args(["merge", "-o", s(&merged), s(&noisy)])
            .output()
            .unwrap();
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

/// DataSketches Theta files (`count --hash datasketches --sketch kmv --format datasketches`,
/// and DataSketches' own compressed form), truncated, bit-flipped or random under their
/// header, given to `estimate` and `merge`: one error line naming the file and the format
/// ("DataSketches Theta"), never a panic.
#[test]
fn damaged_theta_files_are_refused_naming_file_and_format() {
    let dir = TempDir::new().unwrap();
    let mut files = Vec::new();
    for (n, tag) in [(1usize, "single"), (100, "exact"), (20_000, "estimation")] {
        let words: String = (0..n).map(|i| format!("w{i} ")).collect();
        let text = write(&dir, &format!("{tag}.txt"), words.as_bytes());
        let out = dir.path().join(tag);
        lessram()
            .args(["count", "-q", "--sketch", "kmv", "--hash", "datasketches"])
            .args(["--k", "1024", "--save", s(&out), "--format", "datasketches"])
            .arg(&text)
            .assert()
            .success();
        files.push(out.join("kmv.dstheta"));
    }
    for name in ["estimation.compressed", "exact.compressed"] {
        let path = format!("{}/tests/golden/theta/{name}", env!("CARGO_MANIFEST_DIR"));
        files.push(write(&dir, name, &std::fs::read(path).unwrap()));
    }
    let merged = dir.path().join("merged");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        lessram().args(["estimate", s(f)]).assert().success();
        for cut in [8, bytes.len() - 1, bytes.len() / 2 + 1] {
            let name = format!("cut-{cut}");
            let c = write(&dir, &name, &bytes[..cut.min(bytes.len() - 1)]);
            for args in [
                vec!["estimate", s(&c)],
                vec!["estimate", "--json", s(&c)],
                vec!["merge", "-o", s(&merged), s(f), s(&c)],
                vec!["merge", "-o", s(&merged), s(&c)],
            ] {
                fails_with(&args, &format!("{name} (DataSketches Theta)"));
            }
        }
        // Bit flips and random tails under the header: an error or a sketch, never a panic.
        for at in 0..bytes.len().min(64) {
            let mut b = bytes.clone();
            b[at] ^= 1 << (at % 8);
            let flipped = write(&dir, "flipped", &b);
            for args in [
                vec!["estimate", s(&flipped)],
                vec!["merge", "-o", s(&merged), s(f), s(&flipped)],
            ] {
                let out = lessram().args(&args).output().unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(!err.contains("panicked"), "{f:?} flip at {at}: {err}");
                if !out.status.success() {
                    assert!(
                        err.starts_with("error: ") && err.contains("flipped"),
                        "{err}"
                    );
                }
            }
        }
        let mut b = bytes[..8].to_vec();
        b.extend(noise(bytes.len().saturating_sub(8).max(64), 13));
        let noisy = write(&dir, "noisy", &b);
        for args in [
            vec!["estimate", s(&noisy)],
            vec!["merge", "-o", s(&merged), s(f), s(&noisy)],
        ] {
            let out = lessram().args(&args).output().unwrap();
            assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        }
    }
}
