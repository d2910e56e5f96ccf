//! Nothing lost: every structure, saved and loaded again after inserts and merges, answers
//! every query exactly as before (bit for bit for estimates); and the errors promised for
//! incompatible merges and extreme parameters that the family tests do not already cover.
//!
//! Covered elsewhere, not repeated here: every truncation and single-bit flip of every
//! kind (`tests/hostile.rs`), Morris saturation (`counting::morris` unit tests), a scaling
//! filter at its memory and sub-filter limits and bad Bloom parameters
//! (`tests/membership.rs`), merging HyperLogLogs, LogLogs, SuperLogLogs, KMVs and Bloom
//! filters of other parameters or hashers (`tests/hyperloglog.rs`, `tests/counting.rs`,
//! `tests/membership.rs`).

use std::collections::BTreeMap;

use lessram::counting::SplitMix64;
use lessram::hash::Murmur3;
use lessram::{
    BloomFilter, BloomLayout, Dawg, DawgMap, DistinctCount, Error, HyperLogLog, Kmv, LogLog,
    Membership, MorrisArray, MorrisCounter, ScalingBloomFilter, SuperLogLog, Trie,
};
use proptest::prelude::*;

fn hashes(max: usize) -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(prop_oneof![0u64..64, any::<u64>()], 0..max)
}

fn words(max: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(
        prop_oneof![
            prop::collection::vec(b'a'..=b'd', 0..6),
            prop::collection::vec(any::<u8>(), 0..4)
        ],
        0..max,
    )
}

