//! git's line-diff engine (xdiff) called directly, the one line-diff engine of forkcheck.
//!
//! libgit2 vendors git's xdiff and drives it from `git_patch_from_buffers`, but that entry
//! point first hashes both buffers with collision-detecting SHA-1 to give them ids and builds a
//! patch object with every line; for a line count or the changed regions we need neither (a
//! tenth of the drift's instructions went to that hashing, measured with callgrind). So we call
//! `xdl_diff` itself with a hunk callback: the same algorithm, the same defaults as libgit2's
//! diff with no flags (Myers, no indent heuristic, no whitespace options; libgit2 passes no
//! xdiff flags unless asked), hence the same hunks and counts as `git diff --numstat`.
//!
//! `xdl_diff` is an internal symbol of the libgit2 that `libgit2-sys` builds from its sources
//! (the `vendored` feature, set in the workspace manifest, guarantees that build: a system
//! libgit2 would not export it). The structures below mirror `deps/xdiff/xdiff.h` of that
//! vendored copy (libgit2 1.9); the tests compare every result with libgit2's patch API.

use std::os::raw::{c_char, c_int, c_long, c_ulong, c_void};

/// `mmfile_t`: a buffer handed to xdiff (read only).
#[repr(C)]
struct MmFile {
    ptr: *const c_char,
    size: c_long,
}

/// `xpparam_t`: diff parameters (no flags, no ignore regexes, no anchors).
#[repr(C)]
struct XpParam {
    flags: c_ulong,
    ignore_regex: *mut *mut c_void,
    ignore_regex_nr: usize,
    anchors: *mut *mut c_char,
    anchors_nr: usize,
}

/// `xdemitcb_t`: with a hunk function set, xdiff calls neither of these; only `priv` is read.
#[repr(C)]
struct XdEmitCb {
    private: *mut c_void,
    out_hunk: *const c_void,
    out_line: *const c_void,
}

type HunkFunc = extern "C" fn(c_long, c_long, c_long, c_long, *mut c_void) -> c_int;

/// `xdemitconf_t`: no context, no function context; `hunk_func` receives each changed region.
#[repr(C)]
struct XdEmitConf {
    ctxlen: c_long,
    interhunkctxlen: c_long,
    flags: c_ulong,
    find_func: *const c_void,
    find_func_priv: *mut c_void,
    hunk_func: Option<HunkFunc>,
}

extern "C" {
    fn xdl_diff(
        mf1: *const MmFile,
        mf2: *const MmFile,
        xpp: *const XpParam,
        xecfg: *const XdEmitConf,
        ecb: *mut XdEmitCb,
    ) -> c_int;
}

/// xdiff's limit on a buffer's size (libgit2 refuses above 1 GiB; `c_long` fits it everywhere).
const MAX_SIZE: usize = 1 << 30;

/// One changed region, 0-based: old lines `[start_a, start_a + count_a)` became new lines
/// `[start_b, start_b + count_b)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub start_a: usize,
    pub count_a: usize,
    pub start_b: usize,
    pub count_b: usize,
}

/// The error of a failed diff: too large a buffer, or xdiff out of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

extern "C" fn collect(
    start_a: c_long,
    count_a: c_long,
    start_b: c_long,
    count_b: c_long,
    data: *mut c_void,
) -> c_int {
    // SAFETY: `data` is the `&mut Vec<Region>` that `regions` passed as the callback's private
    // pointer, alive and not otherwise borrowed for the whole `xdl_diff` call.
    let out = unsafe { &mut *data.cast::<Vec<Region>>() };
    let n = |v: c_long| usize::try_from(v).unwrap_or(0);
    out.push(Region {
        start_a: n(start_a),
        count_a: n(count_a),
        start_b: n(start_b),
        count_b: n(count_b),
    });
    0
}

