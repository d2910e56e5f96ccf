//! lessram's DataSketches HLL against sketches Spark SQL wrote.
//!
//! `tests/golden/spark/*` (but `make.py` and `sketches.txt`) are what Spark 3.5.9's
//! `hll_sketch_agg`, `hll_union` and `hll_union_agg` returned for the token sets in
//! `sketches.txt`, every token twice (Apache DataSketches' Java library underneath: HLL_8,
//! updatable); `make.py` in that folder made them, with DataSketches' estimate of each (the
//! double Spark's `hll_sketch_estimate` rounds, and that bigint). These tests need neither
//! Spark nor Python: lessram builds the same sketches from the same tokens and must find
//! Spark's registers, coupons, HIP accumulator and bytes.

use lessram::interop::datasketches::{self, DataSketchesHyperLogLog, Mode, Target, header};

struct Golden {
    file: String,
    lg_k: u8,
    format: String,
    n: usize,
    how: String,
    mode: String,
    ooo: bool,
    estimate: f64,
    spark: u64,
}

fn golden() -> Vec<Golden> {
    include_str!("golden/spark/sketches.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 10, "{l}");
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
                spark: f[9].parse().unwrap(),
            }
        })
        .collect()
}

fn bytes_of(file: &str) -> Vec<u8> {
    let path = format!("{}/tests/golden/spark/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// lessram's sketch of the golden tokens whose index passes `keep`, every token twice, in
/// Spark's order (index 0 to n-1, then again).
fn sketch_of(g: &Golden, keep: impl Fn(usize) -> bool) -> DataSketchesHyperLogLog {
    let mut hll = datasketches::new(g.lg_k).unwrap();
    let (kind, spec) = g.format.split_once(':').unwrap();
    for _ in 0..2 {
        for j in (0..g.n).filter(|&j| keep(j)) {
            match kind {
                "s" => {
                    let token = spec.replace("{}", &j.to_string());
                    // DataSketches ignores the empty string (Spark's column value "").
                    if !token.is_empty() {
                        hll.insert(&token);
                    }
                }
                "i" => {
                    let (a, b) = spec.split_once("*x+").unwrap();
                    let (a, b): (i64, i64) = (a.parse().unwrap(), b.parse().unwrap());
                    hll.insert(&(a * j as i64 + b));
                }
                _ => panic!("token kind {kind}"),
            }
        }
    }
    hll
}

/// lessram's sketch of a golden set: of the stream, or the merge of the even and odd halves.
fn ours(g: &Golden) -> DataSketchesHyperLogLog {
    if g.how == "stream" {
        return sketch_of(g, |_| true);
    }
    let mut hll = sketch_of(g, |j| j % 2 == 0);
    hll.merge(&sketch_of(g, |j| j % 2 == 1)).unwrap();
    hll
}

/// Java's curMin of HLL_6 and HLL_8 sketches a union returns: the smallest slot value (C++,
/// Java's updates and lessram write 0 there).
fn cur_min(bytes: &[u8]) -> u8 {
    if bytes[7] & 3 == 2 { bytes[6] } else { 0 }
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
fn golden_set_covers_what_spark_writes() {
    let g = golden();
    assert_eq!(g.len(), 11);
    for mode in ["LIST", "SET", "HLL"] {
        assert!(g.iter().any(|s| s.mode == mode), "{mode}");
    }
    for how in ["stream", "union", "union_agg"] {
        assert!(g.iter().any(|s| s.how == how), "{how}");
    }
    assert!(
        g.iter()
            .any(|s| s.how == "stream" && s.mode == "HLL" && !s.ooo)
    );
    // A union with no empty slot, whose curMin Java sets to the smallest slot value.
    assert!(g.iter().any(|s| cur_min(&bytes_of(&s.file)) > 0));
    for s in &g {
        let h = header(&bytes_of(&s.file)).unwrap();
        // Spark writes HLL_8, updatable.
        assert_eq!((h.target, h.compact), (Target::Hll8, false), "{}", s.file);
        // hll_sketch_estimate is Math.round of DataSketches' estimate.
        assert_eq!(s.spark, (s.estimate + 0.5).floor() as u64, "{}", s.file);
        // Spark unions are out of order, its single-stream sketches in order.
        assert_eq!(s.ooo, s.how != "stream", "{}", s.file);
    }
}

#[test]
fn spark_sketches_read_with_their_registers_and_estimate() {
    for g in golden() {
        let bytes = bytes_of(&g.file);
        if cur_min(&bytes) > 0 {
            continue; // spark_union_with_every_slot_set_reads
        }
        let h = header(&bytes).unwrap();
        assert_eq!(h.lg_k, g.lg_k, "{}", g.file);
        assert_eq!(format!("{:?}", h.mode).to_uppercase(), g.mode, "{}", g.file);
        assert_eq!(h.out_of_order, g.ooo, "{}", g.file);
        let theirs = datasketches::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", g.file));
        let ours = ours(&g);
        assert_eq!(theirs.registers(), ours.registers(), "{}", g.file);
        match h.mode {
            // Spark keeps the coupons lessram keeps: lessram counts them; DataSketches
            // corrects that count for coupon collisions, by less than 0.01% here.
            Mode::List | Mode::Set => {
                assert!(theirs.is_sparse() && ours.is_sparse(), "{}", g.file);
                assert_eq!(theirs.estimate(), ours.estimate(), "{}", g.file);
                let n = theirs.estimate();
                assert!(g.estimate >= n && g.estimate - n <= 1e-4 * n, "{}", g.file);
            }
            // In order, Spark's estimate is its HIP accumulator: lessram's HIP estimate, bit
            // for bit, read from Spark's bytes and built from the same tokens.
            Mode::Hll if !g.ooo => {
                assert_eq!(theirs.estimate_hip(), Some(g.estimate), "{}", g.file);
                assert_eq!(ours.estimate_hip(), Some(g.estimate), "{}", g.file);
            }
            // A union: out of order on both sides.
            Mode::Hll => {
                assert_eq!(theirs.estimate_hip(), None, "{}", g.file);
                assert_eq!(ours.estimate_hip(), None, "{}", g.file);
            }
        }
    }
}

#[test]
fn spark_union_with_every_slot_set_reads() {
    let mut seen = 0;
    for g in golden() {
        let bytes = bytes_of(&g.file);
        if cur_min(&bytes) == 0 {
            continue;
        }
        seen += 1;
        let theirs = datasketches::from_bytes(&bytes).unwrap_or_else(|e| panic!("{}: {e}", g.file));
        assert_eq!(theirs.registers(), ours(&g).registers(), "{}", g.file);
        assert_eq!(
            theirs.registers().iter().min(),
            Some(&cur_min(&bytes)),
            "{}",
            g.file
        );
        assert_eq!(theirs.estimate_hip(), None, "{}", g.file);
    }
    assert!(seen >= 2, "{seen}");
}

#[test]
fn lessram_writes_sparks_bytes() {
    for g in golden() {
        let want = bytes_of(&g.file);
        let ours = datasketches::to_bytes(&ours(&g), Target::Hll8, false).unwrap();
        let h = header(&want).unwrap();
        match h.mode {
            // Spark keeps a LIST in arrival order and a SET in the hash-table order arrival
            // gives; lessram writes the same coupons, sorted: same header, same coupons.
            Mode::List | Mode::Set => {
                let start = if h.mode == Mode::List { 8 } else { 12 };
                assert_eq!(ours[..start], want[..start], "{}", g.file);
                assert_eq!(ours.len(), want.len(), "{}", g.file);
                assert_eq!(words(&ours, start), words(&want, start), "{}", g.file);
            }
            // In order, HIP accumulator included, and after a union: Spark's bytes, but for
            // a union's curMin when no slot is empty (Java writes the smallest slot value and
            // the number of slots holding it; lessram 0 and the number of empty slots, 0, as
            // C++ and Java's own updates do). Both mean the same to every reader.
            Mode::Hll => {
                let m = cur_min(&want);
                if m == 0 {
                    assert_eq!(ours, want, "{}", g.file);
                } else {
                    let at_min = want[40..].iter().filter(|&&v| v == m).count() as u32;
                    assert_eq!(want[32..36], at_min.to_le_bytes(), "{}", g.file);
                    let mut java = ours.clone();
                    java[6] = m;
                    java[32..36].copy_from_slice(&at_min.to_le_bytes());
                    assert_eq!((ours[6], &ours[32..36]), (0, &[0u8; 4][..]), "{}", g.file);
                    assert_eq!(java, want, "{}", g.file);
                }
            }
        }
    }
}

#[test]
fn every_cut_and_flip_of_a_spark_sketch_is_an_error_or_a_sketch() {
    for g in golden() {
        let bytes = bytes_of(&g.file);
        if bytes.len() > 5000 {
            continue;
        }
        for n in 0..bytes.len() {
            assert!(
                datasketches::from_bytes(&bytes[..n]).is_err(),
                "{} cut at {n}",
                g.file
            );
        }
        for bit in (0..bytes.len() * 8).step_by(5) {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(hll) = datasketches::from_bytes(&b) {
                let _ = hll.estimate();
                let _ = datasketches::to_bytes(&hll, Target::Hll4, true).unwrap();
            }
        }
    }
}
