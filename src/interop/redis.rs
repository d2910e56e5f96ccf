//! Redis' HyperLogLog: the `HYLL` string behind `PFADD`, `PFCOUNT` and `PFMERGE`.
//!
//! # Overview
//!
//! Redis keeps a HyperLogLog of precision 14 (16,384 registers of 6 bits) in an ordinary
//! string value. It hashes each element's bytes with MurmurHash64A (Austin Appleby's 64-bit
//! hash, seed `0xadc83b19`); the low 14 bits of the hash pick the register and the register
//! value is one more than the number of trailing zeros of the other 50 bits (at most 51).
//!
//! [`RedisHasher`] hashes an item exactly that way and hands the hash to
//! [`HyperLogLog`] with its bits rotated so that lessram's own rule (register from the top
//! `p` bits, value from the trailing zeros of the rest, capped at `65 - p`) picks the same
//! register and value at `p = 14`. A `HyperLogLog<RedisHasher>` of precision 14 is therefore
//! register for register the sketch Redis builds from the same elements, and:
//!
//! * [`to_hyll`] writes it as a `HYLL` string (sparse while small, as Redis keeps it, else
//!   dense), with the cached cardinality filled in: `SET key <bytes>` in Redis gives a key
//!   that `PFCOUNT` and `PFMERGE` take as one of their own;
//! * [`from_hyll`] reads what `GET key` returns, in either encoding;
//! * [`pfcount`] is the number `PFCOUNT` answers for the same registers (Redis' estimator
//!   is Ertl's corrected raw estimator, the one [`HyperLogLog::estimate`] uses once dense,
//!   rounded to an integer).
//!
//! Redis sees every element as a byte string: `PFADD key 42` adds the two bytes `"42"`, so
//! insert `"42"` (not the integer `42u64`, which lessram hashes as 8 little-endian bytes) to
//! match it.
//!
//! # Format
//!
//! A 16-byte header: the magic `HYLL`, the encoding (0 dense, 1 sparse), three unused bytes,
//! and the cached cardinality as a little-endian `u64` whose most significant bit, when set,
//! marks the cache as stale. Then, dense: 12,288 bytes of 6-bit registers, register `i` in
//! bits `6 i .. 6 i + 6`, least significant bit first (the layout lessram's dense
//! HyperLogLog keeps in memory, so the bytes are copied as they are). Sparse: a run-length
//! code: `00xxxxxx` is `xxxxxx + 1` zero registers, `01xxxxxx yyyyyyyy` is
//! `xxxxxxyyyyyyyy + 1` zero registers, `1vvvvvxx` is `xx + 1` registers holding
//! `vvvvv + 1`; the runs cover the 16,384 registers exactly. `docs/interop.md` has the
//! details and what is and is not kept across the formats.
//!
//! # Example
//!
//! ```
//! use lessram::interop::redis;
//!
//! let mut hll = redis::new();
//! for i in 0..100_000u32 {
//!     hll.insert(&i.to_string()); // as `PFADD key 0 1 2 ...`
//! }
//! let bytes = redis::to_hyll(&hll)?;
//! assert_eq!(bytes.len(), 16 + 12_288); // dense
//! let back = redis::from_hyll(&bytes)?;
//! assert_eq!(back.registers(), hll.registers());
//! assert_eq!(redis::cached_cardinality(&bytes)?, Some(redis::pfcount(&hll)));
//! # Ok::<(), lessram::Error>(())
//! ```

use std::hash::{BuildHasher, Hasher};

use crate::HyperLogLog;
use crate::error::{Error, Result};
use crate::hash::{FromSaved, ItemHasher};

const NAME: &str = "Redis HYLL";

/// The precision of every Redis HyperLogLog: `2^14` registers.
pub const PRECISION: u8 = 14;
/// The seed Redis hashes elements with.
pub const SEED: u32 = 0xadc8_3b19;
/// Registers in a Redis HyperLogLog.
const REGISTERS: usize = 1 << PRECISION;
/// Bytes of the header.
const HEADER: usize = 16;
/// Bytes of the dense registers.
const DENSE_REGISTERS: usize = REGISTERS * 6 / 8;
/// The encoding byte of a dense string.
const DENSE: u8 = 0;
/// The encoding byte of a sparse string.
const SPARSE: u8 = 1;
/// The largest register value the sparse code can hold.
const SPARSE_MAX_VALUE: u8 = 32;
/// Redis' default `hll-sparse-max-bytes`: past this length (header included) it keeps the
/// dense encoding.
pub const SPARSE_MAX_BYTES: usize = 3000;

