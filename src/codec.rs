//! lessram's versioned, little-endian binary format, shared by every saved structure.
//!
//! Every encoding is one frame:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `LSRM` |
//! | 4 | 2 | format version (u16, currently [`FORMAT_VERSION`]) |
//! | 6 | 1 | structure kind ([`Kind`]) |
//! | 7 | 1 | hash id (`1` MurmurHash3 x64_128, `2` another hasher, `0` none) |
//! | 8 | 8 | hash seed (u64; for hash id `2` the hasher's fingerprint) |
//! | 16 | 4 | parameter bytes `P` (u32) |
//! | 20 | P | parameters (kind-specific) |
//! | 20+P | 8 | payload bytes `N` (u64) |
//! | 28+P | N | payload (kind-specific) |
//! | 28+P+N | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! All integers are little-endian. Decoding checks every field before it trusts it: the
//! lengths must match the input exactly, the checksum must match, and each structure then
//! validates its parameters and payload, so truncated, padded, flipped or wrong-kind bytes
//! return an [`Error`] and never panic. A decoder never allocates more than the input's
//! length justifies: counts are checked against the bytes left before any `Vec` is sized.
//! `docs/format.md` documents each structure's parameters and payload.
//!
//! # Example
//!
//! ```
//! use lessram::codec::{Decoder, Encoder, Kind};
//!
//! let mut enc = Encoder::new(Kind::HyperLogLog, 1, 42);
//! enc.params().u8(14);
//! enc.payload().bytes(&[0, 1, 2]);
//! let bytes = enc.finish();
//!
//! let mut dec = Decoder::new(&bytes, Kind::HyperLogLog).unwrap();
//! assert_eq!((dec.hash_id(), dec.seed()), (1, 42));
//! assert_eq!(dec.params().u8().unwrap(), 14);
//! assert_eq!(dec.payload().take(3).unwrap(), &[0, 1, 2]);
//! dec.finish().unwrap();
//!
//! // One flipped bit anywhere is caught:
//! let mut bad = bytes.clone();
//! bad[21] ^= 1;
//! assert!(Decoder::new(&bad, Kind::HyperLogLog).is_err());
//! ```

use crate::error::{Error, Result};
pub use crate::format::{Kind, MAGIC};
use crate::hash::{FromSaved, HASH_ID_NONE, ItemHasher};

/// The newest format version this release reads and writes. A frame is written with the
/// lowest version whose layout holds it (version 2 only adds the count bounds of a merged
/// [`ScalingBloomFilter`](crate::ScalingBloomFilter)), so older releases keep reading
/// every frame they can understand.
pub const FORMAT_VERSION: u16 = 2;
/// Bytes of the fixed header before the parameters.
pub const HEADER_LEN: usize = 20;
/// Bytes a frame adds around parameters and payload (header, payload length, checksum).
pub const FRAME_OVERHEAD: usize = HEADER_LEN + 8 + 4;
/// The `(hash id, seed)` of a frame whose structure hashes nothing (Morris counters, tries,
/// DAWGs).
pub const UNHASHED: (u8, u64) = (HASH_ID_NONE, 0);

/// Reads the kind of a frame without decoding it (checks magic, version and checksum).
///
/// Useful to dispatch a saved file to the right `from_bytes`.
///
/// # Example
///
/// ```
/// use lessram::codec::{peek_kind, Encoder, Kind};
/// let bytes = Encoder::new(Kind::Kmv, 1, 0).finish();
/// assert_eq!(peek_kind(&bytes).unwrap(), Kind::Kmv);
/// assert!(peek_kind(b"nonsense").is_err());
/// ```
pub fn peek_kind(bytes: &[u8]) -> Result<Kind> {
    let frame = Frame::parse(bytes)?;
    Kind::from_byte(frame.kind).ok_or_else(|| {
        Error::corrupt(
            "frame",
            format!("unknown structure kind byte {}", frame.kind),
        )
    })
}

/// Something that saves to and loads from lessram's binary format.
///
/// Every structure with state worth keeping implements it (and has inherent `to_bytes` /
/// `from_bytes` that call it); serde support (feature `serde`) goes through it too, so a
/// serde-decoded structure is validated exactly like one from `from_bytes`.
pub trait Codec: Sized {
    /// The kind byte this structure writes.
    const KIND: Kind;

    /// Encodes the structure as one frame.
    fn to_bytes(&self) -> Vec<u8>;

    /// Decodes a frame written by [`Codec::to_bytes`], checking every field.
    fn from_bytes(bytes: &[u8]) -> Result<Self>;
}

