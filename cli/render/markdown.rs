//! Markdown (GitHub-flavoured), from `templates/report.md.tera` and the section partials, capped
//! to fit a pull-request comment or a job summary.
//!
//! GitHub refuses a comment longer than 65,536 characters. A report longer than [`LIMIT`] is
//! cut section by section (every `## ` section keeps its beginning; the largest lose the most),
//! each cut says how many lines it dropped, and a note at the end says what was cut and where the
//! full report is. The first line is the headline (the rebase cost and the findings count), so it
//! survives any cut.

use forkcheck_analyzers::Report;

/// The most characters a rendered Markdown report may have: under GitHub's 65,536-character
/// limit for comments and job summaries, with room for what a workflow adds around it.
pub const LIMIT: usize = 60_000;

/// Where the note on a cut report sends the reader when nothing better is known.
pub const FULL_REPORT_HINT: &str = "run `forkcheck report --format html -o forkcheck.html` \
                                    (or `--format json`) for the full report";

/// The same, for a check (`forkcheck check`: the pull request's new and fixed findings).
pub const FULL_CHECK_HINT: &str = "run the same `forkcheck check` with `--format html -o \
                                   forkcheck.html` (or `--format json`) for every new and fixed \
                                   finding";

/// The report (or, in check mode, the check) as Markdown, capped to [`LIMIT`] characters.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let full = super::templates::render("report.md.tera", report)?;
    // Exactly one newline at the end, whatever the last section left.
    let full = format!("{}\n", full.trim_end());
    let hint = if report.check.is_some() {
        FULL_CHECK_HINT
    } else {
        FULL_REPORT_HINT
    };
    Ok(cap(&full, LIMIT, hint))
}

