//! Loose objects, read by forkcheck itself with bounds, in front of libgit2's own loose backend.
//!
//! libgit2 1.9 (`git_zstream_get_output`, used by its loose-object reader) loops forever when
//! a loose object file ends before its zlib stream does: zlib answers `Z_BUF_ERROR` (no
//! progress), which libgit2 treats as "retry", with no input left to retry on. A truncated
//! object file in the repository under analysis (which forkcheck must treat as hostile: it runs
//! on pull requests) then hangs every command at 100 % CPU. Packed objects are not affected
//! (the pack reader stops when zlib makes no progress).
//!
//! [`install`] adds an object-database backend, queried before libgit2's pack and loose
//! backends, that serves loose objects itself: it inflates the file with a bound (the size
//! the header declares, itself bounded by what the compressed data can hold) and reports a
//! truncated, over-long or otherwise malformed object as corrupt instead of spinning. Objects
//! it does not find loose (packed ones) fall through to libgit2 unchanged. Every read libgit2
//! makes (revwalks, tree diffs, rename detection, blob lookups) goes through it.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::raw::{c_int, c_void};
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress, Status};
use git2::{ObjectType, Oid, Repository};
use libgit2_sys as raw;

/// Longest object header accepted (`<type> <decimal size>\0`), as libgit2's `MAX_HEADER_LEN`.
const MAX_HEADER: usize = 64;
/// deflate cannot compress better than about 1032:1; a header declaring more than this many
/// bytes per compressed byte is lying (and would make us allocate for nothing).
const MAX_RATIO: u64 = 1100;
/// Priority of the backend: above libgit2's packed (2) and loose (1) backends.
const PRIORITY: c_int = 3;
/// How deep `objects/info/alternates` chains are followed (libgit2's limit too).
const MAX_ALTERNATE_DEPTH: usize = 5;

/// Why a loose object could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrupt(pub String);

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The object directories of `repo`: its own, then its alternates (recursively, bounded).
pub fn object_dirs(repo: &Repository) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    add_dir(repo.commondir().join("objects"), 0, &mut dirs);
    dirs
}

fn add_dir(dir: PathBuf, depth: usize, dirs: &mut Vec<PathBuf>) {
    if dirs.contains(&dir) {
        return;
    }
    let alternates = dir.join("info").join("alternates");
    dirs.push(dir.clone());
    if depth >= MAX_ALTERNATE_DEPTH {
        return;
    }
    let Ok(text) = read_small(&alternates, 64 * 1024) else {
        return;
    };
    for line in String::from_utf8_lossy(&text).lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
            continue;
        }
        let path = Path::new(line);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            dir.join(path)
        };
        add_dir(path, depth + 1, dirs);
    }
}

fn read_small(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    fs::File::open(path)?.take(limit).read_to_end(&mut out)?;
    Ok(out)
}

/// An object directory and which of its 256 fan-out subdirectories (`objects/00` …
/// `objects/ff`) existed when it was opened: a read whose fan-out directory is absent (every
/// read, in a freshly cloned, packed repository) costs no system call.
#[derive(Debug)]
pub struct ObjectDir {
    path: PathBuf,
    fanout: [bool; 256],
}

impl ObjectDir {
    pub fn scan(path: PathBuf) -> ObjectDir {
        let mut fanout = [false; 256];
        if let Ok(entries) = fs::read_dir(&path) {
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(name) = name.to_str().filter(|n| n.len() == 2) else {
                    continue;
                };
                if let Ok(byte) = u8::from_str_radix(name, 16) {
                    if name
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    {
                        fanout[usize::from(byte)] = true;
                    }
                }
            }
        }
        ObjectDir { path, fanout }
    }
}

