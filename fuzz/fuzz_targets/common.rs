//! Helpers shared by the fuzz targets (each target includes this file with `#[path]`).
#![allow(dead_code)]

use std::fmt::Debug;

use lessram::codec::{Codec, FORMAT_VERSION, Kind, MAGIC};

/// `data` with a valid magic, version and `kind` in its first 7 bytes and its last 4 bytes
/// replaced by the CRC-32 of the rest, so that the fuzzer reaches the structure's own
/// checks instead of stopping at the checksum. `None` when too short to hold a frame.
pub fn repaired(data: &[u8], kind: Kind) -> Option<Vec<u8>> {
    if data.len() < 12 {
        return None;
    }
    let mut v = data.to_vec();
    v[..4].copy_from_slice(&MAGIC);
    v[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    v[6] = kind as u8;
    let n = v.len() - 4;
    let crc = crc32fast::hash(&v[..n]);
    v[n..].copy_from_slice(&crc.to_le_bytes());
    Some(v)
}

/// Decodes `data` as is and repaired; whatever decodes must answer `check` without
/// panicking and survive its own round trip unchanged.
pub fn decode_all<T: Codec + PartialEq + Debug>(data: &[u8], check: impl Fn(&T)) {
    let inputs = std::iter::once(data.to_vec()).chain(repaired(data, T::KIND));
    for bytes in inputs {
        if let Ok(x) = T::from_bytes(&bytes) {
            check(&x);
            let again = x.to_bytes();
            let y = T::from_bytes(&again).expect("a re-encoded structure decodes");
            assert_eq!(x, y, "round trip of a decoded structure changed it");
        }
    }
}

/// A small reader of the fuzzer's bytes as operations (zero once exhausted).
pub struct Ops<'a> {
    data: &'a [u8],
}

impl<'a> Ops<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        b.iter_mut().for_each(|x| *x = self.u8());
        u64::from_le_bytes(b)
    }
    /// A value that is often small (so that items repeat and collide) and sometimes any.
    pub fn item(&mut self) -> u64 {
        match self.u8() % 4 {
            0 => self.u64(),
            1 => u64::from(self.u16()),
            _ => u64::from(self.u8() % 32),
        }
    }
    /// A short byte string (word-like when the fuzzer wants it).
    pub fn word(&mut self) -> Vec<u8> {
        let len = usize::from(self.u8() % 12);
        (0..len).map(|_| self.u8()).collect()
    }
}
