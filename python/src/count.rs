//! `count_file`: the library's counting engine (`lessram::text::Counter`, the engine of
//! `lessram count`) from Python, with the GIL released while it reads and hashes.

use std::path::PathBuf;

use lessram::counting::SplitMix64;
use lessram::hash::Murmur3;
use lessram::text::{Counter, Distinct, Filter, Morris, SinkHandle, Sketch, Source, TokenOptions};
use lessram::{HyperLogLog, ItemHasher, Kmv, LogLog, MorrisCounter, ScalingBloomFilter};
use lessram::{SuperLogLog, UltraLogLog};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::OrPy;
use crate::counting::{
    PyHyperLogLog, PyKMinValues, PyLogLog, PyMorrisCounter, PySuperLogLog, PyUltraLogLog,
};
use crate::for_each_item;
use crate::membership::{PyBloomFilter, PyScalingBloomFilter};

/// The seed of the Morris counter's generator when named by string: the CLI's.
const MORRIS_SEED: u64 = 0x6d6f_7272_6973;

/// A sketch to feed, as given (a few per call: their size does not matter).
#[allow(clippy::large_enum_variant)]
enum Wanted {
    Sketch(Sketch),
    Ultra(UltraLogLog),
    Bloom(lessram::BloomFilter),
}

/// Its handle in the counter.
enum Handle {
    Sketch(SinkHandle<Sketch>),
    Ultra(SinkHandle<Distinct<UltraLogLog>>),
    Bloom(SinkHandle<Filter<lessram::BloomFilter>>),
}

/// Parameters for sketches named by string (the CLI's defaults).
struct Params {
    precision: u8,
    k: usize,
    capacity: usize,
    error_rate: f64,
    base: f64,
}

/// A sketch named as `lessram count --sketch` names it.
fn by_name(name: &str, p: &Params, seed: u32) -> PyResult<Wanted> {
    let h = Murmur3::with_seed(seed);
    let s = match name.trim().to_ascii_lowercase().as_str() {
        "morris" => Sketch::Morris(Morris::new(
            MorrisCounter::new(p.base).or_py()?,
            SplitMix64::new(MORRIS_SEED),
        )),
        "loglog" => Sketch::LogLog(Distinct(LogLog::with_hasher(p.precision, h).or_py()?)),
        "superloglog" => {
            Sketch::SuperLogLog(Distinct(SuperLogLog::with_hasher(p.precision, h).or_py()?))
        }
        "hll" | "hyperloglog" => {
            Sketch::HyperLogLog(Distinct(HyperLogLog::with_hasher(p.precision, h).or_py()?))
        }
        "ull" | "ultraloglog" => {
            return Ok(Wanted::Ultra(
                UltraLogLog::with_hasher(p.precision, h).or_py()?,
            ));
        }
        "kmv" => Sketch::Kmv(Distinct(Kmv::with_hasher(p.k, h).or_py()?)),
        "bloom" | "scalingbloom" | "scalingbloomfilter" => {
            if p.capacity == 0 {
                return Err(PyValueError::new_err("capacity 0 out of range 1 or more"));
            }
            Sketch::Bloom(Filter(
                ScalingBloomFilter::with_hasher(p.capacity, p.error_rate, h).or_py()?,
            ))
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown sketch {other:?} (known: morris, loglog, superloglog, hll, ull, kmv, bloom)"
            )));
        }
    };
    Ok(Wanted::Sketch(s))
}

