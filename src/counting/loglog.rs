//! LogLog and SuperLogLog (Durand & Flajolet, *Loglog counting of large cardinalities*,
//! ESA 2003), done as the paper says.
//!
//! Both split the 64-bit hash: the top `p` bits choose one of `m = 2^p` registers, and the
//! rank of the remaining `64 - p` bits, `ρ` = the position of their first 1-bit counted
//! **from 1** (`ρ(1…) = 1`, `ρ(01…) = 2`), is kept if it beats the register's maximum. An
//! empty register holds 0.
//!
//! * **LogLog** estimates `E = α_m · m · 2^(mean of the registers)`, with the paper's
//!   finite-`m` constant `α_m = (Γ(-1/m) (1 - 2^(1/m)) / ln 2)^(-m)`, which tends to
//!   `α_∞ = e^(-γ) / √2 = 0.39701` (computed here, see [`LogLog::alpha`]). Relative standard
//!   error `≈ 1.30 / sqrt(m)`. The often-copied `0.79402` is the same constant for ranks
//!   counted from 0, and HyperLogLog's `0.7213` belongs to a harmonic mean: neither fits
//!   this estimator with this rank.
//! * **SuperLogLog** applies the paper's two rules. *Truncation*: the mean is taken over
//!   the `m0 = ⌊0.7 m⌋` smallest registers only, which removes the heavy right tail of the
//!   maxima. *Restriction*: registers hold `0..=B` with `B = 31` (5 bits), which the paper's
//!   `B = ⌈log2(N_max / m)⌉ + 3` allows up to `N_max = 2^28 m`. The estimate is
//!   `E = α̃_m · m · 2^(truncated mean)`; the paper gives no closed form for `α̃_m`, so it is
//!   **calibrated** by `cargo run --release --example calibrate_superloglog` (a Poisson
//!   model of the registers, 2^26 register draws per precision) and stated in
//!   [`SuperLogLog::alpha`]: `0.7695 ± 0.0002` for `p >= 10` (`1.099` in the paper's form
//!   `α̃ · m0 · 2^(…)`), falling to `0.728` at `p = 4`; each entry's own standard error is
//!   `1-3 × 10^-4`. Relative standard error measured `1.10-1.17 / sqrt(m)` for `p <= 12`
//!   (the paper claims 1.05).
//!
//!   One property the paper does not discuss: because the cut at `⌊0.7 m⌋` falls inside a
//!   run of equal register values, the truncated mean does not shift exactly with
//!   `log2 n`, so the raw estimate's mean **oscillates** with the fractional part of
//!   `log2(n/m)` by up to `±1%` (measured by the calibration command; 0.1% at `p = 4`,
//!   0.8% at `p = 10`, 1.0% from `p = 13`). The constant makes it unbiased only on average
//!   over that period; above `p ≈ 11` the oscillation, not the spread, dominates its error
//!   (LogLog's own oscillation is below 10^-5 and negligible).
//!
//!   So above the crossover [`DistinctCount::estimate`] does not use `α̃_m · 2^T`. As `m`
//!   grows, the truncated mean `T` tends to a known function of the load `λ = n/m`: under
//!   the Poisson model behind the paper's analysis a register's value `M` has
//!   `P(M <= k) = exp(-λ 2^-k)`, and the mean of its smallest 70% is the integral of `M`'s
//!   quantile function over `[0, 0.7]` (divided by 0.7). That limit is continuous and
//!   increasing in `λ` and carries the oscillation with it, so the estimate inverts it:
//!   `E = β_m · m · λ̂` with `λ̂` the load whose limit equals the measured `T` (bisection,
//!   about a microsecond), and `β_m` a finite-`m` factor, calibrated by the same command,
//!   that tends to 1 (0.927 at `p = 4`, 0.9988 at `p = 10`, 0.9996 at `p = 12`). Measured
//!   there: a remaining wobble of 0.13% at `p = 10` and 0.08% at `p = 12` (at most 0.33%,
//!   at `p = 7`), and a relative standard error of `1.08-1.13 / sqrt(m)` from `p = 5` on
//!   (1.17 at `p = 4`), against the raw estimate's 1.12 at `p = 10`, 1.17 at `p = 12` and
//!   3.5 at `p = 18`.
//!
//! LogLog's registers use the same 5-bit restriction (its maximum rank only matters past
//! `2^28 m` items), so both pack 12 registers per `u64`: `m · 2/3` bytes.
//!
//! # Small counts: linear counting below a crossover
//!
//! Both raw estimators are **asymptotic**: they assume every register has seen many items.
//! Below about `n = 10 m` they are biased upwards (raw LogLog reports about `0.4 m` for a
//! sketch of a single item). So [`DistinctCount::estimate`] does what HyperLogLog's
//! classic small-range correction does: while some registers are still empty it computes
//! **linear counting**, `m ln(m / V)` with `V` the number of empty registers (the
//! maximum-likelihood count of items thrown into `m` bins that leave `V` of them empty,
//! natural log), and reports it while it is at most `2.5 m` ([`LOGLOG_CROSSOVER`],
//! [`SUPERLOGLOG_CROSSOVER`]); above, or with no empty register, it reports the raw
//! Durand–Flajolet estimate (LogLog) or its de-oscillated form (SuperLogLog, above). An empty sketch estimates exactly 0; a handful of items are
//! counted to within about `1/sqrt(2m)` (three items in 1024 registers: 3.004).
//!
//! Linear counting's relative standard error is `sqrt(m (e^t - t - 1)) / n` at load
//! `t = n/m` (Whang, Vander-Zanden and Taylor 1990), about `0.71 / sqrt(m)` for small
//! `t`, growing with `t`. It reaches LogLog's `1.30 / sqrt(m)` at `t = 2.89` and
//! SuperLogLog's `1.10 / sqrt(m)` at `t = 2.21`; measured with the raw estimators' real,
//! still biased, errors at those loads (`cargo run --release --example loglog_crossover`,
//! 1000 seeds per load, `p = 4..=14`), linear counting becomes the worse of the two at
//! `t = 2.25-2.75` for LogLog and `2.0-2.5` for SuperLogLog from `p = 8` on, hence 2.5 for
//! both. `docs/accuracy.md` checks the result at every `n` from 1 to 10^7.
//!
//! The raw estimates stay available as [`LogLog::estimate_raw`] and
//! [`SuperLogLog::estimate_raw`], meant for `10 m <= n <= 2^28 m`.

