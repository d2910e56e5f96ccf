//! The word stores: the counting `Trie` and the minimal `Dawg`.

use lessram::{Codec, MemoryUsage};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::OrPy;
use crate::counting::{narrow, reduce};
use crate::{for_each_item, word_bytes, word_object};

/// Trie(words=()): an exact set of words with a count each, prefix search and longest
/// prefix match (a path-compressed byte trie). Words are str (stored as UTF-8) or bytes;
/// they come back as str when they are UTF-8, else as bytes.
#[pyclass(module = "lessram", name = "Trie")]
#[derive(Clone)]
pub(crate) struct PyTrie {
    pub(crate) inner: lessram::Trie,
}

#[pymethods]
impl PyTrie {
    #[new]
    #[pyo3(signature = (words = None))]
    fn new(words: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut t = Self {
            inner: lessram::Trie::new(),
        };
        if let Some(words) = words {
            t.update(words)?;
        }
        Ok(t)
    }

    /// Adds `n` (default 1) to the count of `word`; returns its new count.
    #[pyo3(signature = (word, n = 1))]
    fn add(&mut self, word: &Bound<'_, PyAny>, n: i128) -> PyResult<u64> {
        let n = narrow("n", n, crate::counting::U64_RANGE)?;
        self.inner.try_add(word_bytes(word)?, n).or_py()
    }

    /// Adds each word of an iterable once (a word repeated counts each time).
    fn update(&mut self, words: &Bound<'_, PyAny>) -> PyResult<()> {
        for_each_item(words, |w| {
            self.inner.try_add(word_bytes(w)?, 1).or_py()?;
            Ok(())
        })
    }

    /// The count of `word` (0 when absent).
    fn count(&self, word: &Bound<'_, PyAny>) -> PyResult<u64> {
        Ok(self.inner.count(word_bytes(word)?))
    }

    fn __getitem__(&self, word: &Bound<'_, PyAny>) -> PyResult<u64> {
        match self.inner.count(word_bytes(word)?) {
            0 => Err(PyKeyError::new_err(word.clone().unbind())),
            n => Ok(n),
        }
    }

    fn __contains__(&self, word: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.contains(word_bytes(word)?))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Removes `word`; returns its count, or None when it was absent.
    fn remove(&mut self, word: &Bound<'_, PyAny>) -> PyResult<Option<u64>> {
        self.inner.try_remove(word_bytes(word)?).or_py()
    }

    fn __delitem__(&mut self, word: &Bound<'_, PyAny>) -> PyResult<()> {
        match self.inner.try_remove(word_bytes(word)?).or_py()? {
            Some(_) => Ok(()),
            None => Err(PyKeyError::new_err(word.clone().unbind())),
        }
    }