/// A sketch given as an instance: a copy of it is fed (the instance is not changed).
fn by_instance(obj: &Bound<'_, PyAny>) -> PyResult<(Wanted, Option<u64>)> {
    fn seed<H: ItemHasher>(h: &H) -> Option<u64> {
        Some(h.seed())
    }
    if let Ok(s) = obj.cast::<PyHyperLogLog>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(inner.hasher());
        return Ok((Wanted::Sketch(Sketch::HyperLogLog(Distinct(inner))), seed));
    }
    if let Ok(s) = obj.cast::<PyUltraLogLog>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(inner.hasher());
        return Ok((Wanted::Ultra(inner), seed));
    }
    if let Ok(s) = obj.cast::<PyLogLog>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(lessram::DistinctCount::hasher(&inner));
        return Ok((Wanted::Sketch(Sketch::LogLog(Distinct(inner))), seed));
    }
    if let Ok(s) = obj.cast::<PySuperLogLog>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(lessram::DistinctCount::hasher(&inner));
        return Ok((Wanted::Sketch(Sketch::SuperLogLog(Distinct(inner))), seed));
    }
    if let Ok(s) = obj.cast::<PyKMinValues>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(lessram::DistinctCount::hasher(&inner));
        return Ok((Wanted::Sketch(Sketch::Kmv(Distinct(inner))), seed));
    }
    if let Ok(s) = obj.cast::<PyMorrisCounter>() {
        let s = s.borrow();
        let m = Morris::new(s.inner, s.rng.clone());
        return Ok((Wanted::Sketch(Sketch::Morris(m)), None));
    }
    if let Ok(s) = obj.cast::<PyScalingBloomFilter>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(inner.hasher());
        return Ok((Wanted::Sketch(Sketch::Bloom(Filter(inner))), seed));
    }
    if let Ok(s) = obj.cast::<PyBloomFilter>() {
        let inner = s.borrow().inner.clone();
        let seed = seed(inner.hasher());
        return Ok((Wanted::Bloom(inner), seed));
    }
    Err(PyTypeError::new_err(format!(
        "sketches are names (\"hll\", \"kmv\", ...) or lessram sketch instances, not {}",
        obj.get_type().name()?
    )))
}

