//! The Bloom filters.

use lessram::{Codec, ItemHasher, Membership, MemoryUsage};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyTuple};

use crate::OrPy;
use crate::counting::{narrow, reduce, seed};
use crate::{for_each_item, with_item};

/// The 128-bit hashes of `items`, as the filters insert them.
fn hashes128<H: ItemHasher>(hasher: &H, items: &Bound<'_, PyAny>) -> PyResult<Vec<u128>> {
    let mut out = Vec::with_capacity(items.len().unwrap_or(0));
    for_each_item(items, |item| {
        out.push(with_item(item, |b| hasher.hash_bytes128(b))?);
        Ok(())
    })?;
    Ok(out)
}

/// Methods both filters share: `$extra` adds the type's constructor and its own.
macro_rules! filter {
    (
        $(#[$doc:meta])*
        $py:ident($rust:ty, $name:literal);
        $($extra:tt)*
    ) => {
        $(#[$doc])*
        #[pyclass(module = "lessram", name = $name)]
        #[derive(Clone)]
        pub(crate) struct $py {
            pub(crate) inner: $rust,
        }

        #[pymethods]
        impl $py {
            $($extra)*

            /// Adds one item (str, bytes, bytearray or int); returns whether it was
            /// (probably) not there before.
            fn add(&mut self, item: &Bound<'_, PyAny>) -> PyResult<bool> {
                let h = with_item(item, |b| self.inner.hasher().hash_bytes128(b))?;
                Ok(self.inner.insert_hash(h))
            }

            /// Adds every item of an iterable (a list or tuple of str hashed in Rust; every
            /// item hashed before any is inserted; the inserts prefetched, with the GIL
            /// released); returns how many were new.
            fn update(&mut self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<usize> {
                let hashes = hashes128(self.inner.hasher(), items)?;
                let inner = &mut self.inner;
                Ok(py.detach(|| inner.insert_hashes(hashes)))
            }

            fn __contains__(&self, item: &Bound<'_, PyAny>) -> PyResult<bool> {
                let h = with_item(item, |b| self.inner.hasher().hash_bytes128(b))?;
                Ok(self.inner.contains_hash(h))
            }

            /// `item in filter` for each item of an iterable, as a list of bools.
            fn contains_many(&self, items: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
                let hashes = hashes128(self.inner.hasher(), items)?;
                Ok(hashes.into_iter().map(|h| self.inner.contains_hash(h)).collect())
            }

            /// The false-positive rate of a query for an absent item now, from the fill.
            fn expected_fp_rate(&self) -> f64 {
                self.inner.expected_fp_rate()
            }

            fn __or__(&self, other: &Self) -> PyResult<Self> {
                let mut out = self.clone();
                out.inner.union(&other.inner).or_py()?;
                Ok(out)
            }

            fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
                if !other.is(slf) {
                    slf.borrow_mut().inner.union(&other.borrow().inner).or_py()?;
                }
                Ok(())
            }

            /// Makes this filter the union of both (in place). `IncompatibleError` unless
            /// both have the same shape and seed.
            fn union(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
                if !other.is(slf) {
                    slf.borrow_mut().inner.union(&other.borrow().inner).or_py()?;
                }
                Ok(())
            }

            fn __eq__(&self, other: &Self) -> bool {
                self.inner == other.inner
            }

            /// The seed of the MurmurHash3 items are hashed with.
            #[getter]
            fn seed(&self) -> u64 {
                self.inner.hasher().seed()
            }

            /// Heap bytes the filter owns.
            fn memory_usage(&self) -> usize {
                self.inner.memory_usage()
            }

            /// A copy.
            fn copy(&self) -> Self {
                self.clone()
            }

            fn __copy__(&self) -> Self {
                self.clone()
            }

            fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
                self.clone()
            }

            /// The filter in lessram's binary format.
            fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, &self.inner.to_bytes())
            }

            fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                self.to_bytes(py)
            }

            /// Decodes bytes written by `bytes(filter)` or Rust's `to_bytes`;
            /// `DecodeError` when they are not such a filter.
            #[staticmethod]
            fn from_bytes(data: PyBackedBytes) -> PyResult<Self> {
                Ok(Self { inner: <$rust as Codec>::from_bytes(&data).or_py()? })
            }

            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
                let bytes = slf.borrow().inner.to_bytes();
                reduce(slf.as_any(), &bytes)
            }
        }
    };
}