/// `text` if it has at most `limit` characters; else `text` cut to at most `limit` characters:
/// the part before the first `## ` heading whole (when it fits), every `## ` section's beginning
/// kept (sections under their fair share whole, the others cut to an equal share), open
/// `<details>` blocks and code fences closed, a line in each cut section saying how many lines
/// were left out, and a closing note naming the cut sections and `full_report` (Markdown: where
/// the full report is).
pub fn cap(text: &str, limit: usize, full_report: &str) -> String {
    let total = chars(text);
    if total <= limit {
        return text.to_string();
    }
    let (head, sections) = split_sections(text);
    let titles: Vec<String> = sections
        .iter()
        .map(|s| {
            s.lines()
                .next()
                .unwrap_or("")
                .trim_start_matches('#')
                .trim()
                .to_string()
        })
        .collect();
    // Room for the closing note, at its longest (every section named).
    let note_room = 400 + chars(full_report) + titles.iter().map(|t| chars(t) + 4).sum::<usize>();
    let budget = limit.saturating_sub(note_room);
    let head_budget = budget.min(chars(head)).max(budget / 4).min(budget);
    let head_out = cut_block(head, head_budget);
    let mut left = budget.saturating_sub(chars(&head_out.text));
    // Fair shares: the smallest sections whole first, the rest share what remains equally.
    let mut order: Vec<usize> = (0..sections.len()).collect();
    order.sort_by_key(|&i| chars(sections[i]));
    let mut shares = vec![0usize; sections.len()];
    let mut remaining = sections.len();
    for &i in &order {
        let fair = left / remaining.max(1);
        shares[i] = chars(sections[i]).min(fair);
        left -= shares[i];
        remaining -= 1;
    }
    // A section cut at a line boundary may use less than its share (long lines): give what is
    // left to the sections that were cut, a few times over.
    let mut pieces: Vec<Cut> = sections
        .iter()
        .zip(&shares)
        .map(|(s, &n)| cut_block(s, n))
        .collect();
    for _ in 0..4 {
        let used: usize = pieces.iter().map(|p| chars(&p.text)).sum();
        let spare = budget.saturating_sub(chars(&head_out.text) + used);
        let cut: Vec<usize> = (0..pieces.len())
            .filter(|&i| pieces[i].dropped > 0)
            .collect();
        if cut.is_empty() || spare < 200 {
            break;
        }
        for &i in &cut {
            // From what the piece uses (not its share): the total stays within the budget.
            shares[i] = chars(&pieces[i].text) + spare / cut.len();
            pieces[i] = cut_block(sections[i], shares[i]);
        }
    }
    let mut out = head_out.text;
    let mut cut_titles: Vec<&str> = Vec::new();
    if head_out.dropped > 0 {
        cut_titles.push("the summary");
    }
    for (i, piece) in pieces.iter().enumerate() {
        if piece.dropped > 0 {
            cut_titles.push(&titles[i]);
        }
        out.push_str(&piece.text);
    }
    let what = if cut_titles.is_empty() {
        "nothing".to_string()
    } else {
        cut_titles
            .iter()
            .map(|t| format!("**{t}**"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // One blank line before the note's rule, whatever the last section ended with.
    while out.ends_with("\n\n") {
        out.pop();
    }
    let note = format!(
        "\n---\n\n> [!NOTE]\n> This report was cut from {total} characters to fit GitHub's 65,536-character \
         limit: {what} lost lines (each cut is marked where it happens). To see everything, \
         {full_report}.\n",
        total = super::view::thousands(total as u64),
    );
    out.push_str(&note);
    // The shares are computed in characters, the note is budgeted: this holds, but never
    // return more than the limit.
    if chars(&out) > limit {
        out = out.chars().take(limit).collect();
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The text before the first `## ` heading, and each `## ` section (heading included), outside
/// code fences.
fn split_sections(text: &str) -> (&str, Vec<&str>) {
    let mut starts = Vec::new();
    let mut fence = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_fence(line) {
            fence = !fence;
        } else if !fence && line.starts_with("## ") {
            starts.push(offset);
        }
        offset += line.len();
    }
    let Some(&first) = starts.first() else {
        return (text, Vec::new());
    };
    let mut sections = Vec::new();
    for (i, &s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        sections.push(&text[s..end]);
    }
    (&text[..first], sections)
}

/// `|---|---:|`: the line under a table's header.
fn is_table_separator(t: &str) -> bool {
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

struct Cut {
    text: String,
    /// Lines left out.
    dropped: usize,
}

/// `block` whole when it fits in `budget` characters; else its first whole lines, then the
/// closing of any open code fence and `<details>`, and a line saying how many lines were cut.
fn cut_block(block: &str, budget: usize) -> Cut {
    if chars(block) <= budget {
        return Cut {
            text: block.to_string(),
            dropped: 0,
        };
    }
    let lines: Vec<&str> = block.split_inclusive('\n').collect();
    // Room for the closers and the marker line.
    const CLOSING_ROOM: usize = 200;
    let room = budget.saturating_sub(CLOSING_ROOM);
    let mut used = 0;
    let mut kept = 0;
    for line in &lines {
        let n = chars(line);
        if used + n > room {
            break;
        }
        used += n;
        kept += 1;
    }
    // Never end on a heading or a table head without rows (or on blank lines): drop those.
    while kept > 0 {
        let t = lines[kept - 1].trim();
        let header_cut_off = t.starts_with('|')
            && lines
                .get(kept)
                .is_some_and(|next| is_table_separator(next.trim()));
        if t.is_empty() || t.starts_with('#') || header_cut_off {
            kept -= 1;
        } else if is_table_separator(t) {
            kept -= 1;
            if kept > 0 && lines[kept - 1].trim().starts_with('|') {
                kept -= 1;
            }
        } else {
            break;
        }
    }
    let mut out = String::new();
    let mut fence = false;
    let mut details = 0usize;
    for line in &lines[..kept] {
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push('\n');
        }
        let t = line.trim();
        if is_fence(line) {
            fence = !fence;
        } else if !fence {
            details += t.matches("<details").count();
            details = details.saturating_sub(t.matches("</details>").count());
        }
    }
    let dropped = lines.len() - kept;
    if fence {
        out.push_str("```\n");
    }
    // The marker's leading newline is the one blank line before it (it also ends a table); with
    // nothing kept, the previous block's closing blank line is that line.
    if kept > 0 {
        out.push('\n');
    }
    out.push_str(&format!(
        "*… {dropped} more line{} of this section cut to fit.*\n",
        if dropped == 1 { "" } else { "s" }
    ));
    for _ in 0..details {
        out.push_str("\n</details>\n");
    }
    out.push('\n');
    Cut { text: out, dropped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::sample_report;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&sample_report()).unwrap());
    }

    #[test]
    fn table_cells_cannot_break_the_table() {
        let out = render(&sample_report()).unwrap();
        // The sample message holds `|` and `<script>`: escaped, never raw.
        assert!(!out.contains("<script>"));
        assert!(out.contains("a \\| b"));
    }

    #[test]
    fn a_short_report_is_not_cut() {
        let text = "# t\n\n## A\n\nx\n";
        assert_eq!(cap(text, 100, "hint"), text);
    }

    #[test]
    fn a_long_report_is_cut_section_by_section_under_the_limit() {
        let mut text = String::from("# headline line\n\nintro\n\n## Small\n\nsmall body\n\n");
        text.push_str("## Big table\n\n<details><summary>rows</summary>\n\n| a | b |\n|---|---|\n");
        for i in 0..3000 {
            text.push_str(&format!("| row {i} | value {i} |\n"));
        }
        text.push_str("\n</details>\n\n## Code\n\n```\n");
        for i in 0..2000 {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str("```\n");
        let out = cap(&text, 20_000, "see the artifact `forkcheck.html`");
        assert!(chars(&out) <= 20_000, "{}", chars(&out));
        assert!(out.starts_with("# headline line\n"));
        // The small section is whole; both big ones are cut and say so.
        assert!(out.contains("## Small\n\nsmall body\n"));
        assert_eq!(out.matches("more lines of this section cut").count(), 2);
        assert!(out.contains("**Big table**, **Code**"), "{out}");
        assert!(out.contains("see the artifact `forkcheck.html`"));
        assert!(out.contains("was cut from "));
        // Every `<details>` is closed and every fence closed.
        assert_eq!(
            out.matches("<details>").count(),
            out.matches("</details>").count()
        );
        assert_eq!(out.lines().filter(|l| l.starts_with("```")).count() % 2, 0);
        // The cut table ends with a blank line before the marker (not a table row).
        let marker = out.find("*… ").unwrap();
        assert!(out[..marker].ends_with("\n\n"));
        // Never two blank lines in a row: not before a marker, not before the note.
        assert!(!out.contains("\n\n\n"), "{out}");
    }

    #[test]
    fn a_section_cut_to_nothing_adds_no_blank_line_before_its_marker() {
        let cut = cut_block("## A\n\n| a |\n|---|\n| 1 |\n", 10);
        assert!(cut.text.starts_with("*… "), "{:?}", cut.text);
        let text = format!(
            "# t\n\n## A\n\n{}## B\n\n{}",
            "x\n".repeat(3000),
            "y\n".repeat(3000)
        );
        let out = cap(&text, 1_000, "hint");
        assert!(!out.contains("\n\n\n"), "{out}");
    }

    #[test]
    fn rendered_markdown_ends_with_one_newline() {
        let out = render(&sample_report()).unwrap();
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
    }

    #[test]
    fn a_cut_never_ends_on_a_heading_or_an_empty_table() {
        let mut text = String::from("## A\n\n");
        for i in 0..50 {
            text.push_str(&format!(
                "### file {i}\n\n| a | b |\n|---|---|\n| {i} | x |\n\n"
            ));
        }
        for budget in 300..700 {
            let cut = cut_block(&text, budget);
            let before_marker = &cut.text[..cut.text.find("*… ").unwrap()];
            let last = before_marker.trim_end().lines().last().unwrap();
            assert!(
                last.starts_with("| ") && !is_table_separator(last.trim()) && last != "| a | b |",
                "budget {budget}: ends on {last:?}"
            );
        }
    }
}
