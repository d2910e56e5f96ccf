//! serde support (feature `serde`): every structure serializes as its validated binary frame.
//!
//! A structure serializes to the bytes of [`Codec::to_bytes`] and deserializes through
//! [`Codec::from_bytes`], so whatever serde format carries it (bincode, JSON, CBOR), a
//! deserialized structure has passed every check `from_bytes` makes.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserializer, Serializer};

use crate::codec::Codec;

/// Serializes `value` as its frame's bytes.
pub(crate) fn serialize<T: Codec, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(&value.to_bytes())
}

/// Deserializes a frame (as bytes, or as a sequence of byte values) and decodes it.
pub(crate) fn deserialize<'de, T: Codec, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    struct FrameVisitor<T>(PhantomData<T>);

    impl<'de, T: Codec> Visitor<'de> for FrameVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "the bytes of a lessram {}", T::KIND)
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<T, E> {
            T::from_bytes(v).map_err(E::custom)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
            // Cap the pre-allocation: a size hint is the input's claim, not a fact.
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(b) = seq.next_element::<u8>()? {
                bytes.push(b);
            }
            T::from_bytes(&bytes).map_err(de::Error::custom)
        }
    }

    d.deserialize_bytes(FrameVisitor(PhantomData))
}

/// Implements `Serialize` and `Deserialize` for a [`Codec`] type through its frame.
macro_rules! serde_via_codec {
    ($($t:ty),* $(,)?) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::serde_impls::serialize(self, s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::serde_impls::deserialize(d)
            }
        }
    )*};
}
pub(crate) use serde_via_codec;

#[cfg(test)]
mod tests {
    use crate::codec::{Codec, Decoder, Encoder, Kind};
    use crate::error::Result;

    #[derive(Debug, PartialEq)]
    struct Probe(u64);

    impl Codec for Probe {
        const KIND: Kind = Kind::Kmv;
        fn to_bytes(&self) -> Vec<u8> {
            let mut e = Encoder::new(Kind::Kmv, 1, 0);
            e.payload().u64(self.0);
            e.finish()
        }
        fn from_bytes(bytes: &[u8]) -> Result<Self> {
            let mut d = Decoder::new(bytes, Kind::Kmv)?;
            let v = d.payload().u64()?;
            d.finish()?;
            Ok(Probe(v))
        }
    }
    serde_via_codec!(Probe);

    #[test]
    fn json_round_trip_and_rejection() {
        let json = serde_json::to_string(&Probe(99)).unwrap();
        assert_eq!(serde_json::from_str::<Probe>(&json).unwrap(), Probe(99));
        let mut bytes: Vec<u8> = serde_json::from_str(&json).unwrap();
        bytes[30] ^= 4;
        let tampered = serde_json::to_string(&bytes).unwrap();
        let err = serde_json::from_str::<Probe>(&tampered).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }
}