/// Read loose object `oid` from the first of `dirs` that holds it: `Ok(None)` when none does
/// (it is packed, or missing).
pub fn read_loose(dirs: &[ObjectDir], oid: Oid) -> Result<Option<(ObjectType, Vec<u8>)>, Corrupt> {
    let first = oid.as_bytes().first().copied().unwrap_or_default();
    if !dirs.iter().any(|d| d.fanout[usize::from(first)]) {
        return Ok(None);
    }
    let hex = oid.to_string();
    for dir in dirs.iter().filter(|d| d.fanout[usize::from(first)]) {
        let path = dir.path.join(&hex[..2]).join(&hex[2..]);
        let data = match fs::read(&path) {
            Ok(data) => data,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => continue,
            Err(e) => {
                return Err(Corrupt(format!(
                    "cannot read loose object {oid} (`{}`): {e}",
                    path.display()
                )))
            }
        };
        return inflate_object(&data)
            .map(Some)
            .map_err(|why| Corrupt(format!("loose object {oid}: {why}")));
    }
    Ok(None)
}

/// Inflate a loose object file (`zlib("<type> <size>\0" + body)`) into its type and body,
/// refusing anything git itself would refuse: a truncated stream, a body shorter or longer
/// than the header says, trailing data, an unknown type.
pub fn inflate_object(data: &[u8]) -> Result<(ObjectType, Vec<u8>), String> {
    let mut z = Decompress::new(true);
    let mut head = Vec::with_capacity(MAX_HEADER);
    let status = step(&mut z, data, &mut head)?;
    let Some(nul) = head.iter().position(|&b| b == 0) else {
        return Err(if status == Status::StreamEnd || head.len() < MAX_HEADER {
            "truncated header".into()
        } else {
            "header too long".into()
        });
    };
    let (kind, size) = parse_header(&head[..nul])?;
    let bound = (data.len() as u64)
        .saturating_mul(MAX_RATIO)
        .saturating_add(MAX_HEADER as u64);
    if size > bound {
        return Err(format!(
            "header declares {size} bytes, more than {} compressed bytes can hold",
            data.len()
        ));
    }
    let size = usize::try_from(size).map_err(|_| "object larger than memory".to_string())?;
    let mut body = Vec::new();
    body.try_reserve_exact(size.saturating_add(1))
        .map_err(|_| format!("cannot allocate {size} bytes"))?;
    body.extend_from_slice(&head[nul + 1..]);
    if body.len() > size {
        return Err("body longer than its header says".into());
    }
    let mut status = status;
    while status != Status::StreamEnd {
        if body.len() > size {
            return Err("body longer than its header says".into());
        }
        // Room for one byte more than declared, to see an over-long body.
        if body.len() == body.capacity() {
            return Err("body longer than its header says".into());
        }
        status = step(&mut z, data, &mut body)?;
    }
    if body.len() != size {
        return Err(if body.len() < size {
            format!(
                "body is {} bytes, its header says {size} (truncated)",
                body.len()
            )
        } else {
            "body longer than its header says".into()
        });
    }
    if (z.total_in() as usize) < data.len() {
        return Err("garbage after the compressed data".into());
    }
    Ok((kind, body))
}

/// One inflate call into `out`'s spare capacity; an error when zlib can make no progress
/// (the input ended before the stream did, or the data is not zlib).
fn step(z: &mut Decompress, data: &[u8], out: &mut Vec<u8>) -> Result<Status, String> {
    let consumed = usize::try_from(z.total_in()).unwrap_or(usize::MAX);
    let input = data.get(consumed..).unwrap_or_default();
    let (before_in, before_out) = (z.total_in(), z.total_out());
    let status = z
        .decompress_vec(input, out, FlushDecompress::Finish)
        .map_err(|e| format!("bad zlib data ({e})"))?;
    if status != Status::StreamEnd
        && z.total_in() == before_in
        && z.total_out() == before_out
        && out.len() < out.capacity()
    {
        return Err("truncated (the compressed data ends early)".into());
    }
    Ok(status)
}

