//! lessram's Theta `Kmv` against sketches the `datasketches` package wrote.
//!
//! `tests/golden/theta/*.plain` and `*.compressed` are `serialize()` and
//! `serialize(compress=True)` of compact Theta sketches the `datasketches` Python package
//! (Apache DataSketches' C++ library) built from the token sets in `sketches.txt`, every token
//! twice; `make.py` in that folder made them. These tests need no Python: lessram builds the
//! same sketches from the same tokens and must find DataSketches' hashes, theta, estimate and
//! bytes.

use lessram::interop::theta::{self, MAX_THETA, ThetaHasher, ThetaKmv, header};
use lessram::{DistinctCount, Kmv};

struct Golden {
    file: String,
    lg_k: u8,
    format: String,
    n: usize,
    how: String,
    retained: usize,
    theta: u64,
    estimate: f64,
}

fn golden() -> Vec<Golden> {
    include_str!("golden/theta/sketches.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 9, "{l}");
            let estimate = f64::from_bits(u64::from_str_radix(f[8], 16).unwrap());
            assert_eq!(estimate, f[7].parse::<f64>().unwrap(), "{l}");
            Golden {
                file: f[0].to_string(),
                lg_k: f[1].parse().unwrap(),
                format: f[2].to_string(),
                n: f[3].parse().unwrap(),
                how: f[4].to_string(),
                retained: f[5].parse().unwrap(),
                theta: f[6].parse().unwrap(),
                estimate,
            }
        })
        .collect()
}

fn bytes_of(file: &str) -> Vec<u8> {
    let path = format!("{}/tests/golden/theta/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Inserts token `j` of the golden format, as `sketch.update(token)` hashes it.
fn insert(kmv: &mut ThetaKmv, format: &str, j: usize) {
    let (kind, spec) = format.split_once(':').unwrap();
    match kind {
        "s" => kmv.insert(&spec.replace("{}", &j.to_string())),
        "i" => {
            let (a, b) = spec.split_once("*x+").unwrap();
            let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
            kmv.insert(&(a * j as i64 + b));
        }
        "f" => {
            let (a, b) = spec.split_once("*x+").unwrap();
            let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            kmv.insert(&theta::double_bytes(a * j as f64 + b));
        }
        _ => panic!("token kind {kind}"),
    }
}

/// lessram's `Kmv` of `k` fed the golden tokens `j` (every one twice).
fn kmv_of(g: &Golden, k: usize, keep: impl Fn(usize) -> bool) -> ThetaKmv {
    let mut kmv = Kmv::with_hasher(k, ThetaHasher).unwrap();
    for _ in 0..2 {
        (0..g.n)
            .filter(|&j| keep(j))
            .for_each(|j| insert(&mut kmv, &g.format, j));
    }
    kmv
}

#[test]
fn golden_set_covers_every_form() {
    let g = golden();
    assert_eq!(g.len(), 27);
    for how in [
        "trimmed",
        "untrimmed",
        "unordered",
        "union",
        "sampled",
        "intersection",
    ] {
        assert!(g.iter().any(|s| s.how == how), "{how}");
    }
    let versions: Vec<(u8, bool, bool)> = g
        .iter()
        .filter(|s| s.how != "seed")
        .map(|s| {
            let h = header(&bytes_of(&s.file)).unwrap();
            (h.serial_version, h.ordered, h.empty)
        })
        .collect();
    assert!(versions.contains(&(3, true, true)), "empty");
    assert!(versions.contains(&(3, false, false)), "unordered");
    assert!(versions.contains(&(4, true, false)), "compressed");
    assert!(
        g.iter().any(|s| s.retained == 1 && s.theta == MAX_THETA),
        "single"
    );
    assert!(g.iter().any(|s| s.retained > 1 << s.lg_k), "untrimmed");
}

#[test]
fn a_sketch_of_another_seed_is_refused_naming_the_seed_hash() {
    let mut seen = 0;
    for g in golden().iter().filter(|g| g.how == "seed") {
        let e = theta::from_bytes(&bytes_of(&g.file))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("seed hash") && e.contains("0x93cc"),
            "{}: {e}",
            g.file
        );
        seen += 1;
    }
    assert_eq!(seen, 2);
}

#[test]
fn datasketches_bytes_read_with_its_hashes_and_estimate() {
    for g in golden().into_iter().filter(|g| g.how != "seed") {
        let bytes = bytes_of(&g.file);
        let s = theta::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", g.file));
        assert_eq!(s.estimate().to_bits(), g.estimate.to_bits(), "{}", g.file);
        assert_eq!(
            (s.hashes().len(), s.theta()),
            (g.retained, g.theta),
            "{}",
            g.file
        );
        // Written back: DataSketches' bytes (ordered, for the unordered sketch).
        let compressed = g.file.ends_with(".compressed");
        let again = s.to_bytes(compressed);
        if g.how == "unordered" {
            let ordered = bytes_of(&g.file.replace("unordered", "untrimmed"));
            assert_eq!(again, ordered, "{}", g.file);
        } else {
            assert_eq!(again, bytes, "{}", g.file);
        }
        // The hashes are those of lessram's own Kmv of the same tokens: the `k - 1` smallest
        // below theta, the `k`-th, where `k` = retained + 1 (exact mode: all of them).
        let keep: Box<dyn Fn(usize) -> bool> = match g.how.as_str() {
            "trimmed" | "untrimmed" | "unordered" | "union" => Box::new(|_| true),
            // Not the sketch of a stream: only the estimate and the bytes are checked.
            "sampled" | "intersection" => continue,
            how => panic!("how {how}"),
        };
        let k = g.retained + 1;
        let ours = kmv_of(&g, k.max(2), keep);
        let read = s.to_kmv(k.max(2)).unwrap();
        assert_eq!(read, ours, "{}", g.file);
        assert_eq!(
            ours.estimate().to_bits(),
            g.estimate.to_bits(),
            "{}",
            g.file
        );
    }
}

#[test]
fn lessram_writes_datasketches_bytes() {
    for g in golden() {
        let compressed = g.file.ends_with(".compressed");
        let bytes = match g.how.as_str() {
            "trimmed" => {
                let kmv = kmv_of(&g, (1 << g.lg_k) + 1, |_| true);
                theta::to_bytes(&kmv, compressed).unwrap()
            }
            "union" => {
                let k = (1 << g.lg_k) + 1;
                let mut even = kmv_of(&g, k, |j| j % 2 == 0);
                even.merge(&kmv_of(&g, k, |j| j % 2 == 1)).unwrap();
                theta::to_bytes(&even, compressed).unwrap()
            }
            _ => continue,
        };
        assert_eq!(bytes, bytes_of(&g.file), "{}", g.file);
        let kmv = theta::new(g.lg_k).unwrap();
        assert_eq!(kmv.k(), (1 << g.lg_k) + 1);
    }
}

#[test]
fn every_cut_and_flip_of_a_datasketches_sketch_is_an_error_or_a_sketch() {
    for g in golden().into_iter().filter(|g| g.how != "seed") {
        let bytes = bytes_of(&g.file);
        for n in 0..bytes.len().min(2000) {
            assert!(
                theta::from_bytes(&bytes[..n]).is_err(),
                "{} cut at {n}",
                g.file
            );
        }
        for bit in (0..(bytes.len() * 8).min(8 * 600)).step_by(3) {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(s) = theta::from_bytes(&b) {
                let _ = s.estimate();
                assert_eq!(theta::from_bytes(&s.to_bytes(true)).unwrap(), s);
                let _ = s.to_kmv(s.hashes().len() + 1);
            }
        }
    }
}