/// A `HyperLogLog` that hashes as Redis does (see the [module docs](self)).
pub type RedisHyperLogLog = HyperLogLog<RedisHasher>;

/// MurmurHash64A of `bytes` with `seed`, as Redis computes it (on a little-endian machine:
/// Redis reads the 8-byte blocks in the machine's order, and every platform it ships on
/// is little-endian).
///
/// # Example
///
/// ```
/// use lessram::interop::redis::{murmur_hash64a, SEED};
///
/// assert_ne!(murmur_hash64a(b"foo", SEED), murmur_hash64a(b"bar", SEED));
/// ```
#[must_use]
pub fn murmur_hash64a(bytes: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = u64::from(seed) ^ (bytes.len() as u64).wrapping_mul(M);
    let mut blocks = bytes.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().expect("8-byte block"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut t = [0u8; 8];
        t[..tail.len()].copy_from_slice(tail);
        h ^= u64::from_le_bytes(t);
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The hasher of Redis' HyperLogLog: MurmurHash64A with seed [`SEED`], rotated right by 14
/// bits so that [`HyperLogLog`] at precision 14 takes the register Redis takes (its low 14
/// bits) from the top and the value from the 50 bits Redis counts trailing zeros in.
///
/// As a [`BuildHasher`] it buffers the bytes written (MurmurHash64A mixes the length in
/// first, so it cannot stream); lessram's structures call [`ItemHasher::hash_bytes`], which
/// does not allocate. Its identity in lessram's own format is its fingerprint, so a saved
/// `HyperLogLog<RedisHasher>` decodes with it and with no other hasher.
///
/// # Example
///
/// ```
/// use lessram::interop::redis::{murmur_hash64a, RedisHasher, SEED};
/// use lessram::ItemHasher;
///
/// let h = murmur_hash64a(b"foo", SEED);
/// assert_eq!(RedisHasher.hash_item("foo"), h.rotate_right(14));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RedisHasher;

impl BuildHasher for RedisHasher {
    type Hasher = RedisBytesHasher;

    fn build_hasher(&self) -> RedisBytesHasher {
        RedisBytesHasher { bytes: Vec::new() }
    }
}

impl ItemHasher for RedisHasher {
    #[inline]
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        murmur_hash64a(bytes, SEED).rotate_right(u32::from(PRECISION))
    }
}

impl FromSaved for RedisHasher {
    fn from_saved(hash_id: u8, seed: u64) -> Result<Self> {
        let h = RedisHasher;
        crate::codec::check_hash_fields((h.hash_id(), h.seed()), (hash_id, seed))?;
        Ok(h)
    }
}

/// The [`Hasher`] of [`RedisHasher`]: keeps the bytes written and hashes them on `finish`.
#[derive(Clone, Debug, Default)]
pub struct RedisBytesHasher {
    bytes: Vec<u8>,
}

impl Hasher for RedisBytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        RedisHasher.hash_bytes(&self.bytes)
    }
}

/// An empty Redis-compatible sketch (precision 14, [`RedisHasher`]).
///
/// # Example
///
/// ```
/// let mut hll = lessram::interop::redis::new();
/// hll.insert("x");
/// assert_eq!(hll.estimate(), 1.0);
/// ```
#[must_use]
pub fn new() -> RedisHyperLogLog {
    HyperLogLog::with_hasher(PRECISION, RedisHasher).expect("precision 14 is valid")
}

/// The encoding of a `HYLL` string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// 12,288 bytes of packed 6-bit registers.
    Dense,
    /// Run lengths of equal registers: small while few registers are set; cannot hold a
    /// register above 32.
    Sparse,
}

fn check_sketch(hll: &RedisHyperLogLog) -> Result<()> {
    if hll.precision() == PRECISION {
        Ok(())
    } else {
        Err(Error::invalid_input(
            NAME,
            format!(
                "Redis keeps precision {PRECISION}, the sketch has precision {}",
                hll.precision()
            ),
        ))
    }
}