    /// Every stored word that starts with `prefix`, in byte order.
    #[pyo3(signature = (prefix = None))]
    fn words<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let prefix = match prefix {
            Some(p) => word_bytes(p)?.into_owned(),
            None => Vec::new(),
        };
        let out = PyList::empty(py);
        let mut err = Ok(());
        self.inner.for_each_prefixed(&prefix, |w, _| {
            if err.is_ok() {
                err = out.append(word_object(py, w));
            }
        });
        err.map(|()| out)
    }

    /// `(word, count)` for every stored word that starts with `prefix`, in byte order.
    #[pyo3(signature = (prefix = None))]
    fn items<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let prefix = match prefix {
            Some(p) => word_bytes(p)?.into_owned(),
            None => Vec::new(),
        };
        let out = PyList::empty(py);
        let mut err = Ok(());
        self.inner.for_each_prefixed(&prefix, |w, n| {
            if err.is_ok() {
                err = (word_object(py, w), n)
                    .into_pyobject(py)
                    .and_then(|t| out.append(t));
            }
        });
        err.map(|()| out)
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.borrow()
            .words(slf.py(), None)?
            .as_any()
            .try_iter()
            .map(Bound::into_any)
    }

    /// The longest stored word that is a prefix of `query`, with its count, or None.
    fn longest_prefix<'py>(
        &self,
        py: Python<'py>,
        query: &Bound<'py, PyAny>,
    ) -> PyResult<Option<(Bound<'py, PyAny>, u64)>> {
        let query = word_bytes(query)?;
        Ok(self
            .inner
            .longest_prefix(query.as_ref())
            .map(|(w, n)| (word_object(py, w), n)))
    }

    /// Heap bytes the trie owns.
    fn memory_usage(&self) -> usize {
        self.inner.memory_usage()
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
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

    /// The trie in lessram's binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    /// Decodes a saved trie; `DecodeError` when the bytes are not one.
    #[staticmethod]
    fn from_bytes(data: PyBackedBytes) -> PyResult<Self> {
        Ok(Self {
            inner: <lessram::Trie as Codec>::from_bytes(&data).or_py()?,
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let bytes = slf.borrow().inner.to_bytes();
        reduce(slf.as_any(), &bytes)
    }

    fn __repr__(&self) -> String {
        format!("Trie(<{} words>)", self.inner.len())
    }
}

/// Dawg(words=()): an immutable, minimal word automaton (an fst set): the smallest
/// exact store of a word list, with prefix, range and fuzzy (Levenshtein) search. Built
/// from words in any order (repeats dropped), or from a Trie.
#[pyclass(module = "lessram", name = "Dawg")]
#[derive(Clone)]
pub(crate) struct PyDawg {
    pub(crate) inner: lessram::Dawg,
}

#[pymethods]
impl PyDawg {
    #[new]
    #[pyo3(signature = (words = None))]
    fn new(py: Python<'_>, words: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut all: Vec<Vec<u8>> = Vec::new();
        if let Some(words) = words {
            for_each_item(words, |w| {
                all.push(word_bytes(w)?.into_owned());
                Ok(())
            })?;
        }
        // Sorting and building, with the GIL released.
        let inner = py.detach(|| lessram::Dawg::from_words(all)).or_py()?;
        Ok(Self { inner })
    }

    /// The Dawg of a Trie's words (counts dropped).
    #[staticmethod]
    fn from_trie(trie: &PyTrie) -> Self {
        Self {
            inner: lessram::Dawg::from_trie(&trie.inner),
        }
    }

    fn __contains__(&self, word: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.contains(word_bytes(word)?))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Every word that starts with `prefix` (all words without one), in byte order.
    #[pyo3(signature = (prefix = None))]
    fn words<'py>(
        &self,
        py: Python<'py>,
        prefix: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let prefix = match prefix {
            Some(p) => word_bytes(p)?.into_owned(),
            None => Vec::new(),
        };
        let out = PyList::empty(py);
        let mut err = Ok(());
        self.inner.for_each_prefixed(&prefix, |w| {
            if err.is_ok() {
                err = out.append(word_object(py, w));
            }
        });
        err.map(|()| out)
    }

    fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.borrow()
            .words(slf.py(), None)?
            .as_any()
            .try_iter()
            .map(Bound::into_any)
    }

    /// Every word within `max_distance` edits (Levenshtein, counting characters) of
    /// `word`, as `(word, distance)`, in byte order.
    fn fuzzy<'py>(
        &self,
        py: Python<'py>,
        word: &Bound<'py, PyAny>,
        max_distance: i128,
    ) -> PyResult<Vec<(Bound<'py, PyAny>, u32)>> {
        let d = narrow("max_distance", max_distance, "0..=4294967295")?;
        let query = word_bytes(word)?;
        let inner = &self.inner;
        let found = py.detach(|| inner.fuzzy(query.as_ref(), d));
        Ok(found
            .into_iter()
            .map(|(w, d)| (word_object(py, &w), d))
            .collect())
    }

    /// Bytes of the automaton itself.
    fn automaton_size(&self) -> usize {
        self.inner.automaton_size()
    }

    /// Heap bytes the Dawg owns.
    fn memory_usage(&self) -> usize {
        self.inner.memory_usage()
    }

    /// Writes the Dawg to a file in lessram's binary format.
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let inner = &self.inner;
        py.detach(|| inner.save(&path)).or_py()
    }

    /// Reads a Dawg saved by `save` (or Rust, or `lessram words build`), checking it.
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = py.detach(|| lessram::Dawg::load(&path)).or_py()?;
        Ok(Self { inner })
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner.as_bytes() == other.inner.as_bytes()
    }

    /// The Dawg in lessram's binary format.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    fn __bytes__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.to_bytes(py)
    }

    /// Decodes (and checks) a saved Dawg; `DecodeError` when the bytes are not one.
    #[staticmethod]
    fn from_bytes(data: PyBackedBytes) -> PyResult<Self> {
        Ok(Self {
            inner: lessram::Dawg::from_bytes(&data).or_py()?,
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let bytes = slf.borrow().inner.to_bytes();
        reduce(slf.as_any(), &bytes)
    }

    fn __repr__(&self) -> String {
        format!(
            "Dawg(<{} words, {} bytes>)",
            self.inner.len(),
            self.inner.automaton_size()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTrie>()?;
    m.add_class::<PyDawg>()?;
    Ok(())
}
