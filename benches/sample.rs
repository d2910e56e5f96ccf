//! Generating the sample corpus `lessram count` counts when given no input, through its
//! reader into a 256 KiB buffer (what the counter's threads do), no counting.

use std::hint::black_box;
use std::io::Read;

use criterion::{Criterion, Throughput};
use lessram::sample::SampleCorpus;

/// Reads `corpus` to its end through a 256 KiB buffer; returns the bytes read.
fn drain(corpus: &SampleCorpus, buf: &mut [u8]) -> u64 {
    let mut reader = corpus.reader();
    let mut total = 0;
    loop {
        let n = reader.read(buf).expect("the sample's reader never fails");
        if n == 0 {
            return total;
        }
        total += n as u64;
        black_box(&buf[..n]);
    }
}

pub(crate) fn register_benches(c: &mut Criterion) {
    // The first million tokens of the default corpus (about 5.9 MB of text).
    let corpus = SampleCorpus::new(1_000_000);
    let mut buf = vec![0u8; 256 << 10];
    let bytes = drain(&corpus, &mut buf);
    let mut g = c.benchmark_group("sample/generate");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("1M tokens, one thread", |b| {
        b.iter(|| drain(black_box(&corpus), &mut buf))
    });
    g.finish();
}