filter! {
    /// BloomFilter(capacity, error_rate=0.01, seed=0): the smallest blocked Bloom filter
    /// whose false-positive rate is at most `error_rate` after `capacity` distinct items.
    PyBloomFilter(lessram::BloomFilter, "BloomFilter");

    #[new]
    #[pyo3(signature = (capacity, error_rate = 0.01, seed = 0))]
    fn new(capacity: i128, error_rate: f64, seed: i128) -> PyResult<Self> {
        let capacity = narrow("capacity", capacity, "1 or more")?;
        let inner =
            lessram::BloomFilter::with_hasher(capacity, error_rate, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// Estimated number of distinct items added, from the number of set bits.
    fn estimate(&self) -> f64 {
        self.inner.estimated_len()
    }

    /// Size of the filter in bits.
    #[getter]
    fn bits(&self) -> u64 {
        self.inner.bits()
    }

    /// Bits probed per item.
    #[getter]
    fn hashes(&self) -> u32 {
        self.inner.hashes()
    }

    /// Set bits.
    fn count_ones(&self) -> u64 {
        self.inner.count_ones()
    }

    /// Clears every bit, keeping the size.
    fn clear(&mut self) {
        self.inner.clear();
    }

    fn __and__(&self, other: &Self) -> PyResult<Self> {
        let mut out = self.clone();
        out.inner.intersect(&other.inner).or_py()?;
        Ok(out)
    }

    fn __iand__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        if !other.is(slf) {
            slf.borrow_mut().inner.intersect(&other.borrow().inner).or_py()?;
        }
        Ok(())
    }

    /// Makes this filter the intersection of both (bitwise AND, in place): it contains
    /// every item both contained (and perhaps more false positives than a filter of the
    /// intersection).
    fn intersect(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        if !other.is(slf) {
            slf.borrow_mut().inner.intersect(&other.borrow().inner).or_py()?;
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!(
            "BloomFilter(bits={}, hashes={}, seed={}, estimate={:.1})",
            self.inner.bits(),
            self.inner.hashes(),
            self.inner.hasher().seed(),
            self.inner.estimated_len()
        )
    }
}

filter! {
    /// ScalingBloomFilter(capacity, error_rate=0.01, seed=0): a chain of Bloom filters
    /// that grows as items arrive and keeps the false-positive rate under `error_rate`
    /// for any number of items (Almeida et al. 2007); `capacity` is the first filter's.
    PyScalingBloomFilter(lessram::ScalingBloomFilter, "ScalingBloomFilter");

    #[new]
    #[pyo3(signature = (capacity, error_rate = 0.01, seed = 0))]
    fn new(capacity: i128, error_rate: f64, seed: i128) -> PyResult<Self> {
        let capacity = narrow("capacity", capacity, "1 or more")?;
        let inner = lessram::ScalingBloomFilter::with_hasher(capacity, error_rate, self::seed(seed)?)
            .or_py()?;
        Ok(Self { inner })
    }

    /// The number of distinct items added (the inserts that were new; false positives
    /// are not counted), as a float; after a union that made it uncertain, the middle of
    /// `len_bounds()`.
    fn estimate(&self) -> f64 {
        match self.inner.exact_len() {
            Some(n) => n as f64,
            None => {
                let (low, high) = self.inner.len_bounds();
                (low as f64 + high as f64) / 2.0
            }
        }
    }

    /// The number of distinct items added when it is known exactly, else None (after a
    /// union; see `len_bounds()`).
    fn exact_len(&self) -> Option<usize> {
        self.inner.exact_len()
    }

    /// The lowest and highest distinct count consistent with the filter.
    fn len_bounds(&self) -> (usize, usize) {
        self.inner.len_bounds()
    }

    /// Sub-filters in the chain.
    #[getter]
    fn filters(&self) -> usize {
        self.inner.filters()
    }

    /// The false-positive rate promised.
    #[getter]
    fn error_rate(&self) -> f64 {
        self.inner.fp_rate()
    }

    /// The first sub-filter's capacity.
    #[getter]
    fn initial_capacity(&self) -> usize {
        self.inner.initial_capacity()
    }

    /// The items the chain holds before it grows again.
    #[getter]
    fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    fn __repr__(&self) -> String {
        format!(
            "ScalingBloomFilter(initial_capacity={}, error_rate={}, seed={}, filters={}, estimate={:.1})",
            self.inner.initial_capacity(),
            self.inner.fp_rate(),
            self.inner.hasher().seed(),
            self.inner.filters(),
            self.estimate()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBloomFilter>()?;
    m.add_class::<PyScalingBloomFilter>()?;
    Ok(())
}
