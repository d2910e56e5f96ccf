//! Chart helpers shared by the report examples (`accuracy`, and any later report): PNG
//! output through `plotters` with no system libraries.
//!
//! Include it with `#[path = "common/plot.rs"] mod plot;`. Text is drawn with a TrueType
//! font read at run time: `$LESSRAM_FONT` if set, else Debian's `fonts-dejavu-core`
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`; `apt-get install fonts-dejavu-core`).

use std::error::Error;
use std::path::Path;

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// Where the font is looked for when `$LESSRAM_FONT` is not set.
pub(crate) const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Registers the TrueType font as plotters' "sans-serif" (once per process).
pub(crate) fn load_font() -> Result<(), Box<dyn Error>> {
    let path = std::env::var("LESSRAM_FONT").unwrap_or_else(|_| DEFAULT_FONT.to_string());
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read the font {path}: {e}; install Debian's fonts-dejavu-core \
             (apt-get install fonts-dejavu-core) or point LESSRAM_FONT at a .ttf"
        )
    })?;
    register_font(
        "sans-serif",
        FontStyle::Normal,
        Box::leak(bytes.into_boxed_slice()),
    )
    .map_err(|_| format!("{path} is not a usable TrueType font"))?;
    Ok(())
}

/// One line of a chart: a name for the legend and its `(x, y)` points.
pub(crate) struct Series {
    /// Legend text.
    pub(crate) name: String,
    /// Points, in x order; points with `y <= 0` are skipped on a log axis.
    pub(crate) points: Vec<(f64, f64)>,
    /// Dashed-looking style: drawn thinner, for a family's second parameter.
    pub(crate) thin: bool,
}

/// Colours distinguishable on white, one per estimator family.
pub(crate) const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// A line chart with log-scaled x and y axes, written as a PNG.
///
/// `colors[i]` is the colour index of `series[i]` (series of one family share a colour).
pub(crate) fn log_log_lines(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[Series],
    colors: &[usize],
) -> Result<(), Box<dyn Error>> {
    let pts = series
        .iter()
        .flat_map(|s| s.points.iter().filter(|p| p.1 > 0.0));
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    let root = BitMapBackend::new(path, (1200, 760)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (x0 / 1.3..x1 * 1.3).log_scale(),
            (y0 / 1.5..y1 * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .x_label_formatter(&|x| format!("{x:.0e}"))
        .y_label_formatter(&|y| {
            if *y >= 1.0 {
                format!("{y:.0}%")
            } else {
                format!("{y}%")
            }
        })
        .draw()?;
    for (s, &c) in series.iter().zip(colors) {
        let color = COLORS[c % COLORS.len()];
        let width = if s.thin { 1 } else { 3 };
        let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|p| p.1 > 0.0).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))?
            .label(s.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(width))
            });
        chart.draw_series(
            pts.iter()
                .map(|&p| Circle::new(p, if s.thin { 2 } else { 3 }, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
