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
//! other `BuildHasher` in [`Custom`].
//!
//! # Hasher identity
//!
//! Two structures can only be merged, and a saved structure only decoded, with the same hash
//! function. Every hasher has an identity, a `(hash id, seed)` pair
//! ([`ItemHasher::hash_id`], [`ItemHasher::seed`]) that merges compare and frames record:
//!
//! * [`Murmur3`]: hash id [`HASH_ID_MURMUR3`] and its seed.
//! * any other hasher: hash id [`HASH_ID_FINGERPRINT`] and its [fingerprint]
//!   (`ItemHasher::fingerprint`), the hasher's own hash of two fixed probe strings. Two
//!   `RandomState`s with different keys are different functions and get different
//!   fingerprints, so their merge is refused; clones of one hasher get the same; a
//!   deterministic hasher (`BuildHasherDefault<H>`) gets the same fingerprint in every
//!   process, so its saved structures decode and are checked for real.
//!
//! Hash id [`HASH_ID_NONE`] (seed 0) marks a frame that hashes nothing (Morris counters,
//! tries, DAWGs). Releases before hasher fingerprints also wrote it for structures built with
//! a custom hasher: such frames cannot be checked and are refused with
//! [`Error::UnidentifiedHasher`](crate::Error::UnidentifiedHasher).
//!
//! [fingerprint]: ItemHasher::fingerprint

use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

const C1: u64 = 0x87c3_7b91_1142_53d5;
const C2: u64 = 0x4cf5_ad43_2745_937f;

/// Hash id written in saved structures for MurmurHash3 x64_128.
pub const HASH_ID_MURMUR3: u8 = 1;
/// Hash id written in saved structures that hash nothing (their seed is 0).
///
/// Releases before hasher fingerprints also wrote it for structures built with a custom
/// hasher; decoders refuse such frames, since their hasher cannot be checked.
pub const HASH_ID_NONE: u8 = 0;
/// Hash id written in saved structures built with any hasher other than [`Murmur3`]: the
/// seed field holds the hasher's [fingerprint](ItemHasher::fingerprint).
pub const HASH_ID_FINGERPRINT: u8 = 2;

/// The probe strings a hasher's [fingerprint](ItemHasher::fingerprint) hashes. Two of
/// different lengths, so that a hasher which ignores part of its input is still told apart.
const FINGERPRINT_PROBES: [&[u8]; 2] = [
    b"lessram hasher fingerprint",
    b"lessram hasher fingerprint: the second, longer probe",
];

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

/// A [`BuildHasher`] that lessram can feed an item's bytes and identify in merges and saved
/// structures.
///
/// The provided methods hash a byte slice by writing it with one `write` call and taking
/// `finish()`; the 128-bit form widens that 64-bit hash with a fixed mixer. [`Murmur3`]
/// overrides them with the real 64- and 128-bit MurmurHash3 on slices, and its identity with
/// `(HASH_ID_MURMUR3, seed)`. Any other hasher is identified by its
/// [fingerprint](ItemHasher::fingerprint) (see the [module documentation](self)).
///
/// # Example
///
/// ```
/// use std::collections::hash_map::DefaultHasher;
/// use std::hash::{BuildHasherDefault, RandomState};
/// use lessram::hash::{Murmur3, HASH_ID_FINGERPRINT, HASH_ID_MURMUR3};
/// use lessram::ItemHasher;
///
/// let m = Murmur3::with_seed(9001);
/// assert_eq!((m.hash_id(), m.seed()), (HASH_ID_MURMUR3, 9001));
/// // A deterministic hasher: the same fingerprint in every process.
/// let sip = BuildHasherDefault::<DefaultHasher>::default();
/// assert_eq!(sip.hash_id(), HASH_ID_FINGERPRINT);
/// assert_eq!(sip.seed(), BuildHasherDefault::<DefaultHasher>::default().seed());
/// // Two RandomStates are two different functions; a clone is the same one.
/// let (a, b) = (RandomState::new(), RandomState::new());
/// assert_ne!(a.fingerprint(), b.fingerprint());
/// assert_eq!(a.fingerprint(), a.clone().fingerprint());
/// ```
pub trait ItemHasher: BuildHasher + Clone {
    /// Id of the hash function, written in saved structures and compared by merges:
    /// [`HASH_ID_MURMUR3`] for [`Murmur3`], [`HASH_ID_FINGERPRINT`] for every other hasher.
    fn hash_id(&self) -> u8 {
        HASH_ID_FINGERPRINT
    }

