//! A seeded, streamed, Zipf-distributed synthetic corpus of word-like tokens.
//!
//! [`SampleCorpus`] stands in for a real text when none is at hand: `lessram count` counts it
//! when given no input, and benches and the footprint report use it to get realistic token
//! streams without a file or a network. It is generated on the fly, needs about 150 KB of
//! tables (shared by clones) whatever its length, and gives the same tokens on every platform and in every release
//! for the same parameters.
//!
//! # How it is made
//!
//! * **Vocabulary.** Rank `r` (0-based) names a pronounceable lowercase word made of
//!   syllables (onset, vowel, optional `n`): ranks below 256 are one syllable (2-5 letters,
//!   like "the" or "of"), the next 65,536 two, the next 16.8 M three, and so on, so that
//!   frequent words are short as in real language. The digits of each rank are scrambled by
//!   a seeded permutation, and decoding is unambiguous, so different ranks always give
//!   different words (a test checks all 2,097,152 ranks of the default vocabulary). The
//!   vocabulary is never stored.
//! * **Frequencies.** Token `i` draws a rank from a power law with exponent `s` (default
//!   1.07, the Zipf exponent of English text) over the vocabulary (default 2^21 words): the
//!   rank is the floor of a continuous power-law variate, so rank `r` has probability
//!   close to `r^-s / Z` (the most frequent word is ~7.4% of tokens, as "the" is in English).
//! * **Streaming.** Token `i` depends only on the seed and `i` (a counter-based SplitMix64
//!   generator), so any range of the corpus can be generated independently: threads split
//!   it by index and get exactly the tokens a single pass would.
//! * **Determinism.** The power law is computed with lessram's own `log2` and `exp2` built
//!   from IEEE 754 addition, multiplication and division only, which are exactly rounded on
//!   every platform (no `libm` calls, whose last bits vary).
//! * **Speed.** The rank is found without computing the power law for all but about 1 in
//!   1,100 tokens: the variate is a piecewise quadratic of the uniform draw (4,096 pieces,
//!   each with a proven bound on its distance from the reference computation), and only a
//!   token whose bound straddles an integer computes it. Ranks are drawn 64 at a time, then
//!   spelled from a table of syllables without branches. The output is the reference
//!   computation's, bit for bit: tests pin long stretches of it by hash.
//!
//! With the defaults, 1,000,000 tokens hold 192,792 distinct words and 10,000,000 tokens
//! 896,701 (a test measures both); the English corpus lessram benches on holds 985,544
//! distinct whitespace tokens in 10.6 M. The mean token is about 4.9 bytes long.
//!
//! # Example
//!
//! ```
//! use std::collections::HashSet;
//! use std::io::Read;
//! use lessram::sample::SampleCorpus;
//!
//! let corpus = SampleCorpus::new(1_000_000);
//! let distinct: HashSet<String> = corpus.tokens().collect();
//! assert_eq!(distinct.len(), 192_792);
//!
//! // The same tokens as whitespace-separated text, for anything that reads files:
//! let mut text = String::new();
//! SampleCorpus::new(5).reader().read_to_string(&mut text).unwrap();
//! let words: Vec<String> = SampleCorpus::new(5).tokens().collect();
//! assert_eq!(text.split_ascii_whitespace().collect::<Vec<_>>(), words);
//! ```

use std::io::{self, Read};
use std::ops::Range;
use std::sync::Arc;

use crate::error::{Error, Result};

const ONSETS: [&str; 16] = [
    "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "w", "th", "st",
];
const VOWELS: [&str; 8] = ["a", "e", "i", "o", "u", "ea", "ou", "ai"];
const SYLLABLES: usize = 256;
/// Enough syllables for any rank below 2^32 + 2^24 + 2^16 + 2^8.
const MAX_SYLLABLES: usize = 5;
/// The longest a token can be: five syllables of at most five bytes.
const MAX_TOKEN: usize = MAX_SYLLABLES * 5;
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
/// The first rank of each length class: 0, 256, 256 + 256^2, ...
const CLASS_STARTS: [u64; MAX_SYLLABLES] = [
    0,
    256,
    256 + (1 << 16),
    256 + (1 << 16) + (1 << 24),
    256 + (1 << 16) + (1 << 24) + (1 << 32),
];

/// A seeded, streamed, Zipf-distributed synthetic corpus (see the [module docs](self)).
///
/// # Example
///
/// ```
/// use lessram::sample::SampleCorpus;
///
/// let corpus = SampleCorpus::new(10);
/// let tokens: Vec<String> = corpus.tokens().collect();
/// assert_eq!(tokens.len(), 10);
/// assert!(tokens.iter().all(|t| t.bytes().all(|b| b.is_ascii_lowercase())));
/// // Same parameters, same tokens:
/// assert_eq!(tokens, SampleCorpus::new(10).tokens().collect::<Vec<_>>());
/// ```
#[derive(Clone, Debug)]
pub struct SampleCorpus {
    tokens: u64,
    seed: u64,
    vocabulary: u64,
    exponent: f64,
    /// `1 - s`, or 0 for the logarithmic form when `s` is (nearly) 1.
    a: f64,
    /// `(V + 1)^a - 1`, or `log2(V + 1)` when `a == 0`.
    c: f64,
    /// Per digit position, a seeded permutation of the syllables (the fast path's
    /// `spell` table holds it spelled; the reference spelling in the tests reads it).
    #[cfg(test)]
    perm: [[u8; SYLLABLES]; MAX_SYLLABLES],
    /// Per length class, an odd multiplier and an offset scrambling ranks within the class.
    mix: [(u64, u64); MAX_SYLLABLES],
    /// Tables of the fast path, shared by clones.
    fast: Arc<Fast>,
}

