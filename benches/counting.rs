//! Counting sketches: KMV insert once full (against a `BTreeSet` KMV), LogLog and
//! SuperLogLog insert and estimate, Morris increments.
//!
//! Hashes come from an inline SplitMix64 (`generator alone` measures its share). No
//! published Rust crate offers a Morris counter, LogLog or SuperLogLog to compare with; the
//! one KMV crate found (`asap_sketchlib`) scans all `k` kept values on every insert and
//! pulls in a large dependency tree, so the peer here is the textbook design instead.

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, Throughput};
use lessram::counting::SplitMix64;
use lessram::{DistinctCount, Kmv, LogLog, MorrisArray, MorrisCounter, SuperLogLog};

const BATCH: u64 = 4096;

/// The textbook KMV: a `BTreeSet` of the k smallest, checked against its largest first.
struct BTreeKmv {
    k: usize,
    set: BTreeSet<u64>,
}

impl BTreeKmv {
    fn insert_hash(&mut self, h: u64) {
        if self.set.len() == self.k {
            if h >= *self.set.last().expect("k > 0") {
                return;
            }
            if self.set.insert(h) {
                self.set.pop_last();
            }
        } else {
            self.set.insert(h);
        }
    }
}

pub(crate) fn register_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("counting/insert");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("generator alone", |b| {
        let mut rng = SplitMix64::new(1);
        b.iter(|| (0..BATCH).fold(0u64, |acc, _| acc ^ rng.next_word()))
    });
    for k in [1024usize, 65_536] {
        // Full and past the start: 10^6 distinct hashes in already.
        let mut rng = SplitMix64::new(2);
        let mut kmv = Kmv::new(k).expect("valid k");
        let mut peer = BTreeKmv {
            k,
            set: BTreeSet::new(),
        };
        for _ in 0..1_000_000 {
            let h = rng.next_word();
            kmv.insert_hash(h);
            peer.insert_hash(h);
        }
        g.bench_function(format!("lessram Kmv k={k} (full)"), |b| {
            let mut rng = rng.clone();
            b.iter(|| (0..BATCH).for_each(|_| kmv.insert_hash(rng.next_word())))
        });
        g.bench_function(format!("BTreeSet KMV k={k} (full)"), |b| {
            let mut rng = rng.clone();
            b.iter(|| (0..BATCH).for_each(|_| peer.insert_hash(rng.next_word())))
        });
    }
    for p in [12u8, 14] {
        let mut ll = LogLog::new(p).expect("valid p");
        g.bench_function(format!("lessram LogLog p={p}"), |b| {
            let mut rng = SplitMix64::new(3);
            b.iter(|| (0..BATCH).for_each(|_| ll.insert_hash(rng.next_word())))
        });
        let mut sll = SuperLogLog::new(p).expect("valid p");
        g.bench_function(format!("lessram SuperLogLog p={p}"), |b| {
            let mut rng = SplitMix64::new(3);
            b.iter(|| (0..BATCH).for_each(|_| sll.insert_hash(rng.next_word())))
        });
    }
    g.bench_function("lessram MorrisCounter a=2 increment", |b| {
        let mut rng = SplitMix64::new(4);
        let mut m = MorrisCounter::new(2.0).expect("valid base");
        b.iter(|| {
            (0..BATCH).for_each(|_| {
                m.increment(&mut rng);
            })
        })
    });
    g.bench_function("lessram MorrisCounter a=1.1 try_increment", |b| {
        let mut rng = SplitMix64::new(4);
        let mut m = MorrisCounter::new(1.1).expect("valid base");
        b.iter(|| {
            (0..BATCH).for_each(|_| {
                let _ = black_box(m.try_increment(&mut rng));
            })
        })
    });
    g.bench_function("lessram MorrisArray 1M a=1.1 increment", |b| {
        let mut arr = MorrisArray::new(1 << 20, 1.1, 5).expect("valid");
        let mut rng = SplitMix64::new(6);
        b.iter(|| {
            (0..BATCH).for_each(|_| {
                let i = (rng.next_word() >> 44) as usize;
                let _ = black_box(arr.increment(i));
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("counting/estimate");
    let mut rng = SplitMix64::new(7);
    for p in [12u8, 14] {
        let mut ll = LogLog::new(p).expect("valid p");
        let mut sll = SuperLogLog::new(p).expect("valid p");
        for _ in 0..(20u64 << p) {
            let h = rng.next_word();
            ll.insert_hash(h);
            sll.insert_hash(h);
        }
        g.bench_function(format!("lessram LogLog p={p}"), |b| {
            b.iter(|| black_box(&ll).estimate())
        });
        g.bench_function(format!("lessram SuperLogLog p={p}"), |b| {
            b.iter(|| black_box(&sll).estimate())
        });
    }
    let mut kmv = Kmv::new(4096).expect("valid k");
    for _ in 0..1_000_000 {
        kmv.insert_hash(rng.next_word());
    }
    g.bench_function("lessram Kmv k=4096", |b| {
        b.iter(|| black_box(&kmv).estimate())
    });
    g.finish();
}
