//! Counting the tokens of text: the engine of `lessram count`, as a library.
//!
//! # Overview
//!
//! A [`Counter`] reads files, readers or byte slices, cuts them into tokens as
//! [`TokenOptions`] says (ASCII-whitespace words or lines, optionally lower-cased), hashes
//! each token once with 128-bit MurmurHash3, and feeds the hashes to the [`Sink`]s you give
//! it: any [`DistinctCount`](crate::DistinctCount) sketch through [`Distinct`], any
//! [`Membership`](crate::Membership) filter through [`Filter`], a
//! [`MorrisCounter`](crate::MorrisCounter) through [`Morris`], your own [`Sink`], and
//! optionally an exact count ([`ExactCount`]). It returns a [`Report`] with the sinks back
//! as values.
//!
//! [`Counter::hashing`] makes it hash as Apache DataSketches ([`DataSketchesHll`]) or Redis
//! ([`RedisHll`]) do ([`Hashing`]), so the sketches are those engines' own. [`Sketch`] is
//! any of the sinks `lessram count` runs ([`SketchKind`] builds one by name), and
//! [`Sketch::read`] and [`Sketch::write`] move it through every [`Format`]: lessram's,
//! DataSketches' HLL and Redis' `HYLL`.
//!
//! The way of a token reads in one direction, one file each:
//!
//! 1. **read** (`read.rs`): regular files by position (`pread`) on every thread at once,
//!    streams in order, gzip and zstd decompressed (features `gzip` and `zstd`), cut into
//!    blocks of whole tokens;
//! 2. **scan** (`scan.rs`, `batch.rs`): the token boundaries of a block, 64 bytes at a
//!    time (SSE2 on x86-64, SWAR elsewhere, AVX-512 or AVX2 where the CPU has it);
//! 3. **hash** (`hash.rs`, `batch.rs`): MurmurHash3 x64_128 of a batch of tokens, those
//!    under 16 bytes with no branch on their length, eight at a time with AVX-512 (four
//!    with AVX2) where the CPU has it; the vector kernels, the crate's only `unsafe`, are
//!    in `simd.rs`;
//! 4. **sinks** (`sink.rs`, `sketch.rs`, `exact.rs`): every batch of hashes into every sink;
//! 5. **report** (`count.rs`): threads merged, results returned.
//!
//! Every vector path gives bit for bit what the scalar one gives (tests compare them), so
//! a sketch is the same on every machine; [`VectorPaths`] says which ran. Set the
//! environment variable `LESSRAM_NO_AVX512` to turn the AVX-512 paths off (the AVX2 ones
//! then run where the CPU has AVX2), `LESSRAM_NO_AVX2` to turn the AVX2 ones off.
//!
//! # Usage
//!
//! Count a file's distinct words with a HyperLogLog (the same estimate as `lessram count
//! --sketch hll FILE`, see `examples/count_file.rs`):
//!
//! ```
//! use lessram::text::{Counter, Distinct, TokenOptions};
//! use lessram::{DistinctCount, HyperLogLog};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("words.txt");
//! std::fs::write(&path, "the quick brown fox jumps over the lazy dog\n")?;
//!
//! let mut counter = Counter::new(TokenOptions::words()).threads(2);
//! let hll = counter.sink(Distinct(HyperLogLog::new(14)?));
//! let mut report = counter.count_path(&path)?;
//! assert_eq!(report.tokens, 9);
//! assert_eq!(report.take(hll).0.estimate().round(), 8.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Hash the tokens of a buffer yourself, bit-identical to
//! [`Murmur3::hash_item128`](crate::ItemHasher::hash_item128) of each:
//!
//! ```
//! use lessram::ItemHasher;
//! use lessram::hash::Murmur3;
//! use lessram::text::{TokenOptions, hash_tokens};
//!
//! let mut hashes = Vec::new();
//! hash_tokens(b"Hello, World!\n", TokenOptions::words().lowercase(true), 0, &mut hashes);
//! assert_eq!(hashes, [Murmur3::new().hash_item128("hello,"), Murmur3::new().hash_item128("world!")]);
//! ```

mod batch;
mod count;
mod engines;
mod exact;
mod hash;
mod hashing;
mod kind;
mod options;
mod read;
mod recent;
mod saved;
mod scan;
#[cfg(target_arch = "x86_64")]
mod simd;
mod sink;
mod sketch;

pub use batch::{TokenHasher, VectorPaths, hash_tokens};
pub use count::{Counter, Report, SinkHandle};
pub use engines::{DataSketchesHll, DataSketchesTheta, DataSketchesUll, RedisHll, RedisUll};
pub use exact::ExactCount;
pub use hashing::Hashing;
pub use kind::{SketchKind, SketchParams};
pub use options::TokenOptions;
pub use read::Source;
pub use saved::Format;
pub use sink::{Distinct, Filter, Morris, Sink};
pub use sketch::Sketch;
