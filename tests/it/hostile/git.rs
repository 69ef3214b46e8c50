//! The input side: corrupt objects, hostile configuration, odd files. Every run is bounded
//! (killed after [`TIMEOUT`]), so a hang fails the test instead of blocking the suite.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use forkcheck_analyzers::error::exit;
use git2::{ObjectType, Oid};

use crate::common::{release_repo, TinyRepo};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// The binary with the same clean environment as `common::forkcheck`, as a std `Command` (so it
/// can be killed).
fn forkcheck() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("forkcheck"));
    cmd.env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("FORKCHECK_ONLY")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

/// Run `cmd`, killing it after [`TIMEOUT`] (then the test fails, naming the command).
fn run_bounded(cmd: &mut Command) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("forkcheck starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} still running after {TIMEOUT:?}: killed (a hang)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| {
        let mut s = String::new();
        std::fs::File::open(p)
            .and_then(|mut f| f.read_to_string(&mut s))
            .expect("read output");
        s
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: read(&out_path),
        stderr: read(&err_path),
        elapsed: start.elapsed(),
    }
}

fn assert_corrupt(run: &Run, what: &str) {
    assert_eq!(
        run.code,
        i32::from(exit::MISSING_OBJECTS),
        "{what}: {}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error: "), "{what}: {}", run.stderr);
    assert!(run.stderr.contains("corrupt"), "{what}: {}", run.stderr);
    assert!(run.stderr.contains("\nhelp: "), "{what}: {}", run.stderr);
    assert!(run.stderr.contains("git fsck"), "{what}: {}", run.stderr);
    assert!(
        !run.stderr.contains("this is a bug"),
        "{what}: {}",
        run.stderr
    );
    assert!(run.elapsed < TIMEOUT, "{what}: {:?}", run.elapsed);
}

/// A fork (release_repo) whose last commit rewrites the settings module with many lines: the
/// drift reads that blob. Returns the blob's id.
fn fork_with_big_settings(dir: &Path) -> (TinyRepo, Oid) {
    let mut r = release_repo(dir);
    let text: String = (0..3000)
        .map(|i| format!("SETTING_{i} = \"value {i}\"\n"))
        .collect();
    r.commit(
        "fork: many settings",
        &[("lms/envs/common.py", text.as_str())],
    );
    let blob = r
        .repo
        .revparse_single("HEAD:lms/envs/common.py")
        .expect("blob")
        .id();
    (r, blob)
}

fn loose_path(git_dir: &Path, oid: Oid) -> PathBuf {
    let hex = oid.to_string();
    git_dir.join("objects").join(&hex[..2]).join(&hex[2..])
}

fn git(dir: &Path, args: &[&str]) -> String {
    forkcheck_fixtures::git_facts(dir, args).unwrap_or_else(|e| panic!("git {args:?}: {e}"))
}

#[test]
fn truncated_loose_object_is_exit_7_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let (r, blob) = fork_with_big_settings(dir.path());
    let path = loose_path(r.repo.path(), blob);
    let data = std::fs::read(&path).expect("the blob is loose");
    std::fs::write(&path, &data[..data.len() / 2]).unwrap();
    // git itself refuses the object.
    assert!(
        !forkcheck_fixtures::git_succeeds(dir.path(), &["cat-file", "-p", &blob.to_string()])
            .unwrap()
    );
    for args in [
        &["report"][..],
        &["replace"][..],
        &["triage"][..],
        &["plan", "--to", "sumac"][..],
    ] {
        let run = run_bounded(forkcheck().args(args).arg("--repo").arg(dir.path()));
        assert_corrupt(&run, &format!("{args:?}"));
        assert!(run.stderr.contains(&blob.to_string()), "{}", run.stderr);
    }
}

#[test]
fn loose_object_with_a_lying_header_is_exit_7() {
    let dir = tempfile::tempdir().unwrap();
    let (r, blob) = fork_with_big_settings(dir.path());
    // A well-formed zlib stream whose header declares more bytes than it holds.
    use std::io::Write;
    let mut z = StoredZlib(Vec::new());
    z.write_all(b"blob 999999\0PLATFORM_NAME = 1\n").unwrap();
    std::fs::write(loose_path(r.repo.path(), blob), z.finish()).unwrap();
    let run = run_bounded(forkcheck().arg("report").arg("--repo").arg(dir.path()));
    assert_corrupt(&run, "lying header");
}

/// A zlib stream made of stored (uncompressed) deflate blocks: enough to write a well-formed
/// loose object file by hand, without a compression crate in the tests.
struct StoredZlib(Vec<u8>);