/// Builds one frame: header, parameters, payload, checksum.
#[derive(Debug)]
pub struct Encoder {
    kind: Kind,
    version: u16,
    hash_id: u8,
    seed: u64,
    params: Writer,
    payload: Writer,
}

impl Encoder {
    /// A frame for a structure of `kind` hashed with `(hash_id, seed)`.
    #[must_use]
    pub fn new(kind: Kind, hash_id: u8, seed: u64) -> Self {
        Self {
            kind,
            version: 1,
            hash_id,
            seed,
            params: Writer::default(),
            payload: Writer::default(),
        }
    }

    /// A frame for a structure of `kind` hashed with `hasher`.
    #[must_use]
    pub fn with_hasher<S: ItemHasher>(kind: Kind, hasher: &S) -> Self {
        Self::new(kind, hasher.hash_id(), hasher.seed())
    }

    /// A frame for a structure that hashes nothing (Morris counters, tries, DAWGs): its
    /// hash fields are [`UNHASHED`], which [`Decoder::check_unhashed`] checks.
    #[must_use]
    pub fn unhashed(kind: Kind) -> Self {
        Self::new(kind, UNHASHED.0, UNHASHED.1)
    }

    /// Writes the frame as format version `version` (1 unless set): the lowest version
    /// whose layout holds what the structure wrote.
    ///
    /// # Panics
    ///
    /// If `version` is 0 or above [`FORMAT_VERSION`] (a bug in the structure).
    pub fn set_version(&mut self, version: u16) -> &mut Self {
        assert!(
            (1..=FORMAT_VERSION).contains(&version),
            "format version {version}"
        );
        self.version = version;
        self
    }

    /// Where the parameters go.
    pub fn params(&mut self) -> &mut Writer {
        &mut self.params
    }

    /// Where the payload goes; reserve its size up front with [`Writer::reserve`].
    pub fn payload(&mut self) -> &mut Writer {
        &mut self.payload
    }

    /// The finished frame.
    ///
    /// # Panics
    ///
    /// If the parameters exceed 4 GiB (no structure's do).
    #[must_use]
    pub fn finish(self) -> Vec<u8> {
        let params = self.params.buf;
        let payload = self.payload.buf;
        let mut out = Vec::with_capacity(FRAME_OVERHEAD + params.len() + payload.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&self.version.to_le_bytes());
        out.push(self.kind as u8);
        out.push(self.hash_id);
        out.extend_from_slice(&self.seed.to_le_bytes());
        let plen = u32::try_from(params.len()).expect("parameters fit in 4 GiB");
        out.extend_from_slice(&plen.to_le_bytes());
        out.extend_from_slice(&params);
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }
}

/// An append-only little-endian byte writer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Reserves room for `n` more bytes.
    pub fn reserve(&mut self, n: usize) -> &mut Self {
        self.buf.reserve(n);
        self
    }
    /// Appends a `u8`.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    /// Appends a `u16`.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    /// Appends a `u32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    /// Appends a `u64`.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    /// Appends an `f64` (IEEE 754 bits).
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.u64(v.to_bits())
    }
    /// Appends raw bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    /// Appends a `u64` length then the bytes.
    pub fn len_bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u64(v.len() as u64).bytes(v)
    }
    /// Bytes written so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

struct Frame<'a> {
    version: u16,
    kind: u8,
    hash_id: u8,
    seed: u64,
    params: &'a [u8],
    payload: &'a [u8],
}

impl<'a> Frame<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, "header");
        let magic: [u8; 4] = r.take(4)?.try_into().expect("4 bytes");
        if magic != MAGIC {
            return Err(Error::BadMagic { found: magic });
        }
        let version = r.u16()?;
        if version == 0 || version > FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let kind = r.u8()?;
        let hash_id = r.u8()?;
        let seed = r.u64()?;
        let plen = r.u32()?;
        r.what = "parameters";
        let params = r.take_u64(u64::from(plen))?;
        r.what = "payload length";
        let nlen = r.u64()?;
        r.what = "payload";
        let payload = r.take_u64(nlen)?;
        r.what = "checksum";
        let body_len = bytes.len() - r.remaining();
        let stored = r.u32()?;
        if r.remaining() != 0 {
            return Err(Error::corrupt(
                "frame",
                format!(
                    "expected the frame to end after its checksum, found {} more bytes",
                    r.remaining()
                ),
            ));
        }
        let computed = crc32fast::hash(&bytes[..body_len]);
        if stored != computed {
            return Err(Error::ChecksumMismatch { stored, computed });
        }
        Ok(Frame {
            version,
            kind,
            hash_id,
            seed,
            params,
            payload,
        })
    }
}