fn parse_header(head: &[u8]) -> Result<(ObjectType, u64), String> {
    let text = std::str::from_utf8(head).map_err(|_| "malformed header".to_string())?;
    let (kind, size) = text
        .split_once(' ')
        .ok_or_else(|| "malformed header".to_string())?;
    let kind = match kind {
        "commit" => ObjectType::Commit,
        "tree" => ObjectType::Tree,
        "blob" => ObjectType::Blob,
        "tag" => ObjectType::Tag,
        _ => return Err("unknown object type in header".into()),
    };
    if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) || size.len() > 19 {
        return Err("malformed size in header".into());
    }
    let size = size
        .parse::<u64>()
        .map_err(|_| "malformed size in header".to_string())?;
    Ok((kind, size))
}

// ---- the libgit2 backend -------------------------------------------------------------------

/// Our backend: libgit2's struct first (libgit2 hands us back a pointer to it), then our state.
#[repr(C)]
struct Backend {
    parent: raw::git_odb_backend,
    dirs: Vec<ObjectDir>,
}

extern "C" {
    // Public libgit2 API (`git2/refs.h`) that libgit2-sys does not declare.
    fn git_reference_owner(reference: *const raw::git_reference) -> *mut raw::git_repository;
}

fn raw_type(kind: ObjectType) -> raw::git_object_t {
    match kind {
        ObjectType::Commit => raw::GIT_OBJECT_COMMIT,
        ObjectType::Tree => raw::GIT_OBJECT_TREE,
        ObjectType::Tag => raw::GIT_OBJECT_TAG,
        _ => raw::GIT_OBJECT_BLOB,
    }
}

fn set_error(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: a valid NUL-terminated string; libgit2 copies it.
    unsafe {
        raw::git_error_set_str(raw::GIT_ERROR_ODB as c_int, text.as_ptr());
    }
}

extern "C" fn backend_read(
    data_out: *mut *mut c_void,
    len_out: *mut libc_size_t,
    type_out: *mut raw::git_object_t,
    backend: *mut raw::git_odb_backend,
    oid: *const raw::git_oid,
) -> c_int {
    let result = std::panic::catch_unwind(|| {
        // SAFETY: libgit2 passes the backend we registered (a `Backend`, `parent` first) and
        // a valid object id.
        let (state, oid) = unsafe { (&*(backend as *const Backend), &*oid) };
        let oid = Oid::from_bytes(&oid.id).ok()?;
        Some(read_loose(&state.dirs, oid))
    });
    let found = match result {
        Ok(Some(Ok(Some(found)))) => found,
        Ok(Some(Ok(None))) => return raw::GIT_PASSTHROUGH as c_int,
        Ok(Some(Err(corrupt))) => {
            set_error(&corrupt.0);
            return -1;
        }
        Ok(None) | Err(_) => {
            set_error("internal error reading a loose object");
            return -1;
        }
    };
    let (kind, body) = found;
    // SAFETY: libgit2 takes ownership of memory from `git_odb_backend_data_alloc`; we copy
    // `body` into it and NUL-terminate it as libgit2's own loose backend does.
    unsafe {
        let buf = raw::git_odb_backend_data_alloc(backend, body.len() + 1) as *mut u8;
        if buf.is_null() {
            set_error("out of memory reading a loose object");
            return -1;
        }
        std::ptr::copy_nonoverlapping(body.as_ptr(), buf, body.len());
        *buf.add(body.len()) = 0;
        *data_out = buf as *mut c_void;
        *len_out = body.len();
        *type_out = raw_type(kind);
    }
    0
}

#[allow(non_camel_case_types)]
type libc_size_t = usize;

extern "C" fn backend_free(backend: *mut raw::git_odb_backend) {
    if backend.is_null() {
        return;
    }
    // SAFETY: created by `Box::into_raw` in `install`; libgit2 calls `free` once, when the
    // object database goes away.
    drop(unsafe { Box::from_raw(backend as *mut Backend) });
}

