//! Apache DataSketches' HLL sketch: the bytes of Spark SQL's `hll_sketch_agg`, Druid, Hive,
//! Pinot and the `datasketches` libraries for Java, C++ and Python.
//!
//! # Overview
//!
//! DataSketches hashes an item's bytes with MurmurHash3 x64_128, seed [`SEED`] (9001), and
//! turns the two 64-bit halves into a *coupon*: a 26-bit address (the low 26 bits of the first
//! half) and a value, one more than the number of leading zeros of the second half, at most
//! 63. A sketch of `k = 2^lg_k` slots keeps, in slot `address mod k`, the largest value seen.
//! While few items have been seen it keeps the coupons themselves instead: a LIST of up to 7,
//! then (from `lg_k` 8) a hash SET of up to `3k/32`, then the HLL array of slots, stored in 4,
//! 6 or 8 bits a slot (the target types `HLL_4`, `HLL_6`, `HLL_8`).
//!
//! [`DataSketchesHasher`] hashes an item exactly that way and hands lessram's [`HyperLogLog`]
//! of precision `lg_k` a 64-bit hash laid out so that lessram's own rule (register from the top
//! `lg_k` bits, value from the trailing zeros of the rest) picks DataSketches' slot and value.
//! The hash depends only on the coupon, so the sketch's sparse form holds DataSketches'
//! coupons, and it turns dense at the same item DataSketches leaves its coupons (from `lg_k`
//! 8 lessram's sparse form holds `3k/32` hashes, as DataSketches' SET; below, this hasher
//! keeps it at 7, as DataSketches' LIST). So a `HyperLogLog<DataSketchesHasher>` is, item for
//! item, the sketch DataSketches builds:
//!
//! * [`to_bytes`] writes it as DataSketches serializes it, compact or updatable, in the
//!   target type asked for, in the mode DataSketches would be in (the empty sketch and LIST
//!   while at most 7 coupons, SET from 8 coupons at `lg_k >= 8`, HLL once dense);
//! * [`from_bytes`] reads every one of those forms, whoever wrote them (Java, C++, Python);
//! * once dense, [`HyperLogLog::estimate_hip`] is DataSketches' HIP accumulator, bit for bit:
//!   lessram restarts it from DataSketches' own value at the switch and adds the same
//!   increments (`k / (KxQ0 + KxQ1)`, computed from exact register sums), so the estimate
//!   DataSketches reports for a sketch read from lessram's bytes is the one it reports for its
//!   own sketch of the same items.
//!
//! DataSketches hashes a string as its UTF-8 bytes (and ignores the empty string), an integer
//! as the 8 little-endian bytes of an `i64` (`update(42)` in Python or Java), a byte array as
//! its bytes. Insert `"w1"`, `&42i64` or `&[u8]` into lessram's sketch to match; a `u32` or
//! `i32` would be hashed as 4 bytes, which DataSketches never does; skip empty strings as it
//! does.
//!
//! # What a round trip keeps
//!
//! Registers and coupons always. The HIP accumulator is written (and the sketch marked in
//! order) when lessram's HIP estimate is DataSketches' own: for a sketch built from one
//! stream (or read from an in-order DataSketches sketch and fed more items), with no register
//! at lessram's maximum `65 - lg_k` (a value DataSketches reaches once in `2^(64 - lg_k)`
//! items). After a lessram merge of a dense sketch, or with a saturated register, lessram
//! writes the *out-of-order* flag instead, as DataSketches does after a union: DataSketches
//! then estimates from the slots alone (its composite estimator), honest but not HIP.
//! `docs/interop.md` gives the fields, and the rare coupons (a value above 38, one item in
//! `2^38`) whose address bits above `lg_k` lessram does not keep.
//!
//! # Example
//!
//! ```
//! use lessram::interop::datasketches::{self, Target};
//!
//! let mut hll = datasketches::new(12)?;
//! for i in 0..10_000i64 {
//!     hll.insert(&i); // as `sketch.update(i)` in Python or Java
//! }
//! let bytes = datasketches::to_bytes(&hll, Target::Hll8, true)?;
//! assert_eq!(bytes.len(), 40 + 4096); // HLL mode, one byte per slot
//! let back = datasketches::from_bytes(&bytes)?;
//! assert_eq!(back.registers(), hll.registers());
//! assert_eq!(back.estimate_hip(), hll.estimate_hip()); // DataSketches' own estimate
//! # Ok::<(), lessram::Error>(())
//! ```

use std::hash::{BuildHasher, Hasher};

use crate::HyperLogLog;
use crate::counting::hyperloglog::{MAX_PRECISION, MIN_PRECISION};
use crate::error::{Error, Result};
use crate::hash::{FromSaved, ItemHasher, Murmur3Hasher, murmur3_x64_128};

const NAME: &str = "DataSketches HLL";

/// The seed DataSketches hashes items with (`DEFAULT_UPDATE_SEED`).
pub const SEED: u32 = 9001;
/// The smallest `lg_k` DataSketches (and lessram) allow.
pub const MIN_LG_K: u8 = MIN_PRECISION;
/// The largest `lg_k` lessram's [`HyperLogLog`] holds (DataSketches allows up to 21).
pub const MAX_LG_K: u8 = MAX_PRECISION;
/// The largest `lg_k` DataSketches allows.
const DATASKETCHES_MAX_LG_K: u8 = 21;

/// Bits of a coupon's address.
const ADDRESS_BITS: u32 = 26;
const ADDRESS_MASK: u32 = (1 << ADDRESS_BITS) - 1;
/// The largest value a coupon or a slot holds.
const MAX_VALUE: u8 = 63;
#[cfg(test)]
/// The largest value whose coupon keeps all of its address bits in lessram's hash.
const LOSSLESS_VALUE: u8 = 38;
/// Slots of a LIST (`2^LG_INIT_LIST_SIZE`): it holds up to 7 coupons.
const LIST_SLOTS: usize = 8;
/// The smallest SET table, `2^5` slots.
const LG_MIN_SET: u8 = 5;
/// The smallest `lg_k` with a SET mode.
const MIN_SET_LG_K: u8 = 8;

const SER_VER: u8 = 1;
const FAMILY: u8 = 7;
const PRE_INTS_LIST: u8 = 2;
const PRE_INTS_SET: u8 = 3;
const PRE_INTS_HLL: u8 = 10;
const HLL_HEADER: usize = 40;

/// Reserved (once big-endian); every library writes it 0.
const FLAG_RESERVED: u8 = 1;
const FLAG_EMPTY: u8 = 4;
const FLAG_COMPACT: u8 = 8;
const FLAG_OUT_OF_ORDER: u8 = 16;
/// C++: the sketch started in HLL mode; Java: a union's KxQ and curMin are stale.
const FLAG_FULL_SIZE_OR_REBUILD: u8 = 32;

/// A nibble of an `HLL_4` array that says "look the value up in the exception table".
const AUX_TOKEN: u8 = 15;

