//! [`Hashing`]: how a [`Counter`](super::Counter) hashes tokens for the sketches it feeds,
//! lessram's own way or the way another engine does, so its sketches can be handed over.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// How a [`Counter`](super::Counter) hashes tokens: lessram's MurmurHash3 (seed 0), Apache
/// DataSketches' (MurmurHash3 seed 9001), or Redis' (MurmurHash64A).
///
/// * [`Hashing::Lessram`]: MurmurHash3 x64_128 with the counter's seed (0 unless
///   [`Counter::seed`](super::Counter::seed) says otherwise). Every sink.
/// * [`Hashing::DataSketches`]: MurmurHash3 x64_128 with seed 9001, on the same batch path
///   (the same speed). A [`Distinct`](super::Distinct) sketch built with
///   `Murmur3::with_seed(9001)` counts as usual; a [`DataSketchesHll`](super::DataSketchesHll)
///   turns each hash into DataSketches' coupon, so it is the sketch DataSketches builds.
/// * [`Hashing::Redis`]: MurmurHash64A with Redis' seed, one token at a time, in the high 64
///   bits of each hash given to the sinks (the low 64 bits are lessram's MurmurHash3 seed 0
///   when the exact count, which keys its set with it, is on, else 0: the batch hash is then
///   skipped). Only sinks that read the high half as Redis' hash
///   ([`RedisHll`](super::RedisHll)) or hash nothing (a Morris counter) run with it.
///
/// # Example
///
/// ```
/// use lessram::text::Hashing;
///
/// let h: Hashing = "datasketches".parse()?;
/// assert_eq!((h, h.name(), h.seed()), (Hashing::DataSketches, "datasketches", 9001));
/// assert!("md5".parse::<Hashing>().is_err());
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hashing {
    /// lessram's MurmurHash3 x64_128, seed 0.
    #[default]
    Lessram,
    /// Apache DataSketches': MurmurHash3 x64_128, seed 9001.
    DataSketches,
    /// Redis': MurmurHash64A, seed `0xadc83b19`.
    Redis,
}

impl Hashing {
    /// Every way, in the order `--hash` lists them.
    pub const ALL: [Hashing; 3] = [Hashing::Lessram, Hashing::DataSketches, Hashing::Redis];

    /// The name `lessram count --hash` takes: `lessram`, `datasketches`, `redis`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Hashing::Lessram => "lessram",
            Hashing::DataSketches => "datasketches",
            Hashing::Redis => "redis",
        }
    }

    /// The MurmurHash3 seed the counter hashes with (0 for Redis, whose MurmurHash64A rides
    /// in the high half).
    #[must_use]
    pub fn seed(self) -> u32 {
        match self {
            Hashing::DataSketches => crate::interop::datasketches::SEED,
            Hashing::Lessram | Hashing::Redis => 0,
        }
    }
}

impl fmt::Display for Hashing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Hashing {
    type Err = Error;

    /// Parses a [`Hashing::name`], ignoring case.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|h| h.name() == s)
            .ok_or_else(|| {
                Error::invalid_input(
                    "Hashing",
                    format!("unknown hashing {s:?} (known: lessram, datasketches, redis)"),
                )
            })
    }
}