/// The number `PFCOUNT` answers for the sketch's registers: Ertl's corrected raw estimate,
/// rounded to the nearest integer (halves away from zero, as C's `llroundl`).
///
/// While the sketch is sparse, [`HyperLogLog::estimate`] is its exact count; `pfcount` is
/// what Redis, which keeps only registers, reports for the same elements.
///
/// # Example
///
/// ```
/// use lessram::interop::redis;
///
/// let mut hll = redis::new();
/// (0..1000u32).for_each(|i| hll.insert(&i.to_string()));
/// assert_eq!(hll.estimate(), 1000.0); // exact while sparse
/// assert!(redis::pfcount(&hll).abs_diff(1000) < 30); // as Redis: within its error
/// ```
#[must_use]
pub fn pfcount(hll: &RedisHyperLogLog) -> u64 {
    let e = hll.registers_estimate();
    if e.is_finite() && e >= 0.0 {
        e.round() as u64
    } else {
        u64::MAX
    }
}

/// The sketch as a `HYLL` string in the encoding Redis would keep it in: sparse while
/// every register is at most 32 and the string is at most [`SPARSE_MAX_BYTES`], else
/// dense. The cached cardinality is [`pfcount`], marked valid.
///
/// # Errors
///
/// [`Error::InvalidInput`] unless the sketch has precision 14.
///
/// # Example
///
/// ```
/// use lessram::interop::redis;
///
/// let mut hll = redis::new();
/// hll.insert("a");
/// let bytes = redis::to_hyll(&hll)?;
/// assert_eq!(bytes[4], 1); // sparse
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn to_hyll(hll: &RedisHyperLogLog) -> Result<Vec<u8>> {
    check_sketch(hll)?;
    match sparse_bytes(hll) {
        Some(b) if b.len() <= SPARSE_MAX_BYTES => Ok(b),
        _ => to_hyll_as(hll, Encoding::Dense),
    }
}

/// The sketch as a `HYLL` string in the encoding asked for, with the cached cardinality
/// ([`pfcount`]) marked valid.
///
/// # Errors
///
/// [`Error::InvalidInput`] unless the sketch has precision 14, or for
/// [`Encoding::Sparse`] when a register is above 32 (the sparse code cannot hold it).
///
/// # Example
///
/// ```
/// use lessram::interop::redis::{self, Encoding};
///
/// let hll = redis::new();
/// assert_eq!(redis::to_hyll_as(&hll, Encoding::Dense)?.len(), 16 + 12_288);
/// assert_eq!(redis::to_hyll_as(&hll, Encoding::Sparse)?.len(), 16 + 2);
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn to_hyll_as(hll: &RedisHyperLogLog, encoding: Encoding) -> Result<Vec<u8>> {
    check_sketch(hll)?;
    match encoding {
        Encoding::Dense => {
            let mut out = header(DENSE, pfcount(hll));
            out.extend_from_slice(&hll.packed_registers());
            Ok(out)
        }
        Encoding::Sparse => sparse_bytes(hll).ok_or_else(|| {
            Error::invalid_input(
                NAME,
                format!("a register above {SPARSE_MAX_VALUE}: the sparse encoding cannot hold it"),
            )
        }),
    }
}

fn header(encoding: u8, card: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + DENSE_REGISTERS);
    out.extend_from_slice(b"HYLL");
    out.extend_from_slice(&[encoding, 0, 0, 0]);
    out.extend_from_slice(&card.to_le_bytes());
    out
}

/// The sparse string, or `None` if a register is above 32.
fn sparse_bytes(hll: &RedisHyperLogLog) -> Option<Vec<u8>> {
    let regs = hll.registers();
    if regs.iter().any(|&r| r > SPARSE_MAX_VALUE) {
        return None;
    }
    let mut out = header(SPARSE, pfcount(hll));
    let mut i = 0;
    while i < regs.len() {
        let v = regs[i];
        let run = regs[i..].iter().take_while(|&&r| r == v).count();
        i += run;
        let mut left = run;
        if v == 0 {
            while left > 0 {
                if left > 64 {
                    let n = left.min(REGISTERS);
                    let code = (n - 1) as u16;
                    out.push(0x40 | (code >> 8) as u8);
                    out.push(code as u8);
                    left -= n;
                } else {
                    out.push((left - 1) as u8);
                    left = 0;
                }
            }
        } else {
            while left > 0 {
                let n = left.min(4);
                out.push(0x80 | ((v - 1) << 2) | (n - 1) as u8);
                left -= n;
            }
        }
    }
    Some(out)
}