/// What the fast path precomputes: spelled syllables and the constants of the fast
/// power-law variate (see [`SampleCorpus::rank_of`]).
struct Fast {
    /// Per digit position and digit, the syllable it spells (after the permutation): its
    /// bytes, zero-padded, with its length in the last byte.
    spell: [[[u8; 8]; SYLLABLES]; MAX_SYLLABLES],
    /// Syllables of the vocabulary's longest word.
    syllables: usize,
    /// The relative margin within which the fast variate is trusted to round to the same
    /// rank as the reference computation.
    margin: f64,
    /// The power-law variate as a piecewise quadratic of the uniform variate's 53 bits:
    /// [`BUCKETS`] pieces, each with a bound on its distance from the reference.
    buckets: Box<[Bucket; BUCKETS]>,
}

/// The top bits of the uniform variate's 53 that choose a [`Bucket`].
const BUCKET_BITS: u32 = 12;
/// Pieces of the piecewise quadratic variate.
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Low bits of the uniform variate's 53: the position within a bucket.
const BUCKET_SHIFT: u32 = 53 - BUCKET_BITS;

/// One piece of the piecewise quadratic variate, on the 53-bit uniform integers `m` whose
/// top bits are its index: with `t` the offset of `m` in the piece, the Newton form
/// `x0 + t (d1 + (t - H/2) d2)` of the quadratic through the variate at the piece's start,
/// middle and end (`H` = 2^BUCKET_SHIFT), and `err`, a bound on the distance from that
/// value to the reference variate anywhere in the piece (infinite where no useful bound
/// holds).
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Bucket {
    x0: f64,
    d1: f64,
    d2: f64,
    err: f64,
}

impl std::fmt::Debug for Fast {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fast")
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl SampleCorpus {
    /// Tokens in the corpus `lessram count` counts when given no input.
    pub const DEFAULT_TOKENS: u64 = 10_000_000;
    /// The seed of the default corpus.
    pub const DEFAULT_SEED: u64 = 0x1e55_7a11;
    /// Words in the default vocabulary (2^21).
    pub const DEFAULT_VOCABULARY: u64 = 1 << 21;
    /// The default Zipf exponent, that of English text.
    pub const DEFAULT_EXPONENT: f64 = 1.07;

    /// The default corpus cut to `tokens` tokens.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    /// assert_eq!(SampleCorpus::new(1_000).len(), 1_000);
    /// ```
    #[must_use]
    pub fn new(tokens: u64) -> Self {
        Self::with_params(
            tokens,
            Self::DEFAULT_SEED,
            Self::DEFAULT_VOCABULARY,
            Self::DEFAULT_EXPONENT,
        )
        .expect("the default parameters are valid")
    }

    /// A corpus of `tokens` tokens drawn from a `vocabulary`-word vocabulary with Zipf
    /// exponent `exponent`, generated from `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `vocabulary` is not in `1..=2^32` or `exponent` not
    /// in `0.5..=2.0`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    ///
    /// let small = SampleCorpus::with_params(1_000, 7, 10, 1.0).unwrap();
    /// let distinct: std::collections::HashSet<String> = small.tokens().collect();
    /// assert_eq!(distinct.len(), 10);
    /// assert!(SampleCorpus::with_params(1_000, 7, 0, 1.0).is_err());
    /// assert!(SampleCorpus::with_params(1_000, 7, 10, 3.0).is_err());
    /// ```
    pub fn with_params(tokens: u64, seed: u64, vocabulary: u64, exponent: f64) -> Result<Self> {
        if !(1..=1 << 32).contains(&vocabulary) {
            return Err(Error::parameter("vocabulary", vocabulary, "1..=4294967296"));
        }
        if !(0.5..=2.0).contains(&exponent) {
            return Err(Error::parameter(
                "exponent",
                crate::error::float(exponent),
                "0.5..=2.0",
            ));
        }
        let top = vocabulary as f64 + 1.0;
        let a = 1.0 - exponent;
        let (a, c) = if a.abs() < 1e-9 {
            (0.0, log2(top))
        } else {
            (a, exp2(a * log2(top)) - 1.0)
        };
        let mut state = seed ^ 0x5a4d_2b61_9c3e_8f07;
        let mut next = move || {
            state = state.wrapping_add(GOLDEN);
            mix64(state)
        };
        let mut perm = [[0u8; SYLLABLES]; MAX_SYLLABLES];
        for p in &mut perm {
            for (i, v) in p.iter_mut().enumerate() {
                *v = i as u8;
            }
            // Fisher-Yates with an unbiased-enough 64-bit draw (the bias is 2^-56).
            for i in (1..SYLLABLES).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                p.swap(i, j);
            }
        }
        let mut mix = [(1, 0); MAX_SYLLABLES];
        for m in &mut mix {
            *m = (next() | 1, next());
        }
        let mut spell = [[[0u8; 8]; SYLLABLES]; MAX_SYLLABLES];
        for (table, p) in spell.iter_mut().zip(&perm) {
            for (entry, &syllable) in table.iter_mut().zip(p) {
                let mut w = Vec::with_capacity(5);
                spell_syllable(syllable as usize, &mut w);
                entry[..w.len()].copy_from_slice(&w);
                entry[7] = w.len() as u8;
            }
        }
        // The fast and the reference variates both compute `1 + u c` (same bits), take a
        // log2 accurate to a few units in the last place, divide by `a` (which scales
        // their difference by 1 / |a|) and exponentiate, accurate to a few ulps: well under
        // 1e-13 / |a| apart in relative terms. The margin is 1e-9 + 1e-12 / |a|, at least
        // ten thousand times that; a token falls back to the reference when x is within
        // the margin of an integer (about 2 in 10,000 tokens with the defaults).
        let margin = if a == 0.0 {
            1e-9
        } else {
            1e-9 + 1e-12 / a.abs()
        };
        let buckets = buckets(a, c, margin);
        Ok(Self {
            tokens,
            seed,
            vocabulary,
            exponent,
            a,
            c,
            #[cfg(test)]
            perm,
            mix,
            fast: Arc::new(Fast {
                spell,
                syllables: 1 + CLASS_STARTS[1..]
                    .iter()
                    .filter(|&&s| vocabulary > s)
                    .count(),
                margin,
                buckets,
            }),
        })
    }

