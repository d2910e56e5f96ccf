//! The stable, seedable item hash: MurmurHash3 x64_128.
//!
//! Every structure in lessram hashes an item from its **bytes**: a `str` or `[u8]` as it is,
//! an integer as its little-endian bytes (`usize`/`isize` widened to 64 bits). So the same
//! item gives the same hash on every platform, in every process and in every release, and a
//! sketch saved on one machine can be merged with one built on another.
//!
//! The function is MurmurHash3 x64_128 (Austin Appleby), bit-identical to Python's
//! `mmh3.hash128(bytes, seed)`, the `murmur3` crate and DataSketches: the 128-bit result is
//! `(h2 << 64) | h1`, and the 64-bit hash the sketches use is `h1`, its low half.
//!
//! # Example
//!
//! ```
//! use lessram::hash::{murmur3_x64_128, Murmur3};
//! use lessram::ItemHasher;
//!
//! // mmh3.hash128("foo", 42) in Python:
//! assert_eq!(murmur3_x64_128(b"foo", 42), 215966891540331383248189432718888555506);
//! // The 64-bit item hash is the low half, whatever the item's type:
//! let h = Murmur3::with_seed(42);
//! assert_eq!(h.hash_item("foo"), murmur3_x64_128(b"foo", 42) as u64);
//! assert_eq!(h.hash_item(&7u32), murmur3_x64_128(&7u32.to_le_bytes(), 42) as u64);
//! ```
//!
//! # Other hashers
//!
//! Structures are generic over `S: ItemHasher` (a [`BuildHasher`] that lessram can feed an
//! item's bytes), with [`Murmur3`] as the default. `std`'s `RandomState` and any
//! `BuildHasherDefault<H>` (e.g. `rustc-hash`'s `FxBuildHasher`) work as they are; wrap any
//! other `BuildHasher` in [`Custom`]. Only [`Murmur3`] is recorded in saved structures in a
//! way that can be checked: a structure built with another hasher saves hash id
//! [`HASH_ID_CUSTOM`] and it is the caller's job to decode it with the same hasher.

use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

/// Hash id written in saved structures for MurmurHash3 x64_128.
pub const HASH_ID_MURMUR3: u8 = 1;
/// Hash id written in saved structures whose hasher lessram cannot identify.
pub const HASH_ID_CUSTOM: u8 = 0;

#[inline(always)]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

#[inline(always)]
fn mix_k1(k1: u64) -> u64 {
    k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2)
}

#[inline(always)]
fn mix_k2(k2: u64) -> u64 {
    k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1)
}

#[inline(always)]
fn block(h1: &mut u64, h2: &mut u64, chunk: &[u8; 16]) {
    let (a, b) = chunk.split_at(8);
    let k1 = u64::from_le_bytes(a.try_into().expect("8 bytes"));
    let k2 = u64::from_le_bytes(b.try_into().expect("8 bytes"));
    *h1 ^= mix_k1(k1);
    *h1 = h1
        .rotate_left(27)
        .wrapping_add(*h2)
        .wrapping_mul(5)
        .wrapping_add(0x52dc_e729);
    *h2 ^= mix_k2(k2);
    *h2 = h2
        .rotate_left(31)
        .wrapping_add(*h1)
        .wrapping_mul(5)
        .wrapping_add(0x3849_5ab5);
}

/// Reads up to 8 bytes as a little-endian integer (missing high bytes are zero).
///
/// Two overlapping loads instead of a variable-length copy: for 4..=8 bytes the first and
/// last four; for 1..=3 the first, middle and last byte. Overlapping bytes land on the same
/// bit positions with the same values, so OR-ing them is exact.
#[inline(always)]
fn read_partial_le(b: &[u8]) -> u64 {
    let n = b.len();
    debug_assert!(n <= 8);
    if n >= 4 {
        let lo = u64::from(u32::from_le_bytes(b[..4].try_into().expect("4 bytes")));
        let hi = u64::from(u32::from_le_bytes(b[n - 4..].try_into().expect("4 bytes")));
        lo | (hi << (8 * (n - 4)))
    } else if n > 0 {
        u64::from(b[0])
            | (u64::from(b[n / 2]) << (8 * (n / 2)))
            | (u64::from(b[n - 1]) << (8 * (n - 1)))
    } else {
        0
    }
}

