//! [`Format`]: the formats a [`Sketch`] is saved in and read back from: lessram's own frame,
//! Apache DataSketches' HLL and compact Theta sketch, and Redis' `HYLL` string, told apart by
//! their first bytes.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::format::MAGIC;
use crate::interop::datasketches::{self, Target};
use crate::interop::redis;
use crate::interop::theta;

use super::engines::{DataSketchesHll, DataSketchesTheta, RedisHll};
use super::hashing::Hashing;
use super::sketch::Sketch;

/// A format a [`Sketch`] is written in ([`Sketch::write`]) and read from ([`Sketch::read`]).
///
/// | format | first bytes | holds |
/// |---|---|---|
/// | [`Format::Lsrm`] | `LSRM` | every [`Sketch`], any hashing |
/// | [`Format::DataSketches`] | a DataSketches HLL preamble (family 7) | a HyperLogLog (or an UltraLogLog's) hashed as DataSketches does |
/// | [`Format::DataSketches`] | a compact Theta preamble (family 3) | a KMV hashed as DataSketches' Theta sketch does |
/// | [`Format::Redis`] | `HYLL` | a precision-14 HyperLogLog (or an UltraLogLog's) hashed as Redis does |
///
/// # Example
///
/// ```
/// use lessram::text::Format;
///
/// assert_eq!(Format::detect(b"HYLL\\0\\0\\0\\0"), Some(Format::Redis));
/// assert_eq!(Format::detect(&[2, 1, 7, 12, 3, 12, 0, 0]), Some(Format::DataSketches));
/// assert_eq!(Format::detect(&[1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93]), Some(Format::DataSketches));
/// assert_eq!(Format::describe_bytes(&[1, 3, 3, 0, 0, 0x1e, 0xcc, 0x93]), Some("DataSketches Theta"));
/// assert_eq!(Format::detect(b"text"), None);
/// assert_eq!("datasketches".parse::<Format>()?.extension(), "dshll");
/// # Ok::<(), lessram::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// lessram's binary format (`docs/format.md`).
    #[default]
    Lsrm,
    /// Apache DataSketches' HLL sketch, written compact as `HLL_8`
    /// ([`Sketch::to_datasketches`] for the other forms), or for a KMV its compact Theta
    /// sketch (ordered, serial version 3).
    DataSketches,
    /// Redis' `HYLL` string (sparse while small, else dense).
    Redis,
}

impl Format {
    /// Every format, in the order `--format` lists them.
    pub const ALL: [Format; 3] = [Format::Lsrm, Format::DataSketches, Format::Redis];

    /// The name `--format` takes: `lsrm`, `datasketches`, `redis`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Lsrm => "lsrm",
            Format::DataSketches => "datasketches",
            Format::Redis => "redis",
        }
    }

    /// The format's name in messages: `"lessram LSRM"`, `"DataSketches HLL"`,
    /// `"Redis HYLL"`.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Format::Lsrm => "lessram LSRM",
            Format::DataSketches => "DataSketches HLL",
            Format::Redis => "Redis HYLL",
        }
    }

    /// The file extension `lessram count --save` gives it: `lsrm`, `dshll`, `hyll` (a
    /// Theta sketch's is `dstheta`: [`Sketch::extension`]).
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::Lsrm => "lsrm",
            Format::DataSketches => "dshll",
            Format::Redis => "hyll",
        }
    }

    /// The hashing a sketch must have to be written in this format (`None`: any).
    #[must_use]
    pub fn hashing(self) -> Option<Hashing> {
        match self {
            Format::Lsrm => None,
            Format::DataSketches => Some(Hashing::DataSketches),
            Format::Redis => Some(Hashing::Redis),
        }
    }

    /// The format `bytes` are in, by their first bytes: the magic `LSRM`, the magic `HYLL`,
    /// a DataSketches HLL preamble (2, 3 or 10 preamble ints, serial version 1, family 7) or
    /// a compact Theta one (1 to 3 preamble longs, serial version 3 or 4, family 3); `None`
    /// for anything else. The bytes are not checked further ([`Sketch::read`] does).
    #[must_use]
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&MAGIC) {
            Some(Format::Lsrm)
        } else if bytes.starts_with(b"HYLL") {
            Some(Format::Redis)
        } else if is_hll(bytes) || is_theta(bytes) {
            Some(Format::DataSketches)
        } else {
            None
        }
    }

    /// The name of the format `bytes` are in, for messages: [`Format::describe`] of
    /// [`Format::detect`], with DataSketches' `"DataSketches HLL"` and `"DataSketches Theta"`
    /// told apart by their family byte.
    #[must_use]
    pub fn describe_bytes(bytes: &[u8]) -> Option<&'static str> {
        if is_theta(bytes) {
            Some(THETA)
        } else {
            Format::detect(bytes).map(Format::describe)
        }
    }
}

