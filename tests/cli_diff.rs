//! `dfaas-run diff` on the real binary: identical plans (exit 0), a changed rate, an added attack,
//! changed gates (exit 1, whole output against `tests/diff/*.txt`), JSON output, errors (exit 2), and
//! two git revisions of one file in a temporary repository, imports read at the same revision.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

fn dfaas_run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).args(args).current_dir(dir).output().expect("run dfaas-run")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Compares with the golden file, or rewrites it when `UPDATE_GOLDEN=1`.
fn assert_golden(name: &str, actual: &str) {
    let path = cases_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with UPDATE_GOLDEN=1 and review it", path.display()));
    if expected != actual {
        let mut diff = String::new();
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                diff.push_str(&format!("line {}:\n  - {e}\n  + {a}\n", i + 1));
            }
        }
        panic!(
            "{} differs (rerun with UPDATE_GOLDEN=1 if intended)\n{diff}--- expected\n{expected}--- actual\n{actual}",
            path.display()
        );
    }
}

/// Runs `diff base.dfs OTHER` in tests/diff and checks the exit status and the whole output.
fn diff_case(other: &str, code: i32) {
    let out = dfaas_run(&cases_dir(), &["diff", "base.dfs", &format!("{other}.dfs")]);
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    assert_golden(&format!("{other}.txt"), &stdout(&out));
}