/// DataSketches' HIP accumulator right after its switch to HLL mode, per `lg_k` from 4 to
/// 18: its coupon estimate of the coupons it then holds (8 from a LIST below `lg_k` 8,
/// `3k/32 + 1` from a SET from 8). Measured with the `datasketches` package 5.2.0
/// (`tests/golden/datasketches/make.py` writes them to `promotion.txt`, which
/// `tests/interop_datasketches.rs` compares with these bits).
const PROMOTION_HIP: [u64; 15] = [
    0x4020_0000_04aa_aaad, // lg_k 4: 8 coupons
    0x4020_0000_04aa_aaad, // 5: 8
    0x4020_0000_04aa_aaad, // 6: 8
    0x4020_0000_04aa_aaad, // 7: 8
    0x4039_0000_1900_001e, // 8: 25
    0x4048_8000_3100_0073, // 9: 49
    0x4058_4000_6100_01c2, // 10: 97
    0x4068_2000_c100_06f3, // 11: 193
    0x4078_1001_8100_1b9d, // 12: 385
    0x4088_0803_0100_6dde, // 13: 769
    0x4098_0406_0101_b6ff, // 14: 1537
    0x40a8_020c_0106_dbda, // 15: 3073
    0x40b8_0118_011b_6ffa, // 16: 6145
    0x40c8_00b0_016d_600a, // 17: 12289
    0x40d8_00a0_02b5_abbf, // 18: 24577
];

/// A `HyperLogLog` that hashes as DataSketches does (see the [module docs](self)).
pub type DataSketchesHyperLogLog = HyperLogLog<DataSketchesHasher>;

/// The target type of a DataSketches HLL sketch: how many bits its HLL array keeps a slot in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// 4 bits a slot, offsets from the smallest value, with an exception table for values
    /// 15 or more above it (`k / 2` bytes and a few exceptions): the smallest, and the Java
    /// library's default (Python's is `HLL_8`).
    Hll4,
    /// 6 bits a slot (`3k / 4 + 1` bytes).
    Hll6,
    /// One byte a slot (`k` bytes): the fastest to update.
    Hll8,
}

impl Target {
    fn code(self) -> u8 {
        match self {
            Target::Hll4 => 0,
            Target::Hll6 => 1,
            Target::Hll8 => 2,
        }
    }

    /// Bytes of the HLL array at `lg_k`.
    fn array_bytes(self, lg_k: u8) -> usize {
        let k = 1usize << lg_k;
        match self {
            Target::Hll4 => k / 2,
            Target::Hll6 => k * 3 / 4 + 1,
            Target::Hll8 => k,
        }
    }
}

impl std::str::FromStr for Target {
    type Err = Error;

    /// Parses `hll4`, `hll6` or `hll8` (ignoring case and an underscore: DataSketches'
    /// `HLL_4` too).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::datasketches::Target;
    /// assert_eq!("HLL_4".parse::<Target>()?, Target::Hll4);
    /// assert!("hll5".parse::<Target>().is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().replace('_', "").as_str() {
            "hll4" => Ok(Target::Hll4),
            "hll6" => Ok(Target::Hll6),
            "hll8" => Ok(Target::Hll8),
            other => Err(Error::invalid_input(
                NAME,
                format!("unknown target type {other:?} (known: hll4, hll6, hll8)"),
            )),
        }
    }
}

/// The mode of a DataSketches HLL sketch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Up to 7 coupons, in the order they came.
    List,
    /// A hash table of coupons (`lg_k >= 8`, up to `3k / 32` coupons).
    Set,
    /// The array of `k` slots.
    Hll,
}

/// The header fields of DataSketches HLL bytes, as [`header`] reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `log2` of the number of slots.
    pub lg_k: u8,
    /// The target type.
    pub target: Target,
    /// The current mode.
    pub mode: Mode,
    /// Compact (no empty table slots) or updatable.
    pub compact: bool,
    /// The empty flag.
    pub empty: bool,
    /// The out-of-order flag: the HIP accumulator is not valid (after a union).
    pub out_of_order: bool,
}

/// DataSketches' coupon of a 128-bit MurmurHash3 (as [`murmur3_x64_128`] returns it, first
/// half in the low 64 bits): the value (leading zeros of the second half plus one, at most
/// 63) above the low 26 bits of the first half.
///
/// # Example
///
/// ```
/// use lessram::hash::murmur3_x64_128;
/// use lessram::interop::datasketches::{coupon, SEED};
///
/// let c = coupon(murmur3_x64_128(b"w1", SEED));
/// let (address, value) = (c & ((1 << 26) - 1), c >> 26);
/// assert!((1..=63).contains(&value));
/// assert_eq!(address, murmur3_x64_128(b"w1", SEED) as u32 & ((1 << 26) - 1));
/// ```
#[must_use]
pub fn coupon(hash: u128) -> u32 {
    let (first, second) = (hash as u64, (hash >> 64) as u64);
    let value = second.leading_zeros().min(u32::from(MAX_VALUE) - 1) + 1;
    (value << ADDRESS_BITS) | (first as u32 & ADDRESS_MASK)
}

/// lessram's 64-bit hash of a coupon at `lg_k`: the slot in the top `lg_k` bits; below it,
/// the value as the position of the lowest set bit (so lessram's rank is the value, capped at
/// `65 - lg_k`), with the other address bits above that bit while they fit (values up to 38).
fn hash_of_coupon(coupon: u32, lg_k: u8) -> u64 {
    let address = u64::from(coupon & ADDRESS_MASK);
    let value = u32::from(coupon_value(coupon));
    let width = 64 - u32::from(lg_k);
    let slot = address & ((1 << lg_k) - 1);
    let rest = if value <= width {
        let high = address >> lg_k;
        ((1u64 << (value - 1)) | high.checked_shl(value).unwrap_or(0)) & ((1u64 << width) - 1)
    } else {
        0
    };
    (slot << width) | rest
}

/// The coupon a lessram hash at `lg_k` stands for (the inverse of [`hash_of_coupon`] for
/// values up to 38; above, the address bits that did not fit are zero, and a rank at
/// lessram's maximum stands for that value).
fn coupon_of_hash(hash: u64, lg_k: u8) -> u32 {
    let width = 64 - u32::from(lg_k);
    let slot = (hash >> width) as u32;
    let rest = hash & ((1u64 << width) - 1);
    let (value, high) = if rest == 0 {
        (width + 1, 0)
    } else {
        let v = rest.trailing_zeros() + 1;
        (v, rest.checked_shr(v).unwrap_or(0))
    };
    let address = (u64::from(slot) | (high << lg_k)) as u32 & ADDRESS_MASK;
    (value << ADDRESS_BITS) | address
}

fn coupon_value(coupon: u32) -> u8 {
    (coupon >> ADDRESS_BITS) as u8
}