/// A sketch back as its Python object.
fn to_python(py: Python<'_>, sketch: Sketch) -> PyResult<Bound<'_, PyAny>> {
    Ok(match sketch {
        Sketch::Morris(m) => Bound::new(
            py,
            PyMorrisCounter {
                inner: m.counter,
                rng: m.rng,
            },
        )?
        .into_any(),
        Sketch::LogLog(Distinct(inner)) => Bound::new(py, PyLogLog { inner })?.into_any(),
        Sketch::SuperLogLog(Distinct(inner)) => Bound::new(py, PySuperLogLog { inner })?.into_any(),
        Sketch::HyperLogLog(Distinct(inner)) => Bound::new(py, PyHyperLogLog { inner })?.into_any(),
        Sketch::Kmv(Distinct(inner)) => Bound::new(py, PyKMinValues { inner })?.into_any(),
        Sketch::Bloom(Filter(inner)) => Bound::new(py, PyScalingBloomFilter { inner })?.into_any(),
        // `Sketch` is non-exhaustive in spirit: a kind added later is refused, not lost.
        #[allow(unreachable_patterns)]
        _ => {
            return Err(PyTypeError::new_err(
                "a sketch kind this module does not know",
            ));
        }
    })
}

/// Counts the tokens of a file (or a list of files) with the library's engine, feeding
/// every sketch in `sketches`, on `threads` threads, with the GIL released.
///
/// `sketches` holds names as `lessram count --sketch` takes them ("morris", "loglog",
/// "superloglog", "hll", "ull", "kmv", "bloom"; built with `precision`, `k`, `capacity`,
/// `error_rate` and `base`, the CLI's defaults) or sketch instances (a copy of each is fed;
/// the instance is left as it was). Tokens are hashed with MurmurHash3 of seed `seed`, by
/// default the first instance's seed (0 without one); the named sketches get that seed and
/// every instance must have it. Tokens are ASCII-whitespace words, or lines with
/// `lines=True`, ASCII-lower-cased with `lowercase=True`, hashed as `str`/`bytes` items
/// are (a sketch filled here equals one filled with `update()` of the same tokens).
///
/// Returns a dict: `tokens` (repeats included), `bytes` (read), `distinct` (the exact
/// count with `exact=True`, else None), `threads`, `seconds`, and `sketches`, the filled
/// sketches in the order given. Gzip files are decompressed (by name or magic bytes);
/// zstd files are refused (this build leaves out the crate's `zstd` feature).
#[pyfunction]
#[pyo3(signature = (
    path, sketches = None, *, threads = None, lines = false, lowercase = false, exact = false,
    seed = None, precision = 14, k = 4096, capacity = 100_000, error_rate = 0.01, base = 2.0
))]
#[allow(clippy::too_many_arguments)]
fn count_file<'py>(
    py: Python<'py>,
    path: &Bound<'py, PyAny>,
    sketches: Option<&Bound<'py, PyAny>>,
    threads: Option<i128>,
    lines: bool,
    lowercase: bool,
    exact: bool,
    seed: Option<i128>,
    precision: i128,
    k: i128,
    capacity: i128,
    error_rate: f64,
    base: f64,
) -> PyResult<Bound<'py, PyDict>> {
    use crate::counting::narrow;
    let params = Params {
        precision: narrow("precision", precision, "4..=18")?,
        k: narrow("k", k, "2..=67108864")?,
        capacity: narrow("capacity", capacity, "1 or more")?,
        error_rate,
        base,
    };
    let max = Counter::MAX_THREADS as i128;
    let threads = match threads {
        Some(n) if !(1..=max).contains(&n) => {
            return Err(PyValueError::new_err(format!(
                "threads {n} out of range 1..={max}"
            )));
        }
        Some(n) => n as usize,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let paths: Vec<PathBuf> =
        if path.is_instance_of::<PyList>() || path.is_instance_of::<pyo3::types::PyTuple>() {
            let mut v = Vec::new();
            for_each_item(path, |p| {
                v.push(p.extract::<PathBuf>()?);
                Ok(())
            })?;
            v
        } else {
            vec![path.extract::<PathBuf>()?]
        };

    // Sketches given as instances fix the seed (the first one's, unless `seed` is given);
    // those named are built with it.
    #[allow(clippy::large_enum_variant)]
    enum Given {
        Name(String),
        Instance(Wanted),
    }
    let mut given = Vec::new();
    let mut found: Option<u64> = None;
    let default = PyList::new(py, ["hll"])?.into_any();
    for_each_item(sketches.unwrap_or(&default), |s| {
        if let Ok(name) = s.cast::<PyString>() {
            given.push(Given::Name(name.to_str()?.to_owned()));
        } else {
            let (w, s) = by_instance(s)?;
            found = found.or(s);
            given.push(Given::Instance(w));
        }
        Ok(())
    })?;
    let seed: u32 = match seed {
        Some(s) => narrow("seed", s, "0..=4294967295")?,
        None => u32::try_from(found.unwrap_or(0))
            .map_err(|_| PyValueError::new_err("a sketch's seed does not fit a Murmur3 seed"))?,
    };
    let wanted = given
        .into_iter()
        .map(|g| match g {
            Given::Name(n) => by_name(&n, &params, seed),
            Given::Instance(w) => Ok(w),
        })
        .collect::<PyResult<Vec<_>>>()?;

    let opts = if lines {
        TokenOptions::lines()
    } else {
        TokenOptions::words()
    }
    .lowercase(lowercase);
    let mut counter = Counter::new(opts).seed(seed).threads(threads).exact(exact);
    let handles: Vec<Handle> = wanted
        .into_iter()
        .map(|w| match w {
            Wanted::Sketch(s) => Handle::Sketch(counter.sink(s)),
            Wanted::Ultra(u) => Handle::Ultra(counter.sink(Distinct(u))),
            Wanted::Bloom(b) => Handle::Bloom(counter.sink(Filter(b))),
        })
        .collect();
    let sources: Vec<Source> = paths.into_iter().map(Source::path).collect();
    let mut report = py.detach(|| counter.count_sources(sources)).or_py()?;

    let out = PyList::empty(py);
    for h in handles {
        let obj = match h {
            Handle::Sketch(h) => to_python(py, report.take(h))?,
            Handle::Ultra(h) => Bound::new(
                py,
                PyUltraLogLog {
                    inner: report.take(h).0,
                },
            )?
            .into_any(),
            Handle::Bloom(h) => Bound::new(
                py,
                PyBloomFilter {
                    inner: report.take(h).0,
                },
            )?
            .into_any(),
        };
        out.append(obj)?;
    }
    let d = PyDict::new(py);
    d.set_item("tokens", report.tokens)?;
    d.set_item("bytes", report.bytes)?;
    d.set_item("distinct", report.distinct())?;
    d.set_item("threads", report.threads)?;
    d.set_item("seconds", report.elapsed.as_secs_f64())?;
    d.set_item("sketches", out)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(count_file, m)?)?;
    Ok(())
}