use std::fmt;

use crate::codec::{Codec, Decoder, Encoder, Kind};
use crate::error::{Error, Result};
use crate::hash::{FromSaved, ItemHasher, Murmur3, check_same_hasher};
use crate::{DistinctCount, MemoryUsage};

/// Smallest and largest precision `p` (`m = 2^p` registers).
const MIN_P: u8 = 4;
const MAX_P: u8 = 18;
/// Largest register value: the restriction rule's `B` (5-bit registers).
pub(crate) const MAX_RANK: u8 = 31;
const PER_WORD: usize = 12;
const FIELD: u32 = 5;
const MASK: u64 = 0x1f;

/// The truncation rule's share of registers kept (smallest first).
const TRUNCATION: f64 = 0.7;

/// Below `LOGLOG_CROSSOVER · m`, as estimated by linear counting, [`LogLog`] reports the
/// linear-counting estimate instead of its raw one (see the module documentation).
pub const LOGLOG_CROSSOVER: f64 = 2.5;

/// Below `SUPERLOGLOG_CROSSOVER · m`, as estimated by linear counting, [`SuperLogLog`]
/// reports the linear-counting estimate instead of its raw one.
pub const SUPERLOGLOG_CROSSOVER: f64 = 2.5;

/// SuperLogLog's constant `α̃_m` for `p = 4..=18`, for the estimate
/// `α̃_m · m · 2^(mean of the ⌊0.7 m⌋ smallest registers)`.
///
/// Calibrated by `cargo run --release --example calibrate_superloglog`, which prints this
/// table (see that example for the method and the measured error of each entry).
const SUPERLOGLOG_ALPHA: [f64; 15] = [
    0.72811, // p = 4
    0.75611, // p = 5
    0.77053, // p = 6
    0.76813, // p = 7
    0.76701, // p = 8
    0.76886, // p = 9
    0.76964, // p = 10
    0.76934, // p = 11
    0.76938, // p = 12
    0.76962, // p = 13
    0.76955, // p = 14
    0.76961, // p = 15
    0.76951, // p = 16
    0.76960, // p = 17
    0.76946, // p = 18
];

/// SuperLogLog's finite-`m` factor `β_m` for `p = 4..=18`, for the de-oscillated estimate
/// `β_m · m · λ̂` that [`DistinctCount::estimate`] reports above the crossover, with `λ̂`
/// the load whose large-`m` truncated mean equals the measured one
/// ([`invert_truncated_mean`]).
///
/// `β_m` tends to 1 as `m` grows; it corrects the small-`m` bias of the truncated mean.
/// Calibrated by `cargo run --release --example calibrate_superloglog`, which prints this
/// table.
const SUPERLOGLOG_BETA: [f64; 15] = [
    0.92736, // p = 4
    0.96306, // p = 5
    0.98146, // p = 6
    0.99061, // p = 7
    0.99537, // p = 8
    0.99777, // p = 9
    0.99879, // p = 10
    0.99921, // p = 11
    0.99964, // p = 12
    0.99994, // p = 13
    0.99986, // p = 14
    0.99998, // p = 15
    0.99988, // p = 16
    1.00001, // p = 17
    0.99982, // p = 18
];

/// `ln ζ`-free series for `ln Γ(1 - ε)`: `γ ε + Σ_{k≥2} ζ(k) ε^k / k`, for `0 < ε <= 1/16`.
fn ln_gamma_one_minus(eps: f64) -> f64 {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
    // ζ(2..=10); beyond, ζ(k) = Σ n^-k converges fast enough to sum directly.
    const ZETA: [f64; 9] = [
        1.644_934_066_848_226_4,
        1.202_056_903_159_594_3,
        1.082_323_233_711_138_2,
        1.036_927_755_143_37,
        1.017_343_061_984_449_2,
        1.008_349_277_381_922_8,
        1.004_077_356_197_944_4,
        1.002_008_392_826_082_2,
        1.000_994_575_127_818_1,
    ];
    let mut sum = EULER_GAMMA * eps;
    let mut pow = eps;
    for k in 2..40 {
        pow *= eps;
        let zeta = if k <= 10 {
            ZETA[k - 2]
        } else {
            (1..=8).map(|n: i32| f64::from(n).powi(-(k as i32))).sum()
        };
        let term = zeta * pow / k as f64;
        sum += term;
        if term < 1e-18 * sum {
            break;
        }
    }
    sum
}

/// LogLog's `α_m = (Γ(-1/m) (1 - 2^(1/m)) / ln 2)^(-m)`, computed without cancellation.
///
/// With `ε = 1/m` and `t = ε ln 2`: `Γ(-ε)(1 - 2^ε)/ln 2 = Γ(1 - ε) · (e^t - 1)/t`, so
/// `ln α_m = -m (ln Γ(1 - ε) + ln((e^t - 1)/t))`, and `ln((e^t - 1)/t) = t/2 + ln(sinh(t/2)/(t/2))`.
fn loglog_alpha(m: usize) -> f64 {
    let eps = 1.0 / m as f64;
    let u = eps * std::f64::consts::LN_2 / 2.0;
    let u2 = u * u;
    // sinh(u)/u - 1 = u²/6 + u⁴/120 + u⁶/5040 + u⁸/362880 + …
    let sinhc_m1 = u2 / 6.0 + u2 * u2 / 120.0 + u2 * u2 * u2 / 5040.0 + u2.powi(4) / 362_880.0;
    let ln_f = u + sinhc_m1.ln_1p();
    (-(m as f64) * (ln_gamma_one_minus(eps) + ln_f)).exp()
}

/// `2^p` five-bit registers, twelve to a `u64` (the top four bits of each word unused).
#[derive(Clone, PartialEq, Eq)]
struct Registers {
    words: Vec<u64>,
    m: usize,
}

impl Registers {
    fn new(m: usize) -> Self {
        Self {
            words: vec![0; m.div_ceil(PER_WORD)],
            m,
        }
    }

    #[inline]
    fn raise(&mut self, index: usize, rank: u8) {
        let shift = FIELD * (index % PER_WORD) as u32;
        let word = &mut self.words[index / PER_WORD];
        if u64::from(rank) > (*word >> shift) & MASK {
            *word = (*word & !(MASK << shift)) | (u64::from(rank) << shift);
        }
    }

