//! `lessram words` end to end: build a DAWG from a small word list, then query it.

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn lessram() -> Command {
    Command::cargo_bin("lessram").expect("the binary is built")
}

/// A temporary directory holding `words.dawg` built from a small unsorted list.
fn built() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let list = dir.path().join("words.txt");
    std::fs::write(&list, "cart\ncar\r\ncat\n\ndog\ncafé\ncar\n").unwrap();
    let dawg = dir.path().join("words.dawg");
    lessram()
        .args(["words", "build"])
        .arg(&list)
        .arg("-o")
        .arg(&dawg)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("5 words, "));
    (dir, dawg)
}

#[test]
fn contains_prefix_and_fuzzy() {
    let (_dir, dawg) = built();
    lessram()
        .args(["words", "contains"])
        .arg(&dawg)
        .args(["car", "ca", "café"])
        .assert()
        .success()
        .stdout("car\tyes\nca\tno\ncafé\tyes\n");
    lessram()
        .args(["words", "prefix"])
        .arg(&dawg)
        .arg("car")
        .assert()
        .success()
        .stdout("car\ncart\n");
    lessram()
        .args(["words", "fuzzy"])
        .arg(&dawg)
        .args(["cat", "--distance", "1"])
        .assert()
        .success()
        .stdout("car\t1\ncart\t1\ncat\t0\n");
    // Distances count characters: é is one edit from e.
    lessram()
        .args(["words", "fuzzy"])
        .arg(&dawg)
        .args(["cafe", "-d", "1"])
        .assert()
        .success()
        .stdout("café\t1\n");
}

#[test]
fn build_reads_stdin() {
    let dir = TempDir::new().unwrap();
    let dawg = dir.path().join("w.dawg");
    lessram()
        .args(["words", "build", "-", "-o"])
        .arg(&dawg)
        .write_stdin("b\na\n")
        .assert()
        .success();
    lessram()
        .args(["words", "prefix"])
        .arg(&dawg)
        .arg("")
        .assert()
        .success()
        .stdout("a\nb\n");
}

#[test]
fn a_corrupt_or_missing_dawg_is_an_error_not_a_panic() {
    let (dir, dawg) = built();
    let mut bytes = std::fs::read(&dawg).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    let bad = dir.path().join("bad.dawg");
    std::fs::write(&bad, bytes).unwrap();
    lessram()
        .args(["words", "contains"])
        .arg(&bad)
        .arg("car")
        .assert()
        .failure()
        .stderr(predicate::str::contains("checksum mismatch"))
        .stderr(predicate::str::contains("panicked").not());
    lessram()
        .args(["words", "prefix"])
        .arg(dir.path().join("missing.dawg"))
        .arg("a")
        .assert()
        .failure()
        .stderr(predicate::str::starts_with("error: cannot load the DAWG"));
}

#[test]
fn lookups_take_any_bytes_stdin_and_a_positional_distance() {
    let dir = tempfile::TempDir::new().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, b"car\ncart\ncat\n\xff\xfeodd\n").unwrap();
    let dawg = dir.path().join("w.dawg");
    lessram()
        .args(["words", "build"])
        .arg(&list)
        .arg("-o")
        .arg(&dawg)
        .assert()
        .success();
    // Words from stdin, one a line.
    lessram()
        .args(["words", "contains"])
        .arg(&dawg)
        .write_stdin("car\nca\r\n")
        .assert()
        .success()
        .stdout("car\tyes\nca\tno\n");
    // A non-UTF-8 word stored can be looked up.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let odd = std::ffi::OsStr::from_bytes(b"\xff\xfeodd");
        let out = lessram()
            .args(["words", "contains"])
            .arg(&dawg)
            .arg(odd)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(out, b"\xff\xfeodd\tyes\n");
    }
    // `fuzzy DAWG WORD 1`, as the library's `fuzzy(word, 1)`, and `-d 1` agree.
    let positional = lessram()
        .args(["words", "fuzzy"])
        .arg(&dawg)
        .args(["cat", "1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let flag = lessram()
        .args(["words", "fuzzy"])
        .arg(&dawg)
        .args(["cat", "-d", "1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(positional, flag);
    assert!(String::from_utf8(flag).unwrap().contains("cart\t1"));
    // An empty list says no bytes a word.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    lessram()
        .args(["words", "build"])
        .arg(&empty)
        .arg("-o")
        .arg(dir.path().join("e.dawg"))
        .assert()
        .success()
        .stdout(
            predicates::str::contains("0 words").and(predicates::str::contains("a word").not()),
        );
}