/// The hasher of DataSketches' HLL sketch at one `lg_k`: MurmurHash3 x64_128 with seed
/// [`SEED`], turned into DataSketches' coupon (see [`coupon`]) and laid out so that
/// [`HyperLogLog`] of precision `lg_k` takes DataSketches' slot and value.
///
/// The layout depends on `lg_k`, so each `lg_k` is its own hasher: sketches of different
/// `lg_k` do not merge in lessram (DataSketches' union folds by the *low* bits of the slot,
/// lessram's merge by the top ones), and a saved `HyperLogLog<DataSketchesHasher>` decodes
/// with the hasher of its own `lg_k` only. As a [`BuildHasher`] it streams (MurmurHash3 does).
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches::DataSketchesHasher;
/// use lessram::{HyperLogLog, ItemHasher};
///
/// let h = DataSketchesHasher::new(12)?;
/// let mut hll = HyperLogLog::with_hasher(12, h)?;
/// hll.insert("w1");
/// assert_eq!(hll.estimate(), 1.0);
/// assert_ne!(h.hash_item("w1"), DataSketchesHasher::new(14)?.hash_item("w1"));
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DataSketchesHasher {
    lg_k: u8,
}

impl DataSketchesHasher {
    /// The hasher for sketches of `2^lg_k` slots.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `4 <= lg_k <= 18` (lessram's precisions;
    /// DataSketches' larger ones, 19 to 21, are out of lessram's range).
    pub fn new(lg_k: u8) -> Result<Self> {
        if (MIN_LG_K..=MAX_LG_K).contains(&lg_k) {
            Ok(Self { lg_k })
        } else {
            Err(Error::parameter("lg_k", lg_k, "4..=18"))
        }
    }

    /// `log2` of the number of slots.
    #[must_use]
    pub fn lg_k(&self) -> u8 {
        self.lg_k
    }

    /// The coupon of an item's bytes, as DataSketches computes it.
    #[must_use]
    pub fn coupon_of(&self, bytes: &[u8]) -> u32 {
        coupon(murmur3_x64_128(bytes, SEED))
    }

    /// The hash this hasher gives an item whose 128-bit MurmurHash3 with seed [`SEED`] is
    /// `hash` (as [`murmur3_x64_128`] returns it): for callers that hash once with that seed,
    /// such as a [`Counter`](crate::text::Counter) seeded 9001, and feed the sketch with
    /// [`HyperLogLog::insert_hash`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::hash::murmur3_x64_128;
    /// use lessram::interop::datasketches::{DataSketchesHasher, SEED};
    /// use lessram::ItemHasher;
    ///
    /// let h = DataSketchesHasher::new(12)?;
    /// assert_eq!(h.hash_of_murmur3(murmur3_x64_128(b"w1", SEED)), h.hash_item("w1"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn hash_of_murmur3(&self, hash: u128) -> u64 {
        hash_of_coupon(coupon(hash), self.lg_k)
    }
}

impl BuildHasher for DataSketchesHasher {
    type Hasher = DataSketchesBytesHasher;

    fn build_hasher(&self) -> DataSketchesBytesHasher {
        DataSketchesBytesHasher {
            murmur: Murmur3Hasher::with_seed(SEED),
            lg_k: self.lg_k,
        }
    }
}

impl ItemHasher for DataSketchesHasher {
    #[inline]
    fn hash_bytes(&self, bytes: &[u8]) -> u64 {
        hash_of_coupon(coupon(murmur3_x64_128(bytes, SEED)), self.lg_k)
    }

    fn dense_start_hip(&self, precision: u8, distinct: usize) -> Option<f64> {
        // lessram turns dense when DataSketches leaves its coupons (LIST below lg_k 8, SET
        // from 8), holding the same coupons: it restarts from DataSketches' HIP there.
        let i = usize::from(precision.checked_sub(MIN_LG_K)?);
        (precision == self.lg_k && distinct == switch_coupons(precision))
            .then(|| PROMOTION_HIP.get(i).map(|&b| f64::from_bits(b)))
            .flatten()
    }

    fn hyperloglog_sparse_limit(&self, precision: u8) -> Option<usize> {
        (precision < MIN_SET_LG_K).then_some(LIST_SLOTS - 1)
    }
}

/// The coupons DataSketches holds when it switches to HLL mode at `lg_k`: 8 from a LIST
/// below `lg_k` 8, `3k/32 + 1` from a SET from 8.
fn switch_coupons(lg_k: u8) -> usize {
    if lg_k < MIN_SET_LG_K {
        LIST_SLOTS
    } else {
        (3usize << lg_k) / 32 + 1
    }
}

impl FromSaved for DataSketchesHasher {
    fn from_saved(hash_id: u8, seed: u64) -> Result<Self> {
        for lg_k in MIN_LG_K..=MAX_LG_K {
            let h = Self { lg_k };
            if (h.hash_id(), h.seed()) == (hash_id, seed) {
                return Ok(h);
            }
        }
        let h = Self { lg_k: 12 };
        crate::codec::check_hash_fields((h.hash_id(), h.seed()), (hash_id, seed))?;
        Ok(h)
    }
}

/// The [`Hasher`] of [`DataSketchesHasher`]: streaming MurmurHash3, turned into lessram's
/// hash of the coupon on `finish`.
#[derive(Clone, Debug)]
pub struct DataSketchesBytesHasher {
    murmur: Murmur3Hasher,
    lg_k: u8,
}

impl Hasher for DataSketchesBytesHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.murmur.write(bytes);
    }

    fn finish(&self) -> u64 {
        hash_of_coupon(coupon(self.murmur.finish128()), self.lg_k)
    }
}

/// An empty sketch of `2^lg_k` slots hashing as DataSketches does.
///
/// # Errors
///
/// [`Error::InvalidParameter`] unless `4 <= lg_k <= 18`.
///
/// # Example
///
/// ```
/// let mut hll = lessram::interop::datasketches::new(12)?;
/// hll.insert("a");
/// assert_eq!(hll.estimate(), 1.0);
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn new(lg_k: u8) -> Result<DataSketchesHyperLogLog> {
    HyperLogLog::with_hasher(lg_k, DataSketchesHasher::new(lg_k)?)
}

/// The sketch's `lg_k`, or the error for a sketch whose precision is not its hasher's.
fn check_sketch(hll: &DataSketchesHyperLogLog) -> Result<u8> {
    let lg_k = hll.hasher().lg_k;
    if hll.precision() == lg_k {
        Ok(lg_k)
    } else {
        Err(Error::invalid_input(
            NAME,
            format!(
                "the sketch has precision {} but its hasher is DataSketches' for lg_k {lg_k}",
                hll.precision()
            ),
        ))
    }
}

/// `log2` of the smallest power of two at least `count` (1 for 0) that keeps `count` at most
/// three quarters full, and at least `2^min_lg`: the table size DataSketches grows its SET
/// and its exception table to.
fn table_lg(count: usize, min_lg: u8) -> u8 {
    let mut size = count.max(1).next_power_of_two();
    if 4 * count > 3 * size {
        size *= 2;
    }
    (size.trailing_zeros() as u8).max(min_lg)
}