#[inline(always)]
fn tail_and_finish(mut h1: u64, mut h2: u64, tail: &[u8], total_len: u64) -> u128 {
    debug_assert!(tail.len() < 16);
    if tail.len() > 8 {
        h2 ^= mix_k2(read_partial_le(&tail[8..]));
    }
    if !tail.is_empty() {
        h1 ^= mix_k1(read_partial_le(&tail[..tail.len().min(8)]));
    }
    h1 ^= total_len;
    h2 ^= total_len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

/// MurmurHash3 x64_128 of `bytes` with `seed`, as `(h2 << 64) | h1`.
///
/// Bit-identical to Python's `mmh3.hash128(bytes, seed)` and to the `murmur3` crate's
/// `murmur3_x64_128`; reads the slice directly (no `io::Read`), which is what makes it fast.
///
/// # Example
///
/// ```
/// // mmh3.hash64("foo", signed=False) == (16316970633193145697, 9128664383759220103)
/// let h = lessram::hash::murmur3_x64_128(b"foo", 0);
/// assert_eq!(h as u64, 16316970633193145697);
/// assert_eq!((h >> 64) as u64, 9128664383759220103);
/// ```
#[inline]
#[must_use]
pub fn murmur3_x64_128(bytes: &[u8], seed: u32) -> u128 {
    let mut h1 = u64::from(seed);
    let mut h2 = u64::from(seed);
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        block(&mut h1, &mut h2, chunk.try_into().expect("16 bytes"));
    }
    tail_and_finish(h1, h2, chunks.remainder(), bytes.len() as u64)
}

/// The default hasher of every lessram structure: MurmurHash3 x64_128 with a 32-bit seed.
///
/// It is a [`BuildHasher`] too, so it can key a `HashMap` (its [`Hasher`] streams bytes and
/// gives the same result however the bytes are split across `write` calls).
///
/// # Example
///
/// ```
/// use std::collections::HashSet;
/// use lessram::hash::Murmur3;
///
/// let mut set: HashSet<&str, Murmur3> = HashSet::with_hasher(Murmur3::with_seed(7));
/// set.insert("stable");
/// assert!(set.contains("stable"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Murmur3 {
    seed: u32,
}

impl Murmur3 {
    /// The hasher with seed 0 (the default).
    #[must_use]
    pub const fn new() -> Self {
        Self { seed: 0 }
    }

    /// The hasher with the given seed. Structures built with different seeds cannot be merged.
    #[must_use]
    pub const fn with_seed(seed: u32) -> Self {
        Self { seed }
    }
}

impl BuildHasher for Murmur3 {
    type Hasher = Murmur3Hasher;

    fn build_hasher(&self) -> Murmur3Hasher {
        Murmur3Hasher::with_seed(self.seed)
    }
}

/// Streaming MurmurHash3 x64_128: the [`Hasher`] of [`Murmur3`].
///
/// Bytes written in any number of `write` calls hash exactly as the concatenation would;
/// integers written with `write_u32` and friends are taken as little-endian bytes, so the
/// result is the same on every platform. `finish` returns the low 64 bits (`h1`),
/// [`Murmur3Hasher::finish128`] the whole hash.
#[derive(Clone, Debug)]
pub struct Murmur3Hasher {
    h1: u64,
    h2: u64,
    buf: [u8; 16],
    buf_len: usize,
    total_len: u64,
}

impl Murmur3Hasher {
    /// A hasher with the given seed and no bytes written yet.
    #[must_use]
    pub const fn with_seed(seed: u32) -> Self {
        Self {
            h1: seed as u64,
            h2: seed as u64,
            buf: [0; 16],
            buf_len: 0,
            total_len: 0,
        }
    }

    /// The 128-bit hash of everything written so far, as `(h2 << 64) | h1`.
    #[must_use]
    pub fn finish128(&self) -> u128 {
        tail_and_finish(self.h1, self.h2, &self.buf[..self.buf_len], self.total_len)
    }
}

