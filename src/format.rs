//! What the binary format ([`crate::codec`]) and the error type ([`crate::Error`]) both
//! name: the magic and the kinds of structure. Its own module, so that neither of the two
//! imports the other.

use std::fmt;

/// The four bytes every lessram encoding starts with.
pub const MAGIC: [u8; 4] = *b"LSRM";
/// The kind of structure a frame holds (byte 6 of the frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum Kind {
    /// A single Morris approximate counter.
    MorrisCounter = 1,
    /// An array of Morris counters sharing base and generator.
    MorrisArray = 2,
    /// K minimum values.
    Kmv = 3,
    /// LogLog (Durand & Flajolet).
    LogLog = 4,
    /// SuperLogLog (Durand & Flajolet).
    SuperLogLog = 5,
    /// HyperLogLog.
    HyperLogLog = 6,
    /// Bloom filter.
    BloomFilter = 7,
    /// Scaling (growable) Bloom filter.
    ScalingBloomFilter = 8,
    /// Mutable trie.
    Trie = 9,
    /// DAWG set (minimal automaton).
    Dawg = 10,
    /// DAWG map from word to u64.
    DawgMap = 11,
    /// UltraLogLog (Ertl).
    UltraLogLog = 12,
}

impl Kind {
    /// Every kind, in byte order (for code that must cover them all, e.g. tests).
    pub const ALL: &'static [Kind] = &[
        Kind::MorrisCounter,
        Kind::MorrisArray,
        Kind::Kmv,
        Kind::LogLog,
        Kind::SuperLogLog,
        Kind::HyperLogLog,
        Kind::BloomFilter,
        Kind::ScalingBloomFilter,
        Kind::Trie,
        Kind::Dawg,
        Kind::DawgMap,
        Kind::UltraLogLog,
    ];

    /// The kind with this byte, if any.
    #[must_use]
    pub fn from_byte(b: u8) -> Option<Kind> {
        Self::ALL.iter().copied().find(|k| *k as u8 == b)
    }

    /// The structure's name, as in the crate's type names.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::MorrisCounter => "MorrisCounter",
            Kind::MorrisArray => "MorrisArray",
            Kind::Kmv => "Kmv",
            Kind::LogLog => "LogLog",
            Kind::SuperLogLog => "SuperLogLog",
            Kind::HyperLogLog => "HyperLogLog",
            Kind::BloomFilter => "BloomFilter",
            Kind::ScalingBloomFilter => "ScalingBloomFilter",
            Kind::Trie => "Trie",
            Kind::Dawg => "Dawg",
            Kind::DawgMap => "DawgMap",
            Kind::UltraLogLog => "UltraLogLog",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