    /// The seed of the hash function ([`Murmur3`]), or for any other hasher its
    /// [fingerprint](ItemHasher::fingerprint): written in saved structures and compared by
    /// merges, next to [`ItemHasher::hash_id`].
    fn seed(&self) -> u64 {
        self.fingerprint()
    }

    /// This hasher's own 64-bit hashes of two fixed probe strings, folded into one value.
    ///
    /// Equal for clones of one hasher and for deterministic hashers in every process;
    /// different (but for a 2^-64 accident) for hashers that are different functions, such
    /// as two `RandomState`s. Computed on each call: merges and codecs ask for it once.
    fn fingerprint(&self) -> u64 {
        let [a, b] = FINGERPRINT_PROBES.map(|p| self.hash_bytes(p));
        a ^ b.rotate_left(32)
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

    /// The HIP estimate a [`HyperLogLog`](crate::HyperLogLog) of `precision` built with this
    /// hasher restarts from when it turns dense, holding then `distinct` hashes (the one that
    /// overflowed the sparse form included), or `None` for lessram's own rule (the exact
    /// count before that hash, which then adds its own HIP increment).
    ///
    /// Hashers that mirror another engine's sketch override it so that the HIP estimate is
    /// the engine's, bit for bit:
    /// [`DataSketchesHasher`](crate::interop::datasketches::DataSketchesHasher) returns
    /// DataSketches' coupon estimate at its switch from coupons to registers.
    fn dense_start_hip(&self, precision: u8, distinct: usize) -> Option<f64> {
        let _ = (precision, distinct);
        None
    }

    /// How many distinct hashes a [`HyperLogLog`](crate::HyperLogLog) of `precision` built
    /// with this hasher keeps in its sparse form before it turns dense, or `None` for
    /// lessram's own `floor(3 * 2^p / 32)` (never more bytes than the dense form).
    ///
    /// [`DataSketchesHasher`](crate::interop::datasketches::DataSketchesHasher) keeps 7 below
    /// precision 8, where DataSketches keeps a LIST of up to 7 coupons.
    fn hyperloglog_sparse_limit(&self, precision: u8) -> Option<usize> {
        let _ = precision;
        None
    }

    /// The estimate a [`Kmv`](crate::Kmv) keeping `k` minima reports once it holds `k`
    /// hashes, the largest of them `kth`, or `None` for lessram's own `(k - 1) / U_k` with
    /// `U_k = (kth + 1) / 2^64`.
    ///
    /// [`ThetaHasher`](crate::interop::theta::ThetaHasher), whose hashes are 63-bit, returns
    /// Apache DataSketches' Theta estimate of the same minima, `(k - 1) / (kth / (2^63 - 1))`,
    /// in DataSketches' own floating-point steps.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::Murmur3;
    /// use lessram::interop::theta::{ThetaHasher, MAX_THETA};
    /// use lessram::ItemHasher;
    ///
    /// assert_eq!(Murmur3::new().kmv_estimate(3, 1 << 62), None);
    /// assert_eq!(ThetaHasher.kmv_estimate(3, 1 << 62), Some(2.0 / ((1u64 << 62) as f64 / MAX_THETA as f64)));
    /// ```
    fn kmv_estimate(&self, k: usize, kth: u64) -> Option<f64> {
        let _ = (k, kth);
        None
    }
}

/// A hasher that can be rebuilt from the `(hash id, seed)` a saved structure records, so
/// that `from_bytes` (and [`Codec`](crate::Codec), and serde) can decode structures built
/// with it.
///
/// [`Murmur3`] rebuilds from its seed; `BuildHasherDefault<H>` is its own default and checks
/// the saved fingerprint against its own. A hasher that is random per instance
/// (`RandomState`, [`Custom`]) cannot be rebuilt: decode its structures with their
/// `from_bytes_with_hasher(bytes, hasher)`, which checks `hasher` against the frame.
///
/// # Example
///
/// ```
/// use std::collections::hash_map::DefaultHasher;
/// use std::hash::BuildHasherDefault;
/// use lessram::hash::{FromSaved, Murmur3};
/// use lessram::ItemHasher;
///
/// let m = Murmur3::with_seed(5);
/// assert_eq!(Murmur3::from_saved(m.hash_id(), m.seed())?, m);
/// assert!(Murmur3::from_saved(0, 0).is_err());
///
/// type Sip = BuildHasherDefault<DefaultHasher>;
/// let fields = (Sip::default().hash_id(), Sip::default().seed());
/// assert!(Sip::from_saved(fields.0, fields.1).is_ok());
/// assert!(Sip::from_saved(fields.0, fields.1 ^ 1).is_err());
/// # Ok::<(), lessram::Error>(())
/// ```
///
/// A sketch over a `RandomState` has no `Codec` (and so no serde) decoder, since no
/// `RandomState` built from the bytes could be the one that hashed them:
///
/// ```compile_fail
/// use std::hash::RandomState;
/// use lessram::{Codec, HyperLogLog};
///
/// let bytes = HyperLogLog::with_hasher(10, RandomState::new())?.to_bytes();
/// let _ = <HyperLogLog<RandomState> as Codec>::from_bytes(&bytes);
/// # Ok::<(), lessram::Error>(())
/// ```
pub trait FromSaved: ItemHasher + Sized {
    /// Builds this hasher back from a frame's `(hash id, seed)`.
    ///
    /// # Errors
    ///
    /// [`Error::WrongHasher`](crate::Error::WrongHasher) when the fields name another
    /// hasher; [`Error::UnidentifiedHasher`](crate::Error::UnidentifiedHasher) for hash id
    /// [`HASH_ID_NONE`].
    fn from_saved(hash_id: u8, seed: u64) -> crate::Result<Self>;
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
}

impl FromSaved for Murmur3 {
    fn from_saved(hash_id: u8, seed: u64) -> crate::Result<Self> {
        let found = (hash_id, seed);
        match u32::try_from(seed) {
            Ok(s) if hash_id == HASH_ID_MURMUR3 => Ok(Self::with_seed(s)),
            // The closest Murmur3 to what was found: its seed when it fits, else seed 0.
            _ => Err(crate::codec::hash_fields_error(
                (HASH_ID_MURMUR3, u64::from(u32::try_from(seed).unwrap_or(0))),
                found,
            )),
        }
    }
}

impl ItemHasher for RandomState {}
impl<H: Hasher + Default> ItemHasher for BuildHasherDefault<H> {}

impl<H: Hasher + Default> FromSaved for BuildHasherDefault<H> {
    fn from_saved(hash_id: u8, seed: u64) -> crate::Result<Self> {
        let h = Self::default();
        crate::codec::check_hash_fields((h.hash_id(), h.seed()), (hash_id, seed))?;
        Ok(h)
    }
}

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

/// `Ok` when `a` and `b` hash alike (same hash id and seed, or fingerprint for hashers other
/// than [`Murmur3`]); otherwise the
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
        assert_eq!(Murmur3::from_saved(m.hash_id(), m.seed()).unwrap(), m);
        assert!(matches!(
            Murmur3::from_saved(HASH_ID_NONE, 0),
            Err(crate::Error::UnidentifiedHasher { .. })
        ));
        assert!(matches!(
            Murmur3::from_saved(HASH_ID_FINGERPRINT, 77),
            Err(crate::Error::WrongHasher { .. })
        ));
        assert!(Murmur3::from_saved(HASH_ID_MURMUR3, u64::MAX).is_err());
        type Sip = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
        let sip = Sip::default();
        assert!(Sip::from_saved(sip.hash_id(), sip.seed()).is_ok());
        assert!(Sip::from_saved(HASH_ID_FINGERPRINT, sip.seed() ^ 1).is_err());
        assert!(Sip::from_saved(HASH_ID_NONE, 0).is_err());
    }

    #[test]
    fn hashers_that_are_different_functions_have_different_identities() {
        // Before fingerprints every hasher but Murmur3 reported (0, 0), so two RandomStates
        // (two different functions) passed `check_same_hasher`.
        let (a, b) = (RandomState::new(), RandomState::new());
        assert!(check_same_hasher("Kmv", &a, &a.clone()).is_ok());
        assert!(check_same_hasher("Kmv", &a, &b).is_err());
        let (c, d) = (Custom(RandomState::new()), Custom(RandomState::new()));
        assert!(check_same_hasher("Kmv", &c, &c.clone()).is_ok());
        assert!(check_same_hasher("Kmv", &c, &d).is_err());
        // Deterministic hashers agree with themselves across instances...
        type Sip = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
        assert_eq!(Sip::default().seed(), Sip::default().seed());
        assert_eq!(Sip::default().hash_id(), HASH_ID_FINGERPRINT);
        // ...and differ from a different deterministic hasher.
        let fnv_like = Custom(BuildHasherDefault::<Fnv>::default());
        assert_ne!(fnv_like.seed(), Sip::default().seed());
    }

    /// FNV-1a: a second deterministic hasher, to tell apart from SipHash.
    #[derive(Default)]
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        }
        fn finish(&self) -> u64 {
            self.0
        }
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