impl Hasher for Murmur3Hasher {
    fn write(&mut self, mut bytes: &[u8]) {
        self.total_len += bytes.len() as u64;
        if self.buf_len > 0 {
            let take = (16 - self.buf_len).min(bytes.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&bytes[..take]);
            self.buf_len += take;
            bytes = &bytes[take..];
            if self.buf_len < 16 {
                return;
            }
            let full = self.buf;
            block(&mut self.h1, &mut self.h2, &full);
            self.buf_len = 0;
        }
        let mut chunks = bytes.chunks_exact(16);
        for chunk in &mut chunks {
            block(
                &mut self.h1,
                &mut self.h2,
                chunk.try_into().expect("16 bytes"),
            );
        }
        let rest = chunks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }
    fn write_u16(&mut self, i: u16) {
        self.write(&i.to_le_bytes());
    }
    fn write_u32(&mut self, i: u32) {
        self.write(&i.to_le_bytes());
    }
    fn write_u64(&mut self, i: u64) {
        self.write(&i.to_le_bytes());
    }
    fn write_u128(&mut self, i: u128) {
        self.write(&i.to_le_bytes());
    }
    fn write_usize(&mut self, i: usize) {
        self.write(&(i as u64).to_le_bytes());
    }

    fn finish(&self) -> u64 {
        self.finish128() as u64
    }
}

/// A [`BuildHasher`] that lessram can feed an item's bytes and record in saved structures.
///
/// The provided methods hash a byte slice by writing it with one `write` call and taking
/// `finish()`; the 128-bit form widens that 64-bit hash with a fixed mixer. [`Murmur3`]
/// overrides them with the real 64- and 128-bit MurmurHash3 on slices.
///
/// # Example
///
/// ```
/// use std::hash::BuildHasherDefault;
/// use std::collections::hash_map::DefaultHasher;
/// use lessram::hash::{Murmur3, HASH_ID_CUSTOM, HASH_ID_MURMUR3};
/// use lessram::ItemHasher;
///
/// let m = Murmur3::with_seed(9001);
/// assert_eq!((m.hash_id(), m.seed()), (HASH_ID_MURMUR3, 9001));
/// let other = BuildHasherDefault::<DefaultHasher>::default();
/// assert_eq!(other.hash_id(), HASH_ID_CUSTOM);
/// assert_eq!(other.hash_item("a"), other.hash_item("a"));
/// ```
pub trait ItemHasher: BuildHasher + Clone {
    /// Id of the hash function, written in saved structures ([`HASH_ID_MURMUR3`] or
    /// [`HASH_ID_CUSTOM`]).
    fn hash_id(&self) -> u8 {
        HASH_ID_CUSTOM
    }

    /// Seed of the hash function, written in saved structures (0 when not known).
    fn seed(&self) -> u64 {
        0
    }

    /// The 64-bit hash of a byte string.
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        let mut h = self.build_hasher();
        h.write(bytes);
        h.finish()
    }

    /// The 128-bit hash of a byte string (Bloom filters split it into two 64-bit halves).
    fn hash_bytes128(&self, bytes: &[u8]) -> u128 {
        let lo = self.hash_bytes(bytes);
        let hi = fmix64(lo ^ 0x9e37_79b9_7f4a_7c15);
        (u128::from(hi) << 64) | u128::from(lo)
    }

    /// The 64-bit hash of an item, from its bytes (see [`Item`]).
    fn hash_item<T: Item + ?Sized>(&self, item: &T) -> u64 {
        item.with_bytes(|b| self.hash_bytes(b))
    }

    /// The 128-bit hash of an item, from its bytes (see [`Item`]).
    fn hash_item128<T: Item + ?Sized>(&self, item: &T) -> u128 {
        item.with_bytes(|b| self.hash_bytes128(b))
    }

    /// Builds this hasher back from a saved `(hash id, seed)`, or `None` when it cannot.
    fn from_saved(hash_id: u8, seed: u64) -> Option<Self>
    where
        Self: Sized,
    {
        let _ = (hash_id, seed);
        None
    }
}

impl ItemHasher for Murmur3 {
    fn hash_id(&self) -> u8 {
        HASH_ID_MURMUR3
    }

    fn seed(&self) -> u64 {
        u64::from(self.seed)
    }