    /// Every register's value, in index order.
    fn values(&self) -> impl Iterator<Item = u8> + '_ {
        self.words
            .iter()
            .flat_map(|&w| (0..PER_WORD as u32).map(move |i| ((w >> (FIELD * i)) & MASK) as u8))
            .take(self.m)
    }

    /// How many registers hold each value `0..=31`.
    fn histogram(&self) -> [u32; 32] {
        let mut h = [0u32; 32];
        for v in self.values() {
            h[usize::from(v)] += 1;
        }
        h
    }

    fn merge_max(&mut self, other: &Self) {
        for (a, &b) in self.words.iter_mut().zip(&other.words) {
            let mut out = 0;
            for i in 0..PER_WORD as u32 {
                let s = FIELD * i;
                out |= ((*a >> s) & MASK).max((b >> s) & MASK) << s;
            }
            *a = out;
        }
    }

    /// These registers (at precision `p`) folded down to precision `q <= p`.
    fn folded(&self, p: u8, q: u8) -> Self {
        let mut out = Self::new(1 << q);
        out.raise_folded(self, p, q);
        out
    }

    /// Raises these registers (at precision `q`) by `finer`'s (at precision `p >= q`), as
    /// if each item `finer` saw had been inserted here.
    ///
    /// The index is the hash's top bits, so the `2^(p-q)` registers of index `i << (p-q)
    /// ..` fold into register `i`. The `p-q` low bits `j` of a fine index are the first bits
    /// of the coarse rank's part: the coarse rank is `j`'s leading zeros (in `p-q` bits)
    /// plus one when `j != 0`, else `p-q` plus the fine rank (capped at [`MAX_RANK`], which
    /// is exact as a capped fine rank means an uncapped one at least as high).
    fn raise_folded(&mut self, finer: &Self, p: u8, q: u8) {
        debug_assert!(q <= p);
        let d = u32::from(p - q);
        for (index, rank) in finer.values().enumerate() {
            if rank == 0 {
                continue;
            }
            let low = index & ((1 << d) - 1);
            let coarse_rank = if low == 0 {
                (d + u32::from(rank)).min(u32::from(MAX_RANK)) as u8
            } else {
                // `low` has `d` bits; its leading zeros within them, plus one.
                (d - (usize::BITS - low.leading_zeros()) + 1) as u8
            };
            self.raise(index >> d, coarse_rank);
        }
    }

    fn encode(&self, enc: &mut Encoder) {
        let p = enc.payload();
        p.reserve(8 * self.words.len());
        for &w in &self.words {
            p.u64(w);
        }
    }

    fn decode(dec: &mut Decoder<'_>, m: usize, structure: &'static str) -> Result<Self> {
        // Check the payload holds every word before allocating them: a short frame with a
        // high precision must not make the decoder allocate what its bytes do not justify.
        let needed = 8 * m.div_ceil(PER_WORD);
        let available = dec.payload().remaining();
        if available < needed {
            return Err(Error::Truncated {
                what: "payload",
                needed: needed as u64,
                available: available as u64,
            });
        }
        let mut regs = Self::new(m);
        let used_in_last = m - PER_WORD * (regs.words.len() - 1);
        let last = regs.words.len() - 1;
        for (i, w) in regs.words.iter_mut().enumerate() {
            *w = dec.payload().u64()?;
            let fields = if i == last { used_in_last } else { PER_WORD };
            if *w >> (FIELD * fields as u32) != 0 {
                return Err(Error::corrupt(
                    structure,
                    format!("register word {i} has bits set outside its {fields} registers"),
                ));
            }
        }
        Ok(regs)
    }
}

fn check_precision(p: u8) -> Result<()> {
    if (MIN_P..=MAX_P).contains(&p) {
        Ok(())
    } else {
        Err(Error::parameter(
            "precision",
            p,
            format!("{MIN_P}..={MAX_P}"),
        ))
    }
}

/// Register index and rank of a hash for precision `p`.
#[inline]
fn index_and_rank(hash: u64, p: u8) -> (usize, u8) {
    let index = (hash >> (64 - p)) as usize;
    let rest = hash << p;
    // From 1: the first bit after the index set gives 1. All zero gives 65 - p, capped.
    let rank = (rest.leading_zeros() + 1).min(u32::from(MAX_RANK)) as u8;
    (index, rank)
}

/// What LogLog and SuperLogLog share: precision, registers and hasher.
#[derive(Clone)]
struct Core<S> {
    p: u8,
    regs: Registers,
    hasher: S,
}

impl<S: ItemHasher> Core<S> {
    fn new(p: u8, hasher: S) -> Result<Self> {
        check_precision(p)?;
        Ok(Self {
            p,
            regs: Registers::new(1 << p),
            hasher,
        })
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        let (index, rank) = index_and_rank(hash, self.p);
        self.regs.raise(index, rank);
    }

    fn check_compatible(&self, other: &Self, structure: &'static str) -> Result<()> {
        if self.p != other.p {
            return Err(Error::incompatible(structure, "precision", self.p, other.p));
        }
        check_same_hasher(structure, &self.hasher, &other.hasher)
    }

    /// Takes `other` in; when the precisions differ, the result has the coarser one (a
    /// finer `self` folds itself down first). `self` is unchanged on error.
    fn merge(&mut self, other: &Self, structure: &'static str) -> Result<()> {
        check_same_hasher(structure, &self.hasher, &other.hasher)?;
        if other.p < self.p {
            self.regs = self.regs.folded(self.p, other.p);
            self.p = other.p;
        }
        if other.p == self.p {
            self.regs.merge_max(&other.regs);
        } else {
            self.regs.raise_folded(&other.regs, other.p, self.p);
        }
        Ok(())
    }

    fn eq(&self, other: &Self) -> bool {
        self.check_compatible(other, "").is_ok() && self.regs == other.regs
    }

    fn to_bytes(&self, kind: Kind) -> Vec<u8> {
        let mut enc = Encoder::with_hasher(kind, &self.hasher);
        enc.params().u8(self.p);
        self.regs.encode(&mut enc);
        enc.finish()
    }

