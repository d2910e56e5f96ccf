//! Sketches in the formats of the engines people already count with.
//!
//! # Overview
//!
//! A lessram [`HyperLogLog`](crate::HyperLogLog) or [`Kmv`](crate::Kmv) merges with another
//! lessram sketch. The modules here make one that other systems read and write as their own:
//!
//! * [`datasketches`]: Apache DataSketches' HLL sketch (Spark SQL's `hll_sketch_agg`, Druid,
//!   Hive, the Java, C++ and Python libraries; MurmurHash3 seed 9001, `lg_k` 4 to 18), in
//!   LIST, SET and HLL modes, the three target types, compact and updatable, with
//!   DataSketches' HIP accumulator;
//! * [`theta`]: Apache DataSketches' compact Theta sketch (the Java, C++ and Python
//!   libraries, Druid, Hive), serial versions 3 and 4 (compressed), for a
//!   [`Kmv`](crate::Kmv) that hashes as Theta sketches do;
//! * [`redis`]: the `HYLL` string of Redis' `PFADD` / `PFCOUNT` / `PFMERGE` (precision 14,
//!   MurmurHash64A), dense and sparse.
//!
//! Each module gives a hasher that hashes items exactly as the engine does, so that lessram
//! and the engine put every item in the same register with the same value; a lessram sketch
//! built with that hasher is then the engine's sketch, and its bytes can be handed over (and
//! read back) both ways. `docs/interop.md` describes each format field by field.
//!
//! # Usage
//!
//! ```
//! use lessram::interop::redis;
//!
//! let mut hll = redis::new();
//! for word in "a rose is a rose is a rose".split(' ') {
//!     hll.insert(word);
//! }
//! let bytes = redis::to_hyll(&hll)?; // `SET key <bytes>` in Redis, then `PFCOUNT key` is 3
//! assert_eq!(&bytes[..4], b"HYLL");
//! let back = redis::from_hyll(&bytes)?; // what `GET key` returns, read back
//! assert_eq!(redis::pfcount(&back), 3);
//! # Ok::<(), lessram::Error>(())
//! ```
//!
//! ```
//! use lessram::interop::datasketches::{self, Target};
//!
//! let mut hll = datasketches::new(12)?;
//! for word in "a rose is a rose is a rose".split(' ') {
//!     hll.insert(word); // as `sketch.update(word)` in DataSketches
//! }
//! let bytes = datasketches::to_bytes(&hll, Target::Hll8, true)?; // a LIST of 3 coupons
//! assert_eq!(bytes.len(), 8 + 3 * 4);
//! assert_eq!(datasketches::from_bytes(&bytes)?.estimate(), 3.0);
//! # Ok::<(), lessram::Error>(())
//! ```

pub mod datasketches;
pub mod redis;
pub mod theta;