/// The exception table's smallest size at `lg_k` (`LG_AUX_ARR_INTS`).
fn aux_min_lg(lg_k: u8) -> u8 {
    match lg_k {
        0..=6 => 2,
        7..=9 => 3,
        10..=11 => 4,
        12..=13 => 5,
        _ => lg_k - 8,
    }
}

/// Inserts `entry` in an open-addressing table of `2^lg` slots at the probe sequence of
/// `key` (DataSketches' SET and exception table: start at `key mod size`, stride
/// `(key / size) | 1`). The caller keeps the table below full.
fn table_insert(table: &mut [u32], lg: u8, key: u32, entry: u32) {
    let mask = (1u32 << lg) - 1;
    let stride = (key >> lg) | 1;
    let mut probe = key & mask;
    while table[probe as usize] != 0 {
        probe = (probe + stride) & mask;
    }
    table[probe as usize] = entry;
}

/// The sketch in DataSketches' serialized form: `target` type, compact or updatable, in the
/// mode DataSketches would keep it in (see the [module docs](self)).
///
/// # Errors
///
/// [`Error::InvalidInput`] when the sketch's precision is not its hasher's `lg_k` (a sketch
/// made with [`HyperLogLog::with_hasher`] and a mismatched hasher).
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches::{self, header, Mode, Target};
///
/// let mut hll = datasketches::new(12)?;
/// let empty = datasketches::to_bytes(&hll, Target::Hll4, true)?;
/// assert_eq!(empty.len(), 8); // DataSketches' empty sketch
/// (0..5i64).for_each(|i| hll.insert(&i));
/// assert_eq!(header(&datasketches::to_bytes(&hll, Target::Hll4, true)?)?.mode, Mode::List);
/// (0..300i64).for_each(|i| hll.insert(&i));
/// assert_eq!(header(&datasketches::to_bytes(&hll, Target::Hll4, true)?)?.mode, Mode::Set);
/// (0..3000i64).for_each(|i| hll.insert(&i));
/// assert_eq!(header(&datasketches::to_bytes(&hll, Target::Hll4, true)?)?.mode, Mode::Hll);
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn to_bytes(hll: &DataSketchesHyperLogLog, target: Target, compact: bool) -> Result<Vec<u8>> {
    let lg_k = check_sketch(hll)?;
    if let Some(hashes) = hll.sparse_hashes() {
        let mut coupons: Vec<u32> = hashes.iter().map(|&h| coupon_of_hash(h, lg_k)).collect();
        coupons.sort_unstable();
        coupons.dedup();
        if coupons.len() < LIST_SLOTS {
            return Ok(list_bytes(lg_k, target, compact, &coupons));
        }
        if lg_k >= MIN_SET_LG_K {
            return Ok(set_bytes(lg_k, target, compact, &coupons));
        }
    }
    Ok(hll_bytes(hll, lg_k, target, compact))
}

fn preamble(
    pre_ints: u8,
    lg_k: u8,
    lg_arr: u8,
    flags: u8,
    byte6: u8,
    mode: u8,
    target: Target,
) -> Vec<u8> {
    vec![
        pre_ints,
        SER_VER,
        FAMILY,
        lg_k,
        lg_arr,
        flags,
        byte6,
        (target.code() << 2) | mode,
    ]
}

fn list_bytes(lg_k: u8, target: Target, compact: bool, coupons: &[u32]) -> Vec<u8> {
    let mut flags = if compact { FLAG_COMPACT } else { 0 };
    if coupons.is_empty() {
        flags |= FLAG_EMPTY;
    }
    let mut out = preamble(
        PRE_INTS_LIST,
        lg_k,
        3,
        flags,
        coupons.len() as u8,
        0,
        target,
    );
    for &c in coupons {
        out.extend_from_slice(&c.to_le_bytes());
    }
    if !compact {
        out.resize(8 + 4 * LIST_SLOTS, 0);
    }
    out
}

fn set_bytes(lg_k: u8, target: Target, compact: bool, coupons: &[u32]) -> Vec<u8> {
    let lg = table_lg(coupons.len(), LG_MIN_SET);
    let mut table = vec![0u32; 1 << lg];
    for &c in coupons {
        table_insert(&mut table, lg, c & ADDRESS_MASK, c);
    }
    let flags = if compact { FLAG_COMPACT } else { 0 };
    let mut out = preamble(PRE_INTS_SET, lg_k, lg, flags, 0, 1, target);
    out.extend_from_slice(&(coupons.len() as u32).to_le_bytes());
    for &c in &table {
        if !compact || c != 0 {
            out.extend_from_slice(&c.to_le_bytes());
        }
    }
    out
}

/// `KxQ0` and `KxQ1`: the sums of `2^-v` over the slots with `v < 32` and `v >= 32`,
/// computed exactly (DataSketches' running sums are exact in `f64`, so these are its bits).
fn kxq(values: &[u8]) -> (f64, f64) {
    let (mut low, mut high) = (0u64, 0u64);
    for &v in values {
        if v < 32 {
            low += 1 << (31 - v);
        } else {
            high += 1 << (63 - v);
        }
    }
    (
        low as f64 / 2_147_483_648.0,
        high as f64 / 9_223_372_036_854_775_808.0,
    )
}

/// The HIP accumulator lessram can vouch for as DataSketches' own, or `None`.
fn datasketches_hip(hll: &DataSketchesHyperLogLog, lg_k: u8, values: &[u8]) -> Option<f64> {
    if values.iter().any(|&v| v >= 65 - lg_k) {
        return None;
    }
    hll.estimate_hip()
}