    fn decode(mut dec: Decoder<'_>, hasher: S, structure: &'static str) -> Result<Self> {
        let p = dec.params().u8()?;
        check_precision(p).map_err(|e| Error::corrupt(structure, e.to_string()))?;
        let regs = Registers::decode(&mut dec, 1 << p, structure)?;
        dec.finish()?;
        Ok(Self { p, regs, hasher })
    }

    fn fmt(&self, f: &mut fmt::Formatter<'_>, name: &str, estimate: f64) -> fmt::Result {
        f.debug_struct(name)
            .field("precision", &self.p)
            .field("hash_id", &self.hasher.hash_id())
            .field("seed", &self.hasher.seed())
            .field("estimate", &estimate)
            .finish()
    }
}

macro_rules! sketch_common {
    ($t:ident, $kind:expr, $name:literal) => {
        impl $t<Murmur3> {
            /// A sketch with `m = 2^precision` registers and the default hasher.
            ///
            /// # Errors
            ///
            /// [`Error::InvalidParameter`] unless `4 <= precision <= 18`.
            pub fn new(precision: u8) -> Result<Self> {
                Self::with_hasher(precision, Murmur3::new())
            }

            /// Decodes a sketch written by `to_bytes`, rebuilding its MurmurHash3 hasher.
            ///
            /// # Errors
            ///
            /// Any corruption, truncation, wrong kind, invalid precision, hasher that is
            /// not MurmurHash3, or register bits outside the registers.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
                Codec::from_bytes(bytes)
            }
        }

        impl<S: ItemHasher> $t<S> {
            /// A sketch with `m = 2^precision` registers hashing with `hasher`.
            ///
            /// # Errors
            ///
            /// [`Error::InvalidParameter`] unless `4 <= precision <= 18`.
            pub fn with_hasher(precision: u8, hasher: S) -> Result<Self> {
                Ok(Self {
                    core: Core::new(precision, hasher)?,
                })
            }

            /// Decodes a sketch written with `hasher`, checked against the saved hash id
            /// and seed (for hashers other than Murmur3, the
            /// [fingerprint](ItemHasher::fingerprint)).
            ///
            /// # Errors
            ///
            /// As `from_bytes`: [`Error::WrongHasher`] if the saved hasher differs,
            /// [`Error::UnidentifiedHasher`] if the frame records none.
            pub fn from_bytes_with_hasher(bytes: &[u8], hasher: S) -> Result<Self> {
                let dec = Decoder::new(bytes, $kind)?;
                dec.check_hasher(&hasher)?;
                Ok(Self {
                    core: Core::decode(dec, hasher, $name)?,
                })
            }

            /// The precision `p`.
            #[must_use]
            pub fn precision(&self) -> u8 {
                self.core.p
            }

            /// Every register's value, in index order: `2^p` of them. A register holds the
            /// maximum rank seen, 1 + the leading zeros of the hash bits after the `p` index
            /// bits, capped at 31 ([`HyperLogLog::registers`](crate::HyperLogLog::registers)
            /// ranks the low bits instead, so the two do not compare).
            #[must_use]
            pub fn registers(&self) -> Vec<u8> {
                self.core.regs.values().collect()
            }

            /// The number of registers, `m = 2^p`.
            fn m(&self) -> usize {
                1 << self.core.p
            }

            /// Encodes the sketch (see `docs/format.md`).
            #[must_use]
            pub fn to_bytes(&self) -> Vec<u8> {
                self.core.to_bytes($kind)
            }
        }

        impl<S: ItemHasher> MemoryUsage for $t<S> {
            /// `8 ⌈m / 12⌉` bytes: five bits per register.
            fn memory_usage(&self) -> usize {
                self.core.regs.words.capacity() * std::mem::size_of::<u64>()
            }
        }

        impl<S: ItemHasher> PartialEq for $t<S> {
            /// Equal when precision, the hasher's id and seed, and every register are equal.
            fn eq(&self, other: &Self) -> bool {
                self.core.eq(&other.core)
            }
        }

        impl<S: ItemHasher> fmt::Debug for $t<S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.core.fmt(f, $name, self.estimate())
            }
        }

        impl<S: FromSaved> Codec for $t<S> {
            const KIND: Kind = $kind;

            fn to_bytes(&self) -> Vec<u8> {
                $t::to_bytes(self)
            }

            fn from_bytes(bytes: &[u8]) -> Result<Self> {
                let dec = Decoder::new(bytes, Self::KIND)?;
                let hasher = dec.hasher::<S>()?;
                Ok(Self {
                    core: Core::decode(dec, hasher, $name)?,
                })
            }
        }

        #[cfg(feature = "serde")]
        crate::serde_impls::serde_via_codec!($t);
    };
}

/// LogLog (Durand & Flajolet 2003) with the paper's constant and rank convention.
///
/// Relative standard error `≈ 1.30 / sqrt(m)` up to `n = 2^28 m`; linear counting, with
/// its smaller error, below `2.5 m` (see the [module documentation](self)).
///
/// # Example
///
/// ```
/// use lessram::{DistinctCount, LogLog};
///
/// let mut ll = LogLog::new(12)?; // 4096 registers, 2.7 KB, error ~2%
/// for i in 0..1_000_000u32 {
///     ll.insert(&i);
/// }
/// assert!((ll.estimate() / 1e6 - 1.0).abs() < 0.1);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct LogLog<S: ItemHasher = Murmur3> {
    core: Core<S>,
}

sketch_common!(LogLog, Kind::LogLog, "LogLog");

impl<S: ItemHasher> LogLog<S> {
    /// The constant `α_m` this sketch's `m` uses (0.39701 as `m` grows).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::LogLog;
    /// let a = LogLog::new(18)?.alpha();
    /// assert!((a - 0.39701).abs() < 1e-5);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn alpha(&self) -> f64 {
        loglog_alpha(self.m())
    }

    /// The asymptotic relative standard error, `1.30 / sqrt(m)`.
    #[must_use]
    pub fn relative_std_error(&self) -> f64 {
        1.30 / (self.m() as f64).sqrt()
    }

    /// Durand and Flajolet's estimate as the paper states it, `α_m · m · 2^(mean register)`,
    /// with no small-range correction.
    ///
    /// It is asymptotic: unbiased from about `10 m` items on, heavily biased upwards below
    /// (an empty sketch gives `α_m · m`, not 0). [`DistinctCount::estimate`] switches to
    /// linear counting below the crossover and is the one to use; this is for studying
    /// the estimator itself.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, LogLog};
    ///
    /// let mut ll = LogLog::new(10)?;
    /// for i in 0..3u32 {
    ///     ll.insert(&i);
    /// }
    /// assert!((ll.estimate() - 3.0).abs() < 0.1); // linear counting
    /// assert!(ll.estimate_raw() > 400.0); // about 0.4 m: the raw formula's floor
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate_raw(&self) -> f64 {
        loglog_raw(&self.core.regs.histogram(), self.m(), self.alpha())
    }
}