/// Estimates as bits: "the same answer" means the same `f64`.
fn bits(x: f64) -> u64 {
    x.to_bits()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sketches_answer_the_same_after_merges_and_a_round_trip(
        a in hashes(3_000), b in hashes(3_000), p in 4u8..=10, k in 2usize..300,
    ) {
        let mut hll = (HyperLogLog::new(p).unwrap(), HyperLogLog::new(p).unwrap());
        let mut kmv = (Kmv::new(k).unwrap(), Kmv::new(k).unwrap());
        let mut ll = (LogLog::new(p).unwrap(), LogLog::new(p).unwrap());
        let mut sll = (SuperLogLog::new(p).unwrap(), SuperLogLog::new(p).unwrap());
        for &h in &a {
            hll.0.insert_hash(h);
            kmv.0.insert_hash(h);
            ll.0.insert_hash(h);
            sll.0.insert_hash(h);
        }
        for &h in &b {
            hll.1.insert_hash(h);
            kmv.1.insert_hash(h);
            ll.1.insert_hash(h);
            sll.1.insert_hash(h);
        }
        hll.0.merge(&hll.1).unwrap();
        kmv.0.merge(&kmv.1).unwrap();
        ll.0.merge(&ll.1).unwrap();
        sll.0.merge(&sll.1).unwrap();

        let h = HyperLogLog::from_bytes(&hll.0.to_bytes()).unwrap();
        prop_assert_eq!(bits(h.estimate()), bits(hll.0.estimate()));
        prop_assert_eq!(h.estimate_hip().map(bits), hll.0.estimate_hip().map(bits));
        prop_assert_eq!(h.registers(), hll.0.registers());
        prop_assert_eq!(h.is_sparse(), hll.0.is_sparse());

        let m = Kmv::from_bytes(&kmv.0.to_bytes()).unwrap();
        prop_assert_eq!(bits(m.estimate()), bits(kmv.0.estimate()));
        prop_assert_eq!(m.hashes(), kmv.0.hashes());
        prop_assert_eq!(bits(m.jaccard(&kmv.1).unwrap()), bits(kmv.0.jaccard(&kmv.1).unwrap()));
        prop_assert_eq!(
            bits(m.intersection_estimate(&kmv.1).unwrap()),
            bits(kmv.0.intersection_estimate(&kmv.1).unwrap())
        );

        let l = LogLog::from_bytes(&ll.0.to_bytes()).unwrap();
        prop_assert_eq!(bits(l.estimate()), bits(ll.0.estimate()));
        prop_assert_eq!(l.registers(), ll.0.registers());
        let s = SuperLogLog::from_bytes(&sll.0.to_bytes()).unwrap();
        prop_assert_eq!(bits(s.estimate()), bits(sll.0.estimate()));
        prop_assert_eq!(s.registers(), sll.0.registers());

        // And they keep answering alike when the stream goes on.
        let (mut h, mut m) = (h, m);
        for &x in &a {
            h.insert_hash(x ^ 0x5555);
            hll.0.insert_hash(x ^ 0x5555);
            m.insert_hash(x ^ 0x5555);
            kmv.0.insert_hash(x ^ 0x5555);
        }
        prop_assert_eq!(bits(h.estimate()), bits(hll.0.estimate()));
        prop_assert_eq!(m.hashes(), kmv.0.hashes());
    }

    #[test]
    fn morris_counters_continue_the_same_after_a_round_trip(
        base in 1.01f64..4.0, steps in 0usize..3_000, seed in any::<u64>(),
    ) {
        let mut rng = SplitMix64::new(seed);
        let mut c = MorrisCounter::new(base).unwrap();
        let mut arr = MorrisArray::new(7, base, seed).unwrap();
        for i in 0..steps {
            c.increment(&mut rng);
            let _ = arr.increment(i % 7);
        }
        let mut c2 = MorrisCounter::from_bytes(&c.to_bytes()).unwrap();
        let mut arr2 = MorrisArray::from_bytes(&arr.to_bytes()).unwrap();
        prop_assert_eq!(c2, c);
        prop_assert_eq!(&arr2, &arr);
        let (mut r1, mut r2) = (SplitMix64::new(seed ^ 1), SplitMix64::new(seed ^ 1));
        for i in 0..500 {
            prop_assert_eq!(c.increment(&mut r1), c2.increment(&mut r2));
            prop_assert_eq!(arr.increment(i % 7).ok(), arr2.increment(i % 7).ok());
        }
        for i in 0..7 {
            prop_assert_eq!(bits(arr.estimate(i).unwrap()), bits(arr2.estimate(i).unwrap()));
        }
    }

    #[test]
    fn filters_answer_the_same_after_unions_and_a_round_trip(
        a in prop::collection::vec(any::<u32>(), 0..600),
        b in prop::collection::vec(any::<u32>(), 0..600),
        classic in any::<bool>(),
    ) {
        let layout = if classic { BloomLayout::Classic } else { BloomLayout::Blocked };
        let bloom = || BloomFilter::builder().layout(layout).for_items(500, 0.05).unwrap();
        let scaling = || ScalingBloomFilter::builder(16, 0.05).layout(layout).build().unwrap();
        let (mut f, mut g, mut i) = (bloom(), bloom(), bloom());
        let (mut s, mut t) = (scaling(), scaling());
        a.iter().for_each(|x| { f.insert(x); i.insert(x); s.insert(x); });
        b.iter().for_each(|x| { g.insert(x); t.insert(x); });
        f.union(&g).unwrap();
        i.intersect(&g).unwrap();
        // Sub-filter chains merge only when they have grown alike.
        let scaling_merged = s.union(&t).is_ok();
        let queries: Vec<u32> = a.iter().chain(&b).copied().chain(0..2_000).collect();
        for (x, y) in [(&f, BloomFilter::from_bytes(&f.to_bytes()).unwrap()),
                       (&i, BloomFilter::from_bytes(&i.to_bytes()).unwrap())] {
            prop_assert_eq!(x, &y);
            prop_assert_eq!(bits(x.estimated_len()), bits(y.estimated_len()));
            for q in &queries {
                prop_assert_eq!(x.contains(q), y.contains(q));
            }
        }
        let s2 = ScalingBloomFilter::from_bytes(&s.to_bytes()).unwrap();
        prop_assert_eq!(&s2, &s);
        prop_assert_eq!((s2.len(), s2.filters()), (s.len(), s.filters()));
        for q in &queries {
            prop_assert_eq!(s2.contains(q), s.contains(q));
        }
        prop_assert!(a.iter().all(|x| f.contains(x) && s2.contains(x)));
        if scaling_merged {
            prop_assert!(b.iter().all(|x| s2.contains(x)));
        }
    }

    #[test]
    fn word_stores_answer_the_same_after_a_round_trip(list in words(200), probe in prop::collection::vec(b'a'..=b'e', 0..5)) {
        let mut trie: Trie = list.iter().collect();
        // Counts above one, and a removal, must survive too.
        if let Some(w) = list.first() {
            trie.add(w, 1 << 40);
        }
        if let Some(w) = list.last() {
            trie.remove(w);
        }
        let t2 = Trie::from_bytes(&trie.to_bytes()).unwrap();
        prop_assert_eq!(&t2, &trie);
        prop_assert_eq!(t2.iter().collect::<Vec<_>>(), trie.iter().collect::<Vec<_>>());
        prop_assert_eq!(t2.prefix_iter(&probe).collect::<Vec<_>>(), trie.prefix_iter(&probe).collect::<Vec<_>>());
        prop_assert_eq!(t2.longest_prefix(&probe), trie.longest_prefix(&probe));

        let d = Dawg::from_trie(&trie);
        let d2 = Dawg::from_bytes(&d.to_bytes()).unwrap();
        prop_assert_eq!(d2.words(), d.words());
        prop_assert_eq!(d2.words_with_prefix(&probe), d.words_with_prefix(&probe));
        prop_assert_eq!(d2.fuzzy(&probe, 1), d.fuzzy(&probe, 1));
        prop_assert_eq!(d2.contains(&probe), d.contains(&probe));

        let map = DawgMap::from_trie(&trie);
        let m2 = DawgMap::from_bytes(&map.to_bytes()).unwrap();
        let counts: BTreeMap<Vec<u8>, u64> = trie.iter().collect();
        for (w, n) in &counts {
            prop_assert_eq!(m2.get(w), Some(*n));
        }
        prop_assert_eq!(m2.get(&probe), counts.get(&probe).copied());
        prop_assert_eq!(m2.fuzzy(&probe, 1), map.fuzzy(&probe, 1));
    }
}