    #[inline]
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        murmur3_x64_128(bytes, self.seed) as u64
    }

    #[inline]
    fn hash_bytes128(&self, bytes: &[u8]) -> u128 {
        murmur3_x64_128(bytes, self.seed)
    }

    fn from_saved(hash_id: u8, seed: u64) -> Option<Self> {
        (hash_id == HASH_ID_MURMUR3)
            .then(|| u32::try_from(seed).ok().map(Self::with_seed))
            .flatten()
    }
}

impl ItemHasher for RandomState {}
impl<H: Hasher + Default> ItemHasher for BuildHasherDefault<H> {}

/// Wraps any [`BuildHasher`] so that lessram structures can use it.
///
/// # Example
///
/// ```
/// use std::hash::RandomState;
/// use lessram::hash::Custom;
/// use lessram::ItemHasher;
///
/// let h = Custom(RandomState::new());
/// assert_eq!(h.hash_item(&42u64), h.hash_item(&42u64));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Custom<S>(pub S);

impl<S: BuildHasher> BuildHasher for Custom<S> {
    type Hasher = S::Hasher;
    fn build_hasher(&self) -> S::Hasher {
        self.0.build_hasher()
    }
}

impl<S: BuildHasher + Clone> ItemHasher for Custom<S> {}

/// A value lessram can hash: anything with a canonical byte form.
///
/// `str`, `String`, `[u8]`, `Vec<u8>` and `[u8; N]` hash their bytes as they are; integers
/// hash their little-endian bytes (`usize` and `isize` as 8 bytes, so a 32-bit and a 64-bit
/// platform agree). Implement it for your own type by handing over its canonical bytes.
///
/// # Example
///
/// ```
/// use lessram::hash::Murmur3;
/// use lessram::{Item, ItemHasher};
///
/// struct UserId(u64);
/// impl Item for UserId {
///     fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
///         f(&self.0.to_le_bytes())
///     }
/// }
/// let h = Murmur3::new();
/// assert_eq!(h.hash_item(&UserId(5)), h.hash_item(&5u64));
/// ```
pub trait Item {
    /// Calls `f` with this item's canonical bytes.
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R;
}

impl Item for [u8] {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

impl Item for str {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self.as_bytes())
    }
}

impl Item for String {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self.as_bytes())
    }
}

impl Item for Vec<u8> {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

impl<const N: usize> Item for [u8; N] {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        f(self)
    }
}

impl<T: Item + ?Sized> Item for &T {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        (**self).with_bytes(f)
    }
}

impl<T: Item + ?Sized> Item for Box<T> {
    #[inline]
    fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        (**self).with_bytes(f)
    }
}

macro_rules! int_items {
    ($($t:ty => $as:ty),* $(,)?) => {$(
        impl Item for $t {
            #[inline]
            fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
                f(&(*self as $as).to_le_bytes())
            }
        }
    )*};
}

int_items!(
    u8 => u8, u16 => u16, u32 => u32, u64 => u64, u128 => u128, usize => u64,
    i8 => i8, i16 => i16, i32 => i32, i64 => i64, i128 => i128, isize => i64,
);