impl<S: ItemHasher> DistinctCount for LogLog<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.core.hasher
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        self.core.insert_hash(hash);
    }

    /// Linear counting `m ln(m / V)` while it is below [`LOGLOG_CROSSOVER`]` · m` (with
    /// `V > 0` empty registers), else [`LogLog::estimate_raw`]. An empty sketch gives 0.
    fn estimate(&self) -> f64 {
        let histogram = self.core.regs.histogram();
        small_range(&histogram, self.m(), LOGLOG_CROSSOVER)
            .unwrap_or_else(|| loglog_raw(&histogram, self.m(), self.alpha()))
    }

    /// Register-wise maximum: the sketch of the union. Precisions may differ, in either
    /// order: the finer sketch's registers fold into the coarser precision, exactly as if
    /// its items had been inserted there, so after `merge` `self`'s
    /// [`precision`](LogLog::precision) is the smaller of the two (it drops when `other` is
    /// coarser). `merge(a, b)` and `merge(b, a)` give the same sketch.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when the hashers differ; `self` is unchanged then.
    fn merge(&mut self, other: &Self) -> Result<()> {
        self.core.merge(&other.core, "LogLog")
    }
}

/// SuperLogLog (Durand & Flajolet 2003): LogLog with the truncation and restriction rules
/// and a calibrated constant.
///
/// Relative standard error `≈ 1.10 / sqrt(m)` up to `n = 2^28 m`, with no oscillation of
/// the bias in `log2(n/m)`; linear counting below `2.5 m` (see the
/// [module documentation](self)).
///
/// # Example
///
/// ```
/// use lessram::{DistinctCount, SuperLogLog};
///
/// let mut sll = SuperLogLog::new(12)?;
/// for i in 0..1_000_000u32 {
///     sll.insert(&i);
/// }
/// assert!((sll.estimate() / 1e6 - 1.0).abs() < 0.1);
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone)]
pub struct SuperLogLog<S: ItemHasher = Murmur3> {
    core: Core<S>,
}

sketch_common!(SuperLogLog, Kind::SuperLogLog, "SuperLogLog");

impl<S: ItemHasher> SuperLogLog<S> {
    /// The number of registers the truncated mean keeps, `m0 = ⌊0.7 m⌋`.
    #[must_use]
    pub fn kept_registers(&self) -> usize {
        truncated_count(self.m())
    }

    /// The calibrated constant `α̃_m` this sketch's `m` uses.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::SuperLogLog;
    /// let a = SuperLogLog::new(14)?.alpha();
    /// assert!(a > 0.7 && a < 0.8);
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn alpha(&self) -> f64 {
        SUPERLOGLOG_ALPHA[usize::from(self.core.p - MIN_P)]
    }

    /// The finite-`m` factor `β_m` of the estimate above the crossover.
    fn beta(&self) -> f64 {
        SUPERLOGLOG_BETA[usize::from(self.core.p - MIN_P)]
    }

    /// The relative standard error measured at this crate's calibration, `1.10 / sqrt(m)`.
    #[must_use]
    pub fn relative_std_error(&self) -> f64 {
        1.10 / (self.m() as f64).sqrt()
    }

    /// Durand and Flajolet's estimate with no small-range correction,
    /// `α̃_m · m · 2^(mean of the ⌊0.7 m⌋ smallest registers)`.
    ///
    /// It is asymptotic: unbiased from about `10 m` items on, heavily biased upwards below
    /// (an empty sketch gives `α̃_m · m`, not 0), and unbiased only on average over
    /// `log2(n/m)`, its bias oscillating by up to 1%. [`DistinctCount::estimate`] switches
    /// to linear counting below the crossover, removes the oscillation above it, and is the
    /// one to use.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::{DistinctCount, SuperLogLog};
    ///
    /// let mut sll = SuperLogLog::new(10)?;
    /// for i in 0..3u32 {
    ///     sll.insert(&i);
    /// }
    /// assert!((sll.estimate() - 3.0).abs() < 0.1); // linear counting
    /// assert!(sll.estimate_raw() > 700.0); // about 0.77 m: the raw formula's floor
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn estimate_raw(&self) -> f64 {
        self.alpha() * superloglog_raw(&self.core.regs.histogram(), self.m())
    }
}

/// LogLog's raw estimate from a register histogram: `α · m · 2^(mean register)`.
fn loglog_raw(histogram: &[u32; 32], m: usize, alpha: f64) -> f64 {
    let sum: u64 = histogram
        .iter()
        .enumerate()
        .map(|(v, &c)| v as u64 * u64::from(c))
        .sum();
    alpha * m as f64 * (sum as f64 / m as f64).exp2()
}

/// Linear counting, `m ln(m / V)` with `V` empty registers, when `V > 0` and the count is
/// at most `crossover · m`; `None` above the crossover or with no empty register.
///
/// An empty sketch (`V = m`) gives exactly 0.
fn small_range(histogram: &[u32; 32], m: usize, crossover: f64) -> Option<f64> {
    let empty = histogram[0];
    if empty == 0 {
        return None;
    }
    // Natural log: linear counting's maximum-likelihood estimate of n balls in m bins.
    let m = m as f64;
    let count = m * (m / f64::from(empty)).ln();
    (count <= crossover * m).then_some(count)
}

/// `⌊0.7 m⌋`.
pub(crate) fn truncated_count(m: usize) -> usize {
    (m as f64 * TRUNCATION).floor() as usize
}

