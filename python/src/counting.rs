//! The distinct counters (HyperLogLog, UltraLogLog, LogLog, SuperLogLog, KMinValues) and
//! the Morris counter.

use lessram::counting::SplitMix64;
use lessram::hash::Murmur3;
use lessram::{Codec, DistinctCount, ItemHasher, MemoryUsage};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyTuple};

use crate::{OrPy, for_each_item, hashes64, u64_buffer, with_item};

/// A parameter given as a Python int, narrowed to its Rust type: out of that type's range
/// is a `ValueError` naming the parameter (the library checks the finer range).
pub(crate) fn narrow<T: TryFrom<i128>>(name: &str, value: i128, range: &str) -> PyResult<T> {
    T::try_from(value)
        .map_err(|_| PyValueError::new_err(format!("{name} {value} out of range {range}")))
}

/// The range of a `u64` parameter, for messages.
pub(crate) const U64_RANGE: &str = "0..=18446744073709551615";

/// A Murmur3 seed from Python.
pub(crate) fn seed(value: i128) -> PyResult<Murmur3> {
    Ok(Murmur3::with_seed(narrow("seed", value, "0..=4294967295")?))
}

/// The pickling tuple `(cls.from_bytes, (bytes(self),))`.
pub(crate) fn reduce<'py>(
    slf: &Bound<'py, PyAny>,
    bytes: &[u8],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let py = slf.py();
    let from_bytes = slf.get_type().getattr("from_bytes")?;
    let args = PyTuple::new(py, [PyBytes::new(py, bytes)])?;
    Ok((from_bytes, args))
}

/// Methods every distinct counter shares: `$extra` adds the type's constructor and its own.
macro_rules! distinct_sketch {
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

            /// Adds one item (str, bytes, bytearray or int).
            fn add(&mut self, item: &Bound<'_, PyAny>) -> PyResult<()> {
                let h = with_item(item, |b| self.inner.hasher().hash_bytes(b))?;
                self.inner.insert_hash(h);
                Ok(())
            }

            /// Adds every item of an iterable; a list or tuple of str is hashed in Rust,
            /// with no Python-level call per item, and every item is hashed before any is
            /// inserted (a bad item changes nothing). The GIL is released while inserting.
            fn update(&mut self, py: Python<'_>, items: &Bound<'_, PyAny>) -> PyResult<()> {
                let hashes = hashes64(self.inner.hasher(), items)?;
                let inner = &mut self.inner;
                py.detach(|| inner.insert_hashes(hashes));
                Ok(())
            }

            /// Adds one item already hashed to 64 uniform bits (see `hash64`).
            fn add_hash(&mut self, hash: u64) {
                self.inner.insert_hash(hash);
            }

            /// Adds hashes from a buffer of uint64 (a numpy array, `array.array('Q')`),
            /// in one call, releasing the GIL while inserting.
            fn update_hashes(&mut self, py: Python<'_>, hashes: &Bound<'_, PyAny>) -> PyResult<()> {
                let hashes = u64_buffer(hashes)?;
                let inner = &mut self.inner;
                py.detach(|| inner.insert_hashes(hashes));
                Ok(())
            }

            /// The estimated number of distinct items added.
            fn estimate(&self) -> f64 {
                self.inner.estimate()
            }

            /// Merges `other` in place: this sketch then estimates the union of both
            /// streams. `IncompatibleError` when parameters or seeds differ.
            fn merge(&mut self, other: &Self) -> PyResult<()> {
                self.inner.merge(&other.inner).or_py()
            }

            fn __or__(&self, other: &Self) -> PyResult<Self> {
                let mut out = self.clone();
                out.inner.merge(&other.inner).or_py()?;
                Ok(out)
            }

            fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
                // `a |= a` borrows one object twice: merge a copy.
                let right = other.borrow().inner.clone();
                slf.borrow_mut().inner.merge(&right).or_py()?;
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

            /// Heap bytes the sketch owns.
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

            /// The sketch in lessram's binary format (the same bytes Rust and the CLI write).
            fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                PyBytes::new(py, &self.inner.to_bytes())
            }

            fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
                self.to_bytes(py)
            }

            /// Decodes bytes written by `bytes(sketch)`, Rust's `to_bytes` or
            /// `lessram count --save`; `DecodeError` when they are not such a sketch.
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