impl std::io::Write for StoredZlib {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl StoredZlib {
    /// zlib header, stored blocks of at most 65535 bytes, Adler-32.
    fn finish(self) -> Vec<u8> {
        let data = self.0;
        let mut out = vec![0x78, 0x01];
        let chunks: Vec<&[u8]> = if data.is_empty() {
            vec![&[][..]]
        } else {
            data.chunks(65535).collect()
        };
        for (i, chunk) in chunks.iter().enumerate() {
            out.push(u8::from(i + 1 == chunks.len()));
            let len = chunk.len() as u16;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(chunk);
        }
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in &data {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        out.extend_from_slice(&((b << 16) | a).to_be_bytes());
        out
    }
}

#[test]
fn corrupt_pack_is_exit_7() {
    let dir = tempfile::tempdir().unwrap();
    let (_r, blob) = fork_with_big_settings(dir.path());
    git(dir.path(), &["repack", "-a", "-d", "-q"]);
    git(dir.path(), &["prune-packed"]);
    let pack_dir = dir.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .expect("a pack index");
    let listing = git(dir.path(), &["verify-pack", "-v", idx.to_str().unwrap()]);
    let hex = blob.to_string();
    let line = listing
        .lines()
        .find(|l| l.starts_with(&hex))
        .expect("the blob is in the pack");
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (in_pack, offset): (usize, usize) =
        (fields[3].parse().unwrap(), fields[4].parse().unwrap());
    assert!(in_pack > 64, "{line}");
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for b in &mut bytes[offset + in_pack / 2..offset + in_pack / 2 + 16] {
        *b = 0x55;
    }
    std::fs::write(&pack, bytes).unwrap();
    for args in [&["report"][..], &["replace"][..]] {
        let run = run_bounded(forkcheck().args(args).arg("--repo").arg(dir.path()));
        assert_corrupt(&run, &format!("{args:?}"));
    }
}

/// Write a raw object (no validation) and return its id.
fn write_raw(r: &TinyRepo, kind: ObjectType, data: &[u8]) -> Oid {
    r.repo.odb().unwrap().write(kind, data).unwrap()
}

/// Point `main` at a new commit with raw `tree` and `committer` lines on top of HEAD.
fn raw_commit_on_head(r: &TinyRepo, tree: Oid, committer: &str) -> Oid {
    let head = r.repo.head().unwrap().target().unwrap();
    let text = format!(
        "tree {tree}\nparent {head}\nauthor A <a@example.test> 1577836800 +0000\n\
         committer {committer}\n\nhostile commit\n"
    );
    let oid = write_raw(r, ObjectType::Commit, text.as_bytes());
    r.repo
        .reference("refs/heads/main", oid, true, "test")
        .unwrap();
    oid
}

#[test]
fn malformed_tree_entry_is_exit_7() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = fork_with_big_settings(dir.path());
    let head_tree = r.repo.head().unwrap().peel_to_tree().unwrap();
    // The root tree, with one more entry whose mode is not octal.
    let mut raw = r
        .repo
        .odb()
        .unwrap()
        .read(head_tree.id())
        .unwrap()
        .data()
        .to_vec();
    raw.extend_from_slice(b"10x644 zzz\0");
    raw.extend_from_slice(&[7u8; 20]);
    let tree = write_raw(&r, ObjectType::Tree, &raw);
    raw_commit_on_head(&r, tree, "C <c@example.test> 1577840400 +0000");
    let run = run_bounded(forkcheck().arg("report").arg("--repo").arg(dir.path()));
    assert_corrupt(&run, "malformed tree");
}

#[test]
fn bad_commit_dates_are_not_internal_errors() {
    for committer in [
        "C <c@example.test> 99999999999999999999999 +0000",
        "C <c@example.test> -99999999999 +9999",
        "C <c@example.test> abc +0000",
        "C <c@example.test>",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (r, _) = fork_with_big_settings(dir.path());
        let tree = r.repo.head().unwrap().peel_to_tree().unwrap().id();
        raw_commit_on_head(&r, tree, committer);
        for args in [&["report"][..], &["triage"][..]] {
            let run = run_bounded(forkcheck().args(args).arg("--repo").arg(dir.path()));
            // Either read as git reads it (a report), or refused as corrupt: never exit 10.
            assert!(
                [0, 1, i32::from(exit::MISSING_OBJECTS)].contains(&run.code),
                "{committer} {args:?}: {}",
                run.stderr
            );
            if run.code == i32::from(exit::MISSING_OBJECTS) {
                assert_corrupt(&run, committer);
            }
        }
    }
}

#[test]
fn config_from_dev_zero_is_a_bad_config_quickly() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    let run = run_bounded(
        forkcheck()
            .args(["report", "--repo"])
            .arg(dir.path())
            .args(["--config", "/dev/zero"]),
    );
    assert_eq!(run.code, i32::from(exit::BAD_CONFIG), "{}", run.stderr);
    assert!(run.stderr.contains("/dev/zero"), "{}", run.stderr);
    assert!(run.stderr.contains("\nhelp: "), "{}", run.stderr);
    assert!(!run.stderr.contains('\0'), "{}", run.stderr);
    assert!(run.stderr.len() < 1000, "{}", run.stderr);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn forkcheck_toml_symlink_out_of_the_repo_is_refused_without_echo() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(
        &secret,
        "AWS_SECRET_ACCESS_KEY=hunter2-very-secret\0GITHUB_TOKEN=ghp_notreal\0",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    std::os::unix::fs::symlink(&secret, dir.path().join("forkcheck.toml")).unwrap();
    for cmd in ["report", "releases"] {
        let run = run_bounded(forkcheck().arg(cmd).arg("--repo").arg(dir.path()));
        assert_eq!(run.code, i32::from(exit::BAD_CONFIG), "{}", run.stderr);
        assert!(run.stderr.contains("forkcheck.toml"), "{}", run.stderr);
        assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
        for leaked in ["hunter2", "AWS_SECRET", "ghp_"] {
            assert!(!run.stderr.contains(leaked), "{}", run.stderr);
            assert!(!run.stdout.contains(leaked), "{}", run.stdout);
        }
    }
    // The process's own environment, the case found by the hostile battery.
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("forkcheck.toml")).unwrap();
    let run = run_bounded(
        forkcheck()
            .env("FORKCHECK_TEST_SECRET", "hunter3-secret")
            .arg("report")
            .arg("--repo")
            .arg(dir.path()),
    );
    assert_eq!(run.code, i32::from(exit::BAD_CONFIG), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter3"), "{}", run.stderr);
}

#[test]
fn forkcheck_toml_symlink_inside_the_repo_is_read() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    std::fs::create_dir(dir.path().join("ci")).unwrap();
    std::fs::write(
        dir.path().join("ci/forkcheck.toml"),
        "[upstream]\nremotee = \"x\"\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("ci/forkcheck.toml", dir.path().join("forkcheck.toml")).unwrap();
    let run = run_bounded(forkcheck().arg("releases").arg("--repo").arg(dir.path()));
    // Read (its unknown key is reported), not refused.
    assert_eq!(run.code, i32::from(exit::BAD_CONFIG), "{}", run.stderr);
    assert!(run.stderr.contains("remotee"), "{}", run.stderr);
}

#[test]
fn huge_cost_is_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    release_repo(dir.path());
    std::fs::write(
        dir.path().join("forkcheck.toml"),
        "[cost]\nper_conflict_hunk = 1e308\n",
    )
    .unwrap();
    let run = run_bounded(forkcheck().arg("report").arg("--repo").arg(dir.path()));
    assert_eq!(run.code, i32::from(exit::BAD_CONFIG), "{}", run.stderr);
    assert!(run.stderr.contains("per_conflict_hunk"), "{}", run.stderr);
    assert!(run.stderr.contains("forkcheck.toml"), "{}", run.stderr);
}

