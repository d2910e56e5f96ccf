use pyo3::prelude::*;

#[pymodule]
#[pyo3(name = "lessram")]
fn lessram_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
