//! lessram's Redis HyperLogLog against strings real Redis wrote.
//!
//! `tests/golden/redis/*.hyll` are `GET` of keys built by `PFADD` of the token sets in
//! `pfcount.txt` (every token twice), after a `PFCOUNT`; `tests/interop/redis_check.py
//! --golden tests/golden/redis` made them with `redis-server` (and `.ci/run` runs the same
//! script against a live server). These tests need no Redis.

use lessram::interop::redis::{self, Encoding};

/// (name, token format with `{}` for the index, distinct tokens, Redis' encoding, PFCOUNT).
fn golden_sets() -> Vec<(String, String, usize, String, u64)> {
    include_str!("golden/redis/pfcount.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            assert_eq!(f.len(), 5, "{l}");
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].parse().unwrap(),
                f[3].to_string(),
                f[4].parse().unwrap(),
            )
        })
        .collect()
}

fn golden_bytes(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/golden/redis/{name}.hyll",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sketch_of(format: &str, n: usize) -> redis::RedisHyperLogLog {
    let mut hll = redis::new();
    for j in 0..n {
        hll.insert(&format.replace("{}", &j.to_string()));
    }
    hll
}

#[test]
fn redis_strings_read_with_redis_count_and_registers() {
    let sets = golden_sets();
    assert_eq!(sets.len(), 3);
    for (name, format, n, encoding, pfcount) in sets {
        let bytes = golden_bytes(&name);
        assert_eq!(bytes[4], u8::from(encoding == "sparse"), "{name}");
        let theirs = redis::from_hyll(&bytes).unwrap();
        let ours = sketch_of(&format, n);
        assert_eq!(theirs.registers(), ours.registers(), "{name}");
        assert_eq!(redis::pfcount(&theirs), pfcount, "{name}");
        assert_eq!(redis::pfcount(&ours), pfcount, "{name}");
        assert_eq!(redis::cached_cardinality(&bytes).unwrap(), Some(pfcount));
    }
}

#[test]
fn dense_string_is_byte_for_byte_redis_own() {
    let (_, format, n, _, _) = golden_sets().into_iter().find(|s| s.3 == "dense").unwrap();
    let ours = redis::to_hyll_as(&sketch_of(&format, n), Encoding::Dense).unwrap();
    assert_eq!(ours, golden_bytes("dense"));
    // Redis would keep it dense too: lessram's choice agrees.
    assert_eq!(redis::to_hyll(&sketch_of(&format, n)).unwrap(), ours);
}

#[test]
fn sparse_strings_are_byte_for_byte_redis_own() {
    for (name, format, n, encoding, _) in golden_sets() {
        if encoding != "sparse" {
            continue;
        }
        let ours = redis::to_hyll(&sketch_of(&format, n)).unwrap();
        assert_eq!(ours[4], 1, "{name}: lessram keeps it sparse too");
        // Redis' PFADD merges runs as lessram writes them: the same bytes.
        assert_eq!(ours, golden_bytes(&name), "{name}");
        let (a, b) = (
            redis::from_hyll(&ours).unwrap(),
            redis::from_hyll(&golden_bytes(&name)).unwrap(),
        );
        assert_eq!(a.registers(), b.registers(), "{name}");
    }
}

#[test]
fn every_cut_and_flip_of_a_redis_string_is_an_error_or_a_sketch() {
    for name in ["sparse", "utf8"] {
        let bytes = golden_bytes(name);
        for n in 0..bytes.len() {
            let _ = redis::from_hyll(&bytes[..n]);
        }
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            if let Ok(hll) = redis::from_hyll(&b) {
                let _ = redis::pfcount(&hll);
            }
        }
    }
}