/// Put the guarded loose-object reader in front of `repo`'s object database.
pub fn install(repo: &Repository) -> Result<(), git2::Error> {
    let dirs = object_dirs(repo).into_iter().map(ObjectDir::scan).collect();
    // The raw repository, through a reference (reading `HEAD` reads no object).
    let head = repo.find_reference("HEAD")?;
    let mut backend = Box::new(Backend {
        // SAFETY: a plain C struct of integers, pointers and nullable function pointers, for
        // which all-zero is the valid "nothing set" value (`git_odb_init_backend` zeroes it).
        parent: unsafe { std::mem::zeroed() },
        dirs,
    });
    // SAFETY: all pointers come from live git2 objects; `git_repository_odb` returns a new
    // reference that we release; on success the odb owns `backend` and frees it with
    // `backend_free`.
    unsafe {
        check(raw::git_odb_init_backend(
            &mut backend.parent,
            raw::GIT_ODB_BACKEND_VERSION,
        ))?;
        backend.parent.read = Some(backend_read);
        backend.parent.free = Some(backend_free);
        let owner = git_reference_owner(head.raw());
        let mut odb = std::ptr::null_mut();
        check(raw::git_repository_odb(&mut odb, owner))?;
        let backend = Box::into_raw(backend);
        let added = raw::git_odb_add_backend(odb, backend as *mut raw::git_odb_backend, PRIORITY);
        raw::git_odb_free(odb);
        if added < 0 {
            drop(Box::from_raw(backend));
            check(added)?;
        }
    }
    Ok(())
}

fn check(code: c_int) -> Result<(), git2::Error> {
    if code < 0 {
        Err(git2::Error::last_error(code))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::ZlibEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn deflate(raw: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(raw).unwrap();
        e.finish().unwrap()
    }

    fn object(kind: &str, body: &[u8]) -> Vec<u8> {
        let mut raw = format!("{kind} {}\0", body.len()).into_bytes();
        raw.extend_from_slice(body);
        raw
    }

    #[test]
    fn inflates_well_formed_objects() {
        let body: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let (kind, got) = inflate_object(&deflate(&object("blob", &body))).unwrap();
        assert_eq!(kind, ObjectType::Blob);
        assert_eq!(got, body);
        let (kind, got) = inflate_object(&deflate(&object("tree", b""))).unwrap();
        assert_eq!((kind, got.len()), (ObjectType::Tree, 0));
    }

    #[test]
    fn refuses_truncated_and_lying_objects() {
        let body = b"PLATFORM_NAME = 'x'\n".repeat(500);
        let full = deflate(&object("blob", &body));
        for cut in [0, 1, 2, 5, full.len() / 2, full.len() - 1] {
            let err = inflate_object(&full[..cut]).unwrap_err();
            assert!(!err.is_empty(), "cut at {cut}");
        }
        // Body shorter / longer than declared.
        let mut short = format!("blob {}\0", body.len() + 5).into_bytes();
        short.extend_from_slice(&body);
        assert!(inflate_object(&deflate(&short)).is_err());
        let mut long = format!("blob {}\0", body.len() - 5).into_bytes();
        long.extend_from_slice(&body);
        assert!(inflate_object(&deflate(&long)).is_err());
        // A header claiming far more than the data can hold is refused before allocating.
        let huge = deflate(b"blob 99999999999999\0abc");
        assert!(inflate_object(&huge).unwrap_err().contains("declares"));
        // Unknown type, missing NUL, garbage after the stream, not zlib at all.
        assert!(inflate_object(&deflate(b"bolb 3\0abc")).is_err());
        assert!(inflate_object(&deflate(&[b'a'; 200])).is_err());
        let mut trailing = deflate(&object("blob", b"abc"));
        trailing.extend_from_slice(b"xyz");
        assert!(inflate_object(&trailing).is_err());
        assert!(inflate_object(b"this is not zlib at all").is_err());
    }
}