    /// Number of tokens.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.tokens
    }

    /// Whether the corpus has no tokens.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tokens == 0
    }

    /// The seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Words in the vocabulary.
    #[must_use]
    pub fn vocabulary(&self) -> u64 {
        self.vocabulary
    }

    /// The Zipf exponent.
    #[must_use]
    pub fn exponent(&self) -> f64 {
        self.exponent
    }

    /// Appends the vocabulary word of 0-based `rank` (taken modulo the vocabulary) to `out`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    ///
    /// let corpus = SampleCorpus::new(0);
    /// let (mut a, mut b) = (Vec::new(), Vec::new());
    /// corpus.word_into(0, &mut a);
    /// corpus.word_into(300, &mut b);
    /// assert!(a.len() <= 5 && b.len() >= 4 && a != b);
    /// ```
    pub fn word_into(&self, rank: u64, out: &mut Vec<u8>) {
        let mut buf = [0u8; SPELL_ROOM];
        let n = self.spell_into(rank % self.vocabulary, &mut buf);
        out.extend_from_slice(&buf[..n]);
    }

    /// Writes the word of `rank` (below the vocabulary) at the start of `out`, which has at
    /// least [`SPELL_ROOM`] bytes (whole 8-byte syllable entries are copied, so up to 7
    /// bytes past the word are overwritten); returns its length.
    #[inline]
    fn spell_into(&self, rank: u64, out: &mut [u8]) -> usize {
        let out = &mut out[..SPELL_ROOM];
        // Length class: one syllable for the first 256 ranks, two for the next 256^2, ...
        // (without branches: the class of a Zipf draw is a coin toss the CPU would guess
        // wrong about once a token).
        let class = CLASS_STARTS[1..]
            .iter()
            .map(|&s| usize::from(rank >= s))
            .sum::<usize>();
        let r = self.scramble(class, rank - CLASS_STARTS[class]);
        // As many entries as the vocabulary's longest word has syllables, those past the
        // word's own written at its end with no length, to be overwritten.
        let mut len = 0;
        for (d, table) in self.fast.spell[..self.fast.syllables].iter().enumerate() {
            let e = &table[((r >> (8 * d)) & 0xff) as usize];
            out[len..len + 8].copy_from_slice(e);
            len += usize::from(e[7]) & usize::from(d <= class).wrapping_neg();
        }
        len
    }

    /// Scrambles the offset `r` within length class `class` (a bijection modulo
    /// 256^(class + 1)).
    #[inline]
    fn scramble(&self, class: usize, r: u64) -> u64 {
        let digits = class + 1;
        let (mul, add) = self.mix[class];
        let mask = if digits >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * digits)) - 1
        };
        r.wrapping_mul(mul).wrapping_add(add) & mask
    }

    /// The reference spelling of `rank`, as first written (the tests check the fast
    /// spelling against it).
    #[cfg(test)]
    fn word_into_reference(&self, rank: u64, out: &mut Vec<u8>) {
        let mut r = rank % self.vocabulary;
        // Length class: one syllable for the first 256 ranks, two for the next 256^2, ...
        let mut class = 0;
        let mut size: u64 = SYLLABLES as u64;
        while r >= size {
            r -= size;
            class += 1;
            size = size.saturating_mul(SYLLABLES as u64);
        }
        let digits = class + 1;
        // Scramble the offset within the class (a bijection modulo 256^digits).
        let (mul, add) = self.mix[class];
        let mask = if digits >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * digits)) - 1
        };
        let r = r.wrapping_mul(mul).wrapping_add(add) & mask;
        for d in 0..digits {
            let syllable = self.perm[d][((r >> (8 * d)) & 0xff) as usize] as usize;
            spell_syllable(syllable, out);
        }
    }

    /// The 64 random bits of token `index`.
    #[inline]
    fn bits(&self, index: u64) -> u64 {
        mix64(
            self.seed
                .wrapping_add(index.wrapping_add(1).wrapping_mul(GOLDEN)),
        )
    }

    /// The 0-based vocabulary rank of token `index`.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    ///
    /// // About 7.4% of tokens are the most frequent word, rank 0:
    /// let corpus = SampleCorpus::new(100_000);
    /// let top = (0..corpus.len()).filter(|&i| corpus.rank(i) == 0).count();
    /// assert!((6_500..8_500).contains(&top));
    /// ```
    #[must_use]
    pub fn rank(&self, index: u64) -> u64 {
        self.rank_of(self.bits(index))
    }

    /// The rank the random bits `bits` draw: the reference rank, found by the piecewise
    /// quadratic variate (see [`buckets`]) when the reference variate is within its bound
    /// of the quadratic's value and no integer lies within the bound (all but about 1 in
    /// 1,100 tokens with the defaults), and by [`rank_of_variate`](Self::rank_of_variate)
    /// otherwise.
    #[inline]
    fn rank_of(&self, bits: u64) -> u64 {
        let m = bits >> 11;
        let b = &self.fast.buckets[(m >> BUCKET_SHIFT) as usize];
        let t = (m & ((1 << BUCKET_SHIFT) - 1)) as f64;
        let x = b.x0 + t * (b.d1 + (t - (1u64 << (BUCKET_SHIFT - 1)) as f64) * b.d2);
        // Where the bound is finite, x >= 1 - err > 0, so `k` is its floor and `d` its
        // exact fractional part (Sterbenz); the reference is in [k, k + 1) when both
        // tests pass (the bound's factor 2 covers the last rounding of `d + err`). An
        // infinite bound (or a NaN) fails them.
        let k = x as i64;
        let d = x - k as f64;
        if d >= b.err && d + b.err < 1.0 {
            (k as u64).clamp(1, self.vocabulary) - 1
        } else {
            self.rank_of_variate(bits)
        }
    }

    /// The rank the random bits `bits` draw: the power-law variate `x` computed with the
    /// fast `exp2` (and `log2`), floored, unless `x` lies within the margin of an integer,
    /// where the reference computation decides. Both round to the same integer whenever
    /// they are closer than the margin, so the result is the reference rank.
    #[inline(never)]
    fn rank_of_variate(&self, bits: u64) -> u64 {
        let u = (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        let x = variate_fast(self.a, self.c, u);
        let margin = self.fast.margin;
        let (lo, hi) = ((x * (1.0 - margin)) as u64, (x * (1.0 + margin)) as u64);
        if lo == hi {
            lo.clamp(1, self.vocabulary) - 1
        } else {
            self.rank_reference(u)
        }
    }

    /// The rank of the uniform variate `u` by the reference computation: the power law's
    /// inverse with the series `log2` and `exp2`, floored.
    #[cold]
    fn rank_reference(&self, u: f64) -> u64 {
        let x = if self.a == 0.0 {
            exp2(u * self.c)
        } else {
            exp2(log2(1.0 + u * self.c) / self.a)
        };
        // x is in [1, V + 1); the clamp only guards the last rounding.
        (x as u64).clamp(1, self.vocabulary) - 1
    }

    /// Appends token `index` to `out`; returns whether a line ends after it (lines hold 16
    /// tokens on average).
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    ///
    /// let corpus = SampleCorpus::new(3);
    /// let mut t = Vec::new();
    /// corpus.token_into(2, &mut t);
    /// assert_eq!(String::from_utf8(t).unwrap(), corpus.tokens().nth(2).unwrap());
    /// ```
    pub fn token_into(&self, index: u64, out: &mut Vec<u8>) -> bool {
        let mut buf = [0u8; SPELL_ROOM];
        let (n, newline) = self.token_at(index, &mut buf);
        out.extend_from_slice(&buf[..n]);
        newline
    }

    /// Writes token `index` at the start of `out` (at least [`SPELL_ROOM`] bytes); returns
    /// its length and whether a line ends after it.
    #[inline]
    fn token_at(&self, index: u64, out: &mut [u8]) -> (usize, bool) {
        let bits = self.bits(index);
        (self.spell_into(self.rank_of(bits), out), bits & 15 == 0)
    }

    /// The tokens as `String`s, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    /// assert_eq!(SampleCorpus::new(42).tokens().count(), 42);
    /// ```
    #[must_use]
    pub fn tokens(&self) -> Tokens {
        self.tokens_range(0..self.tokens)
    }

    /// Tokens `range` (clamped to the corpus) as `String`s.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::sample::SampleCorpus;
    ///
    /// let c = SampleCorpus::new(100);
    /// let mut halves: Vec<String> = c.tokens_range(0..50).collect();
    /// halves.extend(c.tokens_range(50..100));
    /// assert_eq!(halves, c.tokens().collect::<Vec<_>>());
    /// ```
    #[must_use]
    pub fn tokens_range(&self, range: Range<u64>) -> Tokens {
        Tokens {
            corpus: self.clone(),
            next: range.start.min(self.tokens),
            end: range.end.min(self.tokens),
            buf: Vec::with_capacity(MAX_TOKEN),
        }
    }

    /// The corpus as text: tokens separated by one space, a newline ending each line.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Read;
    /// use lessram::sample::SampleCorpus;
    ///
    /// let mut text = Vec::new();
    /// SampleCorpus::new(1_000).reader().read_to_end(&mut text).unwrap();
    /// assert_eq!(text.split(|b| b.is_ascii_whitespace()).filter(|t| !t.is_empty()).count(), 1_000);
    /// assert_eq!(text.last(), Some(&b'\n'));
    /// ```
    #[must_use]
    pub fn reader(&self) -> SampleReader {
        self.reader_range(0..self.tokens)
    }

    /// Tokens `range` (clamped to the corpus) as text; the texts of consecutive ranges
    /// concatenate to the text of their union.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Read;
    /// use lessram::sample::SampleCorpus;
    ///
    /// let c = SampleCorpus::new(500);
    /// let (mut whole, mut parts) = (Vec::new(), Vec::new());
    /// c.reader().read_to_end(&mut whole).unwrap();
    /// c.reader_range(0..123).read_to_end(&mut parts).unwrap();
    /// c.reader_range(123..500).read_to_end(&mut parts).unwrap();
    /// assert_eq!(whole, parts);
    /// ```
    #[must_use]
    pub fn reader_range(&self, range: Range<u64>) -> SampleReader {
        SampleReader {
            corpus: self.clone(),
            next: range.start.min(self.tokens),
            end: range.end.min(self.tokens),
            pending: Vec::with_capacity(MAX_TOKEN + 1),
            pending_pos: 0,
        }
    }

    /// The corpus cut into `parts` readers of token ranges as equal as they can be, in
    /// order (their bytes, one after the other, are [`SampleCorpus::reader`]'s): one per
    /// thread for [`Counter::count_parts`](crate::text::Counter::count_parts). `0` parts
    /// count as 1.
    ///
    /// # Example
    ///
    /// ```
    /// use std::io::Read;
    /// use lessram::sample::SampleCorpus;
    ///
    /// let c = SampleCorpus::new(1_000);
    /// let (mut whole, mut parts) = (Vec::new(), Vec::new());
    /// c.reader().read_to_end(&mut whole).unwrap();
    /// for mut r in c.readers(3) {
    ///     r.read_to_end(&mut parts).unwrap();
    /// }
    /// assert_eq!(whole, parts);
    /// ```
    pub fn readers(&self, parts: u64) -> impl Iterator<Item = SampleReader> + '_ {
        let (n, parts) = (self.tokens, parts.max(1));
        // In u128: n * (i + 1) overflows u64 for a corpus of more than 2^64 / parts tokens.
        let at = move |i: u64| (u128::from(n) * u128::from(i) / u128::from(parts)) as u64;
        (0..parts).map(move |i| self.reader_range(at(i)..at(i + 1)))
    }
}

