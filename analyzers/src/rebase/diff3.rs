//! Line-level three-way merge of one file, in memory, shaped like git's `xdl_merge`:
//! changes of each side against the ancestor come from libgit2's xdiff (Myers, no context);
//! changes of both sides that overlap or touch in ancestor lines form one region, which is a
//! conflict unless both sides produce the same text there (git's "zealous" level drops those
//! too). Nothing is written anywhere; the merged bytes (the fork side kept in conflicts) are
//! returned so a replay can carry on from them.
//!
//! Known difference from git: merge-ort diffs with the histogram algorithm, we with Myers; the
//! two can place a change differently in repetitive text. Tests compare with git on every
//! fixture scenario.

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// 1-based inclusive line range as people read it; `start > end` means "no lines, insertion
/// before `start`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
}

impl LineRange {
    fn from_half_open(a: usize, b: usize) -> LineRange {
        LineRange {
            start: clamp_u32(a + 1),
            end: clamp_u32(b),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.start > self.end
    }
    pub fn len(&self) -> u32 {
        if self.is_empty() {
            0
        } else {
            self.end - self.start + 1
        }
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One conflict region: the same ancestor lines changed differently by both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictHunk {
    /// Lines in the common ancestor's version.
    pub base: LineRange,
    /// Lines in the upstream (target) version.
    pub upstream: LineRange,
    /// Lines in the fork's version.
    pub fork: LineRange,
}

#[derive(Debug, Clone)]
pub struct Merge3 {
    /// Merged content; in conflict regions the fork's side is kept (no markers).
    pub content: Vec<u8>,
    pub conflicts: Vec<ConflictHunk>,
    /// True when one input is binary and both sides changed it differently.
    pub binary_conflict: bool,
}

impl Merge3 {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty() && !self.binary_conflict
    }
}

pub use crate::changes::diff::{line_hunks, split_lines, Hunk};
pub use crate::changes::is_binary;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Upstream,
    Fork,
}

/// Three-way merge of `base` with `upstream` and `fork`.
pub fn merge3(base: &[u8], upstream: &[u8], fork: &[u8]) -> Result<Merge3> {
    // Trivial cases first: they are most files and need no diff.
    if upstream == fork || fork == base {
        return Ok(clean(upstream));
    }
    if upstream == base {
        return Ok(clean(fork));
    }
    if is_binary(base) || is_binary(upstream) || is_binary(fork) {
        return Ok(Merge3 {
            content: fork.to_vec(),
            conflicts: Vec::new(),
            binary_conflict: true,
        });
    }
    let hu = line_hunks(base, upstream)?;
    let hf = line_hunks(base, fork)?;
    let bl = split_lines(base);
    let ul = split_lines(upstream);
    let fl = split_lines(fork);

    // All hunks in ancestor order; ties keep upstream first (like xdl_merge's side 1).
    let mut all: Vec<(Side, Hunk)> = hu
        .iter()
        .map(|h| (Side::Upstream, *h))
        .chain(hf.iter().map(|h| (Side::Fork, *h)))
        .collect();
    all.sort_by_key(|(s, h)| (h.o0, h.o1, *s == Side::Fork));

    let mut content = Vec::with_capacity(fork.len().max(upstream.len()));
    let mut conflicts = Vec::new();
    // Line offsets (side line = ancestor line + delta) before the current region.
    let (mut du, mut df) = (0isize, 0isize);
    let mut pos = 0usize; // next ancestor line not yet emitted
    let mut i = 0;
    while i < all.len() {
        let (cs, mut ce) = (all[i].1.o0, all[i].1.o1);
        let mut sides = (false, false);
        let (mut du_after, mut df_after) = (du, df);
        let mut j = i;
        // Grow the region while the next change starts at or before its end (touching counts).
        while j < all.len() && (j == i || all[j].1.o0 <= ce) {
            let (side, h) = all[j];
            ce = ce.max(h.o1);
            let d = (h.n1 - h.n0) as isize - (h.o1 - h.o0) as isize;
            match side {
                Side::Upstream => {
                    sides.0 = true;
                    du_after += d;
                }
                Side::Fork => {
                    sides.1 = true;
                    df_after += d;
                }
            }
            j += 1;
        }
        // Unchanged ancestor lines before the region.
        for line in bl.get(pos..cs).unwrap_or(&[]) {
            content.extend_from_slice(line);
        }
        let u_range = (offset(cs, du), offset(ce, du_after));
        let f_range = (offset(cs, df), offset(ce, df_after));
        let u_text = slice(&ul, u_range);
        let f_text = slice(&fl, f_range);
        match sides {
            (true, false) => u_text.iter().for_each(|l| content.extend_from_slice(l)),
            (false, _) => f_text.iter().for_each(|l| content.extend_from_slice(l)),
            (true, true) => {
                if u_text != f_text {
                    conflicts.push(ConflictHunk {
                        base: LineRange::from_half_open(cs, ce),
                        upstream: LineRange::from_half_open(u_range.0, u_range.1),
                        fork: LineRange::from_half_open(f_range.0, f_range.1),
                    });
                }
                f_text.iter().for_each(|l| content.extend_from_slice(l));
            }
        }
        pos = ce;
        du = du_after;
        df = df_after;
        i = j;
    }
    for line in bl.get(pos..).unwrap_or(&[]) {
        content.extend_from_slice(line);
    }
    Ok(Merge3 {
        content,
        conflicts,
        binary_conflict: false,
    })
}

fn clean(content: &[u8]) -> Merge3 {
    Merge3 {
        content: content.to_vec(),
        conflicts: Vec::new(),
        binary_conflict: false,
    }
}

fn offset(line: usize, delta: isize) -> usize {
    usize::try_from(line as isize + delta).unwrap_or(0)
}

fn slice<'a>(lines: &'a [&'a [u8]], (a, b): (usize, usize)) -> &'a [&'a [u8]] {
    let b = b.min(lines.len());
    let a = a.min(b);
    &lines[a..b]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(base: &str, up: &str, fork: &str) -> Merge3 {
        merge3(base.as_bytes(), up.as_bytes(), fork.as_bytes()).unwrap()
    }

    #[test]
    fn non_overlapping_changes_merge() {
        let r = m("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n");
        assert!(r.is_clean());
        assert_eq!(r.content, b"A\nb\nc\nd\nE\n");
    }

    #[test]
    fn same_line_changed_differently_conflicts() {
        let r = m("a\nb\nc\n", "a\nB\nc\n", "a\nX\nc\n");
        assert_eq!(r.conflicts.len(), 1);
        let h = &r.conflicts[0];
        assert_eq!((h.base.start, h.base.end), (2, 2));
        assert_eq!((h.fork.start, h.fork.end), (2, 2));
        assert_eq!(r.content, b"a\nX\nc\n");
    }

    #[test]
    fn adjacent_changes_conflict_like_git() {
        // git treats changes to touching ancestor lines as a conflict.
        let r = m("a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n");
        assert_eq!(r.conflicts.len(), 1);
    }

    #[test]
    fn identical_changes_are_clean() {
        let r = m("a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n");
        assert!(r.is_clean());
        let r = m("a\nb\nc\nd\ne\n", "a\nB\nc\nd\nE\n", "a\nB\nc\nd\ne\n");
        assert!(r.is_clean());
        assert_eq!(r.content, b"a\nB\nc\nd\nE\n");
    }

    #[test]
    fn insertions_shift_ranges() {
        let r = m(
            "1\n2\n3\n4\n5\n6\n7\n",
            "0\n0\n1\n2\n3\n4\n5\n6\nU\n",
            "1\n2\n3\n4\n5\n6\nF\n",
        );
        assert_eq!(r.conflicts.len(), 1);
        let h = &r.conflicts[0];
        assert_eq!((h.base.start, h.base.end), (7, 7));
        assert_eq!((h.upstream.start, h.upstream.end), (9, 9));
        assert_eq!((h.fork.start, h.fork.end), (7, 7));
    }

    #[test]
    fn binary_changed_on_both_sides_conflicts() {
        let r = merge3(b"\0a", b"\0b", b"\0c").unwrap();
        assert!(r.binary_conflict);
        assert!(!r.is_clean());
    }

    #[test]
    fn missing_final_newline_is_kept() {
        let r = m("a\nb", "A\nb", "a\nb");
        assert_eq!(r.content, b"A\nb");
        let r = m("a\nb\nc", "A\nb\nc", "a\nb\nC");
        assert_eq!(r.content, b"A\nb\nC");
    }
}