/// Reads one frame back, field by field, checking everything.
#[derive(Debug)]
pub struct Decoder<'a> {
    kind: Kind,
    version: u16,
    hash_id: u8,
    seed: u64,
    params: Reader<'a>,
    payload: Reader<'a>,
}

impl<'a> Decoder<'a> {
    /// Checks magic, version, lengths, checksum and that the frame holds a `kind`.
    pub fn new(bytes: &'a [u8], kind: Kind) -> Result<Self> {
        let frame = Frame::parse(bytes)?;
        if frame.kind != kind as u8 {
            return Err(Error::WrongKind {
                expected: kind,
                found: frame.kind,
            });
        }
        Ok(Self {
            kind,
            version: frame.version,
            hash_id: frame.hash_id,
            seed: frame.seed,
            params: Reader::new(frame.params, "parameters"),
            payload: Reader::new(frame.payload, "payload"),
        })
    }

    /// The frame's format version (`1 ..= FORMAT_VERSION`).
    #[must_use]
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The stored hash id.
    #[must_use]
    pub fn hash_id(&self) -> u8 {
        self.hash_id
    }

    /// The stored hash seed.
    #[must_use]
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Rebuilds the hasher recorded in the frame (see [`FromSaved`]).
    ///
    /// # Errors
    ///
    /// [`Error::WrongHasher`] when the frame names another hasher,
    /// [`Error::UnidentifiedHasher`] when it names none.
    pub fn hasher<S: FromSaved>(&self) -> Result<S> {
        S::from_saved(self.hash_id, self.seed)
    }

    /// Checks that the frame was hashed with `hasher`'s hash id and seed (its fingerprint,
    /// for hashers other than Murmur3).
    ///
    /// # Errors
    ///
    /// [`Error::WrongHasher`] if they differ; [`Error::UnidentifiedHasher`] if the frame
    /// records no hasher (hash id 0).
    pub fn check_hasher<S: ItemHasher>(&self, hasher: &S) -> Result<()> {
        check_hash_fields((hasher.hash_id(), hasher.seed()), (self.hash_id, self.seed))
    }

    /// Checks that the frame's hash fields say "no hashing" ([`UNHASHED`]), as every
    /// structure that hashes nothing writes them.
    ///
    /// # Errors
    ///
    /// [`Error::WrongHasher`] for any other hash id or seed.
    ///
    /// # Example
    ///
    /// ```
    /// use lessram::codec::{Decoder, Encoder, Kind};
    ///
    /// let bytes = Encoder::unhashed(Kind::Trie).finish();
    /// assert!(Decoder::new(&bytes, Kind::Trie)?.check_unhashed().is_ok());
    /// let bytes = Encoder::new(Kind::Trie, 1, 7).finish();
    /// assert!(Decoder::new(&bytes, Kind::Trie)?.check_unhashed().is_err());
    /// # Ok::<(), lessram::Error>(())
    /// ```
    pub fn check_unhashed(&self) -> Result<()> {
        check_hash_fields(UNHASHED, (self.hash_id, self.seed))
    }