fn invalid(r: lessram::Result<impl std::fmt::Debug>, message: &str) {
    match r {
        Err(e @ Error::InvalidParameter { .. }) => assert_eq!(e.to_string(), message),
        other => panic!("expected {message:?}, got {other:?}"),
    }
}

#[test]
fn extreme_parameters_are_invalid_parameter_errors() {
    for p in [0u8, 3, 19, 255] {
        invalid(
            HyperLogLog::new(p),
            &format!("precision {p} out of range 4..=18"),
        );
        invalid(
            LogLog::new(p),
            &format!("precision {p} out of range 4..=18"),
        );
        invalid(
            SuperLogLog::new(p),
            &format!("precision {p} out of range 4..=18"),
        );
    }
    for k in [0usize, 1, (1 << 26) + 1, usize::MAX] {
        invalid(Kmv::new(k), &format!("k {k} out of range 2..=67108864"));
    }
    // The edges themselves are fine.
    assert!(HyperLogLog::new(4).is_ok() && HyperLogLog::new(18).is_ok());
    assert!(Kmv::new(2).is_ok());
}

#[test]
fn kmv_comparisons_refuse_other_hashers_and_accept_other_k() {
    let a = Kmv::new(64).unwrap();
    let seeded = Kmv::with_hasher(64, Murmur3::with_seed(9)).unwrap();
    for r in [a.jaccard(&seeded), a.intersection_estimate(&seeded)] {
        assert!(matches!(r, Err(Error::Incompatible { .. })), "{r:?}");
    }
    let e = a.clone().merge(&seeded).unwrap_err().to_string();
    assert!(e.contains("seed 0") && e.contains("seed 9"), "{e}");
    // Sketches of different k compare at the smaller k (see `Kmv::merge`), in both orders.
    let mut small = Kmv::new(64).unwrap();
    let mut large = Kmv::new(65).unwrap();
    for i in 0..1000u32 {
        small.insert(&i);
        large.insert(&i);
    }
    assert_eq!(small.jaccard(&large).unwrap(), 1.0);
    assert_eq!(large.jaccard(&small).unwrap(), 1.0);
}

