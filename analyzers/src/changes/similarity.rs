//! File signatures and similarity scores for rename detection, kept across many rename searches
//! of one run.
//!
//! libgit2's rename detection (`git_diff_find_similar`) computes each candidate file's
//! similarity signature (`git_hashsig`) and every pair's score afresh on each call. The drift
//! trend runs a search at every fork commit where files are both deleted and added, over nearly
//! the same candidates each time (vgmr-ficus: 94 searches; signatures and comparisons were
//! about half of the trend's time). [`Signatures`] is a `git_diff_similarity_metric` that does
//! exactly what libgit2's default metric does (`git_hashsig_create` with smart whitespace
//! handling and small files allowed, `git_hashsig_compare`), but keeps each blob's signature
//! (keyed by blob id: the signature depends on the content alone) and each pair's score for the
//! next search. Which pairs libgit2 compares, in what order, and how it picks renames do not
//! change.

use std::collections::HashMap;
use std::os::raw::{c_char, c_int, c_void};

use git2::Oid;
use libgit2_sys as raw;

/// `git_hashsig` (opaque).
#[repr(C)]
struct HashSig {
    _private: [u8; 0],
}

/// libgit2's default metric options: `GIT_HASHSIG_SMART_WHITESPACE | GIT_HASHSIG_ALLOW_SMALL_FILES`
/// (diff_tform.c, `normalize_find_opts`, without whitespace flags).
const HASHSIG_OPTIONS: c_int = 2 | 4;

extern "C" {
    fn git_hashsig_create(
        out: *mut *mut HashSig,
        buf: *const c_char,
        len: usize,
        opts: c_int,
    ) -> c_int;
    fn git_hashsig_create_fromfile(
        out: *mut *mut HashSig,
        path: *const c_char,
        opts: c_int,
    ) -> c_int;
    fn git_hashsig_compare(a: *const HashSig, b: *const HashSig) -> c_int;
    fn git_hashsig_free(sig: *mut HashSig);
}

/// Signatures by blob id and scores by signature pair; see the module documentation. Not
/// `Send`: use it on one thread.
#[derive(Default)]
pub struct Signatures {
    sigs: HashMap<Oid, *mut HashSig>,
    scores: HashMap<(usize, usize), c_int>,
}

impl Drop for Signatures {
    fn drop(&mut self) {
        for (_, sig) in self.sigs.drain() {
            // SAFETY: each pointer came from `git_hashsig_create` and is freed once, here
            // (libgit2 frees nothing of ours: `free_signature` below is a no-op).
            unsafe { git_hashsig_free(sig) };
        }
    }
}

impl Signatures {
    /// Point `find`'s metric at this cache for one `find_similar` call; `metric` must outlive
    /// that call and `self` must not move or be used otherwise during it.
    pub(crate) fn install(&mut self, find: &mut git2::DiffFindOptions, metric: &mut Metric) {
        metric.0.payload = (self as *mut Signatures).cast();
        // SAFETY: `raw` points at the options `find` owns; setting the metric pointer is what
        // `git_diff_find_options.metric` is for, and `metric` outlives the call (see above).
        unsafe {
            let opts = find.raw() as *mut raw::git_diff_find_options;
            (*opts).metric = &mut metric.0;
        }
    }

    /// Signatures kept (for tests).
    pub fn len(&self) -> usize {
        self.sigs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }
}

/// The metric structure libgit2 calls back through.
pub(crate) struct Metric(raw::git_diff_similarity_metric);

impl Default for Metric {
    fn default() -> Self {
        Metric(raw::git_diff_similarity_metric {
            file_signature: Some(file_signature),
            buffer_signature: Some(buffer_signature),
            free_signature: Some(free_signature),
            similarity: Some(similarity),
            payload: std::ptr::null_mut(),
        })
    }
}

/// Working-directory files only (never asked for a tree-to-tree diff): not cached.
extern "C" fn file_signature(
    out: *mut *mut c_void,
    _file: *const raw::git_diff_file,
    path: *const c_char,
    _payload: *mut c_void,
) -> c_int {
    // SAFETY: arguments as libgit2 passes them to `file_signature`. The signature is leaked
    // on purpose (our `free_signature` frees nothing): this path is not taken for trees.
    unsafe { git_hashsig_create_fromfile(out.cast(), path, HASHSIG_OPTIONS) }
}

extern "C" fn buffer_signature(
    out: *mut *mut c_void,
    file: *const raw::git_diff_file,
    buf: *const c_char,
    len: usize,
    payload: *mut c_void,
) -> c_int {
    // SAFETY: `payload` is the `Signatures` that `install` set, alive and otherwise unused
    // during the `find_similar` call; `file` and `buf` (`len` bytes) are libgit2's.
    unsafe {
        let cache = &mut *payload.cast::<Signatures>();
        let Ok(id) = Oid::from_bytes(&(*file).id.id) else {
            return -1;
        };
        if let Some(&sig) = cache.sigs.get(&id) {
            *out = sig.cast();
            return 0;
        }
        let mut sig: *mut HashSig = std::ptr::null_mut();
        let rc = git_hashsig_create(&mut sig, buf, len, HASHSIG_OPTIONS);
        if rc < 0 {
            return rc;
        }
        cache.sigs.insert(id, sig);
        *out = sig.cast();
        0
    }
}

/// The cache owns every signature; libgit2's per-call release frees nothing.
extern "C" fn free_signature(_sig: *mut c_void, _payload: *mut c_void) {}

extern "C" fn similarity(
    score: *mut c_int,
    a: *mut c_void,
    b: *mut c_void,
    payload: *mut c_void,
) -> c_int {
    // SAFETY: as in `buffer_signature`; `a` and `b` are signatures this cache made.
    unsafe {
        let cache = &mut *payload.cast::<Signatures>();
        let key = (a as usize, b as usize);
        let value = match cache.scores.get(&key) {
            Some(&v) => v,
            None => {
                let v = git_hashsig_compare(a.cast(), b.cast());
                if v < 0 {
                    return v;
                }
                cache.scores.insert(key, v);
                v
            }
        };
        *score = value;
        0
    }
}
