//! Chart helpers shared by the report examples (`accuracy`, and any later report): PNG
//! output through `plotters` with no system libraries.
//!
//! Include it with `#[path = "common/plot.rs"] mod plot;` (each example uses part of it,
//! hence the `dead_code` allowance below). Text is drawn with a TrueType
//! font read at run time: `$LESSRAM_FONT` if set, else Debian's `fonts-dejavu-core`
//! (`/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`; `apt-get install fonts-dejavu-core`).

#![allow(dead_code)]

use std::error::Error;
use std::path::Path;

use plotters::coord::combinators::IntoLogRange;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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

/// One group of a bar chart: a name for the legend and one value per category (`None` when
/// the category was not measured for this group).
pub(crate) struct BarGroup {
    /// Legend text.
    pub(crate) name: String,
    /// One value per category, in the categories' order; must be positive to be drawn.
    pub(crate) values: Vec<Option<f64>>,
}

/// A horizontal grouped bar chart with a log-scaled value axis, written as a PNG.
///
/// Categories run top to bottom, each with one bar per group (coloured by group), each bar
/// labelled with its value; the legend sits in the lower right.
pub(crate) fn log_bars(
    path: &Path,
    title: &str,
    x_desc: &str,
    categories: &[String],
    groups: &[BarGroup],
) -> Result<(), Box<dyn Error>> {
    let values = || {
        groups
            .iter()
            .flat_map(|g| g.values.iter().flatten().copied())
    };
    let lo = values().filter(|v| *v > 0.0).fold(f64::MAX, f64::min);
    let hi = values().fold(f64::MIN, f64::max);
    if lo > hi {
        return Err("a bar chart needs at least one positive value".into());
    }
    // Whole decades, with room on the right for the value labels.
    let x0 = 10f64.powf((lo / 2.0).log10().floor());
    let x1 = 10f64.powf((hi * 4.0).log10().ceil());
    let n = categories.len();
    let per_group = 0.8 / groups.len().max(1) as f64;
    let height = (120 + n * (groups.len() * 17 + 12)).clamp(400, 2400) as u32;

    let root = BitMapBackend::new(path, (1200, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let label_width = 230;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(label_width)
        .build_cartesian_2d((x0..x1).log_scale(), 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(x_desc)
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .x_label_formatter(&|x| {
            let s = format!("{x}");
            if s.len() > 8 { short_number(*x) } else { s }
        })
        .draw()?;
    // Category i occupies [n - 1 - i, n - i) on the y axis, so the first is on top.
    let top = |i: usize| (n - i) as f64;
    for (g, group) in groups.iter().enumerate() {
        let color = COLORS[g % COLORS.len()];
        let bars = group
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| *v > 0.0).map(|v| (i, v)))
            .map(|(i, v)| {
                let y1 = top(i) - 0.1 - g as f64 * per_group;
                Rectangle::new([(x0, y1 - per_group * 0.9), (v, y1)], color.filled())
            });
        chart
            .draw_series(bars)?
            .label(group.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled()));
    }
    // Value labels at the end of each bar, category names left of the plot.
    let value_style = ("sans-serif", 13).into_font().color(&BLACK);
    for (g, group) in groups.iter().enumerate() {
        for (i, v) in group.values.iter().enumerate() {
            if let Some(v) = v.filter(|v| *v > 0.0) {
                let y = top(i) - 0.1 - (g as f64 + 0.45) * per_group;
                let (px, py) = chart.backend_coord(&(v, y));
                root.draw(&Text::new(
                    short_number(v),
                    (px + 4, py),
                    value_style.pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
    }
    let name_style = ("sans-serif", 17).into_font().color(&BLACK);
    for (i, name) in categories.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(x0, top(i) - 0.5));
        root.draw(&Text::new(
            name.clone(),
            (px - 10, py),
            name_style.pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// A positive number in few characters: `1234` as `1234`, `3.6` as `3.6`, `0.0123` as `0.012`.
fn short_number(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else if x >= 1.0 {
        format!("{x:.2}")
    } else {
        let digits = (-x.log10()).ceil() as usize + 1;
        format!("{x:.digits$}")
    }
}
