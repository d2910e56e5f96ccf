//! The `lessram` Python module: the crate's own structures behind a Pythonic API.
//!
//! Every class wraps the Rust type itself (same hash, same binary format), so a sketch made
//! here merges with one made by the CLI or a Rust program. Items are `str` (its UTF-8
//! bytes), `bytes` / `bytearray` (as they are) and `int` (as Rust hashes a `u64`, or an
//! `i64` when negative): [`with_item`] is the one place that turns a Python object into the
//! bytes the Rust side hashes, and [`error`] the one place that turns a `lessram::Error`
//! into a Python exception.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyInt, PyList, PyString, PyTuple};

mod count;
mod counting;
mod membership;
mod words;

pyo3::create_exception!(
    lessram,
    DecodeError,
    PyValueError,
    "Bytes that are not a valid saved structure of the kind asked for: truncated, \
     corrupt, a checksum mismatch, another kind, format version or hasher."
);
pyo3::create_exception!(
    lessram,
    IncompatibleError,
    PyValueError,
    "Two structures that cannot be merged: their parameters, hash or seed differ."
);

/// The Python exception for a `lessram::Error`: the one mapping of the module.
///
/// Decoding errors are [`DecodeError`], mismatched merges [`IncompatibleError`] (both
/// subclasses of `ValueError`), I/O errors the matching `OSError` subclass, and every other
/// error (a parameter out of range, input breaking a contract, a limit reached) a
/// `ValueError`.
pub(crate) fn error(e: lessram::Error) -> PyErr {
    use lessram::Error as E;
    let message = e.to_string();
    match e {
        E::Truncated { .. }
        | E::BadMagic { .. }
        | E::UnsupportedVersion { .. }
        | E::WrongKind { .. }
        | E::WrongHasher { .. }
        | E::UnidentifiedHasher { .. }
        | E::ChecksumMismatch { .. }
        | E::Corrupt { .. } => DecodeError::new_err(message),
        E::Incompatible { .. } => IncompatibleError::new_err(message),
        E::Io(io) => PyErr::from(io),
        _ => PyValueError::new_err(message),
    }
}