/// The cached cardinality of a `HYLL` string: `Some` when the cache is valid, `None` when
/// it is marked stale (Redis recomputes it on the next `PFCOUNT`).
///
/// # Errors
///
/// [`Error::Truncated`] for fewer than 16 bytes; [`Error::Corrupt`] without the `HYLL`
/// magic.
///
/// # Example
///
/// ```
/// use lessram::interop::redis;
///
/// let bytes = redis::to_hyll(&redis::new())?;
/// assert_eq!(redis::cached_cardinality(&bytes)?, Some(0));
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn cached_cardinality(bytes: &[u8]) -> Result<Option<u64>> {
    let h = read_header(bytes)?;
    Ok(h.card)
}

struct Header {
    encoding: u8,
    card: Option<u64>,
}

fn read_header(bytes: &[u8]) -> Result<Header> {
    if bytes.len() < HEADER {
        return Err(Error::Truncated {
            what: "Redis HYLL header",
            needed: HEADER as u64,
            available: bytes.len() as u64,
        });
    }
    if &bytes[..4] != b"HYLL" {
        return Err(Error::corrupt(
            NAME,
            format!("magic {:02x?}, expected \"HYLL\"", &bytes[..4]),
        ));
    }
    let card = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    Ok(Header {
        encoding: bytes[4],
        card: (card >> 63 == 0).then_some(card),
    })
}

/// Reads a `HYLL` string, dense or sparse, as Redis' `GET` returns it, into a dense sketch
/// (Redis keeps no HIP estimate; the cached cardinality is not used: see
/// [`cached_cardinality`]).
///
/// # Errors
///
/// [`Error::Truncated`] for fewer than 16 bytes or a cut sparse code; [`Error::Corrupt`] for
/// a wrong magic, an encoding other than 0 and 1, a dense string of another length than
/// 12,304 bytes, a register above 51, or sparse runs that do not cover exactly 16,384
/// registers. It never panics, whatever the bytes.
///
/// # Example
///
/// ```
/// use lessram::interop::redis;
///
/// // What Redis stores for a key made by `PFADD key` with no element: all registers zero.
/// let mut empty = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0".to_vec();
/// empty.extend_from_slice(&[0x7f, 0xff]);
/// assert_eq!(redis::pfcount(&redis::from_hyll(&empty)?), 0);
/// assert!(redis::from_hyll(b"HYLL").is_err());
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn from_hyll(bytes: &[u8]) -> Result<RedisHyperLogLog> {
    let h = read_header(bytes)?;
    let body = &bytes[HEADER..];
    let packed = match h.encoding {
        DENSE => {
            if body.len() != DENSE_REGISTERS {
                return Err(Error::corrupt(
                    NAME,
                    format!(
                        "a dense string holds {} bytes, found {}",
                        HEADER + DENSE_REGISTERS,
                        bytes.len()
                    ),
                ));
            }
            body.to_vec()
        }
        SPARSE => sparse_to_packed(body)?,
        other => {
            return Err(Error::corrupt(
                NAME,
                format!("encoding {other}, expected 0 (dense) or 1 (sparse)"),
            ));
        }
    };
    HyperLogLog::from_packed_registers(PRECISION, RedisHasher, &packed).map_err(|(i, v)| {
        Error::corrupt(
            NAME,
            format!("register {i} holds {v}, above the maximum 51"),
        )
    })
}