/// Sum of the `m0` smallest values of a register histogram.
pub(crate) fn truncated_sum(histogram: &[u32; 32], m0: usize) -> u64 {
    let mut left = m0 as u64;
    let mut sum = 0;
    for (v, &c) in histogram.iter().enumerate() {
        let take = u64::from(c).min(left);
        sum += take * v as u64;
        left -= take;
        if left == 0 {
            break;
        }
    }
    sum
}

/// The large-`m` limit of SuperLogLog's truncated mean at load `λ = 2^x` items per register.
///
/// Under the Poisson model a register's value `M` (clamped to `0..=31`) has
/// `P(M <= k) = exp(-λ 2^-k)`, and as `m` grows the mean of the smallest `frac · m` registers
/// tends to `(1/frac) ∫_0^frac Q(u) du`, `Q` being `M`'s quantile function: each value `k`
/// contributes its probability mass, cut where the cumulative mass reaches `frac`. The
/// function is continuous in `x`, 0 while `P(M = 0) >= frac`, then strictly increasing; `t(x + 1) = t(x) + 1` only on
/// average, which is where the raw estimate's oscillation in `log2(n/m)` comes from.
pub(crate) fn truncated_mean_limit(x: f64, frac: f64) -> f64 {
    // P(M <= k) = exp(-2^(x-k)), so each value's is the square root of the one before
    // (one `exp`, then `sqrt`s). Values below `x - 6` hold less than e^-64 of the mass and
    // are skipped.
    let k0 = (x.floor() - 6.0).clamp(0.0, f64::from(MAX_RANK - 1)) as u8;
    let mut cdf = (-(x - f64::from(k0)).exp2()).exp();
    let (mut below, mut sum) = (0.0, 0.0);
    for k in k0..=MAX_RANK {
        if k == MAX_RANK {
            cdf = 1.0;
        }
        let upto = cdf.min(frac);
        if upto > below {
            sum += f64::from(k) * (upto - below);
            below = upto;
        }
        if below >= frac {
            break;
        }
        cdf = cdf.sqrt();
    }
    sum / frac
}

