//! Inline SVG charts for the HTML report: drift by area (bars), the drift trend over the fork's
//! commits (a line), and effort ranges in hours (low–high bars: the rebase cost per file, or per
//! upgrade hop). Each chart is one `<svg>` element with a `viewBox`, drawn at the width of its
//! box (it scales down on a narrow screen), a `<title>` per mark for hover text, and every label
//! HTML-escaped: the result is safe to insert into the page as is.

use std::fmt::Write as _;

use forkcheck_analyzers::Report;

/// Width of the drawing in user units (it scales to the box).
const W: f64 = 640.0;
const BAR_H: f64 = 18.0;
const GAP: f64 = 6.0;
const LABEL_W: f64 = 190.0;

fn esc(s: &str) -> String {
    tera::escape_html(s)
}

/// A number for an SVG attribute: one decimal, no `-0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r}")
    }
}

/// A label cut to `max` characters (the full text stays in the `<title>`).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A path cut from the left to `max` characters (its file name is what tells it apart).
fn clip_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        s.to_string()
    } else {
        let mut out = String::from("…");
        out.extend(s.chars().skip(n - max + 1));
        out
    }
}

/// The opening `<svg>` of a chart of `rows` horizontal bars, with its accessible title.
fn open_svg(title: &str, rows: usize) -> String {
    let h = rows as f64 * (BAR_H + GAP) + GAP;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = n(W),
        h = n(h),
        t = esc(title)
    );
    svg
}

