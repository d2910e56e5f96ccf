//! Counting distinct items: sketches that estimate how many different items a stream holds
//! in a fixed, small amount of memory.
//!
//! # Overview
//!
//! * [`HyperLogLog`]: `0.75 * 2^p` bytes, relative standard error `1.04 / sqrt(2^p)` (0.81%
//!   in 12 KiB at `p = 14`), exact while small, mergeable, with Ertl's corrected estimator
//!   (no bias tables, no error bump) and the 20% more accurate HIP estimator for sketches
//!   fed by one stream.
//!
//! Every sketch implements [`DistinctCount`](crate::DistinctCount) (insert, `insert_hash`,
//! `estimate(&self)`, `merge`), [`MemoryUsage`](crate::MemoryUsage) and
//! [`Codec`](crate::Codec).
//!
//! # Usage
//!
//! ```
//! use lessram::{DistinctCount, HyperLogLog};
//!
//! fn count<C: DistinctCount>(c: &mut C, text: &str) -> f64 {
//!     text.split_whitespace().for_each(|w| c.insert(w));
//!     c.estimate()
//! }
//! let mut hll = HyperLogLog::new(12)?;
//! assert_eq!(count(&mut hll, "to be or not to be"), 4.0);
//! # Ok::<(), lessram::Error>(())
//! ```

pub mod hyperloglog;

pub use hyperloglog::HyperLogLog;
