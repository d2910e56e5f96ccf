//! The estimators `count` runs side by side, behind one object-safe trait.

use std::any::Any;

use anyhow::{Context, anyhow, bail};
use lessram::codec::Codec;
use lessram::{DistinctCount, MemoryUsage};
use serde_json::Value;

/// What an estimator's estimate is compared against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // until the Morris counter lands
pub(crate) enum Reference {
    /// The number of distinct tokens (the exact count).
    Distinct,
    /// The number of tokens, duplicates included (the Morris counter counts those).
    Total,
}

/// One estimator of the table, fed pre-hashed tokens.
pub(crate) trait Estimator: Send {
    /// The structure's name, as in the library ("HyperLogLog").
    fn name(&self) -> &'static str;
    /// Its parameters, for the table and the JSON output.
    fn params(&self) -> Value;
    /// Inserts tokens by their 128-bit MurmurHash3.
    fn insert_batch(&mut self, hashes: &[u128]);
    /// The estimate.
    fn estimate(&self) -> f64;
    /// Bytes used: the structure itself plus the heap it owns (`MemoryUsage`).
    fn memory(&self) -> usize;
    /// What the estimate estimates.
    fn reference(&self) -> Reference {
        Reference::Distinct
    }
    /// Merges an estimator of the same kind and parameters into this one.
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()>;
    /// The structure in lessram's binary format.
    fn to_bytes(&self) -> Vec<u8>;
    /// For downcasting in [`Estimator::merge_box`].
    #[allow(dead_code)]
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// A distinct-count sketch of the library, fed the low 64 bits of each hash.
#[allow(dead_code)] // until the sketches land
pub(crate) struct Distinct<D> {
    pub(crate) inner: D,
    name: &'static str,
    params: Value,
}

#[allow(dead_code)]
impl<D> Distinct<D> {
    pub(crate) fn boxed(inner: D, name: &'static str, params: Value) -> Box<dyn Estimator>
    where
        D: DistinctCount + MemoryUsage + Codec + Send + 'static,
    {
        Box::new(Self {
            inner,
            name,
            params,
        })
    }
}

impl<D> Estimator for Distinct<D>
where
    D: DistinctCount + MemoryUsage + Codec + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }
    fn params(&self) -> Value {
        self.params.clone()
    }
    fn insert_batch(&mut self, hashes: &[u128]) {
        for &h in hashes {
            self.inner.insert_hash(h as u64);
        }
    }
    fn estimate(&self) -> f64 {
        self.inner.estimate()
    }
    fn memory(&self) -> usize {
        std::mem::size_of::<D>() + self.inner.memory_usage()
    }
    fn merge_box(&mut self, other: Box<dyn Estimator>) -> anyhow::Result<()> {
        let other = other
            .into_any()
            .downcast::<Self>()
            .map_err(|_| anyhow!("cannot merge a {} with another kind", self.name))?;
        self.inner.merge(&other.inner)?;
        Ok(())
    }
    fn to_bytes(&self) -> Vec<u8> {
        self.inner.to_bytes()
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Parameters given on the command line.
#[derive(Clone, Copy, Debug)]
#[allow(dead_code)] // until the sketches land
pub(crate) struct Params {
    pub(crate) precision: u8,
    pub(crate) k: usize,
    pub(crate) error_rate: f64,
    pub(crate) capacity: usize,
    pub(crate) base: f64,
}

/// The estimators `count` can run, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {}

impl Which {
    /// Every estimator, in table order.
    pub(crate) const ALL: [Which; 0] = [];

    /// The name `--sketch` takes.
    pub(crate) fn key(self) -> &'static str {
        match self {}
    }

    /// Parses a `--sketch` name.
    pub(crate) fn parse(name: &str) -> anyhow::Result<Option<Which>> {
        let name = name.trim().to_ascii_lowercase();
        if name == "exact" {
            return Ok(None);
        }
        Self::ALL
            .into_iter()
            .find(|w| w.key() == name)
            .map(Some)
            .ok_or_else(|| {
                let mut known: Vec<&str> = Self::ALL.iter().map(|w| w.key()).collect();
                known.push("exact");
                anyhow!("unknown sketch {name:?} (known: {})", known.join(", "))
            })
    }

    /// A fresh estimator with these parameters.
    pub(crate) fn build(self, _p: &Params) -> anyhow::Result<Box<dyn Estimator>> {
        match self {}
    }

    /// The file `--save` writes it to.
    pub(crate) fn file_name(self) -> &'static str {
        match self {}
    }
}

/// Decodes a saved estimator of any kind `count --save` writes.
pub(crate) fn load(bytes: &[u8]) -> anyhow::Result<Box<dyn Estimator>> {
    let kind = lessram::codec::peek_kind(bytes)?;
    #[allow(clippy::match_single_binding)]
    match kind {
        other => bail!("a saved {other} is not a sketch `lessram` can estimate or merge"),
    }
}

/// Reads and decodes a saved estimator, naming the file in errors.
pub(crate) fn load_file(path: &std::path::Path) -> anyhow::Result<Box<dyn Estimator>> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if meta.is_dir() {
        bail!("{}: is a directory", path.display());
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    load(&bytes).with_context(|| format!("{}", path.display()))
}