/// Horizontal bars, one per `(label, value, hover)`, scaled to the largest value.
pub fn bars(title: &str, rows: &[(String, f64, String)]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1.0);
    let mut svg = open_svg(title, rows.len());
    let span = W - LABEL_W - 70.0;
    for (i, (label, value, hover)) in rows.iter().enumerate() {
        let y = GAP + i as f64 * (BAR_H + GAP);
        let len = (value / max * span).max(1.0);
        let _ = write!(
            svg,
            r#"<g><title>{hover}</title><text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{x}" y="{y}" width="{len}" height="{bh}" rx="2"></rect><text x="{vx}" y="{ty}">{value}</text></g>"#,
            hover = esc(hover),
            lx = n(LABEL_W - 8.0),
            ty = n(y + BAR_H - 5.0),
            label = esc(&clip(label, 24)),
            x = n(LABEL_W),
            y = n(y),
            len = n(len),
            bh = n(BAR_H),
            vx = n(LABEL_W + len + 6.0),
            value = esc(&super::view::thousands(value.round() as u64)),
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Low–high ranges in hours, one bar per `(label, low, high)`: the low part solid, the range up
/// to high lighter.
pub fn ranges(title: &str, rows: &[(String, f64, f64)]) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let max = rows.iter().map(|r| r.2).fold(0.0, f64::max).max(0.1);
    let mut svg = open_svg(title, rows.len());
    let span = W - LABEL_W - 90.0;
    for (i, (label, low, high)) in rows.iter().enumerate() {
        let y = GAP + i as f64 * (BAR_H + GAP);
        let lo = (low / max * span).max(1.0);
        let hi = (high / max * span).max(lo);
        let range = forkcheck_analyzers::cost::HoursRange {
            low: *low,
            high: *high,
        }
        .display();
        let _ = write!(
            svg,
            r#"<g><title>{full}: {range}</title><text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="high" x="{x}" y="{y}" width="{hi}" height="{bh}" rx="2"></rect><rect x="{x}" y="{y}" width="{lo}" height="{bh}" rx="2"></rect><text x="{vx}" y="{ty}">{range}</text></g>"#,
            full = esc(label),
            range = esc(&range),
            lx = n(LABEL_W - 8.0),
            ty = n(y + BAR_H - 5.0),
            label = esc(&clip_left(label, 24)),
            x = n(LABEL_W),
            y = n(y),
            hi = n(hi),
            lo = n(lo),
            bh = n(BAR_H),
            vx = n(LABEL_W + hi + 6.0),
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// A line of `(label, value)` points in order (the drift after each fork commit), with a dot
/// per point whose hover text is its label.
pub fn line(title: &str, points: &[(String, f64)]) -> Option<String> {
    if points.is_empty() {
        return None;
    }
    let (h, pad_l, pad_r, pad_t, pad_b) = (200.0, 70.0, 16.0, 12.0, 24.0);
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let span_x = W - pad_l - pad_r;
    let span_y = h - pad_t - pad_b;
    let step = if points.len() > 1 {
        span_x / (points.len() - 1) as f64
    } else {
        0.0
    };
    let xy = |i: usize, v: f64| (pad_l + i as f64 * step, pad_t + span_y - v / max * span_y);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = n(W),
        h = n(h),
        t = esc(title)
    );
    // Axes: zero and the maximum.
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{x0}" y1="{yb}" x2="{x1}" y2="{yb}"></line><text x="{lx}" y="{yb}" text-anchor="end">0</text><text x="{lx}" y="{yt}" text-anchor="end">{max}</text>"#,
        x0 = n(pad_l),
        x1 = n(W - pad_r),
        yb = n(pad_t + span_y),
        yt = n(pad_t + 10.0),
        lx = n(pad_l - 6.0),
        max = esc(&super::view::thousands(max.round() as u64)),
    );
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (x, y) = xy(i, p.1);
            format!("{},{}", n(x), n(y))
        })
        .collect();
    let _ = write!(svg, r#"<polyline points="{}"></polyline>"#, path.join(" "));
    // Dots only while they stay apart.
    if points.len() <= 120 {
        for (i, (label, v)) in points.iter().enumerate() {
            let (x, y) = xy(i, *v);
            let _ = write!(
                svg,
                r#"<circle cx="{}" cy="{}" r="3"><title>{}: {}</title></circle>"#,
                n(x),
                n(y),
                esc(label),
                esc(&super::view::thousands(v.round() as u64))
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}">{} commits</text>"#,
        n(pad_l),
        n(h - 6.0),
        points.len()
    );
    svg.push_str("</svg>");
    Some(svg)
}

/// The report's charts, as safe HTML strings for the template.
#[derive(Debug, Default, serde::Serialize)]
pub struct Charts {
    pub by_area: Option<String>,
    pub trend: Option<String>,
    pub rebase_files: Option<String>,
}

/// The most files shown in the rebase-cost chart (the most expensive first).
const TOP_FILES: usize = 15;

pub fn of(report: &Report) -> Charts {
    let d = &report.drift;
    let mut areas: Vec<(String, f64, String)> = d
        .by_area
        .iter()
        .map(|a| {
            let lines = a.lines_added + a.lines_removed;
            (
                a.area.clone(),
                lines as f64,
                format!(
                    "{}: {} files, +{} −{} lines",
                    a.area, a.files, a.lines_added, a.lines_removed
                ),
            )
        })
        .collect();
    areas.sort_by(|a, b| b.1.total_cmp(&a.1));
    let trend: Vec<(String, f64)> = d
        .trend
        .iter()
        .map(|p| {
            (
                format!("{} {}", super::escape::short_oid(&p.commit), p.summary),
                (p.lines_added + p.lines_removed) as f64,
            )
        })
        .collect();
    let rebase_files = report.rebase.as_ref().and_then(|r| {
        let mut files: Vec<(String, f64, f64)> = r
            .file_costs
            .iter()
            .map(|f| (f.path.clone(), f.cost.low, f.cost.high))
            .collect();
        files.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        files.truncate(TOP_FILES);
        ranges("Estimated rebase effort per file (hours)", &files)
    });
    Charts {
        by_area: bars("Drift by area (lines changed)", &areas),
        trend: line("Drift after each fork commit (lines changed)", &trend),
        rebase_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn charts_scale_and_escape_their_labels() {
        let svg = bars(
            "t",
            &[
                ("<b>".into(), 100.0, "h<1>".into()),
                ("small".into(), 25.0, "s".into()),
            ],
        )
        .unwrap();
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains(r#"width="380""#),
            "the largest bar spans the chart: {svg}"
        );
        assert!(svg.contains(r#"width="95""#), "a quarter of it: {svg}");
        assert!(bars("t", &[]).is_none());
        let line = line("t", &[("a".into(), 0.0), ("b".into(), 10.0)]).unwrap();
        assert!(
            line.contains(r#"<polyline points="70,176 624,12">"#),
            "{line}"
        );
        let r = ranges("t", &[("hop".into(), 1.0, 4.0)]).unwrap();
        assert!(r.contains("1–4 h"), "{r}");
        assert_eq!(clip_left("lms/templates/header.html", 10), "…ader.html");
        assert_eq!(clip("new-djangoapps", 5), "new-…");
    }

    #[test]
    fn the_report_s_charts() {
        let c = of(&sample_report());
        let area = c.by_area.unwrap();
        // Sorted by size: themes (1256 lines) before settings (34).
        assert!(area.find("themes").unwrap() < area.find("settings").unwrap());
        assert!(c.trend.unwrap().contains("theme &lt;acme&gt;"));
        assert!(c.rebase_files.is_none(), "no rebase section in the sample");
    }
}