#[test]
fn identical_plans_exit_0() {
    let out = dfaas_run(&cases_dir(), &["diff", "base.dfs", "base.dfs"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("\nthe plans are identical\n"), "{}", stdout(&out));
}

#[test]
fn comments_and_layout_do_not_change_the_plan() {
    diff_case("comments", 0);
}

#[test]
fn a_changed_rate_changes_the_requests() {
    diff_case("rate", 1);
}

#[test]
fn an_added_attack_is_listed_with_its_load() {
    diff_case("added", 1);
}

#[test]
fn gates_and_expectations_changes() {
    diff_case("gates", 1);
}

#[test]
fn json_output_for_tools() {
    let out = dfaas_run(&cases_dir(), &["diff", "base.dfs", "added.dfs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("diff --format json prints JSON");
    assert_eq!(doc["identical"], false);
    assert_eq!(doc["before"]["label"], "base.dfs");
    let changes = doc["changes"].as_array().expect("changes");
    let kinds: Vec<(&str, &str)> =
        changes.iter().map(|c| (c["kind"].as_str().unwrap_or(""), c["subject"].as_str().unwrap_or(""))).collect();
    assert_eq!(kinds, [("added", "attack spike"), ("added", "expect p99(spike)"), ("changed", "totals")]);
    let requests = &changes[2]["fields"][1];
    assert_eq!(requests["field"], "requests planned");
    assert_eq!((requests["before"].as_str(), requests["after"].as_str()), (Some("1500"), Some("15600")));
    assert_eq!(requests["delta"], "+14100, +940%");
}

#[test]
fn a_scenario_with_errors_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = "scenario \"broken\"\nattack a on nowhere { rate 1/s; duration 1s; request GET \"/\" }\n";
    std::fs::write(dir.path().join("broken.dfs"), broken).expect("write");
    std::fs::copy(cases_dir().join("base.dfs"), dir.path().join("base.dfs")).expect("copy");
    let out = dfaas_run(dir.path(), &["diff", "base.dfs", "broken.dfs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown node `nowhere`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "no diff is printed: {}", stdout(&out));
}

#[test]
fn plan_json_differs_only_in_the_source_hash_when_the_plan_is_the_same() {
    let plan = |file: &str| stdout(&dfaas_run(&cases_dir(), &["plan", "--format", "json", file]));
    let (a, b) = (plan("base.dfs"), plan("comments.dfs"));
    assert_eq!(plan("base.dfs"), a, "plan JSON is deterministic");
    let differing: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert_eq!(differing.len(), 1, "{differing:#?}");
    assert!(differing[0].0.trim_start().starts_with("\"source_hash\""), "{differing:#?}");
    assert_eq!(a.lines().count(), b.lines().count());
}

// ─── git revisions ───

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=dfaas-run tests", "-c", "user.email=tests@localhost", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const MAIN: &str = "scenario \"rev\"\nimport \"shared/nodes.dfs\"\n\nattack steady on edge {\n  duration 30s\n  rate 20/s\n  request GET \"/\"\n}\n";
const NODES_V1: &str = "node edge { url \"http://127.0.0.1:8080\" }\n";
/// The second revision moves a second attack into the imported file.
const NODES_V2: &str =
    "node edge { url \"http://127.0.0.1:8080\" }\n\nattack extra on edge {\n  duration 10s\n  rate 5/s\n  request GET \"/x\"\n}\n";

/// A repository with two commits: v1, then v2 (a faster rate in the file, an attack in its import).
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("temp dir");
    let dir = repo.path();
    std::fs::create_dir_all(dir.join("scenarios/shared")).expect("folders");
    std::fs::write(dir.join("scenarios/main.dfs"), MAIN).expect("write");
    std::fs::write(dir.join("scenarios/shared/nodes.dfs"), NODES_V1).expect("write");
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "v1"]);
    std::fs::write(dir.join("scenarios/main.dfs"), MAIN.replace("rate 20/s", "rate 40/s")).expect("write");
    std::fs::write(dir.join("scenarios/shared/nodes.dfs"), NODES_V2).expect("write");
    git(dir, &["commit", "-q", "-a", "-m", "v2"]);
    repo
}

#[test]
fn two_revisions_of_one_file_with_imports_at_each_revision() {
    let repo = repository();
    // An uncommitted change of the import must not leak into `--to HEAD`.
    std::fs::write(repo.path().join("scenarios/shared/nodes.dfs"), NODES_V1).expect("write");
    let out = dfaas_run(repo.path(), &["diff", "scenarios/main.dfs", "--from", "HEAD~1", "--to", "HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("--- scenarios/main.dfs@HEAD~1  (scenario \"rev\""), "{text}");
    assert!(text.contains("\n+++ scenarios/main.dfs@HEAD  (scenario \"rev\""), "{text}");
    assert!(
        text.contains("\n~ attack steady\n    rate profile       open: hold 20/s for 30s → open: hold 40/s for 30s\n"),
        "{text}"
    );
    assert!(
        text.contains("\n+ attack extra\n    on edge; 50 requests; open: hold 5/s for 10s; load+0s → load+10s\n"),
        "{text}"
    );
    assert!(text.contains("    requests planned  600 → 1250 (+650, +108.3%)\n"), "{text}");
}

#[test]
fn a_revision_against_the_working_tree() {
    let repo = repository();
    let out = dfaas_run(repo.path(), &["diff", "scenarios/main.dfs", "--from", "HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("+++ scenarios/main.dfs  (scenario"), "{}", stdout(&out));
    std::fs::write(repo.path().join("scenarios/main.dfs"), MAIN.replace("rate 20/s", "rate 60/s")).expect("write");
    let out = dfaas_run(&repo.path().join("scenarios"), &["diff", "main.dfs", "--from", "HEAD~1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("open: hold 20/s for 30s → open: hold 60/s for 30s"), "{}", stdout(&out));
}

#[test]
fn an_unknown_revision_or_a_file_missing_at_it_exits_2() {
    let repo = repository();
    let out = dfaas_run(repo.path(), &["diff", "scenarios/main.dfs", "--from", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read `no-such-branch:scenarios/main.dfs` from git"), "{}", stderr(&out));
    std::fs::write(repo.path().join("scenarios/new.dfs"), MAIN).expect("write");
    let out = dfaas_run(repo.path(), &["diff", "scenarios/new.dfs", "--from", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the file did not exist at that revision"), "{}", stderr(&out));
    let out = dfaas_run(repo.path(), &["diff", "scenarios/main.dfs", "--from", "--help"]);
    assert_eq!(out.status.code(), Some(2), "an option-like revision is refused: {}", stderr(&out));
}

#[test]
fn revisions_need_a_git_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.dfs"), MAIN).expect("write");
    let out = dfaas_run(dir.path(), &["diff", "a.dfs", "--from", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not in a git repository"), "{}", stderr(&out));
}