/// Iterator over a [`SampleCorpus`]'s tokens (from [`SampleCorpus::tokens`]).
///
/// # Example
///
/// ```
/// use lessram::sample::SampleCorpus;
/// let longest = SampleCorpus::new(1_000).tokens().map(|t| t.len()).max().unwrap();
/// assert!(longest <= 25);
/// ```
#[derive(Clone, Debug)]
pub struct Tokens {
    corpus: SampleCorpus,
    next: u64,
    end: u64,
    buf: Vec<u8>,
}

impl Iterator for Tokens {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        if self.next >= self.end {
            return None;
        }
        self.buf.clear();
        self.corpus.token_into(self.next, &mut self.buf);
        self.next += 1;
        // Tokens are built from ASCII syllables only.
        Some(self.buf.iter().map(|&b| b as char).collect())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

/// A [`SampleCorpus`] as whitespace-separated text (from [`SampleCorpus::reader`]).
///
/// # Example
///
/// ```
/// use std::io::Read;
/// use lessram::sample::SampleCorpus;
///
/// let mut text = String::new();
/// SampleCorpus::new(3).reader().read_to_string(&mut text).unwrap();
/// assert_eq!(text.split_ascii_whitespace().count(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct SampleReader {
    corpus: SampleCorpus,
    next: u64,
    end: u64,
    pending: Vec<u8>,
    pending_pos: usize,
}

