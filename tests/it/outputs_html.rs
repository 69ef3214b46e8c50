//! The HTML report in a real browser: headless Chromium (Debian's `chromium`, installed by
//! scripts/test.sh) renders it at 1400 and 400 px. In the page, a probe added by the test
//! records console errors, script errors and Content-Security-Policy violations, measures every
//! element against the viewport (nothing may stick out; a table may be wider only inside its
//! scrolling box, and at 1400 px not even there), and clicks a sortable heading. The key figures of the report must be in the
//! DOM. Screenshots are kept as artifacts under `target/tmp/html-report/` (look at them).

use std::path::{Path, PathBuf};
use std::process::Command;

use forkcheck_fixtures::Scenario;
use serde_json::Value;

use crate::common::{forkcheck, run};

const WIDTHS: [u32; 2] = [1400, 400];

/// Added at the start of `<head>`: collects errors from the start, then measures the page after
/// it has loaded and posts the results as JSON to the harness page around it.
const PROBE: &str = r#"<script>
window.__probe = { errors: [] };
window.addEventListener("error", function (e) { __probe.errors.push("error: " + e.message); });
document.addEventListener("securitypolicyviolation", function (e) { __probe.errors.push("csp: " + e.violatedDirective); });
(function () {
  var orig = console.error;
  console.error = function () { __probe.errors.push("console: " + Array.prototype.join.call(arguments, " ")); return orig.apply(console, arguments); };
})();
window.addEventListener("load", function () {
  var vw = document.documentElement.clientWidth;
  var wide = [];
  document.querySelectorAll("body *").forEach(function (el) {
    var box = el.closest(".table-wrap");
    if (box && box !== el) return; // inside a scrolling box: the box is what counts
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (r.right > vw + 0.5 || r.left < -0.5) wide.push(el.tagName.toLowerCase() + "." + el.className + " [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
  });
  // Tables wider than their box (they scroll there): none on a wide screen.
  var scrolled = [];
  document.querySelectorAll(".table-wrap").forEach(function (w) {
    if (w.scrollWidth > w.clientWidth + 1) scrolled.push(w.firstElementChild.rows[0].textContent.trim() + " " + w.scrollWidth + ">" + w.clientWidth);
  });
  // Sorting: the findings table by line, ascending, then descending.
  var sorted = null;
  var t = document.querySelector("table.findings");
  if (t) {
    var heads = t.rows[0].cells, col = -1;
    for (var i = 0; i < heads.length; i++) if (heads[i].textContent.trim() === "Line") col = i;
    var lines = function () {
      var out = [];
      for (var j = 1; j < t.rows.length; j++) { var v = t.rows[j].cells[col].textContent.trim(); if (v) out.push(parseInt(v, 10)); }
      return out;
    };
    heads[col].click();
    var up = lines();
    heads[col].click();
    var down = lines();
    var isSorted = function (a, dir) { for (var k = 1; k < a.length; k++) if ((a[k] - a[k - 1]) * dir < 0) return false; return a.length > 1; };
    sorted = { ascending: isSorted(up, 1), descending: isSorted(down, -1), aria: heads[col].getAttribute("aria-sort"), rows: up.length };
  }
  parent.postMessage(JSON.stringify({ errors: __probe.errors, wide: wide, vw: vw, scrollWidth: document.documentElement.scrollWidth, sorted: sorted, scrolled: scrolled, text: document.body.innerText, charts: document.querySelectorAll("svg.chart").length }), "*");
});
</script>"#;

fn chromium() -> &'static str {
    let ok = Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "chromium is not installed: run scripts/test.sh (it runs `apt-get install chromium`)"
    );
    "chromium"
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A page showing `src` in a frame exactly `width` pixels wide (headless Chromium lays a window
/// out at least 500 pixels wide, whatever `--window-size` says), and the probe's message in
/// `<pre id="forkcheck-probe">`.
fn harness(dir: &Path, src: &Path, width: u32) -> PathBuf {
    let page = dir.join(format!(
        "harness-{width}-{}.html",
        src.file_stem().unwrap().to_string_lossy()
    ));
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head><style>body {{ margin: 0; background: #777; }} \
             iframe {{ border: 0; display: block; background: #fff; }}</style></head><body>\
             <iframe src=\"file://{src}\" width=\"{width}\" height=\"2400\"></iframe>\
             <pre id=\"forkcheck-probe\"></pre><script>window.addEventListener(\"message\", \
             function (e) {{ document.getElementById(\"forkcheck-probe\").textContent = e.data; }});\
             </script></body></html>",
            src = src.display()
        ),
    )
    .unwrap();
    page
}

/// Headless Chromium on `page` at `width`: with `--dump-dom` (the DOM after load) or
/// `--screenshot=FILE`. Returns (stdout, stderr).
fn browse(page: &Path, width: u32, mode: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            &format!("--window-size={},2400", width.max(500)),
            &format!("--user-data-dir={}", profile.path().display()),
            mode,
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The probe's results from a dumped DOM.
fn probe(dom: &str) -> Value {
    let start = dom
        .find("<pre id=\"forkcheck-probe\">")
        .filter(|&at| !dom[at..].starts_with("<pre id=\"forkcheck-probe\"></pre>"))
        .unwrap_or_else(|| panic!("the probe did not run: {}", &dom[..dom.len().min(2000)]))
        + "<pre id=\"forkcheck-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// Render `fork`'s report as HTML and JSON, open it at both widths, check it; `name` names the
/// screenshots.
/// With `plain_text`, the fork's own text holds no backtick, so none may show on the page (prose
/// with `code` must become code, never literal backticks).
fn check_in_browser(fork: &Path, name: &str, plain_text: bool) {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let json = dir.path().join("report.json");
    for (format, out) in [("html", &html), ("json", &json)] {
        let r = run(forkcheck()
            .args(["report", "--fail-on", "never", "--format", format, "--repo"])
            .arg(fork)
            .arg("-o")
            .arg(out));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let page = std::fs::read_to_string(&html).unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let probed = dir.path().join("probed.html");
    std::fs::write(
        &probed,
        page.replacen("<head>", &format!("<head>\n{PROBE}"), 1),
    )
    .unwrap();
    for width in WIDTHS {
        let (dom, stderr) = browse(&harness(dir.path(), &probed, width), width, "--dump-dom");
        let p = probe(&dom);
        assert_eq!(
            p["errors"],
            serde_json::json!([]),
            "{name} at {width}px: {p}"
        );
        assert!(
            !stderr.contains("Uncaught"),
            "{name} at {width}px: script error: {stderr}"
        );
        assert_eq!(p["vw"], width, "{name}: the viewport is {width}px wide");
        assert_eq!(
            p["wide"],
            serde_json::json!([]),
            "{name} at {width}px: elements wider than the viewport"
        );
        assert!(
            p["scrollWidth"].as_u64().unwrap() <= u64::from(width),
            "{name} at {width}px: the page scrolls sideways: {p}"
        );
        if width >= 1400 {
            assert_eq!(
                p["scrolled"],
                serde_json::json!([]),
                "{name} at {width}px: tables that do not fit"
            );
        }
        if report["findings"].as_array().unwrap().len() > 1 {
            let s = &p["sorted"];
            assert_eq!(s["ascending"], true, "{name}: {s}");
            assert_eq!(s["descending"], true, "{name}: {s}");
            assert_eq!(s["aria"], "descending", "{name}: {s}");
        }
        // The key figures, as the page shows them once rendered (its visible text).
        let text = p["text"].as_str().unwrap();
        let drift = &report["drift"];
        for figure in [
            format!("{} files changed", drift["files_changed"]),
            format!("+{} lines", drift["lines_added"]),
            format!("-{} lines", drift["lines_removed"]),
        ] {
            assert!(text.contains(&figure), "{name} at {width}px: no `{figure}`");
        }
        let count = |sev: &str| {
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["severity"] == sev)
                .count()
        };
        let errors = count("error");
        let plural = if errors == 1 { "" } else { "s" };
        assert!(
            text.contains(&format!("{errors} error{plural}")),
            "{name}: error count"
        );
        if let Some(r) = report["rebase"].as_object() {
            let summary = &r["summary"];
            assert!(
                text.contains(&format!(
                    "{} fork commits: {} clean, {} conflict",
                    summary["commits"], summary["clean"], summary["conflict"]
                )),
                "{name} at {width}px: the rebase summary"
            );
            assert!(
                text.contains("costs an estimated "),
                "{name}: the headline cost"
            );
        }
        assert!(p["charts"].as_u64().unwrap() >= 2, "{name}: charts: {p}");
        if plain_text {
            let ticks: Vec<&str> = text.lines().filter(|l| l.contains('`')).collect();
            assert!(ticks.is_empty(), "{name}: literal backticks: {ticks:#?}");
        }
        let shot = artifacts().join(format!("{name}-{width}.png"));
        let _ = std::fs::remove_file(&shot);
        browse(
            &harness(dir.path(), &html, width),
            width,
            &format!("--screenshot={}", shot.display()),
        );
        let png = std::fs::read(&shot).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}: no screenshot");
    }
}

#[test]
fn typical_report_renders_in_chromium_at_both_widths() {
    let fork = forkcheck_fixtures::shared(Scenario::Typical).fork.clone();
    check_in_browser(&fork, "typical", true);
}

#[test]
fn hostile_report_renders_in_chromium_at_both_widths() {
    let h = crate::hostile::output::hostile();
    check_in_browser(&h.fork, "hostile", false);
}

#[test]
fn the_probe_sees_a_page_that_is_too_wide_and_a_script_error() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    std::fs::write(
        &page,
        format!(
            "<!DOCTYPE html><html><head>{PROBE}</head><body><div style=\"width:900px\">x</div>\
             <script>undefinedFunction();</script></body></html>"
        ),
    )
    .unwrap();
    let (dom, _) = browse(&harness(dir.path(), &page, 400), 400, "--dump-dom");
    let p = probe(&dom);
    assert!(
        p["wide"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("div.")),
        "{p}"
    );
    assert!(p["errors"].to_string().contains("undefinedFunction"), "{p}");
}

#[test]
fn plan_renders_in_chromium_at_both_widths() {
    // `forkcheck plan --format html` on the `breaks` fork, upgraded over several hops: the same
    // checks as the report (no errors, nothing wider than the screen), one chart with a bar per
    // hop and one for the direct jump, and every hop's cost on the page.
    let g = forkcheck_fixtures::shared(Scenario::Breaks);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("plan.html");
    let r = run(forkcheck()
        .args([
            "plan", "--quiet", "--to", "ulmo", "--format", "html", "--repo",
        ])
        .arg(&g.fork)
        .arg("-o")
        .arg(&html));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(forkcheck()
        .args([
            "plan", "--quiet", "--to", "ulmo", "--format", "json", "--repo",
        ])
        .arg(&g.fork));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan: Value = serde_json::from_str(&r.stdout).unwrap();
    let hops = plan["hops"].as_array().unwrap();
    assert!(hops.len() >= 2, "several hops: {plan}");
    let page = std::fs::read_to_string(&html).unwrap();
    // The report's Content-Security-Policy; no script, nothing external.
    assert!(page.contains(
        "content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\""
    ));
    for external in ["src=", "href=\"http", "<link", "@import", "url(", "<script"] {
        assert!(!page.contains(external), "{external}");
    }
    // One bar per hop and one for the direct jump.
    let svg_at = page.find("<svg class=\"chart\"").expect("a chart");
    let svg = &page[svg_at..svg_at + page[svg_at..].find("</svg>").unwrap()];
    assert_eq!(svg.matches("<g>").count(), hops.len() + 1, "{svg}");
    let hours = |cost: &Value| {
        forkcheck_analyzers::cost::HoursRange {
            low: cost["low"].as_f64().unwrap(),
            high: cost["high"].as_f64().unwrap(),
        }
        .display()
    };
    let probed = dir.path().join("probed.html");
    std::fs::write(
        &probed,
        page.replacen("<head>", &format!("<head>\n{PROBE}"), 1),
    )
    .unwrap();
    for width in WIDTHS {
        let (dom, stderr) = browse(&harness(dir.path(), &probed, width), width, "--dump-dom");
        let p = probe(&dom);
        assert_eq!(p["errors"], serde_json::json!([]), "plan at {width}px: {p}");
        assert!(!stderr.contains("Uncaught"), "plan at {width}px: {stderr}");
        assert_eq!(p["vw"], width);
        assert_eq!(
            p["wide"],
            serde_json::json!([]),
            "plan at {width}px: elements wider than the viewport"
        );
        assert!(
            p["scrollWidth"].as_u64().unwrap() <= u64::from(width),
            "plan at {width}px: the page scrolls sideways: {p}"
        );
        if width >= 1400 {
            assert_eq!(p["scrolled"], serde_json::json!([]), "plan at {width}px");
        }
        assert_eq!(p["charts"], 1, "plan at {width}px: {p}");
        let text = p["text"].as_str().unwrap();
        assert!(
            text.contains(&format!(
                "Hop by hop: {}; straight to the target: {}.",
                hours(&plan["total"]),
                hours(&plan["direct"]["cost"])
            )),
            "plan at {width}px: the headline: {text}"
        );
        for h in hops {
            let from = h["from"].as_str().unwrap();
            let to = h["to"].as_str().unwrap();
            assert!(
                text.contains(&format!("{from} → {to}\t{}", hours(&h["cost"]))),
                "plan at {width}px: the hop {from} → {to}: {text}"
            );
        }
        let shot = artifacts().join(format!("plan-{width}.png"));
        let _ = std::fs::remove_file(&shot);
        browse(
            &harness(dir.path(), &html, width),
            width,
            &format!("--screenshot={}", shot.display()),
        );
        assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));
    }
}