fn hll_bytes(hll: &DataSketchesHyperLogLog, lg_k: u8, target: Target, compact: bool) -> Vec<u8> {
    let values = hll.registers();
    let k = values.len();
    let hip = datasketches_hip(hll, lg_k, &values);
    let (kxq0, kxq1) = kxq(&values);
    let min = values.iter().copied().min().unwrap_or(0);
    let cur_min = if target == Target::Hll4 { min } else { 0 };
    let at_cur_min = values.iter().filter(|&&v| v == cur_min).count() as u32;
    let mut flags = if compact { FLAG_COMPACT } else { 0 };
    if hip.is_none() {
        flags |= FLAG_OUT_OF_ORDER;
    }
    if cur_min == 0 && at_cur_min as usize == k {
        flags |= FLAG_EMPTY;
    }
    let mut array = vec![0u8; target.array_bytes(lg_k)];
    let mut exceptions = Vec::new();
    match target {
        Target::Hll8 => array[..k].copy_from_slice(&values),
        Target::Hll6 => {
            let packed = hll.packed_registers();
            array[..packed.len()].copy_from_slice(&packed);
        }
        Target::Hll4 => {
            for (i, &v) in values.iter().enumerate() {
                let mut nibble = v - cur_min;
                if nibble >= AUX_TOKEN {
                    nibble = AUX_TOKEN;
                    exceptions.push((u32::from(v) << ADDRESS_BITS) | i as u32);
                }
                array[i / 2] |= nibble << (4 * (i % 2));
            }
        }
    }
    let (aux_lg, aux_table) = if exceptions.is_empty() {
        (0, Vec::new())
    } else {
        let lg = table_lg(exceptions.len(), aux_min_lg(lg_k));
        let mut table = vec![0u32; 1 << lg];
        for &e in &exceptions {
            table_insert(&mut table, lg, e & ((1 << lg_k) - 1), e);
        }
        (lg, table)
    };
    let mut out = preamble(PRE_INTS_HLL, lg_k, aux_lg, flags, cur_min, 2, target);
    out.extend_from_slice(&hip.unwrap_or(0.0).to_le_bytes());
    out.extend_from_slice(&kxq0.to_le_bytes());
    out.extend_from_slice(&kxq1.to_le_bytes());
    out.extend_from_slice(&at_cur_min.to_le_bytes());
    out.extend_from_slice(&(exceptions.len() as u32).to_le_bytes());
    out.extend_from_slice(&array);
    if target == Target::Hll4 {
        if aux_table.is_empty() {
            if !compact {
                out.resize(out.len() + (4 << aux_min_lg(lg_k)), 0);
            }
        } else {
            for &e in &aux_table {
                if !compact || e != 0 {
                    out.extend_from_slice(&e.to_le_bytes());
                }
            }
        }
    }
    out
}

fn truncated(what: &'static str, needed: usize, available: usize) -> Error {
    Error::Truncated {
        what,
        needed: needed as u64,
        available: available as u64,
    }
}

fn corrupt(detail: impl Into<String>) -> Error {
    Error::corrupt(NAME, detail)
}