distinct_sketch! {
    /// HyperLogLog(p=14, seed=0): distinct count in 2**p six-bit registers (sparse while
    /// small), relative standard error about 1.04 / sqrt(2**p).
    PyHyperLogLog(lessram::HyperLogLog, "HyperLogLog");

    #[new]
    #[pyo3(signature = (p = 14, seed = 0))]
    fn new(p: i128, seed: i128) -> PyResult<Self> {
        let p = narrow("precision", p, "4..=18")?;
        let inner = lessram::HyperLogLog::with_hasher(p, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// The precision p: 2**p registers.
    #[getter]
    fn p(&self) -> u8 {
        self.inner.precision()
    }

    /// Whether the sketch is still in its sparse representation.
    #[getter]
    fn is_sparse(&self) -> bool {
        self.inner.is_sparse()
    }

    /// The HIP (historic inverse probability) estimate, when the sketch was never merged.
    fn estimate_hip(&self) -> Option<f64> {
        self.inner.estimate_hip()
    }

    fn __repr__(&self) -> String {
        format!(
            "HyperLogLog(p={}, seed={}, estimate={:.1})",
            self.inner.precision(),
            self.inner.hasher().seed(),
            self.inner.estimate()
        )
    }
}

distinct_sketch! {
    /// UltraLogLog(p=14, seed=0): Ertl's 8-bit registers, about 28% less memory than
    /// HyperLogLog for the same error.
    PyUltraLogLog(lessram::UltraLogLog, "UltraLogLog");

    #[new]
    #[pyo3(signature = (p = 14, seed = 0))]
    fn new(p: i128, seed: i128) -> PyResult<Self> {
        let p = narrow("precision", p, "4..=18")?;
        let inner = lessram::UltraLogLog::with_hasher(p, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// The precision p: 2**p registers.
    #[getter]
    fn p(&self) -> u8 {
        self.inner.precision()
    }

    /// The martingale estimate, when the sketch was never merged.
    fn estimate_martingale(&self) -> Option<f64> {
        self.inner.estimate_martingale()
    }

    /// The HyperLogLog holding the same information at this precision.
    fn to_hyperloglog(&self) -> PyHyperLogLog {
        PyHyperLogLog { inner: self.inner.to_hyperloglog() }
    }

    fn __repr__(&self) -> String {
        format!(
            "UltraLogLog(p={}, seed={}, estimate={:.1})",
            self.inner.precision(),
            self.inner.hasher().seed(),
            self.inner.estimate()
        )
    }
}

distinct_sketch! {
    /// LogLog(p=14, seed=0): Durand and Flajolet's LogLog, 2**p registers, the geometric
    /// mean of their values; relative standard error about 1.30 / sqrt(2**p).
    PyLogLog(lessram::LogLog, "LogLog");

    #[new]
    #[pyo3(signature = (p = 14, seed = 0))]
    fn new(p: i128, seed: i128) -> PyResult<Self> {
        let p = narrow("precision", p, "4..=18")?;
        let inner = lessram::LogLog::with_hasher(p, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// The precision p: 2**p registers.
    #[getter]
    fn p(&self) -> u8 {
        self.inner.precision()
    }

    /// The theoretical relative standard error.
    fn relative_std_error(&self) -> f64 {
        self.inner.relative_std_error()
    }

    fn __repr__(&self) -> String {
        format!(
            "LogLog(p={}, seed={}, estimate={:.1})",
            self.inner.precision(),
            self.inner.hasher().seed(),
            self.inner.estimate()
        )
    }
}

distinct_sketch! {
    /// SuperLogLog(p=14, seed=0): LogLog with the largest 30% of registers left out
    /// (truncation); relative standard error about 1.05 / sqrt(2**p).
    PySuperLogLog(lessram::SuperLogLog, "SuperLogLog");

    #[new]
    #[pyo3(signature = (p = 14, seed = 0))]
    fn new(p: i128, seed: i128) -> PyResult<Self> {
        let p = narrow("precision", p, "4..=18")?;
        let inner = lessram::SuperLogLog::with_hasher(p, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// The precision p: 2**p registers.
    #[getter]
    fn p(&self) -> u8 {
        self.inner.precision()
    }

    /// The theoretical relative standard error.
    fn relative_std_error(&self) -> f64 {
        self.inner.relative_std_error()
    }

    fn __repr__(&self) -> String {
        format!(
            "SuperLogLog(p={}, seed={}, estimate={:.1})",
            self.inner.precision(),
            self.inner.hasher().seed(),
            self.inner.estimate()
        )
    }
}

distinct_sketch! {
    /// KMinValues(k=4096, seed=0): the k smallest distinct hashes (KMV); relative standard
    /// error about 1 / sqrt(k - 2), exact below k distinct items; Jaccard similarity and
    /// intersection estimates between two sketches.
    PyKMinValues(lessram::Kmv, "KMinValues");

    #[new]
    #[pyo3(signature = (k = 4096, seed = 0))]
    fn new(k: i128, seed: i128) -> PyResult<Self> {
        let k = narrow("k", k, "2..=67108864")?;
        let inner = lessram::Kmv::with_hasher(k, self::seed(seed)?).or_py()?;
        Ok(Self { inner })
    }

    /// The number of minimum hashes kept.
    #[getter]
    fn k(&self) -> usize {
        self.inner.k()
    }

    /// The theoretical relative standard error.
    fn relative_std_error(&self) -> f64 {
        self.inner.relative_std_error()
    }

    /// The estimated Jaccard similarity of the two streams.
    fn jaccard(&self, other: &Self) -> PyResult<f64> {
        self.inner.jaccard(&other.inner).or_py()
    }

    /// The estimated number of distinct items both streams share.
    fn intersection_estimate(&self, other: &Self) -> PyResult<f64> {
        self.inner.intersection_estimate(&other.inner).or_py()
    }

    /// The kept hashes, smallest first.
    fn hashes(&self) -> Vec<u64> {
        self.inner.hashes()
    }

    fn __repr__(&self) -> String {
        format!(
            "KMinValues(k={}, seed={}, estimate={:.1})",
            self.inner.k(),
            self.inner.hasher().seed(),
            self.inner.estimate()
        )
    }
}

/// The seed of the Morris counter's generator by default: the CLI's (`lessram count`).
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

/// MorrisCounter(base=2.0, seed=...): an approximate count of events in one byte (the
/// exponent X, estimate (base**X - 1) / (base - 1)); relative standard error about
/// sqrt((base - 1) / 2). The random generator (SplitMix64) starts at `seed`, by default
/// the CLI's, so runs are reproducible.
#[pyclass(module = "lessram", name = "MorrisCounter")]
#[derive(Clone)]
pub(crate) struct PyMorrisCounter {
    pub(crate) inner: lessram::MorrisCounter,
    pub(crate) rng: SplitMix64,
}

#[pymethods]
impl PyMorrisCounter {
    #[new]
    #[pyo3(signature = (base = 2.0, seed = MORRIS_SEED as i128))]
    fn new(base: f64, seed: i128) -> PyResult<Self> {
        Ok(Self {
            inner: lessram::MorrisCounter::new(base).or_py()?,
            rng: SplitMix64::new(narrow("seed", seed, U64_RANGE)?),
        })
    }

    /// Counts one event; returns whether the exponent went up.
    fn increment(&mut self) -> bool {
        self.inner.increment(&mut self.rng)
    }

    /// Counts `events` events at once (as many increments would, in distribution).
    #[pyo3(signature = (events = 1))]
    fn add(&mut self, events: i128) -> PyResult<()> {
        let events = narrow("events", events, U64_RANGE)?;
        self.inner.add(events, &mut self.rng);
        Ok(())
    }

    /// Counts one event per item of an iterable (the items themselves do not matter).
    fn update(&mut self, items: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut n = 0u64;
        for_each_item(items, |_| {
            n += 1;
            Ok(())
        })?;
        self.inner.add(n, &mut self.rng);
        Ok(())
    }

    /// The unbiased estimate of the number of events counted.
    fn estimate(&self) -> f64 {
        self.inner.estimate()
    }

    /// The base.
    #[getter]
    fn base(&self) -> f64 {
        self.inner.base()
    }

    /// The exponent X, the whole state.
    #[getter]
    fn exponent(&self) -> u8 {
        self.inner.exponent()
    }

    /// Whether the exponent is at its top (255): further events are not counted.
    #[getter]
    fn is_saturated(&self) -> bool {
        self.inner.is_saturated()
    }

    /// The asymptotic relative standard error sqrt((base - 1) / 2).
    fn relative_std_error(&self) -> f64 {
        self.inner.relative_std_error()
    }

    /// Adds `other`'s estimated count to this one (drawing with this counter's generator).
    /// `IncompatibleError` when the bases differ.
    fn merge(&mut self, other: &Self) -> PyResult<()> {
        self.inner.merge(&other.inner, &mut self.rng).or_py()
    }

    fn __or__(&self, other: &Self) -> PyResult<Self> {
        let mut out = self.clone();
        out.inner.merge(&other.inner, &mut out.rng).or_py()?;
        Ok(out)
    }

    fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        let right = other.borrow().inner;
        {
            let mut this = slf.borrow_mut();
            let this = &mut *this;
            this.inner.merge(&right, &mut this.rng).or_py()?;
        }
        Ok(())
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    /// A copy (with a copy of the generator's state).
    fn copy(&self) -> Self {
        self.clone()
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// The counter in lessram's binary format (base and exponent; not the generator).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    /// Decodes a saved counter, its generator starting at `seed`.
    #[staticmethod]
    #[pyo3(signature = (data, seed = MORRIS_SEED as i128))]
    fn from_bytes(data: PyBackedBytes, seed: i128) -> PyResult<Self> {
        Ok(Self {
            inner: lessram::MorrisCounter::from_bytes(&data).or_py()?,
            rng: SplitMix64::new(narrow("seed", seed, U64_RANGE)?),
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.borrow();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        let bytes = PyBytes::new(py, &this.inner.to_bytes()).into_any();
        let state = this.rng.state().into_pyobject(py)?.into_any();
        Ok((from_bytes, PyTuple::new(py, [bytes, state])?))
    }

    fn __repr__(&self) -> String {
        format!(
            "MorrisCounter(base={}, exponent={}, estimate={:.1})",
            self.inner.base(),
            self.inner.exponent(),
            self.inner.estimate()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyHyperLogLog>()?;
    m.add_class::<PyUltraLogLog>()?;
    m.add_class::<PyLogLog>()?;
    m.add_class::<PySuperLogLog>()?;
    m.add_class::<PyKMinValues>()?;
    m.add_class::<PyMorrisCounter>()?;
    Ok(())
}
