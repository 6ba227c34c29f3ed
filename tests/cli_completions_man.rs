//! `dfaas-run completions SHELL` and `dfaas-run man [--out DIR]` on the real binary: scripts that
//! name every command (the bash one passes `bash -n`), and roff pages for each command.

use std::process::{Command, Output};

fn dfaas_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfaas-run")).args(args).output().expect("run dfaas-run")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const COMMANDS: &[&str] = &[
    "demo-node",
    "fmt",
    "run",
    "check",
    "plan",
    "diff",
    "init",
    "import",
    "completions",
    "man",
    "merge",
    "attack",
    "k8s",
    "report",
    "compare",
];

#[test]
fn bash_completions_are_a_valid_script_naming_every_command() {
    let out = dfaas_run(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0));
    let script = stdout(&out);
    assert!(script.contains("_dfaas__run()"), "a bash completion function");
    assert!(
        script.contains("complete -F _dfaas__run -o nosort -o bashdefault -o default dfaas-run"),
        "registered for dfaas-run"
    );
    for command in COMMANDS {
        assert!(script.contains(&format!("dfaas__run,{command})")), "`{command}` is completed");
    }
    assert!(script.contains("--deny-warnings"), "options of subcommands are completed");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dfaas-run.bash");
    std::fs::write(&path, &script).expect("write script");
    match Command::new("bash").arg("-n").arg(&path).output() {
        Ok(check) => assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr)),
        Err(e) => eprintln!("bash not available, syntax not checked: {e}"),
    }
}

#[test]
fn zsh_and_fish_completions() {
    let zsh = stdout(&dfaas_run(&["completions", "zsh"]));
    assert!(zsh.starts_with("#compdef dfaas-run"), "{}", zsh.lines().next().unwrap_or(""));
    for command in COMMANDS {
        assert!(zsh.contains(&format!("'{command}:")), "zsh completes `{command}`");
    }
    let fish = stdout(&dfaas_run(&["completions", "fish"]));
    for command in COMMANDS {
        assert!(fish.contains(&format!("-a \"{command}\"")), "fish completes `{command}`");
    }
    assert!(fish.contains("-l format"), "fish completes options");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = dfaas_run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: bash"), "lists the shells");
}

#[test]
fn man_prints_one_roff_page() {
    let out = dfaas_run(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.starts_with(".TH"),
        "roff: {}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH dfaas-run 1"), "title and section");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section}");
    }
    for command in COMMANDS {
        let escaped = command.replace('-', "\\-");
        assert!(page.contains(&format!("dfaas\\-run\\-{escaped}(1)")), "the page refers to dfaas-run-{command}(1)");
    }
    assert!(!page.contains("dfaas\\-run\\-help(1)"), "no page for the help pseudo-command");
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("man1");
    let out = dfaas_run(&["man", "--out", out_dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut written: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("the folder is created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = COMMANDS.iter().map(|c| format!("dfaas-run-{c}.1")).collect();
    expected.extend(["apply", "collect", "delete", "render", "status"].map(|c| format!("dfaas-run-k8s-{c}.1")));
    expected.push("dfaas-run.1".into());
    expected.sort();
    assert_eq!(written, expected);
    let listed: Vec<&str> = std::str::from_utf8(&out.stdout).expect("utf-8").lines().collect();
    assert_eq!(listed.len(), expected.len(), "each page written is listed on stdout");
    let check = std::fs::read_to_string(out_dir.join("dfaas-run-check.1")).expect("read page");
    assert!(check.contains(".TH dfaas-run-check 1"), "{check}");
    assert!(check.contains("\\-\\-deny\\-warnings"), "options are documented");
}

#[test]
fn man_out_into_a_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("write");
    let out = dfaas_run(&["man", "--out", file.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create"), "{}", String::from_utf8_lossy(&out.stderr));
}