impl SampleReader {
    /// Appends the next token and its separator to `self.pending`.
    fn push_next(&mut self, out: &mut Vec<u8>) {
        let newline = self.corpus.token_into(self.next, out);
        self.next += 1;
        out.push(if newline || self.next == self.corpus.tokens {
            b'\n'
        } else {
            b' '
        });
    }
}

impl Read for SampleReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // What is left of a token the previous call cut.
        let mut written = self.drain_pending(buf);
        if self.pending_pos < self.pending.len() {
            return Ok(written);
        }
        // Straight into `buf` while a whole token, its separator and the spelling's
        // overshoot fit, in batches: the ranks of a batch first (independent of each
        // other, so their table loads overlap), then their spelling.
        let corpus = &self.corpus;
        let (mut next, end) = (self.next, self.end);
        let mut ranks = [0u64; BATCH];
        while next < end && buf.len() - written > SPELL_ROOM {
            // k tokens take at most k (MAX_TOKEN + 1) bytes, and the last one's spelling
            // 7 more: k is at least 1 here.
            let room = (buf.len() - written - (SPELL_ROOM - MAX_TOKEN - 1)) / (MAX_TOKEN + 1);
            let k = room
                .min(BATCH)
                .min(usize::try_from(end - next).unwrap_or(BATCH));
            for (j, r) in ranks[..k].iter_mut().enumerate() {
                let bits = corpus.bits(next + j as u64);
                // The line flag in the low bit, the rank above it (ranks are below 2^32).
                *r = corpus.rank_of(bits) << 1 | u64::from(bits & 15 == 0);
            }
            for &r in &ranks[..k] {
                let n = corpus.spell_into(r >> 1, &mut buf[written..]);
                next += 1;
                buf[written + n] = if r & 1 == 1 || next == corpus.tokens {
                    b'\n'
                } else {
                    b' '
                };
                written += n + 1;
            }
        }
        self.next = next;
        // The last few bytes, a token at a time through `pending`.
        while self.next < self.end && written < buf.len() {
            let mut pending = std::mem::take(&mut self.pending);
            pending.clear();
            self.push_next(&mut pending);
            self.pending = pending;
            self.pending_pos = 0;
            written += self.drain_pending(&mut buf[written..]);
        }
        Ok(written)
    }
}

