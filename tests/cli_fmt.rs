//! `dfaas-run fmt` end to end through the real binary: `--check` on files and folder trees,
//! in-place rewrites, stdin mode, and syntax errors that leave files untouched (exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const UGLY: &str = "scenario \"x\"  node a{url \"http://127.0.0.1:8080\";header \"k\"=\"v\"} expect p99(a)<1s\n";
const UGLY_FORMATTED: &str =
    "scenario \"x\"\n\nnode a {\n  url \"http://127.0.0.1:8080\"\n  header \"k\" = \"v\"\n}\n\nexpect p99(a) < 1s\n";
const FORMATTED: &str = "# a node\nnode a { url \"http://127.0.0.1:8080\" }\n\nwait 5s\n";
const BROKEN: &str = "node a {\n  url \"http://127.0.0.1:8080\"\n  rate 5/s\n}\n";

fn dfaas_run(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfaas-run"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    pipe.write_all(stdin.unwrap_or("").as_bytes()).expect("stdin is writable");
    drop(pipe);
    child.wait_with_output().expect("the binary finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder is created");
    }
    std::fs::write(&path, content).expect("file is written");
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("file is readable")
}

#[test]
fn check_passes_on_a_formatted_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "ok.dfs", FORMATTED);
    let out = dfaas_run(&["fmt", "--check", "ok.dfs"], dir.path(), None);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("ok: 1 file seen, 0 files would be reformatted"), "{}", text(&out.stderr));
    assert_eq!(read(&file), FORMATTED);
}

#[test]
fn check_fails_on_an_unformatted_file_with_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "ugly.dfs", UGLY);
    let out = dfaas_run(&["fmt", "--check", "ugly.dfs"], dir.path(), None);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("--- ugly.dfs\n+++ ugly.dfs (formatted)\n@@ -1,1 +1,8 @@\n"), "{stdout}");
    assert!(stdout.contains(&format!("-{}", UGLY.trim_end())), "{stdout}");
    assert!(stdout.contains("+node a {\n+  url \"http://127.0.0.1:8080\"\n"), "{stdout}");
    assert_eq!(read(&file), UGLY);
}

#[test]
fn check_walks_a_folder_tree() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        write(dir.path(), "scenarios/ok.dfs", FORMATTED),
        write(dir.path(), "scenarios/nested/deeper/ugly.dfs", UGLY),
        write(dir.path(), "scenarios/runs/old/skipped.dfs", UGLY),
        write(dir.path(), "scenarios/.hidden/skipped.dfs", UGLY),
        write(dir.path(), "scenarios/notes.txt", UGLY),
    ];
    let out = dfaas_run(&["fmt", "--check", "scenarios"], dir.path(), None);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let listed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("--- ")).collect();
    assert_eq!(listed, vec!["--- scenarios/nested/deeper/ugly.dfs"], "{stdout}");
    assert!(text(&out.stderr).contains("2 files seen, 1 file would be reformatted"), "{}", text(&out.stderr));
    for (file, content) in files.iter().zip([FORMATTED, UGLY, UGLY, UGLY, UGLY]) {
        assert_eq!(read(file), content, "{} changed", file.display());
    }
}

#[test]
fn rewrites_changed_files_in_place_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ugly = write(dir.path(), "tree/ugly.dfs", UGLY);
    let ok = write(dir.path(), "tree/ok.dfs", FORMATTED);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&ugly, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let out = dfaas_run(&["fmt", "tree"], dir.path(), None);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("formatted tree/ugly.dfs\n"), "{stderr}");
    assert!(!stderr.contains("formatted tree/ok.dfs"), "{stderr}");
    assert!(stderr.contains("ok: 2 files seen, 1 file reformatted"), "{stderr}");
    assert_eq!(read(&ugly), UGLY_FORMATTED);
    assert_eq!(read(&ok), FORMATTED);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&ugly).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "permissions are kept");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path().join("tree"))
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names.len(), 2, "no temporary file is left behind: {names:?}");

    let again = dfaas_run(&["fmt", "--check", "tree"], dir.path(), None);
    assert_eq!(again.status.code(), Some(0), "a rewritten file passes --check: {}", text(&again.stdout));
}

#[cfg(unix)]
#[test]
fn rewriting_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = write(dir.path(), "real/ugly.dfs", UGLY);
    let link = dir.path().join("link.dfs");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let out = dfaas_run(&["fmt", "link.dfs"], dir.path(), None);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).expect("metadata").file_type().is_symlink());
    assert_eq!(read(&real), UGLY_FORMATTED);
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dfaas_run(&["fmt", "-"], dir.path(), Some(UGLY));
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout), UGLY_FORMATTED);

    let check = dfaas_run(&["fmt", "--check", "-"], dir.path(), Some(UGLY));
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stdout).starts_with("--- <stdin>\n"), "{}", text(&check.stdout));

    let formatted = dfaas_run(&["fmt", "--check", "-"], dir.path(), Some(UGLY_FORMATTED));
    assert_eq!(formatted.status.code(), Some(0), "stderr: {}", text(&formatted.stderr));
    assert_eq!(text(&formatted.stdout), "");
}

#[test]
fn syntax_errors_exit_2_and_leave_the_file_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = write(dir.path(), "broken.dfs", BROKEN);
    let ugly = write(dir.path(), "ugly.dfs", UGLY);
    for args in [&["fmt", "broken.dfs", "ugly.dfs"][..], &["fmt", "--check", "broken.dfs"][..]] {
        let out = dfaas_run(args, dir.path(), None);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("dfs::syntax") && stderr.contains("unexpected `rate`"), "{stderr}");
        assert!(stderr.contains("broken.dfs:3:3"), "the error points at the line: {stderr}");
        assert!(stderr.contains("error: broken.dfs has syntax errors; it was not formatted"), "{stderr}");
        assert_eq!(read(&broken), BROKEN);
    }
    assert_eq!(read(&ugly), UGLY_FORMATTED, "the other files are still formatted");

    let stdin = dfaas_run(&["fmt", "-"], dir.path(), Some(BROKEN));
    assert_eq!(stdin.status.code(), Some(2));
    assert_eq!(text(&stdin.stdout), "", "nothing is printed for a broken scenario");
    assert!(text(&stdin.stderr).contains("<stdin>:3:3"), "{}", text(&stdin.stderr));
}

#[test]
fn missing_paths_and_empty_folders_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("empty")).expect("mkdir");
    let out = dfaas_run(&["fmt", "missing.dfs", "empty"], dir.path(), None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("dfs::io") && stderr.contains("dfs::no_scenarios"), "{stderr}");
    let usage = dfaas_run(&["fmt"], dir.path(), None);
    assert_eq!(usage.status.code(), Some(2), "a path is required");
}