fn report_json(dir: &Path) -> serde_json::Value {
    let run = run_bounded(
        forkcheck()
            .args(["report", "--format", "json", "--fail-on", "never", "--repo"])
            .arg(dir),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON report")
}

#[test]
fn yaml_with_a_byte_order_mark_parses() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = TinyRepo::init(dir.path());
    r.commit(
        "upstream",
        &[
            ("lms/envs/common.py", "PLATFORM_NAME = \"x\"\n"),
            ("lms/envs/minimal.yml", "\u{feff}FEATURE_A: 1\n"),
        ],
    );
    r.tag("open-release/redwood.2");
    r.commit(
        "fork: edit the YAML",
        &[(
            "lms/envs/minimal.yml",
            "\u{feff}FEATURE_A: 2\nFEATURE_B: true\n",
        )],
    );
    let report = report_json(dir.path());
    let files = report["config"]["files"].as_array().expect("config files");
    let file = files
        .iter()
        .find(|f| f["path"] == "lms/envs/minimal.yml")
        .expect("the YAML file is analysed");
    assert!(file.get("error").is_none_or(|e| e.is_null()), "{file:#}");
    let text = file.to_string();
    assert!(
        text.contains("FEATURE_A") && text.contains("FEATURE_B"),
        "{file:#}"
    );
}