impl SampleReader {
    /// Copies what it can of the rest of `pending` to the start of `buf`; returns the
    /// bytes copied.
    fn drain_pending(&mut self, buf: &mut [u8]) -> usize {
        let rest = &self.pending[self.pending_pos.min(self.pending.len())..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pending_pos += n;
        n
    }
}

/// The pieces of the quadratic variate (see [`Bucket`]), from the fast variate at the
/// start, middle and end of each.
///
/// The distance from a piece's quadratic to the reference variate at a point is at
/// most the sum of:
/// * the quadratic's own rounding (coefficients and evaluation, a few units in the
///   last place of the largest term: 16 ulps of their sum are allowed);
/// * the distance from the quadratic through the computed values to the one through the
///   exact ones: at most Lebesgue's constant of three equispaced nodes, 1.25, times
///   the nodes' error, which is that of the fast variate;
/// * the interpolation error of the exact function: `|x'''| / 6` times the largest
///   `|t (t - h/2) (t - h)|` on a piece of width `h`, which is `h^3 sqrt(3) / 36`;
///   `x(u) = (1 + u c)^(1/a)` has `x''' = x c^3 (1/a)(1/a - 1)(1/a - 2) / y^3` with
///   `y = 1 + u c` (`x''' = x (c ln 2)^3` for `2^(u c)`), a power of `y`, so monotonic
///   and largest at one end of the piece;
/// * the reference's own error.
///
/// The fast and the reference variates are each within a few ulps times `1 / |a|` of
/// the exact function (see the margin in [`SampleCorpus::with_params`]): a
/// quarter of the margin, over ten times that, is allowed for each. The bound kept is
/// twice the sum of the terms.
fn buckets(a: f64, c: f64, margin: f64) -> Box<[Bucket; BUCKETS]> {
    let unit = 1.0 / (1u64 << 53) as f64;
    let half = (1u64 << (BUCKET_SHIFT - 1)) as f64;
    let step = 2.0 * half;
    let width = step * unit;
    let node_error = margin / 4.0;
    // The third derivative of the exact variate over x, at y = 1 + u c.
    let third = |y: f64| {
        if a == 0.0 {
            let k = c * std::f64::consts::LN_2;
            (k * k * k).abs()
        } else {
            let r = 1.0 / a;
            (c * c * c * r * (r - 1.0) * (r - 2.0) / (y * y * y)).abs()
        }
    };
    let at = |m: u64| {
        let u = m as f64 * unit;
        (variate_fast(a, c, u), 1.0 + u * c)
    };
    let mut buckets = Box::new([Bucket::default(); BUCKETS]);
    let mut start = at(0);
    for (j, b) in buckets.iter_mut().enumerate() {
        let m0 = (j as u64) << BUCKET_SHIFT;
        let (f0, y0) = start;
        let (f1, _) = at(m0 + (1 << (BUCKET_SHIFT - 1)));
        let end = at(m0 + (1 << BUCKET_SHIFT));
        let (f2, y2) = end;
        start = end;
        let d1 = (f1 - f0) / half;
        let d2 = ((f2 - f1) / half - d1) / step;
        let top = f0.max(f1).max(f2);
        let rounding =
            16.0 * f64::EPSILON * (f0 + f1 + f2 + step * d1.abs() + step * step * d2.abs());
        let interpolation =
            (f0 * third(y0)).max(f2 * third(y2)) * width * width * width * (3f64.sqrt() / 36.0)
                / 6.0;
        let err = 2.0 * (rounding + 2.25 * node_error * top + interpolation);
        *b = Bucket {
            x0: f0,
            d1,
            d2,
            err: if err.is_finite() && err < 0.5 {
                err
            } else {
                f64::INFINITY
            },
        };
    }
    buckets
}

/// The fast power-law variate of the uniform variate `u` (`a` and `c` as in
/// [`SampleCorpus`]).
#[inline]
fn variate_fast(a: f64, c: f64, u: f64) -> f64 {
    if a == 0.0 {
        exp2_fast(u * c)
    } else {
        exp2_fast(log2_fast(1.0 + u * c) / a)
    }
}

/// Room [`SampleCorpus::spell_into`] needs: the longest token plus the 7 bytes of padding
/// the last syllable's entry carries.
const SPELL_ROOM: usize = MAX_TOKEN + 8;

/// Tokens [`SampleReader`] draws the ranks of before spelling them.
const BATCH: usize = 64;

/// Appends syllable `syllable` (0..256): onset, vowel, and `n` for the upper half.
fn spell_syllable(syllable: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(ONSETS[syllable & 15].as_bytes());
    out.extend_from_slice(VOWELS[(syllable >> 4) & 7].as_bytes());
    if syllable >= 128 {
        out.push(b'n');
    }
}

/// SplitMix64's finaliser (Stafford's variant 13).
#[inline]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `log2(y)` for finite `y > 0`, from IEEE 754 +, * and / only (same bits everywhere).
fn log2(y: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let mut y = y;
    let mut e: i64 = 0;
    if y < f64::MIN_POSITIVE {
        y *= 18_446_744_073_709_551_616.0; // 2^64
        e = -64;
    }
    let bits = y.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2 atanh(t), t = (m - 1) / (m + 1), |t| <= 0.172: the series to t^19 is exact
    // to well below one ulp.
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut sum = 1.0 / 19.0;
    for k in (0..9).rev() {
        sum = sum * t2 + 1.0 / (2 * k + 1) as f64;
    }
    e as f64 + 2.0 * t * sum / LN2
}

/// `2^x` for `x` in the normal range, from IEEE 754 +, * and / only (same bits everywhere).
fn exp2(x: f64) -> f64 {
    let n = x.floor();
    let g = (x - n) * std::f64::consts::LN_2; // in [0, ln 2)
    // e^g by Taylor to g^18 (error below 1e-19 on [0, ln 2)).
    let mut sum = 1.0;
    for k in (1..=18).rev() {
        sum = 1.0 + sum * g / f64::from(k);
    }
    let n = (n as i64).clamp(-1022, 1023);
    sum * f64::from_bits(((n + 1023) as u64) << 52)
}

/// `2^(j / 64)` for `j` in `0..64`, and `log2(1 + j / 64)` for `j` in `0..=64`, to the
/// last bit or so (checked against the series functions by a test).
const EXP2_STEPS: [f64; 64] = exp2_steps();
const LOG2_STEPS: [f64; 65] = log2_steps();

/// `2^(j / 64)` by repeated square roots is not `const`: the table is the series `exp2`
/// evaluated at compile time.
const fn exp2_steps() -> [f64; 64] {
    let mut t = [0.0; 64];
    let mut j = 0;
    while j < 64 {
        t[j] = exp2_const(j as f64 / 64.0);
        j += 1;
    }
    t
}

/// `e^(x ln 2)` for `x` in `[0, 1)` by the Taylor series to degree 24 (`const` twin of
/// [`exp2`]'s kernel; only builds the fast path's table).
const fn exp2_const(x: f64) -> f64 {
    let g = x * std::f64::consts::LN_2;
    let mut sum = 1.0;
    let mut k = 24;
    while k >= 1 {
        sum = 1.0 + sum * g / k as f64;
        k -= 1;
    }
    sum
}

const fn log2_steps() -> [f64; 65] {
    let mut t = [0.0; 65];
    let mut j = 1;
    while j <= 64 {
        // log2(m) for m in (1, 2] by 2 atanh((m - 1) / (m + 1)) / ln 2, to t^41.
        let m = 1.0 + j as f64 / 64.0;
        let tt = (m - 1.0) / (m + 1.0);
        let t2 = tt * tt;
        let mut sum = 1.0 / 41.0;
        let mut k = 20;
        while k > 0 {
            k -= 1;
            sum = sum * t2 + 1.0 / (2 * k + 1) as f64;
        }
        t[j] = 2.0 * tt * sum / std::f64::consts::LN_2;
        j += 1;
    }
    t
}

/// `2^x` for `x` in the normal range, fast: `2^n 2^(j/64) e^(g)` with `g` below
/// `ln 2 / 64` and a degree-6 polynomial (error below 2e-18). Close to [`exp2`], not
/// bit-identical: [`SampleCorpus::rank_of`] allows for the difference.
#[inline]
fn exp2_fast(x: f64) -> f64 {
    let n = x.floor();
    let f = (x - n) * 64.0; // in [0, 64), exact
    let j = f.floor();
    let g = (f - j) * (std::f64::consts::LN_2 / 64.0);
    let p = 1.0
        + g * (1.0
            + g * (1.0 / 2.0
                + g * (1.0 / 6.0 + g * (1.0 / 24.0 + g * (1.0 / 120.0 + g * (1.0 / 720.0))))));
    let n = (n as i64).clamp(-1022, 1023);
    EXP2_STEPS[j as usize] * p * f64::from_bits(((n + 1023) as u64) << 52)
}

/// `log2(y)` for normal `y > 0`, fast: the exponent, `log2(1 + j/64)` from a table, and
/// `ln(1 + r)` for `|r| < 1/64` by the series to `r^9` (error below 1e-18). Subnormal
/// inputs (which the corpus never produces) take [`log2`].
#[inline]
fn log2_fast(y: f64) -> f64 {
    if !(y >= f64::MIN_POSITIVE && y.is_finite()) {
        return log2(y);
    }
    let bits = y.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | (1023 << 52)); // in [1, 2)
    let j = ((m - 1.0) * 64.0 + 0.5).floor(); // nearest step: |m - (1 + j/64)| <= 1/128
    let c = 1.0 + j / 64.0;
    let r = (m - c) / c; // |r| <= 1/128
    let ln = r
        * (1.0
            + r * (-1.0 / 2.0
                + r * (1.0 / 3.0
                    + r * (-1.0 / 4.0
                        + r * (1.0 / 5.0
                            + r * (-1.0 / 6.0
                                + r * (1.0 / 7.0 + r * (-1.0 / 8.0 + r * (1.0 / 9.0)))))))));
    e as f64 + LOG2_STEPS[j as usize] + ln * std::f64::consts::LOG2_E
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn own_log2_and_exp2_agree_with_libm() {
        for i in 1..10_000 {
            let y = f64::from(i) * 0.37;
            assert!((log2(y) - y.log2()).abs() < 1e-13, "{y}");
            let x = f64::from(i) * 0.003 - 15.0;
            assert!((exp2(x) / x.exp2() - 1.0).abs() < 1e-14, "{x}");
        }
        assert!((log2(1e-310) - 1e-310f64.log2()).abs() < 1e-10);
    }