/// `Result<T, lessram::Error>` into `PyResult<T>` through [`error`].
pub(crate) trait OrPy<T> {
    fn or_py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for lessram::Result<T> {
    fn or_py(self) -> PyResult<T> {
        self.map_err(error)
    }
}

/// Calls `f` with the bytes the Rust side hashes for the Python item `obj`: a `str`'s
/// UTF-8 bytes, a `bytes` or `bytearray` as it is, an `int`'s 8 little-endian bytes as a
/// `u64` (non-negative) or an `i64` (negative), exactly as `lessram::Item` does for those
/// Rust types; other integer types (numpy's) through `__index__`.
///
/// # Errors
///
/// `TypeError` for any other type, `OverflowError` for an int outside
/// `-2**63 ..= 2**64 - 1`, `UnicodeEncodeError` for a `str` with lone surrogates.
#[inline]
pub(crate) fn with_item<R>(obj: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R) -> PyResult<R> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(f(s.to_str()?.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(f(b.as_bytes()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        return Ok(f(&int_bytes(i)?));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(f(&b.to_vec()));
    }
    // Integers of other types (numpy's int64 and uint64) through `__index__`.
    if obj.hasattr(pyo3::intern!(obj.py(), "__index__"))? {
        let i = obj.call_method0(pyo3::intern!(obj.py(), "__index__"))?;
        if let Ok(i) = i.cast::<PyInt>() {
            return Ok(f(&int_bytes(i)?));
        }
    }
    Err(PyTypeError::new_err(format!(
        "lessram items are str, bytes, bytearray or int, not {}",
        obj.get_type().name()?
    )))
}

/// An int's hashed bytes: `u64` little-endian when it fits, else `i64` (negative).
fn int_bytes(i: &Bound<'_, PyInt>) -> PyResult<[u8; 8]> {
    if let Ok(u) = i.extract::<u64>() {
        return Ok(u.to_le_bytes());
    }
    if let Ok(n) = i.extract::<i64>() {
        return Ok(n.to_le_bytes());
    }
    Err(PyOverflowError::new_err(format!(
        "int {} out of range for a lessram item: -2**63 ..= 2**64 - 1 (hashed as an i64 or a u64)",
        i.repr()?
    )))
}

/// Calls `f` on each item of `items` in order (a list or tuple read directly, any other
/// iterable through the iterator protocol), with no Python-level call per item.
pub(crate) fn for_each_item(
    items: &Bound<'_, PyAny>,
    mut f: impl FnMut(&Bound<'_, PyAny>) -> PyResult<()>,
) -> PyResult<()> {
    if let Ok(list) = items.cast::<PyList>() {
        for item in list.iter() {
            f(&item)?;
        }
    } else if let Ok(tuple) = items.cast::<PyTuple>() {
        for item in tuple.iter() {
            f(&item)?;
        }
    } else {
        if items.is_instance_of::<PyString>() || items.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "update() takes an iterable of items, not a single str or bytes (use add())",
            ));
        }
        for item in items.try_iter()? {
            f(&item?)?;
        }
    }
    Ok(())
}

/// The 64-bit hashes of `items` under `hasher`, as the sketches insert them.
pub(crate) fn hashes64<H: lessram::ItemHasher>(
    hasher: &H,
    items: &Bound<'_, PyAny>,
) -> PyResult<Vec<u64>> {
    let mut out = Vec::with_capacity(items.len().unwrap_or(0));
    for_each_item(items, |item| {
        out.push(with_item(item, |b| hasher.hash_bytes(b))?);
        Ok(())
    })?;
    Ok(out)
}

/// The `u64` values of a buffer (a numpy `uint64` array, an `array.array('Q')`), copied.
pub(crate) fn u64_buffer(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u64>> {
    let buf = pyo3::buffer::PyBuffer::<u64>::get(obj).map_err(|e| {
        PyTypeError::new_err(format!(
            "expected a buffer of uint64 hashes (a numpy uint64 array, array.array('Q')): {e}"
        ))
    })?;
    buf.to_vec(obj.py())
}

/// A word's bytes (`str` as UTF-8, `bytes` as is) for the word stores.
pub(crate) fn word_bytes<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<std::borrow::Cow<'a, [u8]>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(std::borrow::Cow::Owned(s.to_str()?.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(std::borrow::Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(std::borrow::Cow::Owned(b.to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "words are str, bytes or bytearray, not {}",
        obj.get_type().name()?
    )))
}

/// A stored word back in Python: `str` when it is UTF-8 (every word added as a `str` is),
/// else `bytes`.
pub(crate) fn word_object<'py>(py: Python<'py>, word: &[u8]) -> Bound<'py, PyAny> {
    match std::str::from_utf8(word) {
        Ok(s) => PyString::new(py, s).into_any(),
        Err(_) => PyBytes::new(py, word).into_any(),
    }
}

/// The 64-bit MurmurHash3 x64_128 hash (its low half) of an item, as every lessram sketch
/// computes it: `lessram::ItemHasher::hash_item` of `Murmur3::with_seed(seed)`.
#[pyfunction]
#[pyo3(signature = (item, seed = 0))]
fn hash64(item: &Bound<'_, PyAny>, seed: u32) -> PyResult<u64> {
    use lessram::ItemHasher;
    let h = lessram::hash::Murmur3::with_seed(seed);
    with_item(item, |b| h.hash_bytes(b))
}

/// The 128-bit MurmurHash3 x64_128 hash of an item, as the Bloom filters compute it.
#[pyfunction]
#[pyo3(signature = (item, seed = 0))]
fn hash128(item: &Bound<'_, PyAny>, seed: u32) -> PyResult<u128> {
    use lessram::ItemHasher;
    let h = lessram::hash::Murmur3::with_seed(seed);
    with_item(item, |b| h.hash_bytes128(b))
}

/// lessram: memory-efficient sketches, filters and word stores from the Rust crate.
#[pymodule]
#[pyo3(name = "lessram")]
fn lessram_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DecodeError", py.get_type::<DecodeError>())?;
    m.add("IncompatibleError", py.get_type::<IncompatibleError>())?;
    m.add_function(wrap_pyfunction!(hash64, m)?)?;
    m.add_function(wrap_pyfunction!(hash128, m)?)?;
    counting::register(m)?;
    membership::register(m)?;
    words::register(m)?;
    count::register(m)?;
    Ok(())
}