/// Reads the 8-byte preamble every DataSketches HLL sketch starts with.
///
/// # Errors
///
/// [`Error::Truncated`] for fewer than 8 bytes; [`Error::Corrupt`] naming the field for a
/// serial version other than 1, a family other than 7 (HLL), `lg_k` outside 4..=21, a
/// preamble size that does not match the mode (2 LIST, 3 SET, 10 HLL), mode or target type 3,
/// or flag 1 (reserved, once big-endian; never set by the libraries).
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches::{self, header, Mode, Target};
///
/// let bytes = datasketches::to_bytes(&datasketches::new(10)?, Target::Hll6, false)?;
/// let h = header(&bytes)?;
/// assert_eq!((h.lg_k, h.target, h.mode, h.compact, h.empty), (10, Target::Hll6, Mode::List, false, true));
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn header(bytes: &[u8]) -> Result<Header> {
    if bytes.len() < 8 {
        return Err(truncated("DataSketches HLL preamble", 8, bytes.len()));
    }
    if bytes[1] != SER_VER {
        return Err(corrupt(format!("serial version {}, expected 1", bytes[1])));
    }
    if bytes[2] != FAMILY {
        return Err(corrupt(format!(
            "family {}, expected 7 (HLL): not an HLL sketch",
            bytes[2]
        )));
    }
    let lg_k = bytes[3];
    if !(MIN_LG_K..=DATASKETCHES_MAX_LG_K).contains(&lg_k) {
        return Err(corrupt(format!("lg_k {lg_k} out of range 4..=21")));
    }
    let flags = bytes[5];
    if flags & FLAG_RESERVED != 0 {
        return Err(corrupt(
            "flag 1 (reserved, once big-endian) is set; every library writes it 0",
        ));
    }
    let (mode, pre_ints) = match bytes[7] & 3 {
        0 => (Mode::List, PRE_INTS_LIST),
        1 => (Mode::Set, PRE_INTS_SET),
        2 => (Mode::Hll, PRE_INTS_HLL),
        _ => {
            return Err(corrupt(
                "mode 3 in the mode byte, expected 0 (LIST), 1 (SET) or 2 (HLL)",
            ));
        }
    };
    if bytes[0] != pre_ints {
        return Err(corrupt(format!(
            "preamble of {} ints for {mode:?} mode, expected {pre_ints}",
            bytes[0]
        )));
    }
    let target = match (bytes[7] >> 2) & 3 {
        0 => Target::Hll4,
        1 => Target::Hll6,
        2 => Target::Hll8,
        _ => {
            return Err(corrupt(
                "target type 3 in the mode byte, expected 0 (HLL_4), 1 (HLL_6) or 2 (HLL_8)",
            ));
        }
    };
    Ok(Header {
        lg_k,
        target,
        mode,
        compact: flags & FLAG_COMPACT != 0,
        empty: flags & FLAG_EMPTY != 0,
        out_of_order: flags & FLAG_OUT_OF_ORDER != 0,
    })
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn f64_at(bytes: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn check_length(what: &'static str, bytes: &[u8], expected: usize) -> Result<()> {
    match bytes.len() {
        n if n < expected => Err(truncated(what, expected, n)),
        n if n > expected => Err(corrupt(format!(
            "{what}: {expected} bytes expected, found {n} ({} left over)",
            n - expected
        ))),
        _ => Ok(()),
    }
}

/// Reads DataSketches HLL bytes, in any mode, target type and form (compact or updatable),
/// from any of the libraries (Java, C++, Python; Spark, Druid, Hive), into a
/// `HyperLogLog<DataSketchesHasher>` of the sketch's `lg_k`: sparse from LIST and SET coupons,
/// dense from HLL slots, with DataSketches' HIP accumulator as its HIP estimate when the
/// sketch is in order.
///
/// A slot value above lessram's maximum `65 - lg_k` (DataSketches goes to 63; a value past
/// lessram's maximum comes once in `2^(64 - lg_k)` items) is read as that maximum, the value
/// lessram's own sketch of the same items would hold.
///
/// # Errors
///
/// Those of [`header`]; [`Error::Corrupt`] naming the field for an `lg_k` above 18 (lessram
/// holds at most `2^18` registers), a length other than the form's, a LIST of 8 or more
/// coupons, a SET below `lg_k` 8 or whose table does not hold its count, a zero or repeated
/// coupon, an empty flag on a sketch with coupons, an `HLL_8` slot above 63, an `HLL_4`
/// exception table that does not match its nibbles, a `curMin`, count at `curMin`, `KxQ0` or
/// `KxQ1` that disagrees with the slots, or a HIP accumulator that is negative or not finite.
/// It never panics, whatever the bytes.
///
/// # Example
///
/// ```
/// use lessram::interop::datasketches;
///
/// // What `hll_sketch(12).serialize_compact()` gives for a sketch updated with nothing.
/// let empty = [2, 1, 7, 12, 3, 12, 0, 0];
/// let hll = datasketches::from_bytes(&empty)?;
/// assert_eq!((hll.precision(), hll.estimate()), (12, 0.0));
/// assert!(datasketches::from_bytes(&empty[..7]).is_err());
/// # Ok::<(), lessram::Error>(())
/// ```
pub fn from_bytes(bytes: &[u8]) -> Result<DataSketchesHyperLogLog> {
    let h = header(bytes)?;
    if h.lg_k > MAX_LG_K {
        return Err(corrupt(format!(
            "lg_k {} is above lessram's largest precision 18",
            h.lg_k
        )));
    }
    let hasher = DataSketchesHasher { lg_k: h.lg_k };
    match h.mode {
        Mode::List => {
            let count = usize::from(bytes[6]);
            if count >= LIST_SLOTS {
                return Err(corrupt(format!(
                    "a LIST of {count} coupons; a LIST holds at most 7"
                )));
            }
            let slots = if h.compact { count } else { LIST_SLOTS };
            check_length("DataSketches HLL LIST", bytes, 8 + 4 * slots)?;
            // An updatable LIST holds its coupons first, in arrival order, except one Java
            // rebuilt from compact bytes, which hashes them into the 8 slots: take every
            // coupon, wherever it is.
            let coupons: Vec<u32> = (0..slots)
                .map(|i| u32_at(bytes, 8 + 4 * i))
                .filter(|&c| c != 0 || h.compact)
                .collect();
            if coupons.len() != count {
                return Err(corrupt(format!(
                    "a LIST whose count says {count} coupons holds {}",
                    coupons.len()
                )));
            }
            from_coupons(hasher, h, coupons)
        }
        Mode::Set => {
            if h.lg_k < MIN_SET_LG_K {
                return Err(corrupt(format!(
                    "SET mode at lg_k {}; SET mode needs lg_k 8 or more",
                    h.lg_k
                )));
            }
            if bytes.len() < 12 {
                return Err(truncated("DataSketches HLL SET count", 12, bytes.len()));
            }
            let count = u32_at(bytes, 8) as usize;
            let max = (3usize << h.lg_k) / 32;
            if count > max {
                return Err(corrupt(format!(
                    "a SET of {count} coupons; at lg_k {} a SET holds at most {max}",
                    h.lg_k
                )));
            }
            let coupons = if h.compact {
                check_length("DataSketches HLL SET", bytes, 12 + 4 * count)?;
                (0..count).map(|i| u32_at(bytes, 12 + 4 * i)).collect()
            } else {
                // As DataSketches: a size below the smallest table is recomputed from the count.
                let lg = match bytes[4] {
                    lg if lg < LG_MIN_SET => table_lg(count, LG_MIN_SET),
                    lg => lg,
                };
                if !(LG_MIN_SET..=h.lg_k - 3).contains(&lg) {
                    return Err(corrupt(format!(
                        "SET table of 2^{lg} slots, expected 2^5 to 2^{} at lg_k {}",
                        h.lg_k - 3,
                        h.lg_k
                    )));
                }
                check_length("DataSketches HLL SET", bytes, 12 + (4 << lg))?;
                let all: Vec<u32> = (0..1usize << lg)
                    .map(|i| u32_at(bytes, 12 + 4 * i))
                    .filter(|&c| c != 0)
                    .collect();
                if all.len() != count {
                    return Err(corrupt(format!(
                        "a SET whose count says {count} coupons holds {}",
                        all.len()
                    )));
                }
                all
            };
            from_coupons(hasher, h, coupons)
        }
        Mode::Hll => from_hll(hasher, h, bytes),
    }
}

fn from_coupons(
    hasher: DataSketchesHasher,
    h: Header,
    mut coupons: Vec<u32>,
) -> Result<DataSketchesHyperLogLog> {
    if h.empty && !coupons.is_empty() {
        return Err(corrupt(format!(
            "the empty flag is set on a sketch of {} coupons",
            coupons.len()
        )));
    }
    if let Some(&c) = coupons.iter().find(|&&c| coupon_value(c) == 0) {
        return Err(corrupt(format!("coupon {c:#010x} has value 0")));
    }
    coupons.sort_unstable();
    if let Some(w) = coupons.windows(2).find(|w| w[0] == w[1]) {
        return Err(corrupt(format!("coupon {:#010x} appears twice", w[0])));
    }
    let mut hll = HyperLogLog::with_hasher(h.lg_k, hasher)?;
    for c in coupons {
        hll.insert_hash(hash_of_coupon(c, h.lg_k));
    }
    Ok(hll)
}

fn from_hll(
    hasher: DataSketchesHasher,
    h: Header,
    bytes: &[u8],
) -> Result<DataSketchesHyperLogLog> {
    let lg_k = h.lg_k;
    let k = 1usize << lg_k;
    if bytes.len() < HLL_HEADER {
        return Err(truncated(
            "DataSketches HLL header",
            HLL_HEADER,
            bytes.len(),
        ));
    }
    let cur_min = bytes[6];
    let hip = f64_at(bytes, 8);
    let (kxq0, kxq1) = (f64_at(bytes, 16), f64_at(bytes, 24));
    let at_cur_min = u32_at(bytes, 32) as usize;
    let aux_count = u32_at(bytes, 36) as usize;
    let array_bytes = h.target.array_bytes(lg_k);
    if bytes.len() < HLL_HEADER + array_bytes {
        return Err(truncated(
            "DataSketches HLL array",
            HLL_HEADER + array_bytes,
            bytes.len(),
        ));
    }
    let array = &bytes[HLL_HEADER..HLL_HEADER + array_bytes];
    let aux = &bytes[HLL_HEADER + array_bytes..];
    let mut values = vec![0u8; k];
    match h.target {
        Target::Hll8 => {
            check_length("DataSketches HLL_8 sketch", bytes, HLL_HEADER + array_bytes)?;
            for (i, &v) in array[..k].iter().enumerate() {
                if v > MAX_VALUE {
                    return Err(corrupt(format!("HLL_8 slot {i} holds {v}, above 63")));
                }
                values[i] = v;
            }
        }
        Target::Hll6 => {
            check_length("DataSketches HLL_6 sketch", bytes, HLL_HEADER + array_bytes)?;
            for (i, v) in values.iter_mut().enumerate() {
                let bit = 6 * i;
                let word = u16::from_le_bytes([array[bit / 8], array[bit / 8 + 1]]);
                *v = ((word >> (bit % 8)) & 63) as u8;
            }
        }
        Target::Hll4 => read_hll4(h, cur_min, aux_count, bytes[4], array, aux, &mut values)?,
    }
    if aux_count != 0 && h.target != Target::Hll4 {
        return Err(corrupt(format!(
            "an exception count of {aux_count} in an {:?} sketch (only HLL_4 has exceptions)",
            h.target
        )));
    }
    // The fields DataSketches keeps beside the slots must be theirs; a Java union's may be
    // stale (flag 32 asks for a rebuild), and are then recomputed, as Java does.
    // HLL_6 and HLL_8 keep curMin 0, except that a Java union writes the smallest slot
    // value once no slot is empty: any other value is not theirs.
    if h.target != Target::Hll4 && cur_min != 0 && values.iter().min() != Some(&cur_min) {
        return Err(corrupt(format!(
            "curMin {cur_min} in an {:?} sketch, expected 0 or the smallest slot value",
            h.target
        )));
    }
    if bytes[5] & FLAG_FULL_SIZE_OR_REBUILD == 0 {
        let count_min = values.iter().filter(|&&v| v == cur_min).count();
        if at_cur_min != count_min {
            return Err(corrupt(format!(
                "the count at curMin {cur_min} says {at_cur_min} slots, the array has {count_min}"
            )));
        }
        let want = kxq(&values);
        if (kxq0.to_bits(), kxq1.to_bits()) != (want.0.to_bits(), want.1.to_bits()) {
            return Err(corrupt(format!(
                "KxQ0 {kxq0} and KxQ1 {kxq1} disagree with the slots ({} and {})",
                want.0, want.1
            )));
        }
    }
    let hip = if h.out_of_order {
        None
    } else if hip.is_finite() && hip >= 0.0 {
        Some(hip)
    } else {
        return Err(corrupt(format!(
            "HIP accumulator {hip}, expected a finite estimate at least 0"
        )));
    };
    let max = 65 - lg_k;
    for v in &mut values {
        *v = (*v).min(max);
    }
    let mut hll = HyperLogLog::from_registers(lg_k, hasher, &values)?;
    hll.set_dense_hip(hip);
    Ok(hll)
}

/// Decodes an `HLL_4` array and its exception table into `values`.
fn read_hll4(
    h: Header,
    cur_min: u8,
    aux_count: usize,
    aux_lg: u8,
    array: &[u8],
    aux: &[u8],
    values: &mut [u8],
) -> Result<()> {
    let k = values.len();
    let lg_k = h.lg_k;
    if cur_min > MAX_VALUE {
        return Err(corrupt(format!("curMin {cur_min}, above 63")));
    }
    let tokens = (0..k)
        .filter(|&i| (array[i / 2] >> (4 * (i % 2))) & 15 == AUX_TOKEN)
        .count();
    if tokens != aux_count {
        return Err(corrupt(format!(
            "{tokens} HLL_4 slots point to the exception table, whose count says {aux_count}"
        )));
    }
    let entries: Vec<u32> = if h.compact {
        if aux.len() != 4 * aux_count {
            return Err(corrupt(format!(
                "a compact HLL_4 exception table of {aux_count} entries takes {} bytes, found {}",
                4 * aux_count,
                aux.len()
            )));
        }
        (0..aux_count).map(|i| u32_at(aux, 4 * i)).collect()
    } else {
        let lg = if aux_count == 0 {
            aux_min_lg(lg_k)
        } else {
            aux_lg
        };
        // At most k exceptions, in a table at most three quarters full: up to 2k slots.
        if aux_count > 0 && !(aux_min_lg(lg_k)..=lg_k + 1).contains(&lg) {
            return Err(corrupt(format!(
                "an HLL_4 exception table of 2^{lg} slots, expected 2^{} to 2^{}",
                aux_min_lg(lg_k),
                lg_k + 1
            )));
        }
        if aux.len() != 4 << lg {
            return Err(corrupt(format!(
                "an updatable HLL_4 exception table of 2^{lg} slots takes {} bytes, found {}",
                4 << lg,
                aux.len()
            )));
        }
        (0..1usize << lg)
            .map(|i| u32_at(aux, 4 * i))
            .filter(|&e| e != 0)
            .collect()
    };
    if entries.len() != aux_count {
        return Err(corrupt(format!(
            "the HLL_4 exception table holds {} entries, its count says {aux_count}",
            entries.len()
        )));
    }
    for (i, v) in values.iter_mut().enumerate() {
        let nibble = (array[i / 2] >> (4 * (i % 2))) & 15;
        if nibble != AUX_TOKEN {
            let value = cur_min + nibble;
            if value > MAX_VALUE {
                return Err(corrupt(format!(
                    "HLL_4 slot {i} holds {value} (curMin {cur_min} + {nibble}), above 63"
                )));
            }
            *v = value;
        }
    }
    for e in entries {
        let slot = (e & ADDRESS_MASK) as usize;
        let value = coupon_value(e);
        if slot >= k {
            return Err(corrupt(format!(
                "HLL_4 exception for slot {slot}, beyond the {k} slots"
            )));
        }
        // A slot pointing to the table reads 0 until its entry is found (values are >= 15).
        if (array[slot / 2] >> (4 * (slot % 2))) & 15 != AUX_TOKEN || values[slot] != 0 {
            return Err(corrupt(format!(
                "HLL_4 exception for slot {slot}, whose nibble does not point to the table or which has another"
            )));
        }
        if value < cur_min.saturating_add(AUX_TOKEN) {
            return Err(corrupt(format!(
                "HLL_4 exception of slot {slot} holds {value}, below curMin {cur_min} + 15"
            )));
        }
        values[slot] = value;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DataSketches' slot and value of an item at `lg_k`, from the coupon rule.
    fn slot_value(bytes: &[u8], lg_k: u8) -> (usize, u8) {
        let h = murmur3_x64_128(bytes, SEED);
        let slot = (h as u64 & ((1 << lg_k) - 1)) as usize;
        let lz = ((h >> 64) as u64).leading_zeros().min(62);
        (slot, lz as u8 + 1)
    }

    #[test]
    fn registers_are_datasketches_slots() {
        for lg_k in [4u8, 8, 10, 12, 14, 18] {
            let mut hll = new(lg_k).unwrap();
            let mut want = vec![0u8; 1 << lg_k];
            for i in 0..50_000i64 {
                let b = i.to_le_bytes();
                hll.insert(&i);
                let (s, v) = slot_value(&b, lg_k);
                want[s] = want[s].max(v.min(65 - lg_k));
            }
            assert_eq!(hll.registers(), want, "lg_k {lg_k}");
        }
    }

    #[test]
    fn coupons_survive_lessram_hashes() {
        let mut state = 1u64;
        for lg_k in MIN_LG_K..=MAX_LG_K {
            for _ in 0..2000 {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let address = (state >> 20) as u32 & ADDRESS_MASK;
                for value in 1..=MAX_VALUE {
                    let c = (u32::from(value) << ADDRESS_BITS) | address;
                    let h = hash_of_coupon(c, lg_k);
                    let (i, rank) = crate::counting::hyperloglog::index_rank(h, lg_k);
                    assert_eq!(i, (address & ((1 << lg_k) - 1)) as usize);
                    assert_eq!(rank, value.min(65 - lg_k), "lg_k {lg_k} value {value}");
                    let back = coupon_of_hash(h, lg_k);
                    if value <= LOSSLESS_VALUE {
                        assert_eq!(back, c, "lg_k {lg_k} value {value}");
                    } else {
                        assert_eq!(back & ((1 << lg_k) - 1), address & ((1 << lg_k) - 1));
                        assert_eq!(coupon_value(back), value.min(65 - lg_k));
                    }
                }
            }
        }
    }

    #[test]
    fn every_mode_and_form_round_trips() {
        for lg_k in [4u8, 5, 7, 8, 10, 12] {
            for n in [0usize, 1, 7, 8, 20, 24, 25, 100, 400, 5000, 60_000] {
                let mut hll = new(lg_k).unwrap();
                (0..n).for_each(|i| hll.insert(&format!("w{i}")));
                for target in [Target::Hll4, Target::Hll6, Target::Hll8] {
                    for compact in [true, false] {
                        let bytes = to_bytes(&hll, target, compact).unwrap();
                        let hd = header(&bytes).unwrap();
                        assert_eq!((hd.lg_k, hd.target, hd.compact), (lg_k, target, compact));
                        let back = from_bytes(&bytes)
                            .unwrap_or_else(|e| panic!("lg_k {lg_k} n {n} {target:?}: {e}"));
                        assert_eq!(back.registers(), hll.registers(), "lg_k {lg_k} n {n}");
                        assert_eq!(back.is_sparse(), hll.is_sparse());
                        if back.is_sparse() {
                            assert_eq!(back.estimate(), hll.estimate());
                        }
                        if hd.mode == Mode::Hll {
                            assert!(!hd.out_of_order);
                            assert_eq!(back.estimate_hip(), hll.estimate_hip());
                        }
                        assert_eq!(to_bytes(&back, target, compact).unwrap(), bytes);
                    }
                }
            }
        }
    }

    #[test]
    fn hll_4_exceptions_round_trip() {
        // Registers far apart put slots in the exception table.
        let lg_k = 10;
        let mut regs = vec![20u8; 1 << lg_k];
        regs[3] = 36;
        regs[700] = 50;
        regs[1023] = 55;
        let hll = HyperLogLog::from_registers(lg_k, DataSketchesHasher::new(lg_k).unwrap(), &regs)
            .unwrap();
        for compact in [true, false] {
            let bytes = to_bytes(&hll, Target::Hll4, compact).unwrap();
            assert_eq!(bytes[6], 20);
            assert_eq!(u32_at(&bytes, 36), 3);
            let back = from_bytes(&bytes).unwrap();
            assert_eq!(back.registers(), regs);
            assert_eq!(back.estimate_hip(), None);
        }
        // Nearly every slot an exception (found by the fuzzer): a table of 2k slots.
        let lg_k = 7;
        let mut regs = vec![40u8; 1 << lg_k];
        regs[0] = 1;
        let hll = HyperLogLog::from_registers(lg_k, DataSketchesHasher::new(lg_k).unwrap(), &regs)
            .unwrap();
        for compact in [true, false] {
            let bytes = to_bytes(&hll, Target::Hll4, compact).unwrap();
            assert_eq!(bytes[4], lg_k + 1);
            assert_eq!(from_bytes(&bytes).unwrap().registers(), regs);
        }
    }

    #[test]
    fn hostile_bytes_are_refused() {
        let mut hll = new(10).unwrap();
        (0..3000i64).for_each(|i| hll.insert(&i));
        let mut samples = Vec::new();
        for n in [0usize, 3, 50, 3000] {
            let mut h = new(10).unwrap();
            (0..n as i64).for_each(|i| h.insert(&i));
            for t in [Target::Hll4, Target::Hll6, Target::Hll8] {
                for c in [true, false] {
                    samples.push(to_bytes(&h, t, c).unwrap());
                }
            }
        }
        let good = to_bytes(&hll, Target::Hll8, true).unwrap();
        let mut bad = good.clone();
        bad[2] = 3;
        assert!(
            from_bytes(&bad)
                .unwrap_err()
                .to_string()
                .contains("family 3")
        );
        let mut bad = good.clone();
        bad[3] = 19;
        assert!(
            from_bytes(&bad)
                .unwrap_err()
                .to_string()
                .contains("lg_k 19")
        );
        let mut bad = good.clone();
        bad[HLL_HEADER + 5] = 64;
        assert!(
            from_bytes(&bad)
                .unwrap_err()
                .to_string()
                .contains("above 63")
        );
        let mut bad = good.clone();
        bad[16] ^= 1;
        assert!(from_bytes(&bad).unwrap_err().to_string().contains("KxQ0"));
        assert!(matches!(
            from_bytes(&good[..39]),
            Err(Error::Truncated { .. })
        ));
        for bytes in samples {
            for n in 0..bytes.len().min(300) {
                assert!(from_bytes(&bytes[..n]).is_err() || n == bytes.len());
            }
            for bit in 0..(bytes.len() * 8).min(8 * 300) {
                let mut b = bytes.clone();
                b[bit / 8] ^= 1 << (bit % 8);
                if let Ok(h) = from_bytes(&b) {
                    let _ = h.estimate();
                }
            }
        }
    }

    #[test]
    fn java_layouts_read() {
        // Java rebuilds an updatable LIST from compact bytes by hashing its coupons into the
        // 8 slots; and a SET table size below 2^5 is recomputed from the count, as
        // DataSketches does.
        let mut hll = new(12).unwrap();
        (0..3i64).for_each(|i| hll.insert(&i));
        let list = to_bytes(&hll, Target::Hll4, false).unwrap();
        let coupons: Vec<[u8; 4]> = (0..3)
            .map(|i| list[8 + 4 * i..12 + 4 * i].try_into().unwrap())
            .collect();
        let mut hashed = list[..8].to_vec();
        hashed.resize(40, 0);
        for (slot, c) in [1usize, 4, 6].iter().zip(&coupons) {
            hashed[8 + 4 * slot..12 + 4 * slot].copy_from_slice(c);
        }
        assert_eq!(from_bytes(&hashed).unwrap().registers(), hll.registers());
        hashed[8..12].copy_from_slice(&coupons[0]);
        assert!(
            from_bytes(&hashed)
                .unwrap_err()
                .to_string()
                .contains("holds 4")
        );

        (0..100i64).for_each(|i| hll.insert(&i));
        let mut set = to_bytes(&hll, Target::Hll8, false).unwrap();
        assert_eq!((set[0], set[4]), (PRE_INTS_SET, 8));
        set[4] = 0;
        assert_eq!(from_bytes(&set).unwrap().registers(), hll.registers());
    }

    #[test]
    fn mismatched_precision_is_refused() {
        let hll = HyperLogLog::with_hasher(12, DataSketchesHasher::new(10).unwrap()).unwrap();
        let e = to_bytes(&hll, Target::Hll8, true).unwrap_err().to_string();
        assert!(e.contains("lg_k 10"), "{e}");
    }

    #[test]
    fn lessram_format_keeps_the_hasher() {
        use crate::Codec;
        let mut hll = new(14).unwrap();
        (0..5000i64).for_each(|i| hll.insert(&i));
        let back = <DataSketchesHyperLogLog as Codec>::from_bytes(&hll.to_bytes()).unwrap();
        assert_eq!(back, hll);
        assert_eq!(back.hasher().lg_k(), 14);
    }
}