/// The name of DataSketches' Theta format in messages.
const THETA: &str = "DataSketches Theta";

/// A DataSketches HLL preamble: 2, 3 or 10 preamble ints, serial version 1, family 7.
fn is_hll(bytes: &[u8]) -> bool {
    matches!(bytes, [2 | 3 | 10, 1, 7, ..])
}

/// A compact Theta preamble: 1 to 3 preamble longs, serial version 3 or 4, family 3.
fn is_theta(bytes: &[u8]) -> bool {
    matches!(bytes, [1..=3, 3 | 4, 3, ..])
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses a [`Format::name`], ignoring case.
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                Error::invalid_input(
                    "Format",
                    format!("unknown format {s:?} (known: lsrm, datasketches, redis)"),
                )
            })
    }
}

impl Sketch {
    /// Reads a sketch in any [`Format`], told apart by its first bytes; a Morris counter gets
    /// a generator seeded with `seed` (as [`Sketch::from_bytes`]).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for bytes in none of the formats; else the error of the
    /// format's decoder (each names its format), never a panic.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::redis;
    /// use lessram::text::{Format, Hashing, Sketch};
    ///
    /// let mut hll = redis::new();
    /// hll.insert("x");
    /// let (sketch, format) = Sketch::read(&redis::to_hyll(&hll)?, 0)?;
    /// assert_eq!((format, sketch.hashing(), sketch.estimate()), (Format::Redis, Hashing::Redis, 1.0));
    /// assert!(Sketch::read(b"HYLL", 0).is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn read(bytes: &[u8], seed: u64) -> Result<(Sketch, Format)> {
        let format = Format::detect(bytes).ok_or_else(|| {
            let first = &bytes[..bytes.len().min(4)];
            Error::invalid_input(
                "Sketch",
                format!(
                    "not a sketch in a format lessram reads: found \"{}\", expected \"LSRM\" \
                     (lessram), \"HYLL\" (Redis) or a DataSketches HLL or Theta preamble",
                    first.escape_ascii()
                ),
            )
        })?;
        let sketch = match format {
            Format::Lsrm => Sketch::from_bytes(bytes, seed)?,
            Format::DataSketches if is_theta(bytes) => {
                // The Kmv holding it exactly: k = n + 1, the estimate DataSketches gives.
                let sketch = theta::from_bytes(bytes)?;
                let k = (sketch.hashes().len() + 1).max(2);
                Sketch::DataSketchesTheta(DataSketchesTheta(sketch.to_kmv(k)?))
            }
            Format::DataSketches => {
                Sketch::DataSketches(DataSketchesHll(datasketches::from_bytes(bytes)?))
            }
            Format::Redis => Sketch::Redis(RedisHll(redis::from_hyll(bytes)?)),
        };
        Ok((sketch, format))
    }

    /// The sketch in `format`: lessram's frame for any sketch ([`Sketch::to_bytes`]),
    /// DataSketches' compact `HLL_8` for a DataSketches HyperLogLog and its compact Theta
    /// sketch for a KMV hashing as Theta does, a `HYLL` string for a Redis HyperLogLog. An UltraLogLog hashing as the engine does is written as its HyperLogLog
    /// ([`UltraLogLog::to_hyperloglog`](crate::UltraLogLog::to_hyperloglog): dense, with no
    /// HIP estimate), which reads back as a HyperLogLog: a conversion, whose estimate is
    /// HyperLogLog's of the same registers.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a sketch the format cannot hold: another kind than a
    /// HyperLogLog (or, for DataSketches, a KMV), or one hashed otherwise than the format's
    /// engine hashes ([`Format::hashing`]): its registers or minima would not be the engine's.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::text::{Distinct, Format, Sketch};
    /// use lessram::HyperLogLog;
    ///
    /// let s = Sketch::HyperLogLog(Distinct(HyperLogLog::new(12)?));
    /// assert_eq!(s.write(Format::Lsrm)?, s.to_bytes());
    /// let err = s.write(Format::DataSketches).unwrap_err().to_string();
    /// assert!(err.contains("hashed the lessram way"), "{err}");
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn write(&self, format: Format) -> Result<Vec<u8>> {
        match (format, self) {
            (Format::Lsrm, s) => Ok(s.to_bytes()),
            (Format::DataSketches, _) => self.to_datasketches(Target::Hll8, true),
            (Format::Redis, Sketch::Redis(r)) => redis::to_hyll(&r.0),
            (Format::Redis, Sketch::RedisUll(u)) => redis::to_hyll(&u.0.to_hyperloglog()),
            (Format::Redis, s) => Err(s.unwritable(format)),
        }
    }

    /// A DataSketches HyperLogLog (or an UltraLogLog's, as [`Sketch::write`] says) in
    /// DataSketches' serialized form: `target` type, compact or updatable (see
    /// [`datasketches::to_bytes`]); a KMV hashing as Theta does as its compact Theta sketch,
    /// ordered, serial version 3 ([`theta::to_bytes`]: `target` and `compact` are HLL's).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for any other sketch.
    pub fn to_datasketches(&self, target: Target, compact: bool) -> Result<Vec<u8>> {
        match self {
            Sketch::DataSketchesTheta(t) => theta::to_bytes(&t.0, false),
            Sketch::DataSketches(d) => datasketches::to_bytes(&d.0, target, compact),
            Sketch::DataSketchesUll(u) => {
                datasketches::to_bytes(&u.0.to_hyperloglog(), target, compact)
            }
            s => Err(s.unwritable(Format::DataSketches)),
        }
    }

    /// The file extension of the sketch in `format`: `dstheta` for a Theta sketch, else
    /// [`Format::extension`].
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::interop::theta;
    /// use lessram::text::{DataSketchesTheta, Format, Sketch};
    /// let s = Sketch::DataSketchesTheta(DataSketchesTheta(theta::new(12)?));
    /// assert_eq!((s.extension(Format::DataSketches), s.extension(Format::Lsrm)), ("dstheta", "lsrm"));
    /// # Ok::<(), lessram::Error>(())
    /// ```
    #[must_use]
    pub fn extension(&self, format: Format) -> &'static str {
        match (self, format) {
            (Sketch::DataSketchesTheta(_), Format::DataSketches) => "dstheta",
            _ => format.extension(),
        }
    }

    /// The name of the sketch's `format` in messages: `"DataSketches Theta"` for a KMV in
    /// DataSketches' format, else [`Format::describe`].
    #[must_use]
    pub fn describe(&self, format: Format) -> &'static str {
        match format {
            Format::DataSketches if self.name() == "Kmv" => THETA,
            _ => format.describe(),
        }
    }

    /// Why this sketch cannot be written in `format`.
    fn unwritable(&self, format: Format) -> Error {
        if self.name() == "Kmv" && format == Format::DataSketches {
            let detail = format!(
                "a Kmv hashed the {} way cannot be written as {THETA}, which holds only \
                 minima of Theta's hash (MurmurHash3 seed 9001, first half shifted right by one)",
                self.hashing()
            );
            return Error::invalid_input("Sketch", detail);
        }
        let detail = if matches!(self.name(), "HyperLogLog" | "UltraLogLog") {
            format!(
                "a{} {} hashed the {} way cannot be written as {}, which holds only \
                 sketches hashed the {} way",
                if self.name() == "UltraLogLog" {
                    "n"
                } else {
                    ""
                },
                self.name(),
                self.hashing(),
                format.describe(),
                format.hashing().unwrap_or_default()
            )
        } else {
            format!(
                "a {} has no {} form (only a HyperLogLog or an UltraLogLog has{})",
                self.label(),
                format.describe(),
                if format == Format::DataSketches {
                    ", or a Kmv as a Theta sketch"
                } else {
                    ""
                }
            )
        };
        Error::invalid_input("Sketch", detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Counter, SketchKind, SketchParams, TokenOptions};

    /// Every kind counted with every hashing it takes, written in every format it fits and
    /// read back: the same sketch (the same bytes in lessram's format), told apart by its
    /// first bytes; the formats it does not fit refuse it.
    #[test]
    fn every_sketch_reads_back_from_every_format_that_holds_it() {
        let params = SketchParams {
            precision: 14,
            ..SketchParams::default()
        };
        // Distinct counts for every mode: DataSketches' LIST, SET and HLL; Redis' sparse and
        // dense; lessram's sparse and dense.
        for (hashing, n) in Hashing::ALL
            .into_iter()
            .flat_map(|h| [3, 300, 1_700, 20_000].map(|n| (h, n)))
        {
            let text: String = (0..n + 500).map(|i| format!("w{} ", i % n)).collect();
            for kind in SketchKind::ALL {
                let Ok(sketch) = kind.build(&params, hashing) else {
                    assert!(hashing == Hashing::Redis, "{kind:?} {hashing}");
                    continue;
                };
                let mut c = Counter::new(TokenOptions::words()).hashing(hashing);
                let h = c.sink(sketch);
                let sketch = c.count_bytes(text.as_bytes()).unwrap().take(h);
                if kind != SketchKind::Morris {
                    assert_eq!(sketch.hashing(), hashing, "{kind:?}");
                }
                for format in Format::ALL {
                    let why = format!("{kind:?} {hashing} {format}, {n} distinct");
                    let fits = format == Format::Lsrm
                        || (matches!(kind, SketchKind::HyperLogLog | SketchKind::UltraLogLog)
                            && format.hashing() == Some(hashing))
                        || (kind == SketchKind::Kmv
                            && format == Format::DataSketches
                            && hashing == Hashing::DataSketches);
                    // An UltraLogLog goes to the engines' formats as its HyperLogLog.
                    let converted = kind == SketchKind::UltraLogLog && format != Format::Lsrm;
                    match sketch.write(format) {
                        Ok(bytes) => {
                            assert!(fits, "{why}");
                            assert_eq!(Format::detect(&bytes), Some(format), "{why}");
                            let (back, found) = Sketch::read(&bytes, 1).unwrap();
                            assert_eq!(found, format, "{why}");
                            assert!(back.write(format).unwrap() == bytes, "{why}");
                            if converted {
                                // The UltraLogLog's HyperLogLog, of the same hashing.
                                assert_eq!(back.name(), "HyperLogLog", "{why}");
                                assert_eq!(back.hashing(), hashing, "{why}");
                                let (ull, hll) = match (&sketch, &back) {
                                    (Sketch::DataSketchesUll(u), Sketch::DataSketches(h)) => (
                                        u.0.to_hyperloglog().registers().to_vec(),
                                        h.0.registers().to_vec(),
                                    ),
                                    (Sketch::RedisUll(u), Sketch::Redis(h)) => (
                                        u.0.to_hyperloglog().registers().to_vec(),
                                        h.0.registers().to_vec(),
                                    ),
                                    _ => panic!("{why}: read back as {}", back.label()),
                                };
                                assert!(ull == hll, "{why}");
                                continue;
                            }
                            assert_eq!(back.label(), sketch.label(), "{why}");
                            // lessram's format keeps everything; the engines' keep the
                            // registers (and DataSketches the HIP accumulator), so the
                            // estimate, and their own bytes when written again.
                            if format == Format::Lsrm {
                                assert!(back.to_bytes() == sketch.to_bytes(), "{why}");
                            }
                            assert_eq!(back.estimate(), sketch.estimate(), "{why}");
                        }
                        Err(e) => {
                            assert!(!fits, "{why}: {e}");
                            assert!(matches!(e, Error::InvalidInput { .. }), "{why}: {e}");
                        }
                    }
                }
            }
        }
        for junk in [&b""[..], b"LSR", b"HYL", b"\x02\x01", b"hello"] {
            assert!(Sketch::read(junk, 0).is_err(), "{junk:?}");
        }
    }
}