/// The `x = log2 λ` at which [`truncated_mean_limit`] equals `mean`, by bisection.
///
/// Away from the clamps the limit is within a few hundredths of `x + 0.38`, so the bracket
/// starts at `mean ± 2` and widens to the clamps' range if needed; 40 halvings leave
/// `x` to within `2^-37` (a relative error of 10^-11 in the estimate).
pub(crate) fn invert_truncated_mean(mean: f64, frac: f64) -> f64 {
    let (mut lo, mut hi) = (mean - 2.0, mean + 2.0);
    if truncated_mean_limit(lo, frac) > mean {
        lo = -64.0;
    }
    if truncated_mean_limit(hi, frac) < mean {
        hi = 64.0;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if truncated_mean_limit(mid, frac) < mean {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// SuperLogLog's de-oscillated estimate without `β_m`: `m · λ̂`, with `λ̂` the load whose
/// large-`m` truncated mean equals the measured one.
pub(crate) fn superloglog_inverted(histogram: &[u32; 32], m: usize) -> f64 {
    let m0 = truncated_count(m);
    let mean = truncated_sum(histogram, m0) as f64 / m0 as f64;
    m as f64 * invert_truncated_mean(mean, m0 as f64 / m as f64).exp2()
}

/// SuperLogLog's estimate without its constant: `m · 2^(truncated mean)`.
pub(crate) fn superloglog_raw(histogram: &[u32; 32], m: usize) -> f64 {
    let m0 = truncated_count(m);
    m as f64 * (truncated_sum(histogram, m0) as f64 / m0 as f64).exp2()
}

impl<S: ItemHasher> DistinctCount for SuperLogLog<S> {
    type Hasher = S;

    fn hasher(&self) -> &S {
        &self.core.hasher
    }

    #[inline]
    fn insert_hash(&mut self, hash: u64) {
        self.core.insert_hash(hash);
    }

    /// Linear counting `m ln(m / V)` while it is below
    /// [`SUPERLOGLOG_CROSSOVER`]` · m` (with `V > 0` empty registers), else the
    /// de-oscillated estimate `β_m · m · λ̂`, `λ̂` the load whose large-`m` truncated mean
    /// equals the measured one (see the [module documentation](self)). An empty sketch
    /// gives 0.
    fn estimate(&self) -> f64 {
        let histogram = self.core.regs.histogram();
        small_range(&histogram, self.m(), SUPERLOGLOG_CROSSOVER)
            .unwrap_or_else(|| self.beta() * superloglog_inverted(&histogram, self.m()))
    }

    /// Register-wise maximum: the sketch of the union. Precisions may differ, in either
    /// order: the finer sketch's registers fold into the coarser precision, exactly as if
    /// its items had been inserted there, so after `merge` `self`'s
    /// [`precision`](SuperLogLog::precision) is the smaller of the two (it drops when `other` is
    /// coarser). `merge(a, b)` and `merge(b, a)` give the same sketch.
    ///
    /// # Errors
    ///
    /// [`Error::Incompatible`] when the hashers differ; `self` is unchanged then.
    fn merge(&mut self, other: &Self) -> Result<()> {
        self.core.merge(&other.core, "SuperLogLog")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::SplitMix64;

    #[test]
    fn the_truncated_mean_limit_inverts_and_oscillates() {
        let frac = truncated_count(1 << 12) as f64 / f64::from(1u32 << 12);
        let mut previous = f64::NEG_INFINITY;
        // Flat at 0 while 70% of registers are empty (λ <= ln(1/0.7), x <= -1.49).
        assert_eq!(truncated_mean_limit(-1.6, frac), 0.0);
        for i in 0..400 {
            let x = -1.4 + f64::from(i) * 0.05;
            let t = truncated_mean_limit(x, frac);
            assert!(t > previous, "not increasing at x = {x}");
            previous = t;
            let back = invert_truncated_mean(t, frac);
            assert!((back - x).abs() < 1e-9, "x {x}: inverted to {back}");
        }
        // Far from the clamps, one octave of load adds exactly 1 to the limit, but within an
        // octave `t(x) - x` is not constant: that is the raw estimate's oscillation.
        let offsets: Vec<f64> = (0..20)
            .map(|i| {
                let x = 10.0 + f64::from(i) / 20.0;
                assert!(
                    (truncated_mean_limit(x + 1.0, frac) - truncated_mean_limit(x, frac) - 1.0)
                        .abs()
                        < 1e-9
                );
                truncated_mean_limit(x, frac) - x
            })
            .collect();
        let spread = offsets.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))
            - offsets.iter().fold(f64::INFINITY, |a, &b| a.min(b));
        // 2^spread - 1 is the peak-to-peak swing of the raw estimate's mean: about 2%.
        assert!(spread > 0.01 && spread < 0.05, "spread {spread}");
    }

    #[test]
    fn empty_sketches_estimate_zero_and_one_item_about_one() {
        let (mut ll, mut sll) = (LogLog::new(10).unwrap(), SuperLogLog::new(10).unwrap());
        assert_eq!((ll.estimate(), sll.estimate()), (0.0, 0.0));
        ll.insert("x");
        sll.insert("x");
        // Linear counting with one register set: m ln(m / (m - 1)), 1 + about 1/(2m).
        let one = 1024.0 * (1024.0f64 / 1023.0).ln();
        for e in [ll.estimate(), sll.estimate()] {
            assert!((e - one).abs() < 1e-9, "{e}, expected {one}");
        }
    }

    #[test]
    fn alpha_tends_to_the_papers_constant() {
        // α_∞ = e^-γ / √2.
        let inf = (-0.577_215_664_901_532_9f64).exp() / std::f64::consts::SQRT_2;
        assert!((inf - 0.39701).abs() < 1e-5);
        assert!((loglog_alpha(1 << 18) - inf).abs() < 1e-5);
        // Exact values of the closed form (checked with Python's math.gamma).
        assert!((loglog_alpha(16) - 0.376_032_697).abs() < 1e-8);
        assert!((loglog_alpha(1024) - 0.396_685_153).abs() < 1e-8);
        // Finite-m values increase towards it.
        let mut last = 0.0;
        for p in 4..=18 {
            let a = loglog_alpha(1 << p);
            assert!(a > last && a < inf, "p {p}: {a}");
            last = a;
        }
    }

    #[test]
    fn ln_gamma_series_matches_known_values() {
        // Γ(1 - 1/2) = √π.
        let half = ln_gamma_one_minus(0.5);
        assert!(
            (half - std::f64::consts::PI.sqrt().ln()).abs() < 1e-9,
            "{half}"
        );
        // ln Γ(15/16), from Python's math.lgamma.
        assert!((ln_gamma_one_minus(1.0 / 16.0) - 0.039_390_901_734_582_04).abs() < 1e-12);
    }

    #[test]
    fn rank_counts_from_one() {
        let p = 4;
        assert_eq!(index_and_rank(0xf800_0000_0000_0000, p), (15, 1));
        assert_eq!(index_and_rank(0x0400_0000_0000_0000, p), (0, 2));
        assert_eq!(index_and_rank((1 << 60) | (1 << 30), p), (1, 30));
        assert_eq!(index_and_rank((1 << 60) | 1, p), (1, MAX_RANK));
        assert_eq!(index_and_rank(0, p), (0, MAX_RANK));
    }

    #[test]
    fn registers_pack_and_merge() {
        let mut a = Registers::new(30);
        let mut b = Registers::new(30);
        for i in 0..30 {
            a.raise(i, (i % 32) as u8);
            b.raise(i, 31 - (i % 32) as u8);
            a.raise(i, 0);
        }
        assert_eq!(a.values().collect::<Vec<_>>(), (0..30).collect::<Vec<u8>>());
        a.merge_max(&b);
        let want: Vec<u8> = (0..30u8).map(|i| i.max(31 - i)).collect();
        assert_eq!(a.values().collect::<Vec<_>>(), want);
        assert_eq!(a.words.len(), 3);
        assert_eq!(a.histogram().iter().sum::<u32>(), 30);
    }

    /// Merges of different precisions fold to the sketch built at the coarser precision
    /// from the same items, in both orders and for every pair of precisions.
    #[test]
    fn merges_of_different_precision_fold_exactly_both_ways() {
        let mut rng = SplitMix64::new(0x5eed_1061);
        for p in MIN_P..=12 {
            for q in MIN_P..=p {
                for round in 0..4 {
                    // From empty to saturated registers, including hashes with long zero runs.
                    let n = [0usize, 7, 300, 20_000][round];
                    let (mut fine, mut coarse) = (LogLog::new(p).unwrap(), LogLog::new(q).unwrap());
                    let mut want = LogLog::new(q).unwrap();
                    for k in 0..n {
                        let mut h = rng.next_word();
                        if k % 5 == 0 {
                            // A run of zeros right after the top 12 bits: long ranks, and
                            // the cap at `MAX_RANK`.
                            let z = rng.next_word() % 53;
                            h = (h & (u64::MAX << 52)) | ((h & ((1 << 52) - 1)) >> z);
                        }
                        if k % 2 == 0 {
                            fine.insert_hash(h);
                        } else {
                            coarse.insert_hash(h);
                        }
                        want.insert_hash(h);
                    }
                    let mut a = coarse.clone();
                    a.merge(&fine).unwrap();
                    let mut b = fine.clone();
                    b.merge(&coarse).unwrap();
                    assert_eq!(a.precision(), q);
                    assert_eq!(b.precision(), q);
                    assert_eq!(a.registers(), want.registers(), "p {p} q {q} n {n}");
                    assert_eq!(b.registers(), want.registers(), "p {p} q {q} n {n}");
                    // SuperLogLog shares the registers and the merge.
                    let mut s = SuperLogLog::new(p).unwrap();
                    let mut t = SuperLogLog::new(q).unwrap();
                    s.core.regs = fine.core.regs.clone();
                    t.core.regs = coarse.core.regs.clone();
                    s.merge(&t).unwrap();
                    assert_eq!((s.precision(), s.registers()), (q, want.registers()));
                }
            }
        }
    }

    #[test]
    fn truncated_sum_takes_the_smallest() {
        let mut h = [0u32; 32];
        h[1] = 3;
        h[2] = 3;
        h[9] = 4;
        assert_eq!(truncated_count(10), 7);
        assert_eq!(truncated_sum(&h, 7), 3 + 6 + 9);
    }

    #[test]
    fn parameters_and_decoding_are_checked() {
        assert_eq!(
            LogLog::new(3).unwrap_err().to_string(),
            "precision 3 out of range 4..=18"
        );
        assert!(SuperLogLog::new(19).is_err());
        let mut ll = LogLog::new(4).unwrap();
        let mut rng = SplitMix64::new(4);
        for _ in 0..1000 {
            ll.insert_hash(rng.next_word());
        }
        let bytes = ll.to_bytes();
        assert_eq!(LogLog::from_bytes(&bytes).unwrap(), ll);
        assert!(SuperLogLog::from_bytes(&bytes).is_err());
        // Bits above the 16 registers of p = 4 are refused even with a valid checksum.
        let mut enc = Encoder::new(Kind::LogLog, 1, 0);
        enc.params().u8(4);
        enc.payload().u64(0).u64(1 << 20);
        assert!(matches!(
            LogLog::from_bytes(&enc.finish()),
            Err(Error::Corrupt { .. })
        ));
        let mut enc = Encoder::new(Kind::LogLog, 1, 0);
        enc.params().u8(4);
        enc.payload().u64(0).u64(1 << 19);
        assert!(LogLog::from_bytes(&enc.finish()).is_ok());
        let mut enc = Encoder::new(Kind::LogLog, 1, 0);
        enc.params().u8(40);
        assert!(LogLog::from_bytes(&enc.finish()).is_err());
    }

    /// RMS relative error of `estimate` over `seeds` streams of `n` random hashes.
    fn rms<C: DistinctCount>(make: impl Fn() -> C, n: usize, seeds: u64) -> f64 {
        let mut sum2 = 0.0;
        for seed in 0..seeds {
            let mut c = make();
            let mut rng = SplitMix64::new(seed.wrapping_mul(0xa076_1d64_78bd_642f) ^ n as u64);
            for _ in 0..n {
                c.insert_hash(rng.next_word());
            }
            sum2 += (c.estimate() / n as f64 - 1.0).powi(2);
        }
        (sum2 / seeds as f64).sqrt()
    }

    /// Linear counting's relative standard error (Whang et al. 1990), `t = n/m`.
    fn linear_counting_rse(n: usize, m: usize) -> f64 {
        let (n, m) = (n as f64, m as f64);
        let t = n / m;
        (m * (t.exp_m1() - t)).sqrt() / n
    }

    #[test]
    fn small_counts_are_linear_counting_within_its_error() {
        // 200 seeds, bound 1.15x the theory of the estimator that should be in use: linear
        // counting (Whang's RSE) at loads t = n/m of 0.16 and 0.98, below both crossovers;
        // the raw estimate (1.30/sqrt(m), 1.14/sqrt(m)) at t = 3.9, above them. The RMS of
        // 200 seeds is itself within about 5% (1/sqrt(2 x 200)). The raw estimates are 5-100x
        // off at the first two loads (a crossover below 1 fails); linear counting at t = 3.9
        // is 1.7/sqrt(m) (a crossover above 3.9 fails); ln replaced by log2 is 44% high.
        let cases = [(6u8, 10usize), (10, 1000), (8, 1000)];
        for (p, n) in cases {
            let m = 1usize << p;
            let t = n as f64 / m as f64;
            let (ll, sll) = if t <= LOGLOG_CROSSOVER.min(SUPERLOGLOG_CROSSOVER) {
                let lc = linear_counting_rse(n, m);
                (lc, lc)
            } else {
                let root_m = (m as f64).sqrt();
                (1.30 / root_m, 1.14 / root_m)
            };
            let got = rms(|| LogLog::new(p).unwrap(), n, 200);
            assert!(
                got <= 1.15 * ll,
                "LogLog p {p} n {n}: RMS {got} vs theory {ll}"
            );
            let got = rms(|| SuperLogLog::new(p).unwrap(), n, 200);
            assert!(
                got <= 1.15 * sll,
                "SuperLogLog p {p} n {n}: RMS {got} vs {sll}"
            );
        }
    }

    #[test]
    fn crossovers_sit_where_the_errors_meet() {
        // Measured by `cargo run --release --example loglog_crossover`: linear counting's
        // error overtakes the raw estimates' between t = 2.0 and 2.75 (from p = 8 on).
        // Whang's formula crosses 1.30/sqrt(m) at t = 2.89 and 1.10/sqrt(m) at t = 2.21.
        for c in [LOGLOG_CROSSOVER, SUPERLOGLOG_CROSSOVER] {
            assert!((2.0..=2.9).contains(&c), "{c}");
        }
        let whang = |t: f64| (t.exp_m1() - t).sqrt() / t;
        assert!(whang(LOGLOG_CROSSOVER) < 1.30 && whang(2.9) > 1.30);
    }

    #[test]
    fn a_few_items_are_counted_almost_exactly() {
        // Three distinct hashes in 1024 registers: linear counting reads 3 (1024 ln(1024/1021)
        // = 3.004) unless two share a register (p ~ 3/1024). The raw estimates stay at their
        // floors, about 0.4 m and 0.77 m.
        let mut rng = SplitMix64::new(3);
        let (mut ll, mut sll) = (LogLog::new(10).unwrap(), SuperLogLog::new(10).unwrap());
        for _ in 0..3 {
            let h = rng.next_word();
            ll.insert_hash(h);
            sll.insert_hash(h);
        }
        let lc = 1024.0 * (1024.0f64 / 1021.0).ln();
        assert_eq!(ll.estimate(), lc);
        assert_eq!(sll.estimate(), lc);
        assert!(ll.estimate_raw() > 400.0 && sll.estimate_raw() > 700.0);
        // Past the crossover the raw estimate is used.
        for _ in 0..10_000 {
            let h = rng.next_word();
            ll.insert_hash(h);
            sll.insert_hash(h);
        }
        assert_eq!(ll.estimate(), ll.estimate_raw());
        // SuperLogLog's is de-oscillated, a different figure from its raw one.
        let h = sll.core.regs.histogram();
        assert_eq!(sll.estimate(), sll.beta() * superloglog_inverted(&h, 1024));
        assert_ne!(sll.estimate(), sll.estimate_raw());
    }

    #[test]
    fn memory_is_five_bits_per_register() {
        assert_eq!(LogLog::new(12).unwrap().memory_usage(), 8 * 342);
        assert_eq!(SuperLogLog::new(16).unwrap().memory_usage(), 8 * 5462);
    }
}