/// The changed regions from `old` to `new` in order, as git's xdiff finds them with no context
/// lines (content is compared as text: binary tests are the caller's).
pub fn regions(old: &[u8], new: &[u8]) -> Result<Vec<Region>, Failed> {
    if old.len() > MAX_SIZE || new.len() > MAX_SIZE {
        return Err(Failed);
    }
    // xdiff allocates with libgit2's allocator: make sure libgit2 is initialised.
    libgit2_sys::init();
    let file = |b: &[u8]| MmFile {
        ptr: b.as_ptr().cast(),
        // Fits: checked against MAX_SIZE above.
        size: b.len() as c_long,
    };
    let (a, b) = (file(old), file(new));
    let params = XpParam {
        flags: 0,
        ignore_regex: std::ptr::null_mut(),
        ignore_regex_nr: 0,
        anchors: std::ptr::null_mut(),
        anchors_nr: 0,
    };
    let conf = XdEmitConf {
        ctxlen: 0,
        interhunkctxlen: 0,
        flags: 0,
        find_func: std::ptr::null(),
        find_func_priv: std::ptr::null_mut(),
        hunk_func: Some(collect),
    };
    let mut out: Vec<Region> = Vec::new();
    let mut cb = XdEmitCb {
        private: (&mut out as *mut Vec<Region>).cast(),
        out_hunk: std::ptr::null(),
        out_line: std::ptr::null(),
    };
    // SAFETY: both buffers outlive the call and xdiff only reads them (`size` bytes each); the
    // structures match xdiff.h of the vendored libgit2 (see the module documentation); the
    // callback's private pointer is `out`, used only by `collect` during the call.
    let rc = unsafe { xdl_diff(&a, &b, &params, &conf, &mut cb) };
    if rc < 0 {
        return Err(Failed);
    }
    Ok(out)
}

/// Lines added and removed from `old` to `new` (text), as `git diff --numstat` counts them.
pub fn line_counts(old: &[u8], new: &[u8]) -> Result<(u64, u64), Failed> {
    Ok(regions(old, new)?
        .iter()
        .fold((0, 0), |(added, removed), r| {
            (added + r.count_b as u64, removed + r.count_a as u64)
        }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{DiffOptions, Patch};

    /// libgit2's own patch for the same buffers: (regions, added, removed).
    fn libgit2(old: &[u8], new: &[u8]) -> (Vec<Region>, u64, u64) {
        let mut opts = DiffOptions::new();
        opts.context_lines(0).interhunk_lines(0).force_text(true);
        let patch = Patch::from_buffers(old, None, new, None, Some(&mut opts)).unwrap();
        let mut regions = Vec::new();
        for i in 0..patch.num_hunks() {
            let (h, _) = patch.hunk(i).unwrap();
            let (os, ol) = (h.old_start() as usize, h.old_lines() as usize);
            let (ns, nl) = (h.new_start() as usize, h.new_lines() as usize);
            regions.push(Region {
                start_a: if ol == 0 { os } else { os - 1 },
                count_a: ol,
                start_b: if nl == 0 { ns } else { ns - 1 },
                count_b: nl,
            });
        }
        let (_, added, removed) = patch.line_stats().unwrap();
        (regions, added as u64, removed as u64)
    }

    /// A deterministic pseudo-random text of `n` lines drawn from a small vocabulary (so
    /// lines repeat, as in real code).
    fn text(seed: u64, n: usize) -> Vec<u8> {
        let mut x = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut out = Vec::new();
        for _ in 0..n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let word = ["a", "b", "", "    pass", "}", "def f():", "x = 1"][(x >> 33) as usize % 7];
            out.extend_from_slice(word.as_bytes());
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn agrees_with_libgit2_patches() {
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (b"a\nb\nc\n".to_vec(), b"a\nB\nc\n".to_vec()),
            (b"a\nb".to_vec(), b"a\nb\n".to_vec()),
            (b"x\n".to_vec(), b"x\ny\nz\n".to_vec()),
            (b"1\n2\n3\n4\n".to_vec(), b"0\n1\n3\n4\n5\n".to_vec()),
        ];
        for seed in 0..60 {
            let old = text(seed, 5 + (seed as usize * 7) % 90);
            let new = text(seed * 31 + 7, 5 + (seed as usize * 13) % 90);
            cases.push((old.clone(), new));
            // A small edit of the same text: a few lines replaced.
            let mut edited = old.clone();
            edited.splice(0..0, b"inserted\n".iter().copied());
            cases.push((old, edited));
        }
        for (old, new) in cases {
            let (want, added, removed) = libgit2(&old, &new);
            assert_eq!(regions(&old, &new).unwrap(), want, "{old:?} → {new:?}");
            assert_eq!(line_counts(&old, &new).unwrap(), (added, removed));
        }
    }

    #[test]
    fn empty_sides() {
        assert_eq!(line_counts(b"", b"a\nb\n").unwrap(), (2, 0));
        assert_eq!(line_counts(b"a\n", b"").unwrap(), (0, 1));
        assert!(regions(b"same\n", b"same\n").unwrap().is_empty());
    }
}
