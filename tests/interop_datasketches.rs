//! lessram's DataSketches HLL against sketches the `datasketches` package wrote.
//!
//! `tests/golden/datasketches/*.compact` and `*.updatable` are `serialize_compact()` and
//! `serialize_updatable()` of sketches the `datasketches` Python package (Apache DataSketches'
//! C++ library) built from the token sets in `sketches.txt`, every token twice; `make.py` in
//! that folder made them, and `promotion.txt`. These tests need no Python: lessram builds the
//! same sketches from the same tokens and must find DataSketches' registers, coupons, HIP
//! accumulator and bytes.

use lessram::interop::datasketches::{self, Mode, Target, header};

struct Golden {
    file: String,
    lg_k: u8,
    format: String,
    n: usize,
    how: String,
    mode: String,
    ooo: bool,
    estimate: f64,
}

fn golden() -> Vec<Golden> {
    include_str!("golden/datasketches/sketches.txt")
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
                mode: f[5].to_string(),
                ooo: f[6] == "1",
                estimate,
            }
        })
        .collect()
}

fn bytes_of(file: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/golden/datasketches/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// lessram's sketch of the golden token set, every token twice (or the two halves merged).
fn sketch_of(g: &Golden) -> datasketches::DataSketchesHyperLogLog {
    let mut hll = datasketches::new(g.lg_k).unwrap();
    let (kind, spec) = g.format.split_once(':').unwrap();
    let insert = |hll: &mut datasketches::DataSketchesHyperLogLog, j: usize| match kind {
        "s" => hll.insert(&spec.replace("{}", &j.to_string())),
        "i" => {
            let (a, b) = spec.split_once("*x+").unwrap();
            let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
            hll.insert(&(a * j as i64 + b));
        }
        _ => panic!("token kind {kind}"),
    };
    if g.how == "union" {
        let mut odd = datasketches::new(g.lg_k).unwrap();
        for j in 0..g.n {
            if j % 2 == 0 {
                insert(&mut hll, j);
            } else {
                insert(&mut odd, j);
            }
        }
        hll.merge(&odd).unwrap();
    } else {
        for _ in 0..2 {
            (0..g.n).for_each(|j| insert(&mut hll, j));
        }
    }
    hll
}

fn target_of(file: &str) -> (Target, bool) {
    let t = if file.contains(".HLL_4.") {
        Target::Hll4
    } else if file.contains(".HLL_6.") {
        Target::Hll6
    } else {
        Target::Hll8
    };
    (t, file.ends_with(".compact"))
}

/// The 32-bit little-endian words after `start`, sorted, zeros dropped.
fn words(bytes: &[u8], start: usize) -> Vec<u32> {
    let mut w: Vec<u32> = bytes[start..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .filter(|&x| x != 0)
        .collect();
    w.sort_unstable();
    w
}

#[test]
fn golden_set_covers_every_mode_type_and_form() {
    let g = golden();
    assert_eq!(g.len(), 60);
    for mode in ["LIST", "SET", "HLL"] {
        for t in ["HLL_4", "HLL_6", "HLL_8"] {
            for form in ["compact", "updatable"] {
                assert!(
                    g.iter()
                        .any(|s| s.mode == mode && s.file.ends_with(&format!("{t}.{form}"))),
                    "{mode} {t} {form}"
                );
            }
        }
    }
    assert!(g.iter().any(|s| s.ooo) && g.iter().any(|s| s.n == 0));
    // HLL_4 sketches with an exception table, compact and updatable.
    let with_aux = g
        .iter()
        .filter(|s| s.file.contains("HLL_4") && bytes_of(&s.file).get(36..40) > Some(&[0u8; 4][..]))
        .count();
    assert!(with_aux >= 2, "{with_aux}");
}

#[test]
fn datasketches_bytes_read_with_its_registers_and_estimate() {
    for g in golden() {
        let bytes = bytes_of(&g.file);
        let h = header(&bytes).unwrap();
        let (target, compact) = target_of(&g.file);
        assert_eq!(
            (h.lg_k, h.target, h.compact),
            (g.lg_k, target, compact),
            "{}",
            g.file
        );
        assert_eq!(format!("{:?}", h.mode).to_uppercase(), g.mode, "{}", g.file);
        assert_eq!(h.out_of_order, g.ooo, "{}", g.file);
        let theirs = datasketches::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", g.file));
        let ours = sketch_of(&g);
        assert_eq!(theirs.registers(), ours.registers(), "{}", g.file);
        match h.mode {
            // While DataSketches keeps coupons lessram keeps the same ones: its exact count is
            // their number, and DataSketches' estimate corrects it for coupon collisions, by
            // less than 0.01% here.
            Mode::List | Mode::Set => {
                assert!(theirs.is_sparse() && ours.is_sparse(), "{}", g.file);
                assert_eq!(theirs.estimate(), ours.estimate(), "{}", g.file);
                let n = theirs.estimate();
                assert!(g.estimate >= n && g.estimate - n <= 1e-4 * n, "{}", g.file);
            }
            // In order, DataSketches' estimate is its HIP accumulator: lessram's HIP estimate,
            // bit for bit, both read from its bytes and built from the same tokens.
            // A sketch that started in HLL mode: DataSketches' HIP from 0, which lessram keeps
            // (also through its own format), though its own sketch of 10 items is sparse.
            Mode::Hll if g.how == "full" => {
                assert_eq!(theirs.estimate_hip(), Some(g.estimate), "{}", g.file);
                use lessram::Codec;
                let saved = <datasketches::DataSketchesHyperLogLog as Codec>::from_bytes(
                    &theirs.to_bytes(),
                )
                .unwrap();
                assert_eq!(saved, theirs, "{}", g.file);
            }
            Mode::Hll if !g.ooo => {
                assert_eq!(theirs.estimate_hip(), Some(g.estimate), "{}", g.file);
                assert_eq!(ours.estimate_hip(), Some(g.estimate), "{}", g.file);
            }
            Mode::Hll => assert_eq!(theirs.estimate_hip(), None, "{}", g.file),
        }
    }
}

#[test]
fn lessram_writes_datasketches_bytes() {
    for g in golden() {
        let want = bytes_of(&g.file);
        let (target, compact) = target_of(&g.file);
        let ours = datasketches::to_bytes(&sketch_of(&g), target, compact).unwrap();
        let h = header(&want).unwrap();
        let byte_for_byte = match h.mode {
            // DataSketches keeps a LIST in arrival order and a SET in hash-table order;
            // lessram writes the same coupons, sorted, and the same table for the same
            // coupons up to where collisions put them: same header, same coupons.
            Mode::List | Mode::Set => {
                let start = if h.mode == Mode::List { 8 } else { 12 };
                assert_eq!(ours[..start], want[..start], "{}", g.file);
                assert_eq!(ours.len(), want.len(), "{}", g.file);
                assert_eq!(words(&ours, start), words(&want, start), "{}", g.file);
                ours == want
            }
            // Started in HLL mode: lessram's sketch of 10 items is a SET; what it read from
            // DataSketches it writes back with DataSketches' bytes, but for the flag (32)
            // that says the sketch started full size.
            Mode::Hll if g.how == "full" => {
                assert_eq!(header(&ours).unwrap().mode, Mode::Set, "{}", g.file);
                let theirs = datasketches::from_bytes(&want).unwrap();
                let mut again = datasketches::to_bytes(&theirs, target, compact).unwrap();
                assert_eq!(again[5] | 32, want[5], "{}", g.file);
                again[5] |= 32;
                assert_eq!(again, want, "{}", g.file);
                false
            }
            // In order (HIP included) or, after a union, out of order: the same bytes.
            Mode::Hll => {
                assert_eq!(ours, want, "{}", g.file);
                true
            }
        };
        eprintln!("{}: byte for byte {byte_for_byte}", g.file);
    }
}

#[test]
fn promotion_hip_is_datasketches_own() {
    // The HIP estimate lessram restarts from when it turns dense is the one DataSketches
    // starts its HLL mode from (promotion.txt), checked through sketches built to just past
    // the switch.
    let lines: Vec<&str> = include_str!("golden/datasketches/promotion.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    for l in lines {
        let f: Vec<&str> = l.split(' ').collect();
        let lg_k: u8 = f[0].parse().unwrap();
        let coupons: usize = f[1].parse().unwrap();
        let hip = f64::from_bits(u64::from_str_radix(f[3], 16).unwrap());
        let switch = if lg_k < 8 {
            8
        } else {
            (3usize << lg_k) / 32 + 1
        };
        assert_eq!(coupons, switch, "lg_k {lg_k}");
        if lg_k > datasketches::MAX_LG_K {
            continue;
        }
        let mut hll = datasketches::new(lg_k).unwrap();
        let mut j = 0u64;
        while hll.is_sparse() {
            hll.insert(&format!("p{j}"));
            j += 1;
        }
        assert_eq!(hll.estimate_hip(), Some(hip), "lg_k {lg_k}");
    }
}

#[test]
fn every_cut_and_flip_of_a_datasketches_sketch_is_an_error_or_a_sketch() {
    for g in golden() {
        if g.lg_k > 12 {
            continue;
        }
        let bytes = bytes_of(&g.file);
        for n in 0..bytes.len() {
            assert!(
                datasketches::from_bytes(&bytes[..n]).is_err(),
                "{} cut at {n}",
                g.file
            );
        }
        for bit in (0..bytes.len() * 8).step_by(3) {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(hll) = datasketches::from_bytes(&b) {
                let _ = hll.estimate();
                let _ = datasketches::to_bytes(&hll, Target::Hll4, true).unwrap();
            }
        }
    }
}
