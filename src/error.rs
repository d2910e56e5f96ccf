//! The one error type of lessram.

use std::fmt;

use crate::format::{Kind, MAGIC};

/// A `Result` whose error is lessram's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in lessram, each with a message that says what was expected
/// and what was found.
///
/// A panic in lessram is always a bug: parameters a caller can get wrong, data that does
/// not fit, and bytes that do not decode all come back as an `Error`.
///
/// The variants keep the caller's mistakes apart from bad data: [`Error::InvalidParameter`]
/// and [`Error::InvalidInput`] mean the call was wrong (a parameter out of range, input that
/// breaks the method's contract, such as unsorted words given to a `from_sorted`), while
/// [`Error::Corrupt`] and the other decoding variants mean the bytes were.
///
/// # Example
///
/// ```
/// use lessram::Error;
///
/// let e = Error::parameter("precision", 30, "4..=18");
/// assert_eq!(e.to_string(), "precision 30 out of range 4..=18");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A constructor parameter outside its valid range.
    InvalidParameter {
        /// The parameter's name, e.g. `"precision"`.
        name: &'static str,
        /// The value given, as text.
        found: String,
        /// The valid range or set, e.g. `"4..=18"`.
        expected: String,
    },
    /// Input given to a method breaks its documented contract (words not in strictly
    /// increasing order for a `from_sorted`, for example): the caller's mistake, not bad
    /// bytes (those are [`Error::Corrupt`]).
    InvalidInput {
        /// The structure, e.g. `"Dawg"`.
        structure: &'static str,
        /// What the method expected and what it found.
        detail: String,
    },
    /// Two structures that cannot be combined (merge, union, intersection) because a
    /// parameter, the hash or the seed differs.
    Incompatible {
        /// The structure, e.g. `"HyperLogLog"`.
        structure: &'static str,
        /// What differs, e.g. `"precision"`.
        what: &'static str,
        /// Its value on the left side (the receiver).
        left: String,
        /// Its value on the right side (the argument).
        right: String,
    },
    /// A structure reached a limit it must not pass (a saturated counter, a memory limit).
    LimitReached {
        /// The structure, e.g. `"ScalingBloomFilter"`.
        structure: &'static str,
        /// Which limit and its value, e.g. `"memory limit of 1048576 bytes"`.
        limit: String,
    },
    /// The bytes end before the structure does.
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed to read it.
        needed: u64,
        /// Bytes left in the input.
        available: u64,
    },
    /// The bytes do not start with lessram's magic.
    BadMagic {
        /// The first bytes found.
        found: [u8; 4],
    },
    /// The bytes were written by a format version this release cannot read.
    UnsupportedVersion {
        /// The version found.
        found: u16,
        /// The newest version this release reads.
        supported: u16,
    },
    /// The bytes hold another kind of structure than the one asked for.
    WrongKind {
        /// The kind asked for.
        expected: Kind,
        /// The kind byte found (see [`Kind::from_byte`]).
        found: u8,
    },
    /// The bytes were hashed with another hash function or seed than the decoder's hasher.
    WrongHasher {
        /// `(hash id, seed)` the decoder's hasher has.
        expected: (u8, u64),
        /// `(hash id, seed)` found in the bytes.
        found: (u8, u64),
    },
    /// The bytes record no hasher (hash id 0) where a hashed structure was expected: a
    /// structure saved with a custom hasher by a release before hasher fingerprints. Its
    /// hasher cannot be checked, so decoding is refused.
    UnidentifiedHasher {
        /// `(hash id, seed)` the decoder's hasher has.
        expected: (u8, u64),
        /// `(hash id, seed)` found in the bytes.
        found: (u8, u64),
    },
    /// The stored checksum does not match the bytes: they were changed or cut.
    ChecksumMismatch {
        /// Checksum stored in the bytes.
        stored: u32,
        /// Checksum computed over the bytes.
        computed: u32,
    },
    /// Decoded bytes are well-formed but inconsistent (a register above its maximum,
    /// unsorted values, a length that does not match its parameters, bytes left over).
    /// Only decoders return it; a caller's own input that breaks a contract is
    /// [`Error::InvalidInput`].
    Corrupt {
        /// The structure being decoded.
        structure: &'static str,
        /// What is wrong, saying what was expected and what was found.
        detail: String,
    },
    /// An I/O error while reading or writing a file.
    Io(std::io::Error),
}