    #[test]
    fn every_rank_of_the_default_vocabulary_is_a_different_word() {
        let c = SampleCorpus::new(0);
        let mut seen = HashSet::with_capacity(c.vocabulary() as usize);
        let mut w = Vec::new();
        for r in 0..c.vocabulary() {
            w.clear();
            c.word_into(r, &mut w);
            assert!(seen.insert(w.clone()), "rank {r} repeats {w:?}");
        }
    }

    #[test]
    fn words_of_distant_classes_are_distinct_too() {
        // Four- and five-syllable words (ranks past 2^24) of a 2^32-word vocabulary.
        let c = SampleCorpus::with_params(0, 3, 1 << 32, 1.0).unwrap();
        let mut seen = std::collections::HashMap::new();
        let mut state = 9;
        for _ in 0..200_000 {
            state = mix64(state);
            let mut w = Vec::new();
            let r = state % (1 << 32) + (1 << 24);
            c.word_into(r, &mut w);
            assert!(w.len() <= MAX_TOKEN);
            assert_eq!(*seen.entry(w).or_insert(r), r, "two ranks give one word");
        }
    }

    /// The figures the module docs state, measured.
    #[test]
    fn distinct_tokens_of_the_default_corpus() {
        let distinct = |n: u64| {
            let c = SampleCorpus::new(n);
            let mut set = HashSet::new();
            let mut buf = Vec::new();
            let mut bytes = 0;
            for i in 0..n {
                buf.clear();
                c.token_into(i, &mut buf);
                bytes += buf.len();
                if !set.contains(&buf) {
                    set.insert(buf.clone());
                }
            }
            (set.len(), bytes as f64 / n as f64)
        };
        assert_eq!(distinct(1_000_000).0, 192_792);
        let (d, mean) = distinct(10_000_000);
        assert_eq!(d, 896_701);
        assert!((4.8..5.0).contains(&mean), "mean token length {mean}");
    }

    #[test]
    fn ranks_follow_the_power_law() {
        // P(rank 0) = (1 - 2^(1-s)) / (1 - (V+1)^(1-s)) for the floored continuous law.
        let c = SampleCorpus::new(200_000);
        let s = c.exponent();
        let v = c.vocabulary() as f64;
        let p0 = (1.0 - 2f64.powf(1.0 - s)) / (1.0 - (v + 1.0).powf(1.0 - s));
        let n = c.len() as f64;
        let top = (0..c.len()).filter(|&i| c.rank(i) == 0).count() as f64;
        // Binomial standard deviation sqrt(n p (1-p)) ~ 117: allow 5 of them.
        assert!(
            (top - n * p0).abs() < 5.0 * (n * p0 * (1.0 - p0)).sqrt(),
            "{top} vs {}",
            n * p0
        );
        assert!((0..c.len()).all(|i| c.rank(i) < c.vocabulary()));
    }

    #[test]
    fn fast_spelling_matches_the_reference() {
        let c = SampleCorpus::with_params(0, 3, 1 << 32, 1.0).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut state = 5;
        for r in (0..300_000).chain((0..200_000).map(|_| {
            state = mix64(state);
            state % (1 << 32)
        })) {
            a.clear();
            b.clear();
            c.word_into(r, &mut a);
            c.word_into_reference(r, &mut b);
            assert_eq!(a, b, "rank {r}");
        }
    }

