//! `dfaas-run demo-node` driven as a real process: it prints its URL as its one stdout line,
//! answers, stops by itself with `--for` (or on SIGTERM) with exit 0, and refuses bad arguments.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn demo_node(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dfaas-run"));
    command.arg("demo-node").args(args).env_remove("DEMO_USER").env_remove("DEMO_PASSWORD");
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    command
}

/// Starts the command and reads the URL it prints first.
fn spawn(command: &mut Command) -> (Child, String) {
    let mut child = command.spawn().expect("the dfaas-run binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout is piped")).read_line(&mut line).expect("stdout reads");
    if line.is_empty() {
        let mut stderr = String::new();
        let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
        panic!("demo-node printed no URL; stderr:\n{stderr}");
    }
    (child, line.trim_end().to_string())
}

/// Waits for the process to exit (bounded: a demo node that never stops fails the test).
fn wait(mut child: Child) -> (ExitStatus, String, String) {
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = out.read_to_string(&mut stdout);
        let _ = err.read_to_string(&mut stderr);
        let _ = sender.send((child.wait(), stdout, stderr));
    });
    let (status, stdout, stderr) = receiver.recv_timeout(Duration::from_secs(60)).expect("demo-node stops");
    (status.expect("the exit status is known"), stdout, stderr)
}

/// Runs `future` on a small runtime (these tests drive a process, not an in-process node).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(future)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(20)).build().unwrap()
}

#[test]
fn prints_its_url_answers_and_stops_by_itself_after_for() {
    let (child, base) = spawn(&mut demo_node(&[
        "--listen",
        "127.0.0.1:0",
        "--server-id",
        "cli-node",
        "--latency",
        "0ms",
        "--for",
        "3s",
    ]));
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let (status, server, body) = block_on(async {
        let response = client().post(format!("{base}/function/figlet")).body("hi").send().await.unwrap();
        let status = response.status().as_u16();
        let server = response.headers()["x-server"].to_str().unwrap().to_string();
        (status, server, response.text().await.unwrap())
    });
    assert_eq!((status, server.as_str(), body.as_str()), (200, "cli-node", "figlet: 2 bytes received\n"));
    let (exit, stdout, stderr) = wait(child);
    assert!(exit.success(), "{exit:?}\n{stderr}");
    assert_eq!(stdout, "", "the URL is the only line on stdout");
    assert!(stderr.contains("demo node stopped (--for elapsed): 1 function calls: 1 served"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn sigterm_stops_it_with_exit_0() {
    let (child, base) = spawn(&mut demo_node(&["--listen", "127.0.0.1:0", "--for", "5m"]));
    let status = block_on(async { client().get(format!("{base}/healthz")).send().await.unwrap().status().as_u16() });
    assert_eq!(status, 200);
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let (exit, _, stderr) = wait(child);
    assert!(exit.success(), "{exit:?}\n{stderr}");
    assert!(stderr.contains("demo node stopped (terminated)"), "{stderr}");
    assert!(stderr.contains("1 health probes"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn credentials_come_from_the_environment() {
    let mut command = demo_node(&["--listen", "127.0.0.1:0", "--for", "1m"]);
    command.env("DEMO_USER", "admin").env("DEMO_PASSWORD", "s3cret");
    let (child, base) = spawn(&mut command);
    let (anonymous, authorized) = block_on(async {
        let client = client();
        let functions = format!("{base}/system/functions");
        let anonymous = client.get(&functions).send().await.unwrap().status().as_u16();
        let authorized =
            client.get(&functions).basic_auth("admin", Some("s3cret")).send().await.unwrap().status().as_u16();
        (anonymous, authorized)
    });
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let (exit, _, stderr) = wait(child);
    assert_eq!((anonymous, authorized), (401, 200));
    assert!(exit.success(), "{stderr}");
}

/// Runs a command expected to refuse its arguments: exit 2, nothing on stdout.
fn refused(args: &[&str]) -> String {
    let output = demo_node(args).output().expect("the dfaas-run binary runs");
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    assert!(output.stdout.is_empty(), "{args:?} printed a URL");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn non_loopback_addresses_need_allow_remote() {
    let stderr = refused(&["--listen", "0.0.0.0:0"]);
    assert!(stderr.contains("not a loopback address") && stderr.contains("--allow-remote"), "{stderr}");
    let stderr = refused(&["--listen", "127.0.0.1:0", "--max-rate", "5/s", "--forward-to", "http://0.0.0.0:1"]);
    assert!(stderr.contains("refusing to forward"), "{stderr}");
}

#[test]
fn unit_arguments_use_the_language_syntax() {
    let stderr = refused(&["--latency", "20ms..5ms"]);
    assert!(stderr.contains("reversed"), "{stderr}");
    let stderr = refused(&["--errors", "5"]);
    assert!(stderr.contains("is not a percentage"), "{stderr}");
    let stderr = refused(&["--max-rate", "0/s"]);
    assert!(stderr.contains("zero"), "{stderr}");
    let stderr = refused(&["--for", "soon"]);
    assert!(stderr.contains("is not a duration"), "{stderr}");
    let stderr = refused(&["--forward-to", "https://127.0.0.1:1"]);
    assert!(stderr.contains("plain http://"), "{stderr}");
    let stderr = refused(&["--listen", "127.0.0.1:0", "--user", "admin"]);
    assert!(stderr.contains("--user needs a password"), "{stderr}");
}