/// `Ok` when `a` and `b` hash alike (same hash id and seed); otherwise the
/// [`Error::Incompatible`](crate::Error::Incompatible) that every structure's merge, union
/// and intersection returns, naming both hashers.
pub(crate) fn check_same_hasher<H: ItemHasher>(
    structure: &'static str,
    a: &H,
    b: &H,
) -> crate::Result<()> {
    let (a, b) = ((a.hash_id(), a.seed()), (b.hash_id(), b.seed()));
    if a == b {
        return Ok(());
    }
    Err(crate::Error::incompatible(
        structure,
        "hasher",
        format_args!("hash id {} seed {}", a.0, a.1),
        format_args!("hash id {} seed {}", b.0, b.1),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_same_hasher_names_both_hashers() {
        let (a, b) = (Murmur3::with_seed(0), Murmur3::with_seed(7));
        assert!(check_same_hasher("BloomFilter", &a, &a.clone()).is_ok());
        assert_eq!(
            check_same_hasher("BloomFilter", &a, &b)
                .unwrap_err()
                .to_string(),
            "cannot combine BloomFilters with different hasher: hash id 1 seed 0 and hash id 1 seed 7"
        );
    }
    use std::io::Cursor;

    /// A small deterministic generator (SplitMix64) so the test needs no RNG crate.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        fmix64(*state)
    }

    fn oracle(bytes: &[u8], seed: u32) -> u128 {
        murmur3::murmur3_x64_128(&mut Cursor::new(bytes), seed).expect("in-memory read")
    }

    #[test]
    fn matches_the_murmur3_crate_on_10k_random_inputs() {
        let mut state = 0x1e55_7a11;
        for i in 0..10_000 {
            let len = (splitmix(&mut state) % 300) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| splitmix(&mut state) as u8).collect();
            let seed = if i % 3 == 0 {
                0
            } else {
                splitmix(&mut state) as u32
            };
            let want = oracle(&bytes, seed);
            assert_eq!(murmur3_x64_128(&bytes, seed), want, "len {len} seed {seed}");
            // The streaming hasher, fed in uneven pieces, gives the same bits.
            let mut h = Murmur3::with_seed(seed).build_hasher();
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let take = ((splitmix(&mut state) % 20) as usize).min(rest.len());
                h.write(&rest[..take]);
                rest = &rest[take..];
            }
            assert_eq!(h.finish128(), want, "streamed, len {len} seed {seed}");
            assert_eq!(h.finish(), want as u64);
        }
    }

    #[test]
    fn matches_published_mmh3_vectors() {
        // From the mmh3 (Python) documentation.
        let h = murmur3_x64_128(b"foo", 0);
        assert_eq!(h as u64, 16_316_970_633_193_145_697);
        assert_eq!((h >> 64) as u64, 9_128_664_383_759_220_103);
        assert_eq!(
            murmur3_x64_128(b"foo", 42),
            215_966_891_540_331_383_248_189_432_718_888_555_506
        );
        // mmh3.hash_bytes("foo") is the 16 little-endian bytes of the 128-bit value.
        assert_eq!(
            &murmur3_x64_128(b"foo", 0).to_le_bytes(),
            b"aE\xf5\x01W\x86q\xe2\x87}\xba+\xe4\x87\xaf~"
        );
        // The empty input with seed 0 hashes to 0 (no bytes, no seed: fmix64(0) == 0).
        assert_eq!(murmur3_x64_128(b"", 0), 0);
    }

    #[test]
    fn items_hash_their_canonical_bytes() {
        let h = Murmur3::with_seed(3);
        assert_eq!(h.hash_item("héllo"), h.hash_bytes("héllo".as_bytes()));
        assert_eq!(h.hash_item(&String::from("x")), h.hash_item("x"));
        assert_eq!(h.hash_item(&vec![1u8, 2]), h.hash_item(&[1u8, 2]));
        assert_eq!(h.hash_item(&-1i32), h.hash_bytes(&[0xff; 4]));
        assert_eq!(h.hash_item(&5usize), h.hash_item(&5u64));
        assert_eq!(h.hash_item(&-5isize), h.hash_item(&-5i64));
        assert_eq!(h.hash_item128(&1u16), murmur3_x64_128(&[1, 0], 3));
        assert_ne!(h.hash_item("a"), Murmur3::with_seed(4).hash_item("a"));
    }

    #[test]
    fn integers_are_written_little_endian_by_the_streaming_hasher() {
        let mut a = Murmur3::new().build_hasher();
        a.write_u32(0x0102_0304);
        a.write_usize(9);
        let mut b = Murmur3::new().build_hasher();
        b.write(&[4, 3, 2, 1]);
        b.write(&9u64.to_le_bytes());
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn saved_ids_round_trip() {
        let m = Murmur3::with_seed(77);
        assert_eq!(Murmur3::from_saved(m.hash_id(), m.seed()), Some(m));
        assert_eq!(Murmur3::from_saved(HASH_ID_CUSTOM, 77), None);
        assert_eq!(Murmur3::from_saved(HASH_ID_MURMUR3, u64::MAX), None);
        assert!(RandomState::from_saved(HASH_ID_CUSTOM, 0).is_none());
    }

    #[test]
    fn generic_hashers_widen_to_128_bits() {
        let h = Custom(BuildHasherDefault::<
            std::collections::hash_map::DefaultHasher,
        >::default());
        let wide = h.hash_item128("x");
        assert_eq!(wide as u64, h.hash_item("x"));
        assert_ne!((wide >> 64) as u64, wide as u64);
    }
}