/// Decodes the sparse run-length code into packed dense registers.
fn sparse_to_packed(code: &[u8]) -> Result<Vec<u8>> {
    let mut packed = vec![0u8; DENSE_REGISTERS];
    let mut i = 0usize; // next register
    let mut at = 0usize; // next code byte
    while at < code.len() {
        let op = code[at];
        let (value, run, len) = if op & 0x80 != 0 {
            (((op >> 2) & 0x1f) + 1, usize::from(op & 3) + 1, 1)
        } else if op & 0x40 == 0 {
            (0, usize::from(op & 0x3f) + 1, 1)
        } else {
            let Some(&low) = code.get(at + 1) else {
                return Err(Error::Truncated {
                    what: "Redis HYLL sparse XZERO opcode",
                    needed: 2,
                    available: 1,
                });
            };
            (0, (usize::from(op & 0x3f) << 8 | usize::from(low)) + 1, 2)
        };
        if run > REGISTERS - i {
            return Err(Error::corrupt(
                NAME,
                format!(
                    "sparse runs cover more than {REGISTERS} registers (a run of {run} at register {i}, byte {})",
                    HEADER + at
                ),
            ));
        }
        if value > 0 {
            for r in i..i + run {
                set_packed(&mut packed, r, value);
            }
        }
        i += run;
        at += len;
    }
    if i != REGISTERS {
        return Err(Error::corrupt(
            NAME,
            format!("sparse runs cover {i} registers, expected {REGISTERS}"),
        ));
    }
    Ok(packed)
}