/// A float as a person writes it: `0.01`, `2`, `NaN`, and `1e-300` rather than three hundred
/// zeros (Rust's `{}` prints every digit of very large and very small values).
pub(crate) fn float(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-6..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

impl Error {
    /// An [`Error::InvalidParameter`]: `"{name} {found} out of range {expected}"`.
    #[must_use]
    pub fn parameter(
        name: &'static str,
        found: impl fmt::Display,
        expected: impl fmt::Display,
    ) -> Self {
        Self::InvalidParameter {
            name,
            found: found.to_string(),
            expected: expected.to_string(),
        }
    }

    /// An [`Error::Incompatible`] naming both sides.
    #[must_use]
    pub fn incompatible(
        structure: &'static str,
        what: &'static str,
        left: impl fmt::Display,
        right: impl fmt::Display,
    ) -> Self {
        Self::Incompatible {
            structure,
            what,
            left: left.to_string(),
            right: right.to_string(),
        }
    }

    /// An [`Error::InvalidInput`] for `structure`.
    #[must_use]
    pub fn invalid_input(structure: &'static str, detail: impl Into<String>) -> Self {
        Self::InvalidInput {
            structure,
            detail: detail.into(),
        }
    }

    /// An [`Error::Corrupt`] for `structure`.
    #[must_use]
    pub fn corrupt(structure: &'static str, detail: impl Into<String>) -> Self {
        Self::Corrupt {
            structure,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidParameter {
                name,
                found,
                expected,
            } => {
                write!(f, "{name} {found} out of range {expected}")
            }
            Self::InvalidInput { structure, detail } => {
                write!(f, "invalid input to {structure}: {detail}")
            }
            Self::Incompatible {
                structure,
                what,
                left,
                right,
            } => {
                write!(
                    f,
                    "cannot combine {structure}s with different {what}: {left} and {right}"
                )
            }
            Self::LimitReached { structure, limit } => write!(f, "{structure} reached its {limit}"),
            Self::Truncated {
                what,
                needed,
                available,
            } => {
                write!(
                    f,
                    "truncated input: {what} needs {needed} bytes, {available} left"
                )
            }
            Self::BadMagic { found } => {
                write!(
                    f,
                    "not a lessram structure: expected magic {}, found {}",
                    escaped(&MAGIC),
                    escaped(found)
                )
            }
            Self::UnsupportedVersion { found, supported } => {
                write!(
                    f,
                    "format version {found} is not supported (this release reads up to {supported})"
                )
            }
            Self::WrongKind { expected, found } => match Kind::from_byte(*found) {
                Some(kind) => write!(f, "expected a {expected}, found a {kind}"),
                None => write!(f, "expected a {expected}, found unknown kind byte {found}"),
            },
            Self::WrongHasher { expected, found } => write!(
                f,
                "hasher mismatch: expected hash id {} seed {}, found hash id {} seed {}",
                expected.0, expected.1, found.0, found.1
            ),
            Self::UnidentifiedHasher { expected, found } => write!(
                f,
                "unidentified hasher: found hash id {} seed {} (no recorded hasher, as written \
                 before hasher fingerprints), expected hash id {} seed {}; a hasher that \
                 cannot be checked is refused",
                found.0, found.1, expected.0, expected.1
            ),
            Self::ChecksumMismatch { stored, computed } => write!(
                f,
                "checksum mismatch: stored {stored:#010x}, computed {computed:#010x} (the bytes were changed or cut)"
            ),
            Self::Corrupt { structure, detail } => write!(f, "corrupt {structure}: {detail}"),
            Self::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

/// Bytes as text, printable ASCII as it is and the rest as `\xNN`: `"LS\x00M"`.
fn escaped(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        s.extend(std::ascii::escape_default(b).map(char::from));
    }
    s.push('"');
    s
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_in_messages_are_short() {
        for (x, text) in [
            (0.01, "0.01"),
            (2.0, "2"),
            (0.0, "0"),
            (-0.1, "-0.1"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "inf"),
            (1e-300, "1e-300"),
            (5e300, "5e300"),
        ] {
            assert_eq!(float(x), text);
        }
        let e = crate::BloomFilter::new(10, 5e300).unwrap_err();
        assert_eq!(
            e.to_string(),
            "false-positive rate 5e300 out of range (0, 1), exclusive"
        );
    }

    #[test]
    fn messages_say_expected_and_found() {
        assert_eq!(
            Error::parameter("false-positive rate", 2, "(0, 1)").to_string(),
            "false-positive rate 2 out of range (0, 1)"
        );
        assert_eq!(
            Error::incompatible("HyperLogLog", "precision", 14, 12).to_string(),
            "cannot combine HyperLogLogs with different precision: 14 and 12"
        );
        let e = Error::WrongKind {
            expected: Kind::HyperLogLog,
            found: Kind::BloomFilter as u8,
        };
        assert_eq!(e.to_string(), "expected a HyperLogLog, found a BloomFilter");
        let e = Error::WrongKind {
            expected: Kind::Kmv,
            found: 200,
        };
        assert_eq!(e.to_string(), "expected a Kmv, found unknown kind byte 200");
        let e = Error::BadMagic {
            found: *b"he\x00\xff",
        };
        assert_eq!(
            e.to_string(),
            r#"not a lessram structure: expected magic "LSRM", found "he\x00\xff""#
        );
        let e = Error::Truncated {
            what: "header",
            needed: 24,
            available: 3,
        };
        assert_eq!(
            e.to_string(),
            "truncated input: header needs 24 bytes, 3 left"
        );
        assert_eq!(
            Error::invalid_input("Dawg", "words out of order").to_string(),
            "invalid input to Dawg: words out of order"
        );
    }

    #[test]
    fn io_errors_keep_their_source() {
        use std::error::Error as _;
        let e = Error::from(std::io::Error::new(std::io::ErrorKind::NotFound, "gone"));
        assert!(e.source().is_some());
        assert_eq!(e.to_string(), "I/O error: gone");
    }
}