    /// Uniform variates next to the points where the reference variate crosses an integer
    /// (where the quadratic pieces and the fast variate must defer to it), for several
    /// exponents.
    #[test]
    fn fast_rank_matches_the_reference_next_to_every_boundary_tried() {
        for &(v, s) in &[
            (1u64 << 21, 1.07),
            (1 << 32, 1.0),
            (1 << 32, 0.5),
            (1000, 2.0),
            (1 << 21, 1.000_000_01),
        ] {
            let c = SampleCorpus::with_params(0, 1, v, s).unwrap();
            let mut k = 2.0f64;
            while k < v as f64 {
                // The u at which x = k in exact arithmetic (libm is fine for a start point).
                let u = if c.a == 0.0 {
                    k.log2() / c.c
                } else {
                    (k.powf(c.a) - 1.0) / c.c
                };
                let m = (u * (1u64 << 53) as f64) as i64;
                for d in -300..300 {
                    let m = (m + d).clamp(0, (1 << 53) - 1) as u64;
                    let bits = m << 11;
                    let u = m as f64 * (1.0 / (1u64 << 53) as f64);
                    let want = c.rank_reference(u);
                    assert_eq!(c.rank_of(bits), want, "s {s} k {k} m {m}");
                    assert_eq!(c.rank_of_variate(bits), want, "s {s} k {k} m {m}");
                }
                k = (k * 1.37).ceil();
            }
        }
    }

    #[test]
    fn reader_handles_tiny_buffers() {
        let c = SampleCorpus::new(300);
        let mut whole = Vec::new();
        c.reader().read_to_end(&mut whole).unwrap();
        let mut r = c.reader();
        let mut pieces = Vec::new();
        let mut buf = [0u8; 3];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            pieces.extend_from_slice(&buf[..n]);
        }
        assert_eq!(pieces, whole);
        assert_eq!(SampleCorpus::new(0).reader().read(&mut buf).unwrap(), 0);
    }

    #[test]
    fn readers_cut_the_corpus_into_near_equal_parts() {
        for tokens in [0u64, 1, 10, 1_000] {
            let c = SampleCorpus::new(tokens);
            let mut whole = Vec::new();
            c.reader().read_to_end(&mut whole).unwrap();
            for parts in [0u64, 1, 2, 3, 7, 16] {
                let (mut joined, mut sizes) = (Vec::new(), Vec::new());
                for mut r in c.readers(parts) {
                    let mut part = Vec::new();
                    r.read_to_end(&mut part).unwrap();
                    sizes.push(
                        part.split(u8::is_ascii_whitespace)
                            .filter(|t| !t.is_empty())
                            .count(),
                    );
                    joined.extend_from_slice(&part);
                }
                assert_eq!(joined, whole, "{tokens} tokens, {parts} parts");
                assert_eq!(sizes.len() as u64, parts.max(1));
                let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
                assert!(hi - lo <= 1, "{tokens} tokens, {parts} parts: {sizes:?}");
                assert_eq!(sizes.iter().sum::<usize>() as u64, tokens);
            }
        }
        // No overflow for a corpus of nearly 2^64 tokens: the last part ends at the end.
        let huge = SampleCorpus::new(u64::MAX);
        assert_eq!(huge.readers(256).count(), 256);
    }

    #[test]
    fn tokens_are_pinned() {
        // The corpus must not change across releases and platforms: pin its start.
        let first: Vec<String> = SampleCorpus::new(8).tokens().collect();
        let joined = first.join(" ");
        assert_eq!(joined, joined.to_lowercase());
        assert_eq!(
            crate::hash::murmur3_x64_128(joined.as_bytes(), 0) as u64,
            PINNED
        );
    }

    const PINNED: u64 = 4_704_168_778_932_273_040;

    /// The MurmurHash3 (low 64 bits) of the text of `corpus`'s tokens `range`.
    fn text_hash(corpus: &SampleCorpus, range: Range<u64>) -> u64 {
        let mut text = Vec::new();
        corpus.reader_range(range).read_to_end(&mut text).unwrap();
        crate::hash::murmur3_x64_128(&text, 0) as u64
    }

    /// Long stretches of the output, pinned by hash with the generator as it was before
    /// the table-driven fast path: the first million tokens, a range far in, and the
    /// parameters that take the other branches (the logarithmic form at `s = 1`, a tiny
    /// and a 2^32-word vocabulary, ranks of four and five syllables far into the stream).
    #[test]
    fn long_stretches_are_pinned() {
        let default = SampleCorpus::new(SampleCorpus::DEFAULT_TOKENS);
        let long = |seed, vocabulary, exponent| {
            SampleCorpus::with_params(u64::MAX, seed, vocabulary, exponent).unwrap()
        };
        let got = [
            text_hash(&default, 0..1_000_000),
            text_hash(&default, 9_000_000..9_250_000),
            text_hash(&long(7, 1 << 32, 1.0), (1 << 40)..(1 << 40) + 200_000),
            text_hash(&long(11, 1 << 32, 0.5), 0..200_000),
            text_hash(&long(5, 10, 1.0), 3..100_003),
            text_hash(&long(13, 1 << 21, 2.0), (1 << 50)..(1 << 50) + 200_000),
            text_hash(&long(17, 3_000_001, 1.3), 123_456..323_456),
        ];
        assert_eq!(got, LONG_PINNED);
    }

    const LONG_PINNED: [u64; 7] = [
        11_465_558_325_471_619_664,
        5_106_869_002_191_003_493,
        7_693_266_885_243_703_358,
        9_398_260_530_625_690_101,
        15_177_467_361_428_333_907,
        6_964_080_789_191_274_717,
        9_887_048_883_970_580_074,
    ];
}
