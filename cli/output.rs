//! Where results go, for every command that takes `-o`.
//!
//! - `-o` absent or `-`: standard output.
//! - A regular file or a new path: written whole or not at all (a temporary file in the same
//!   directory, renamed into place). A new file gets the mode the umask gives a new file
//!   (`0666 & !umask`); a replaced file keeps its mode.
//! - Anything else — a symbolic link (whatever it points to), a directory, a character or block
//!   device, a FIFO, a socket — is refused: never replaced, never followed. To write to a device
//!   or a pipe, use `-o -` and redirect standard output.
//!
//! Errors name the path the user gave (never the temporary file), exit with code 9 (`IO`) and
//! carry a `help:` line.

use std::fs::{FileType, Metadata};
use std::io::Write;
use std::path::Path;

use forkcheck_analyzers::error::exit;

use crate::failure::Failure;
use crate::render::style::Style;

/// `-o -`: standard output.
pub const STDOUT: &str = "-";

/// True when `-o` is absent or `-`.
pub fn is_stdout(output: Option<&Path>) -> bool {
    match output {
        None => true,
        Some(p) => p == Path::new(STDOUT),
    }
}

/// The terminal style for text going to `output`: colours only on standard output (and only when
/// it is a terminal, see [`Style::detect`]), never in files.
pub fn style(output: Option<&Path>) -> Style {
    if is_stdout(output) {
        Style::detect()
    } else {
        Style::plain()
    }
}

/// Write `text` to `output` (`None` or `-`: standard output), replacing an existing regular file.
pub fn emit(output: Option<&Path>, text: &str) -> Result<(), Failure> {
    match output {
        Some(path) if !is_stdout(output) => write_file(path, text, Existing::Replace),
        _ => write_stdout(text),
    }
}

/// Fail early, before any analysis, when `output` names something `-o` refuses (the write checks
/// again: this only saves the wait).
pub fn check(output: Option<&Path>) -> Result<(), Failure> {
    match output {
        Some(path) if !is_stdout(output) => inspect(path).map(drop),
        _ => Ok(()),
    }
}

/// Like [`check`], for a directory to write files into (`replace -o DIR`).
pub fn check_dir(output: Option<&Path>) -> Result<(), Failure> {
    match output {
        Some(dir) if !is_stdout(output) => match std::fs::symlink_metadata(dir) {
            Ok(m) if !m.file_type().is_dir() => Err(not_a_directory(dir, m.file_type())),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// What to do when the target is an existing regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replace it (keeping its mode).
    Replace,
    /// Leave it alone and fail (`forkcheck init` without `--force`).
    Refuse,
}

/// Write `text` to the regular file `path` atomically (see the module documentation).
pub fn write_file(path: &Path, text: &str, existing: Existing) -> Result<(), Failure> {
    let target = inspect(path)?;
    if existing == Existing::Refuse && target.is_some() {
        return Err(already_exists(path));
    }
    let tmp = stage(path, text, target.as_ref())?;
    persist(tmp, path, existing)
}

/// Write every `(name, text)` into directory `dir` (created when absent), all or nothing: every
/// file is staged before any is renamed into place. `dir` and each file follow the rules of
/// [`write_file`] (`dir` must be a directory, not a symbolic link to one).
pub fn write_dir(dir: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(m) => return Err(not_a_directory(dir, m.file_type())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure::new(
                    exit::IO,
                    format!("cannot create the directory `{}`", dir.display()),
                )
                .caused_by(e)
                .help(WRITE_HELP)
            })?;
        }
        Err(e) => return Err(cannot_write(dir, e)),
    }
    let mut staged = Vec::with_capacity(files.len());
    for (name, text) in files {
        let path = dir.join(name);
        let target = inspect(&path)?;
        staged.push((stage(&path, text, target.as_ref())?, path));
    }
    for (tmp, path) in staged {
        persist(tmp, &path, Existing::Replace)?;
    }
    Ok(())
}

/// Write `text` to standard output (a closed pipe is not an error: see `main`).
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            Failure::new(exit::IO, "cannot write to standard output")
                .caused_by(e)
                .help("check where standard output goes (a full disk, a closed terminal); or write to a file with `-o FILE`")
        })
}

const WRITE_HELP: &str = "check that the directory exists and is writable and that the disk has \
                          room; nothing was written (a file is replaced whole or not at all)";

/// The metadata of an existing regular file at `path`, `None` when nothing is there; any other
/// kind of file is refused.
fn inspect(path: &Path) -> Result<Option<Metadata>, Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Ok(Some(m)),
        Ok(m) => Err(refused(path, kind_of(m.file_type())).help(
            "`-o` writes regular files only and never replaces or follows anything else: name a \
             regular file (or a new one), or pass `-o -` to write to standard output and redirect \
             it",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(cannot_write(path, e)),
    }
}

/// A temporary file beside `path` holding `text`, with the mode `path` will have.
fn stage(
    path: &Path,
    text: &str,
    existing: Option<&Metadata>,
) -> Result<tempfile::NamedTempFile, Failure> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".forkcheck-").suffix(".tmp");
    #[cfg(unix)]
    {
        // The kernel applies the umask: a new file gets 0666 & !umask, like `>` in a shell.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| cannot_write(path, without_temp_path(e)))?;
    if let Some(meta) = existing {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| cannot_write(path, e))?;
    }
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| cannot_write(path, e))?;
    Ok(tmp)
}

