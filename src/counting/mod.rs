//! Counting: approximate counters and distinct-count (cardinality) sketches.
//!
//! # Overview
//!
//! | structure | counts | state | relative std error | valid range |
//! |---|---|---|---|---|
//! | [`MorrisCounter`] | events (not distinct) | 1 byte | `sqrt((a-1)/2)` for base `a` | up to `(a^255-1)/(a-1)` (5.8e76 at `a = 2`) |
//! | [`MorrisArray`] | events, per index | 1 byte per counter | as above | as above |
//! | [`Kmv`] | distinct items | `8 (k + k/4)` bytes | `1/sqrt(k-2)`; exact below `k` | any `n` |
//! | [`LogLog`] | distinct items | `2m/3` bytes (5-bit registers) | `1.30/sqrt(m)`; linear counting below `2.5 m` | up to `2^28 m` |
//! | [`SuperLogLog`] | distinct items | `2m/3` bytes | `≈ 1.10/sqrt(m)` (measured); linear counting below `2.5 m` | up to `2^28 m` |
//! | [`HyperLogLog`] | distinct items | `0.75 m` bytes (6-bit registers); less while sparse | `1.04/sqrt(m)`; HIP `0.833/sqrt(m)`; exact while sparse | any `n` |
//! | [`UltraLogLog`] | distinct items | `m` bytes (8-bit registers) | `0.782/sqrt(m)` (FGRA); martingale `0.658/sqrt(m)` | any `n` |
//!
//! [`HyperLogLog`] is the one to use: exact while small, mergeable, with Ertl's corrected
//! estimator (no bias tables, no error bump) and the 20% more accurate HIP estimator for
//! sketches fed by one stream. The others are the calibrated baselines of the book's
//! chapter.
//!
//! Every distinct-count sketch implements [`DistinctCount`](crate::DistinctCount)
//! (`insert`, `insert_hash`, `estimate(&self)`, `merge`), [`MemoryUsage`](crate::MemoryUsage)
//! and [`Codec`](crate::Codec); merging sketches whose parameters, hash or seed differ is an
//! [`Error::Incompatible`](crate::Error::Incompatible) naming both sides. The measured bias
//! and error of each, against `n`, are in `docs/accuracy.md`
//! (`cargo run --release --example accuracy`).
//!
//! # Usage
//!
//! ```
//! use lessram::{DistinctCount, HyperLogLog, Kmv, LogLog, SuperLogLog};
//!
//! fn count<C: DistinctCount>(c: &mut C, text: &str) -> f64 {
//!     text.split_whitespace().for_each(|w| c.insert(w));
//!     c.estimate()
//! }
//! let text = "the quick brown fox jumps over the lazy dog the end";
//! assert_eq!(count(&mut HyperLogLog::new(12)?, text), 9.0); // exact while sparse
//! assert_eq!(count(&mut Kmv::new(256)?, text), 9.0); // exact below k
//! // LogLog and SuperLogLog use linear counting on their empty registers while small:
//! // 9 items in 1024 registers read 9.04 unless two share a register.
//! assert!((count(&mut LogLog::new(10)?, text) - 9.0).abs() < 0.1);
//! assert!((count(&mut SuperLogLog::new(10)?, text) - 9.0).abs() < 0.1);
//! # Ok::<(), lessram::Error>(())
//! ```

pub mod hyperloglog;
pub mod kmv;
pub mod loglog;
pub mod morris;
pub mod ultraloglog;

pub use hyperloglog::HyperLogLog;
pub use kmv::Kmv;
pub use loglog::{LogLog, SuperLogLog};
pub use morris::{MorrisArray, MorrisCounter, SeededMorrisCounter, SplitMix64};
pub use ultraloglog::UltraLogLog;
