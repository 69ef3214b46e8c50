//! Writing results: to standard output, or to a file written whole or not at all (a temporary
//! file in the same directory, renamed into place).

use std::io::Write;
use std::path::Path;

use forkcheck_analyzers::Error;

/// Write `text` to `path` atomically. With `overwrite` false an existing file is left alone
/// and the call fails with [`std::io::ErrorKind::AlreadyExists`] in the chain.
pub fn write_file(path: &Path, text: &str, overwrite: bool) -> Result<(), Error> {
    let io = |what: &str, source: std::io::Error| Error::Io {
        context: format!("cannot {what} `{}`", path.display()),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".forkcheck-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file beside", e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io("write", e))?;
    let persisted = if overwrite {
        tmp.persist(path).map(drop)
    } else {
        tmp.persist_noclobber(path).map(drop)
    };
    // On failure the temporary file is dropped (deleted) with the error.
    persisted.map_err(|e| io("write", e.error))
}

/// Write `text` to standard output (a closed pipe is not an error: see `main`).
pub fn write_stdout(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Io {
            context: "cannot write to standard output".into(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_refuses_to_clobber() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_file(&path, "one", false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        let err = write_file(&path, "two", false).unwrap_err();
        assert!(
            matches!(&err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists)
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write_file(&path, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        // No temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_io_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/out.json");
        let err = write_file(&path, "x", true).unwrap_err();
        assert_eq!(err.exit_code(), forkcheck_analyzers::error::exit::IO);
        assert!(err.to_string().contains("out.json"), "{err}");
    }
}