    /// The parameters' reader.
    pub fn params(&mut self) -> &mut Reader<'a> {
        &mut self.params
    }

    /// The payload's reader.
    pub fn payload(&mut self) -> &mut Reader<'a> {
        &mut self.payload
    }

    /// Checks that parameters and payload were read to their last byte.
    pub fn finish(self) -> Result<()> {
        for r in [&self.params, &self.payload] {
            if r.remaining() != 0 {
                return Err(Error::corrupt(
                    self.kind.name(),
                    format!(
                        "{} has {} bytes left over after decoding",
                        r.what,
                        r.remaining()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The one comparison of a frame's hash fields (`found`) with what its decoder expects:
/// every `from_bytes` reaches it, through [`Decoder::check_hasher`],
/// [`Decoder::check_unhashed`] or [`FromSaved::from_saved`].
pub(crate) fn check_hash_fields(expected: (u8, u64), found: (u8, u64)) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(hash_fields_error(expected, found))
    }
}

/// The error for hash fields `found` where `expected` was wanted: a frame that records no
/// hasher (hash id 0) where one was expected is [`Error::UnidentifiedHasher`], anything
/// else [`Error::WrongHasher`].
pub(crate) fn hash_fields_error(expected: (u8, u64), found: (u8, u64)) -> Error {
    if found.0 == HASH_ID_NONE && expected.0 != HASH_ID_NONE {
        Error::UnidentifiedHasher { expected, found }
    } else {
        Error::WrongHasher { expected, found }
    }
}

/// A bounds-checked little-endian reader over a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes`; `what` names them in errors.
    #[must_use]
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self {
            bytes,
            pos: 0,
            what,
        }
    }

    /// Bytes not read yet.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(Error::Truncated {
                what: self.what,
                needed: n as u64,
                available: self.remaining() as u64,
            });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn take_u64(&mut self, n: u64) -> Result<&'a [u8]> {
        match usize::try_from(n) {
            Ok(n) => self.take(n),
            Err(_) => Err(Error::Truncated {
                what: self.what,
                needed: n,
                available: self.remaining() as u64,
            }),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("N bytes"))
    }

    /// Reads a `u8`.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }
    /// Reads a `u16`.
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    /// Reads a `u32`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    /// Reads a `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    /// Reads an `f64`.
    pub fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// Reads a `u64` length then that many bytes.
    pub fn len_bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u64()?;
        self.take_u64(n)
    }

    /// Reads a `u64` count of elements of `elem_size` bytes each and checks that that many
    /// bytes are left, so a caller can size a `Vec` by it without trusting the input.
    ///
    /// # Panics
    ///
    /// If `elem_size` is 0 (a count of zero-sized elements bounds nothing).
    pub fn count(&mut self, elem_size: usize) -> Result<usize> {
        assert!(elem_size > 0, "Reader::count needs a non-zero element size");
        let n = self.u64()?;
        let needed = n.checked_mul(elem_size as u64);
        match needed {
            Some(needed) if needed <= self.remaining() as u64 => {
                Ok(usize::try_from(n).expect("count bounded by the input length"))
            }
            _ => Err(Error::Truncated {
                what: self.what,
                needed: needed.unwrap_or(u64::MAX),
                available: self.remaining() as u64,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut enc = Encoder::new(Kind::Kmv, 1, 7);
        enc.params().u32(1024).f64(0.5);
        enc.payload().u64(3).u64(10).u64(20).u64(30);
        enc.finish()
    }

    #[test]
    fn round_trip_reads_every_field() {
        let bytes = sample();
        assert_eq!(&bytes[..4], b"LSRM");
        let mut d = Decoder::new(&bytes, Kind::Kmv).unwrap();
        assert_eq!(d.seed(), 7);
        assert_eq!(d.params().u32().unwrap(), 1024);
        assert_eq!(d.params().f64().unwrap(), 0.5);
        let n = d.payload().count(8).unwrap();
        let v: Vec<u64> = (0..n).map(|_| d.payload().u64().unwrap()).collect();
        assert_eq!(v, [10, 20, 30]);
        d.finish().unwrap();
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = sample();
        for cut in 0..bytes.len() {
            assert!(
                Decoder::new(&bytes[..cut], Kind::Kmv).is_err(),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn every_single_bit_flip_is_an_error() {
        let bytes = sample();
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            assert!(Decoder::new(&b, Kind::Kmv).is_err(), "bit {i}");
        }
    }

    #[test]
    fn trailing_bytes_wrong_kind_and_leftovers_are_errors() {
        let mut bytes = sample();
        assert!(matches!(
            Decoder::new(&bytes, Kind::HyperLogLog),
            Err(Error::WrongKind {
                expected: Kind::HyperLogLog,
                found: 3
            })
        ));
        let d = Decoder::new(&bytes, Kind::Kmv).unwrap();
        assert!(matches!(d.finish(), Err(Error::Corrupt { .. })));
        bytes.push(0);
        assert!(Decoder::new(&bytes, Kind::Kmv).is_err());
    }

    #[test]
    fn inflated_counts_are_refused_before_allocating() {
        let mut enc = Encoder::new(Kind::Kmv, 1, 0);
        enc.payload().u64(u64::MAX / 2);
        let bytes = enc.finish();
        let mut d = Decoder::new(&bytes, Kind::Kmv).unwrap();
        assert!(matches!(d.payload().count(8), Err(Error::Truncated { .. })));
    }

    #[test]
    fn future_versions_and_bad_magic_are_refused() {
        let mut bytes = sample();
        bytes[4] = 9;
        assert!(matches!(
            Decoder::new(&bytes, Kind::Kmv),
            Err(Error::UnsupportedVersion { found: 9, .. })
        ));
        assert!(matches!(
            Decoder::new(b"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", Kind::Kmv),
            Err(Error::BadMagic { .. })
        ));
    }

    #[test]
    fn kinds_round_trip_through_their_byte() {
        for &k in Kind::ALL {
            assert_eq!(Kind::from_byte(k as u8), Some(k));
        }
        assert_eq!(Kind::from_byte(0), None);
    }
}
