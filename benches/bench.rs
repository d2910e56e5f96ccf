//! lessram's benchmarks: one criterion binary, one module per family, peers side by side.
//!
//! Run all: `cargo bench --bench bench`; one family: `cargo bench --bench bench -- hash/`.
//! Figures and ratios are written up in `docs/performance.md`.

use criterion::{Criterion, criterion_group, criterion_main};

mod counting;
mod hash;
// Its peer `cardinality-estimator` builds only where pointers are 64 bits.
#[cfg(target_pointer_width = "64")]
mod hyperloglog;
mod membership;
mod sample;
mod ultraloglog;
mod words;

fn benches(c: &mut Criterion) {
    hash::register_benches(c);
    #[cfg(target_pointer_width = "64")]
    hyperloglog::register_benches(c);
    counting::register_benches(c);
    membership::register_benches(c);
    sample::register_benches(c);
    ultraloglog::register_benches(c);
    words::register_benches(c);
}

criterion_group!(all, benches);
criterion_main!(all);