#[test]
fn submodule_line_counts_equal_gits() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = TinyRepo::init(dir.path());
    let lines: String = (1..=92).map(|i| format!("line {i}\n")).collect();
    r.commit(
        "upstream",
        &[
            ("vendor/lib.py", lines.as_str()),
            ("docs/notes.txt", "a\nb\n"),
            ("README.rst", "readme\n"),
        ],
    );
    r.tag("open-release/redwood.2");
    // vendor/lib.py (92 lines) becomes a submodule, and a new submodule appears.
    let mut index = r.repo.index().unwrap();
    index.remove_path(Path::new("vendor/lib.py")).unwrap();
    let gitlink = |path: &str, id: &str| git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o160000,
        uid: 0,
        gid: 0,
        file_size: 0,
        id: Oid::from_str(id).unwrap(),
        flags: path.len() as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    };
    index
        .add(&gitlink(
            "vendor/lib.py",
            "1111111111111111111111111111111111111111",
        ))
        .unwrap();
    index
        .add(&gitlink(
            "vendor/other",
            "2222222222222222222222222222222222222222",
        ))
        .unwrap();
    let tree = r.repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("T", "t@example.test", &git2::Time::new(1_577_840_400, 0)).unwrap();
    let parent = r.repo.head().unwrap().peel_to_commit().unwrap();
    r.repo
        .commit(Some("HEAD"), &sig, &sig, "submodules", &tree, &[&parent])
        .unwrap();

    let numstat = git(
        dir.path(),
        &["diff", "--numstat", "open-release/redwood.2", "HEAD"],
    );
    let report = report_json(dir.path());
    let files = report["drift"]["files"].as_array().expect("drift files");
    let (mut added, mut removed) = (0u64, 0u64);
    for line in numstat.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (a, d, path) = (
            f[0].parse::<u64>().unwrap(),
            f[1].parse::<u64>().unwrap(),
            f[2],
        );
        let mine = files
            .iter()
            .find(|x| x["path"] == path)
            .unwrap_or_else(|| panic!("{path} missing from the drift: {files:#?}"));
        assert_eq!(
            (mine["added"].as_u64(), mine["removed"].as_u64()),
            (Some(a), Some(d)),
            "{path}: {numstat}"
        );
        added += a;
        removed += d;
    }
    assert_eq!(removed, 92, "{numstat}");
    assert_eq!(report["drift"]["lines_added"].as_u64(), Some(added));
    assert_eq!(report["drift"]["lines_removed"].as_u64(), Some(removed));
    assert_eq!(files.len(), numstat.lines().count());
}

#[test]
fn files_above_max_parse_bytes_are_counted_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = release_repo(dir.path());
    // A settings module well above the limit set below, on one line.
    let big = format!("X = [{}]\n", "1, ".repeat(2000));
    r.commit(
        "fork: a huge settings line",
        &[("lms/envs/common.py", big.as_str())],
    );
    std::fs::write(
        dir.path().join("forkcheck.toml"),
        "[limits]\nmax_parse_bytes = 1000\n",
    )
    .unwrap();
    let report = report_json(dir.path());
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("`lms/envs/common.py` is larger than 1000 bytes"),
        "{warnings}"
    );
    let file = report["drift"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "lms/envs/common.py")
        .expect("still in the drift")
        .clone();
    assert_eq!(file["added"].as_u64(), Some(1), "{file}");
    assert!(!report.to_string().contains("X = [1, 1"), "parsed anyway");
}

#[test]
fn forkcheck_toml_that_is_a_fifo_or_directory_is_refused_without_blocking() {
    for kind in ["fifo", "dir"] {
        let dir = tempfile::tempdir().unwrap();
        release_repo(dir.path());
        let path = dir.path().join("forkcheck.toml");
        if kind == "dir" {
            std::fs::create_dir(&path).unwrap();
        } else {
            let made = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
            assert!(made.success());
        }
        let run = run_bounded(forkcheck().arg("releases").arg("--repo").arg(dir.path()));
        assert_eq!(
            run.code,
            i32::from(exit::BAD_CONFIG),
            "{kind}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
}

/// A blob missing from the object database, met by worker threads (line counts, the PEM scan
/// and the merges run in parallel over the 40 files of the fork's commit), keeps its exit code
/// across the threads: 7, never the internal error 10.
#[test]
fn missing_blob_in_parallel_work_is_exit_7() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = release_repo(dir.path());
    let texts: Vec<(String, String)> = (0..40)
        .map(|i| {
            let body: String = (0..50).map(|l| format!("line {l} of file {i}\n")).collect();
            (format!("lms/djangoapps/acme_{i}/views.py"), body)
        })
        .collect();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    r.commit("fork: forty files", &files);
    let blob = r
        .repo
        .revparse_single("HEAD:lms/djangoapps/acme_23/views.py")
        .expect("blob")
        .id();
    std::fs::remove_file(loose_path(r.repo.path(), blob)).expect("the blob is loose");
    for args in [
        &["report"][..],
        &["triage"][..],
        &["plan", "--to", "sumac"][..],
    ] {
        let run = run_bounded(forkcheck().args(args).arg("--repo").arg(dir.path()));
        assert_eq!(
            run.code,
            i32::from(exit::MISSING_OBJECTS),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("help:"), "{args:?}: {}", run.stderr);
    }
}