/// Rename the staged file onto `path`. On failure the temporary file is deleted.
fn persist(tmp: tempfile::NamedTempFile, path: &Path, existing: Existing) -> Result<(), Failure> {
    let result = match existing {
        Existing::Replace => tmp.persist(path).map(drop),
        Existing::Refuse => tmp.persist_noclobber(path).map(drop),
    };
    result.map_err(|e| {
        if existing == Existing::Refuse && e.error.kind() == std::io::ErrorKind::AlreadyExists {
            already_exists(path)
        } else {
            cannot_write(path, without_temp_path(e.error))
        }
    })
}

fn kind_of(t: FileType) -> &'static str {
    if t.is_symlink() {
        return "a symbolic link";
    }
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

fn refused(path: &Path, kind: &str) -> Failure {
    Failure::new(
        exit::IO,
        format!(
            "refusing to write to `{}`: it is {kind}, not a regular file",
            path.display()
        ),
    )
}

fn not_a_directory(dir: &Path, kind: FileType) -> Failure {
    refused(dir, kind_of(kind)).help(
        "`-o` names the directory to write the files into: pass a directory (or a new path), not \
         a symbolic link or a file; or `-o -` for standard output",
    )
}

fn cannot_write(path: &Path, e: std::io::Error) -> Failure {
    Failure::new(exit::IO, format!("cannot write `{}`", path.display()))
        .caused_by(e)
        .help(WRITE_HELP)
}

fn already_exists(path: &Path) -> Failure {
    Failure::new(exit::IO, format!("`{}` already exists", path.display()))
        .help("pass `--force` to replace it, or `-o FILE` to write elsewhere")
}

/// tempfile adds `at path "<temporary file>"` to its errors; the user never named that file.
fn without_temp_path(e: std::io::Error) -> std::io::Error {
    if let Some(code) = e.raw_os_error() {
        return std::io::Error::from_raw_os_error(code);
    }
    let text = e.to_string();
    match text.rfind(" at path ") {
        Some(i) => std::io::Error::new(e.kind(), text[..i].to_string()),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_file(&path, "one", Existing::Refuse).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let err = write_file(&path, "two", Existing::Refuse).unwrap_err();
        assert!(err.message.contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_file(&path, "two", Existing::Replace).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        // No temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_io_error_naming_the_file_not_the_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/out.json");
        let err = write_file(&path, "x", Existing::Replace).unwrap_err();
        assert_eq!(err.code, exit::IO);
        assert!(err.message.contains("out.json"), "{err}");
        assert!(err.help.is_some());
        let cause = err
            .cause
            .as_ref()
            .map(|c| c.to_string())
            .unwrap_or_default();
        assert!(!cause.contains(".forkcheck-"), "{cause}");
        assert!(!cause.contains(".tmp"), "{cause}");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_directories_and_fifos_and_leaves_them_alone() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "keep").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let dangling = dir.path().join("dangling.txt");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for path in [&link, &dangling, &sub] {
            let err = write_file(path, "x", Existing::Replace).unwrap_err();
            assert_eq!(err.code, exit::IO);
            assert!(err.message.contains(&path.display().to_string()), "{err}");
            assert!(err.help.is_some());
        }
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");
        if made.is_ok_and(|s| s.success()) {
            let err = write_file(&fifo, "x", Existing::Replace).unwrap_err();
            assert!(err.message.contains("FIFO"), "{err}");
            assert!(std::fs::symlink_metadata(&fifo)
                .unwrap()
                .file_type()
                .is_fifo());
        }
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_the_umask_mode_and_replaced_files_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept.txt");
        std::fs::write(&kept, "old").unwrap();
        std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&kept, "new", Existing::Replace).unwrap();
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o640);
        // A new file: whatever the umask, the group/other bits it allows are there, unlike the
        // 0600 a temporary file has.
        let fresh = dir.path().join("fresh.txt");
        write_file(&fresh, "x", Existing::Replace).unwrap();
        let probe = dir.path().join("probe.txt");
        std::fs::write(&probe, "").unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o7777;
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, expected);
    }

    #[cfg(unix)]
    #[test]
    fn refusals_are_known_before_the_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        assert!(check(Some(&link)).is_err());
        assert!(check_dir(Some(&link)).is_err());
        assert!(check(Some(dir.path())).is_err());
        assert!(check_dir(Some(dir.path())).is_ok());
        assert!(check(Some(&dir.path().join("new.json"))).is_ok());
        assert!(check(Some(Path::new("-"))).is_ok());
        assert!(check(None).is_ok());
    }

    #[test]
    fn dash_is_standard_output() {
        assert!(is_stdout(None));
        assert!(is_stdout(Some(Path::new("-"))));
        assert!(!is_stdout(Some(Path::new("./-"))));
        assert!(!is_stdout(Some(Path::new("out.md"))));
    }

    #[test]
    fn writes_a_directory_of_files_and_refuses_links_inside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let files = vec![("a.yml".to_string(), "a".to_string())];
        write_dir(&out, &files).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.yml")).unwrap(), "a");
        #[cfg(unix)]
        {
            std::fs::remove_file(out.join("a.yml")).unwrap();
            let victim = dir.path().join("victim");
            std::fs::write(&victim, "keep").unwrap();
            std::os::unix::fs::symlink(&victim, out.join("a.yml")).unwrap();
            assert!(write_dir(&out, &files).is_err());
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
            let linked = dir.path().join("linked");
            std::os::unix::fs::symlink(&out, &linked).unwrap();
            assert!(write_dir(&linked, &files).is_err());
        }
    }
}