/// Sets register `i` (zero before) of packed 6-bit registers to `v`.
fn set_packed(packed: &mut [u8], i: usize, v: u8) {
    let bit = 6 * i;
    let (byte, shift) = (bit / 8, bit % 8);
    let word = u16::from(v) << shift;
    packed[byte] |= word as u8;
    if shift > 2 {
        packed[byte + 1] |= (word >> 8) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis' own reading of a packed register (`HLL_DENSE_GET_REGISTER`).
    fn get_packed(packed: &[u8], i: usize) -> u8 {
        let bit = 6 * i;
        let (byte, shift) = (bit / 8, bit % 8);
        let hi = packed.get(byte + 1).copied().unwrap_or(0);
        ((u16::from_le_bytes([packed[byte], hi]) >> shift) & 63) as u8
    }

    /// Redis' register and value for an element (`hllPatLen`).
    fn redis_index_count(element: &[u8]) -> (usize, u8) {
        let h = murmur_hash64a(element, SEED);
        let index = (h & (REGISTERS as u64 - 1)) as usize;
        let rest = (h >> PRECISION) | (1u64 << 50);
        (index, rest.trailing_zeros() as u8 + 1)
    }

    #[test]
    fn registers_are_those_redis_computes() {
        let mut hll = new();
        let mut want = vec![0u8; REGISTERS];
        for i in 0..200_000u32 {
            let e = format!("element:{i}");
            hll.insert(&e);
            let (j, c) = redis_index_count(e.as_bytes());
            want[j] = want[j].max(c);
        }
        assert_eq!(hll.registers(), want);
        let packed = hll.packed_registers();
        assert!((0..REGISTERS).all(|i| get_packed(&packed, i) == want[i]));
    }

    #[test]
    fn murmur_hash64a_tail_lengths_differ() {
        // Every tail length reaches the mix: prefixes of one string hash apart.
        let s = b"abcdefghijklmnopq";
        let hashes: Vec<u64> = (0..=s.len())
            .map(|n| murmur_hash64a(&s[..n], SEED))
            .collect();
        let mut sorted = hashes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), hashes.len());
        assert_ne!(murmur_hash64a(b"a", SEED), murmur_hash64a(b"a", SEED + 1));
    }

    #[test]
    fn sparse_and_dense_round_trip() {
        for n in [0u32, 1, 10, 300, 3_000, 30_000] {
            let mut hll = new();
            (0..n).for_each(|i| hll.insert(&i.to_string()));
            for enc in [Encoding::Dense, Encoding::Sparse] {
                let Ok(bytes) = to_hyll_as(&hll, enc) else {
                    assert_eq!(enc, Encoding::Sparse);
                    assert!(hll.registers().iter().any(|&r| r > 32));
                    continue;
                };
                let back = from_hyll(&bytes).unwrap();
                assert_eq!(back.registers(), hll.registers(), "n {n} {enc:?}");
                assert_eq!(pfcount(&back), pfcount(&hll));
                assert_eq!(back.estimate().round() as u64, pfcount(&hll));
                assert_eq!(cached_cardinality(&bytes).unwrap(), Some(pfcount(&hll)));
            }
            let auto = to_hyll(&hll).unwrap();
            assert_eq!(auto[4], if n <= 300 { SPARSE } else { DENSE }, "n {n}");
        }
    }

    #[test]
    fn sparse_code_is_canonical() {
        let mut hll = new();
        let empty = to_hyll_as(&hll, Encoding::Sparse).unwrap();
        assert_eq!(&empty[HEADER..], &[0x7f, 0xff]);
        // One element: XZERO/ZERO before it, one VAL, XZERO/ZERO after.
        hll.insert("x");
        let (j, c) = redis_index_count(b"x");
        let code = &to_hyll_as(&hll, Encoding::Sparse).unwrap()[HEADER..];
        let val = 0x80 | ((c - 1) << 2);
        let pos = code.iter().position(|&b| b == val).unwrap();
        assert_eq!(
            sparse_to_packed(code).map(|p| get_packed(&p, j)).unwrap(),
            c
        );
        assert!(pos <= 2 && code.len() <= pos + 3, "{code:02x?} at {j}");
    }

    #[test]
    fn hostile_strings_are_refused() {
        let good = to_hyll_as(&new(), Encoding::Sparse).unwrap();
        assert!(matches!(
            from_hyll(&good[..15]),
            Err(Error::Truncated { .. })
        ));
        let mut bad = good.clone();
        bad[0] = b'h';
        assert!(matches!(from_hyll(&bad), Err(Error::Corrupt { .. })));
        let mut bad = good.clone();
        bad[4] = 2;
        assert!(
            from_hyll(&bad)
                .unwrap_err()
                .to_string()
                .contains("encoding 2")
        );
        // Too few registers, too many, a cut XZERO.
        let mut short = good[..HEADER].to_vec();
        short.push(0x3f);
        assert!(
            from_hyll(&short)
                .unwrap_err()
                .to_string()
                .contains("cover 64")
        );
        let mut long = good.clone();
        long.push(0x00);
        assert!(
            from_hyll(&long)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
        let mut cut = good[..HEADER].to_vec();
        cut.push(0x7f);
        assert!(matches!(from_hyll(&cut), Err(Error::Truncated { .. })));
        // A dense string of the wrong length, a dense register above 51.
        let dense = to_hyll_as(&new(), Encoding::Dense).unwrap();
        assert!(from_hyll(&dense[..dense.len() - 1]).is_err());
        let mut high = dense.clone();
        high[HEADER] = 52;
        assert!(
            from_hyll(&high)
                .unwrap_err()
                .to_string()
                .contains("above the maximum 51")
        );
        // Every prefix and every single-bit flip: an error or a sketch, never a panic.
        let mut hll = new();
        (0..500u32).for_each(|i| hll.insert(&i.to_string()));
        for bytes in [to_hyll_as(&hll, Encoding::Sparse).unwrap(), dense] {
            for n in 0..bytes.len().min(600) {
                let _ = from_hyll(&bytes[..n]);
            }
            for bit in 0..(bytes.len() * 8).min(8 * 600) {
                let mut b = bytes.clone();
                b[bit / 8] ^= 1 << (bit % 8);
                let _ = from_hyll(&b);
            }
        }
    }

    #[test]
    fn stale_cache_reads_as_none() {
        let mut bytes = to_hyll(&new()).unwrap();
        bytes[15] |= 0x80;
        assert_eq!(cached_cardinality(&bytes).unwrap(), None);
        assert!(from_hyll(&bytes).is_ok());
    }

    #[test]
    fn other_precisions_are_refused() {
        let hll = HyperLogLog::with_hasher(12, RedisHasher).unwrap();
        let e = to_hyll(&hll).unwrap_err().to_string();
        assert!(e.contains("precision 14"), "{e}");
    }

    #[test]
    fn merge_is_pfmerge() {
        let (mut a, mut b, mut both) = (new(), new(), new());
        for i in 0..20_000u32 {
            let e = i.to_string();
            if i % 3 == 0 {
                a.insert(&e);
            } else {
                b.insert(&e);
            }
            both.insert(&e);
        }
        a.merge(&b).unwrap();
        assert_eq!(a.registers(), both.registers());
        assert_eq!(pfcount(&a), pfcount(&both));
    }

    #[test]
    fn lessram_format_keeps_the_hasher() {
        use crate::Codec;
        let mut hll = new();
        hll.insert("a");
        let back = <RedisHyperLogLog as Codec>::from_bytes(&hll.to_bytes()).unwrap();
        assert_eq!(back.registers(), hll.registers());
        assert!(crate::HyperLogLog::from_bytes(&hll.to_bytes()).is_err());
    }
}
