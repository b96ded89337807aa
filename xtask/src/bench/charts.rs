//! SVG charts of the benchmark report, drawn with plotters from `report.json`'s values:
//! round-trip bars (log scale) and delegation cost against depth (log-log, one line per
//! mechanism). Missing figures are left out of the chart, never drawn as zero.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;
use serde_json::Value;

use super::inputs::{DEPTHS, ROUNDTRIP};

const SERIES_COLORS: [RGBColor; 5] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

/// stasis's own mechanisms in blue, CPython in green, the rest (raw and peers) in grey.
fn bar_color(name: &str) -> RGBColor {
    match name {
        "stackful" | "state_machine" => SERIES_COLORS[0],
        "cpython" => SERIES_COLORS[2],
        _ => RGBColor(150, 150, 150),
    }
}

/// A log-axis tick label without useless decimals.
fn tick(v: &f64) -> String {
    if *v >= 1.0 { format!("{v:.0}") } else { format!("{v}") }
}

fn plot_err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow!("drawing the chart failed: {e:?}")
}

/// Round-trip time per mechanism as bars on a log scale (ns).
pub(crate) fn roundtrip_chart(report: &Value, path: &Path) -> Result<()> {
    let bars: Vec<(String, f64)> = ROUNDTRIP
        .iter()
        .copied()
        .chain(["cpython"])
        .filter_map(|name| Some((name.to_string(), report["roundtrip_ns"][name].as_f64()?)))
        .filter(|(_, ns)| *ns > 0.0)
        .collect();
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    if bars.is_empty() {
        root.titled("round trip: no figures in this run", ("sans-serif", 20)).map_err(plot_err)?;
        return root.present().map_err(plot_err);
    }
    let max = bars.iter().map(|b| b.1).fold(1.0, f64::max) * 3.0;
    let min = bars.iter().map(|b| b.1).fold(f64::INFINITY, f64::min).min(1.0) / 3.0;
    let n = bars.len();
    let mut chart = ChartBuilder::on(&root)
        .caption("Round trip: resume + yield (ns, log scale; lower is better)", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n as f64, (min..max).log_scale())
        .map_err(plot_err)?;
    let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.floor() as usize;
            if (x - x.floor() - 0.5).abs() < 0.01 && i < names.len() {
                names[i].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&tick)
        .y_desc("ns per round trip")
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (name, ns))| {
            let color = bar_color(name);
            Rectangle::new([(i as f64 + 0.15, min), (i as f64 + 0.85, *ns)], color.filled())
        }))
        .map_err(plot_err)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(i, (_, ns))| {
            Text::new(
                super::report::fmt_ns(Some(*ns)),
                (i as f64 + 0.2, ns * 1.25),
                ("sans-serif", 13),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

/// Time per item against delegation depth, log-log, one line per mechanism.
pub(crate) fn delegation_chart(report: &Value, path: &Path) -> Result<()> {
    let series: Vec<(String, Vec<(f64, f64)>)> = ["inline", "object", "state_machine", "cpython"]
        .iter()
        .map(|&mech| {
            let points = DEPTHS
                .iter()
                .filter_map(|&d| {
                    let ns = report["delegation_ns"][mech][d.to_string()].as_f64()?;
                    (ns > 0.0).then_some((f64::from(d), ns))
                })
                .collect();
            (mech.to_string(), points)
        })
        .filter(|(_, points): &(String, Vec<(f64, f64)>)| !points.is_empty())
        .collect();
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(plot_err)?;
    if series.is_empty() {
        root.titled("delegation: no figures in this run", ("sans-serif", 20)).map_err(plot_err)?;
        return root.present().map_err(plot_err);
    }
    let all = series.iter().flat_map(|s| s.1.iter().map(|p| p.1));
    let max = all.clone().fold(1.0, f64::max) * 3.0;
    let min = all.fold(f64::INFINITY, f64::min).min(1.0) / 3.0;
    let mut chart = ChartBuilder::on(&root)
        .caption("Delegation: time per item against depth (log-log)", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d((0.8f64..1300f64).log_scale(), (min..max).log_scale())
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_desc("depth")
        .y_desc("ns per item")
        .draw()
        .map_err(plot_err)?;
    for (i, (name, points)) in series.iter().enumerate() {
        let color = SERIES_COLORS[i % SERIES_COLORS.len()];
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))
            .map_err(plot_err)?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(plot_err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(plot_err)?;
    root.present().map_err(plot_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn charts_are_svg_and_skip_missing_figures() {
        let dir = std::env::temp_dir().join(format!("stasis-xtask-charts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = json!({
            "roundtrip_ns": {"stackful": 2.7, "corosensei": 2.5, "iterator": null, "cpython": 48.0},
            "delegation_ns": {"state_machine": {"1": 9.0, "10": 77.0, "100": 720.0, "1000": null},
                              "inline": {"1": null}},
        });
        roundtrip_chart(&report, &dir.join("r.svg")).unwrap();
        delegation_chart(&report, &dir.join("d.svg")).unwrap();
        let r = std::fs::read_to_string(dir.join("r.svg")).unwrap();
        let d = std::fs::read_to_string(dir.join("d.svg")).unwrap();
        assert!(r.starts_with("<svg") && r.contains("stackful") && !r.contains("iterator"));
        assert!(d.contains("state_machine") && !d.contains(">inline<"), "{d}");
        delegation_chart(&json!({}), &dir.join("e.svg")).unwrap();
        assert!(std::fs::read_to_string(dir.join("e.svg")).unwrap().contains("no figures"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