#[test]
fn word_stores_refuse_unsorted_or_duplicate_sorted_input() {
    assert!(matches!(
        Dawg::from_sorted(["b", "a"]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        DawgMap::from_sorted([("a", 1), ("a", 2)]),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        Dawg::from_sorted(["a", "a", "b"]),
        Err(Error::InvalidInput { .. })
    ));
}

/// `bytes` with the frame's hash id (byte 7) and seed (bytes 8..16) replaced, checksum fixed.
fn with_hash_fields(bytes: &[u8], id: u8, seed: u64) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[7] = id;
    b[8..16].copy_from_slice(&seed.to_le_bytes());
    let n = b.len() - 4;
    let crc = crc32fast::hash(&b[..n]);
    b[n..].copy_from_slice(&crc.to_le_bytes());
    b
}

/// A structure's name, its bytes, and its decoder (result dropped).
type Sample = (&'static str, Vec<u8>, fn(&[u8]) -> lessram::Result<()>);

#[test]
fn every_decoder_checks_the_frame_hash_fields() {
    // Structures that hash nothing write hash id 0 and seed 0 and accept nothing else.
    let trie: Trie = ["a", "b"].into_iter().collect();
    let unhashed: [Sample; 5] = [
        ("Trie", trie.to_bytes(), |b| Trie::from_bytes(b).map(drop)),
        ("Dawg", Dawg::from_trie(&trie).to_bytes(), |b| {
            Dawg::from_bytes(b).map(drop)
        }),
        ("DawgMap", DawgMap::from_trie(&trie).to_bytes(), |b| {
            DawgMap::from_bytes(b).map(drop)
        }),
        (
            "MorrisCounter",
            MorrisCounter::new(2.0).unwrap().to_bytes(),
            |b| MorrisCounter::from_bytes(b).map(drop),
        ),
        (
            "MorrisArray",
            MorrisArray::new(3, 2.0, 0).unwrap().to_bytes(),
            |b| MorrisArray::from_bytes(b).map(drop),
        ),
    ];
    for (name, bytes, decode) in unhashed {
        assert_eq!((bytes[7], &bytes[8..16]), (0, &[0u8; 8][..]), "{name}");
        decode(&bytes).unwrap();
        for (id, seed) in [(1, 0), (0, 1), (1, 42), (200, 0)] {
            match decode(&with_hash_fields(&bytes, id, seed)) {
                Err(Error::WrongHasher { expected, found }) => {
                    assert_eq!((expected, found), ((0, 0), (id, seed)), "{name}");
                }
                other => panic!("{name} with hash id {id} seed {seed}: {other:?}"),
            }
        }
    }
    // Hashed structures refuse a hash id their hasher does not know.
    let hashed: [Sample; 6] = [
        ("Kmv", Kmv::new(8).unwrap().to_bytes(), |b| {
            Kmv::from_bytes(b).map(drop)
        }),
        (
            "HyperLogLog",
            HyperLogLog::new(8).unwrap().to_bytes(),
            |b| HyperLogLog::from_bytes(b).map(drop),
        ),
        ("LogLog", LogLog::new(8).unwrap().to_bytes(), |b| {
            LogLog::from_bytes(b).map(drop)
        }),
        (
            "SuperLogLog",
            SuperLogLog::new(8).unwrap().to_bytes(),
            |b| SuperLogLog::from_bytes(b).map(drop),
        ),
        (
            "BloomFilter",
            BloomFilter::new(100, 0.01).unwrap().to_bytes(),
            |b| BloomFilter::from_bytes(b).map(drop),
        ),
        (
            "ScalingBloomFilter",
            ScalingBloomFilter::new(100, 0.01).unwrap().to_bytes(),
            |b| ScalingBloomFilter::from_bytes(b).map(drop),
        ),
    ];
    for (name, bytes, decode) in hashed {
        decode(&bytes).unwrap();
        let r = decode(&with_hash_fields(&bytes, 200, 0));
        assert!(matches!(r, Err(Error::WrongHasher { .. })), "{name}: {r:?}");
    }
}

/// Issue #16: hashers other than Murmur3 all reported hash id 0 and seed 0, so two
/// `HyperLogLog<RandomState>`s over the same 100,000 items merged to about 197,000, Kmv's
/// Jaccard of two identical `RandomState` streams was 0, and any `RandomState` decoded any
/// frame. Now such hashers are identified by their fingerprint.
#[test]
fn hashers_that_differ_are_told_apart_in_merges_and_decodes() {
    use std::hash::RandomState;
    let (ra, rb) = (RandomState::new(), RandomState::new());

    let mut a = HyperLogLog::with_hasher(12, ra.clone()).unwrap();
    let mut b = HyperLogLog::with_hasher(12, rb.clone()).unwrap();
    for i in 0..100_000u32 {
        a.insert(&i);
        b.insert(&i);
    }
    assert!(matches!(a.merge(&b), Err(Error::Incompatible { .. })));
    let mut same = HyperLogLog::with_hasher(12, ra.clone()).unwrap();
    (0..100_000u32).for_each(|i| same.insert(&i));
    let before = a.estimate();
    a.merge(&same).unwrap();
    assert_eq!(
        bits(a.estimate()),
        bits(before),
        "a clone of the hasher merges"
    );
    let bytes = a.to_bytes();
    assert!(matches!(
        HyperLogLog::from_bytes_with_hasher(&bytes, rb.clone()),
        Err(Error::WrongHasher { .. })
    ));
    assert_eq!(
        HyperLogLog::from_bytes_with_hasher(&bytes, ra.clone()).unwrap(),
        a
    );

    let (mut ka, mut kb) = (
        Kmv::with_hasher(256, ra.clone()).unwrap(),
        Kmv::with_hasher(256, rb.clone()).unwrap(),
    );
    for i in 0..10_000u32 {
        ka.insert(&i);
        kb.insert(&i);
    }
    assert!(matches!(ka.jaccard(&kb), Err(Error::Incompatible { .. })));
    assert!(ka.intersection_estimate(&kb).is_err());
    assert!(ka.clone().merge(&kb).is_err());
    assert_eq!(ka.jaccard(&ka.clone()).unwrap(), 1.0);
    assert!(Kmv::from_bytes_with_hasher(&ka.to_bytes(), rb.clone()).is_err());

    let (mut la, lb) = (
        LogLog::with_hasher(8, ra.clone()).unwrap(),
        LogLog::with_hasher(8, rb.clone()).unwrap(),
    );
    assert!(la.merge(&lb).is_err());
    assert!(LogLog::from_bytes_with_hasher(&la.to_bytes(), rb.clone()).is_err());
    let (mut sa, sb) = (
        SuperLogLog::with_hasher(8, ra.clone()).unwrap(),
        SuperLogLog::with_hasher(8, rb.clone()).unwrap(),
    );
    assert!(sa.merge(&sb).is_err());
    assert!(SuperLogLog::from_bytes_with_hasher(&sa.to_bytes(), rb.clone()).is_err());

    let (mut fa, fb) = (
        BloomFilter::with_hasher(100, 0.01, ra.clone()).unwrap(),
        BloomFilter::with_hasher(100, 0.01, rb.clone()).unwrap(),
    );
    assert!(fa.union(&fb).is_err() && fa.intersect(&fb).is_err());
    assert!(BloomFilter::from_bytes_with_hasher(&fa.to_bytes(), rb.clone()).is_err());
    let (mut ga, gb) = (
        ScalingBloomFilter::with_hasher(100, 0.01, ra.clone()).unwrap(),
        ScalingBloomFilter::with_hasher(100, 0.01, rb.clone()).unwrap(),
    );
    assert!(ga.union(&gb).is_err());
    assert!(ScalingBloomFilter::from_bytes_with_hasher(&ga.to_bytes(), rb).is_err());
}

/// A deterministic hasher other than Murmur3 (SipHash with fixed keys) records its
/// fingerprint, so its structures decode through `Codec::from_bytes` and are checked.
#[test]
fn a_deterministic_custom_hasher_decodes_and_is_checked() {
    use lessram::Codec;
    use lessram::hash::HASH_ID_FINGERPRINT;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::BuildHasherDefault;
    type Sip = BuildHasherDefault<DefaultHasher>;

    let mut hll = HyperLogLog::with_hasher(10, Sip::default()).unwrap();
    let mut kmv = Kmv::with_hasher(64, Sip::default()).unwrap();
    let mut ll = LogLog::with_hasher(6, Sip::default()).unwrap();
    for i in 0..5_000u32 {
        hll.insert(&i);
        kmv.insert(&i);
        ll.insert(&i);
    }
    let bytes = hll.to_bytes();
    assert_eq!(bytes[7], HASH_ID_FINGERPRINT);
    assert_eq!(
        <HyperLogLog<Sip> as Codec>::from_bytes(&bytes).unwrap(),
        hll
    );
    assert_eq!(
        <Kmv<Sip> as Codec>::from_bytes(&kmv.to_bytes()).unwrap(),
        kmv
    );
    assert_eq!(
        <LogLog<Sip> as Codec>::from_bytes(&ll.to_bytes()).unwrap(),
        ll
    );
    // Another fingerprint is another function: refused.
    let seed = u64::from_le_bytes(bytes[8..16].try_into().unwrap());
    let forged = with_hash_fields(&bytes, HASH_ID_FINGERPRINT, seed ^ 1);
    assert!(matches!(
        <HyperLogLog<Sip> as Codec>::from_bytes(&forged),
        Err(Error::WrongHasher { .. })
    ));
}

/// Frames saved with a custom hasher before fingerprints carry hash id 0, seed 0: their
/// hasher cannot be checked, so every hashed decoder refuses them with a clear error.
#[test]
fn frames_that_record_no_hasher_are_refused_by_hashed_decoders() {
    use std::hash::RandomState;
    let r = RandomState::new();
    let legacy = |b: Vec<u8>| with_hash_fields(&b, 0, 0);
    let unidentified = |res: lessram::Result<()>, name: &str| match res {
        Err(e @ Error::UnidentifiedHasher { .. }) => {
            assert!(e.to_string().contains("unidentified hasher"), "{name}: {e}");
        }
        other => panic!("{name}: {other:?}"),
    };
    let hll = HyperLogLog::with_hasher(8, r.clone()).unwrap().to_bytes();
    unidentified(
        HyperLogLog::from_bytes_with_hasher(&legacy(hll.clone()), r.clone()).map(drop),
        "HyperLogLog",
    );
    let kmv = Kmv::with_hasher(8, r.clone()).unwrap().to_bytes();
    unidentified(
        Kmv::from_bytes_with_hasher(&legacy(kmv), r.clone()).map(drop),
        "Kmv",
    );
    let ll = LogLog::with_hasher(8, r.clone()).unwrap().to_bytes();
    unidentified(
        LogLog::from_bytes_with_hasher(&legacy(ll), r.clone()).map(drop),
        "LogLog",
    );
    let sll = SuperLogLog::with_hasher(8, r.clone()).unwrap().to_bytes();
    unidentified(
        SuperLogLog::from_bytes_with_hasher(&legacy(sll), r.clone()).map(drop),
        "SuperLogLog",
    );
    let bloom = BloomFilter::with_hasher(10, 0.1, r.clone())
        .unwrap()
        .to_bytes();
    unidentified(
        BloomFilter::from_bytes_with_hasher(&legacy(bloom), r.clone()).map(drop),
        "BloomFilter",
    );
    let sbf = ScalingBloomFilter::with_hasher(10, 0.1, r.clone())
        .unwrap()
        .to_bytes();
    unidentified(
        ScalingBloomFilter::from_bytes_with_hasher(&legacy(sbf), r).map(drop),
        "ScalingBloomFilter",
    );
    // The default-hasher decoders say the same of a hash id 0 frame.
    let m = HyperLogLog::new(8).unwrap().to_bytes();
    unidentified(
        HyperLogLog::from_bytes(&legacy(m)).map(drop),
        "HyperLogLog<Murmur3>",
    );
}
