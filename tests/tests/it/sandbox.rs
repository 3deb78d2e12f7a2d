//! `sandbox::Sandbox`: a Python snippet that works, and every way out tried from inside and
//! contained — reading secrets and the host's home, writing outside the scratch directory, the
//! network, a fork bomb, a memory bomb, an endless loop, a flood of output, killing the server,
//! ptrace, a grandchild that leaves the session — and a tool that runs code through
//! `TestClient`, a limit coming back as an error result naming it.
//!
//! Each run gets short limits, and the tests run in parallel: the module takes a few seconds.
//! They need `python3` on `PATH` (CI machines have it).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_runtime::prelude::*;
use mcp_runtime::sandbox::{
    Executor, ExitStatus, Limit, RunFuture, Sandbox, SandboxCommand, SandboxError, SandboxOutput,
    SandboxPolicy,
};
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Short limits, so that a test that goes wrong fails quickly.
fn policy() -> SandboxPolicy {
    SandboxPolicy::new()
        .wall_time(Duration::from_secs(8))
        .cpu_time(Duration::from_secs(4))
        .memory(512 * 1024 * 1024)
}

/// Runs `code` with `python3 -c` under `policy`.
async fn python(policy: SandboxPolicy, code: &str) -> SandboxOutput {
    require_python();
    Sandbox::new(policy)
        .run(SandboxCommand::new("python3").arg("-c").arg(code))
        .await
        .expect("the sandbox runs python3")
}

fn require_python() {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("python3").is_file()));
    assert!(
        found,
        "the sandbox tests run Python snippets: install python3 on PATH (CI machines have it)"
    );
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"))
    })
}

/// A path no other test uses.
fn unique(name: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("mcp-sandbox-test-{}-{n}-{name}", std::process::id())
}

#[tokio::test]
async fn a_snippet_computes_with_its_stdin_and_files() {
    require_python();
    let code = "import os, sys\n\
                n = int(open('data/n.txt').read()) * int(sys.stdin.read())\n\
                print(n)\n\
                print(os.getcwd() == os.environ['HOME'], file=sys.stderr)\n\
                open('out.txt', 'w').write('scratch is writable')\n\
                print(open('out.txt').read())";
    let output = Sandbox::new(policy())
        .run(
            SandboxCommand::new("python3")
                .arg("main.py")
                .file("main.py", code)
                .file("data/n.txt", "21")
                .stdin("2"),
        )
        .await
        .unwrap();
    assert_eq!(
        output.status,
        ExitStatus::Code(0),
        "{}",
        output.stderr_text()
    );
    assert_eq!(output.stdout_text(), "42\nscratch is writable\n");
    assert_eq!(output.stderr_text(), "True\n");
    assert_eq!(output.limit, None);
    assert!(output.success());
    assert!(output.cpu_time.is_some() && output.peak_memory.is_some());
}

#[tokio::test]
async fn secrets_and_the_hosts_home_cannot_be_read() {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    let marker = home.join(format!(".{}", unique("home-marker")));
    std::fs::write(&marker, "host secret").unwrap();
    let code = format!(
        "import os\n\
         for path in ['/etc/shadow', '/etc/passwd', {marker:?}]:\n\
         \x20   try:\n\
         \x20       print(path, 'READ', open(path).read())\n\
         \x20   except OSError as error:\n\
         \x20       print(path, type(error).__name__)\n\
         try:\n\
         \x20   print('LISTED', os.listdir({home:?}))\n\
         except OSError as error:\n\
         \x20   print('home', type(error).__name__)",
        marker = marker.display().to_string(),
        home = home.display().to_string(),
    );
    let output = python(policy(), &code).await;
    let _ = std::fs::remove_file(&marker);
    let stdout = output.stdout_text();
    assert!(output.success(), "{stdout}\n{}", output.stderr_text());
    assert!(!stdout.contains("READ"), "{stdout}");
    assert!(!stdout.contains("host secret"), "{stdout}");
    assert!(!stdout.contains("LISTED"), "{stdout}");
    assert!(stdout.contains("/etc/passwd PermissionError"), "{stdout}");
    assert!(stdout.contains("home PermissionError"), "{stdout}");
}

#[tokio::test]
async fn nothing_outside_the_scratch_directory_can_be_written() {
    let outside = std::env::temp_dir().join(unique("escape"));
    let code = format!(
        "for path in [{outside:?}, '/usr/lib/mcp-sandbox-escape', '../escape']:\n\
         \x20   try:\n\
         \x20       open(path, 'w').write('escaped')\n\
         \x20       print(path, 'WROTE')\n\
         \x20   except OSError as error:\n\
         \x20       print(path, type(error).__name__)",
        outside = outside.display().to_string(),
    );
    let output = python(policy(), &code).await;
    let stdout = output.stdout_text();
    assert!(!stdout.contains("WROTE"), "{stdout}");
    assert!(stdout.contains("PermissionError"), "{stdout}");
    assert!(
        !outside.exists(),
        "a file was written outside the scratch directory"
    );
    assert!(!std::env::temp_dir().join("escape").exists());
}

#[tokio::test]
async fn the_network_is_out_of_reach() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (tcp_port, udp_port) = (
        listener.local_addr().unwrap().port(),
        udp.local_addr().unwrap().port(),
    );
    let code = format!(
        "import socket\n\
         try:\n\
         \x20   socket.create_connection(('127.0.0.1', {tcp_port}), timeout=2)\n\
         \x20   print('tcp CONNECTED')\n\
         except OSError as error:\n\
         \x20   print('tcp', type(error).__name__)\n\
         try:\n\
         \x20   s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         \x20   s.sendto(b'hello', ('127.0.0.1', {udp_port}))\n\
         \x20   print('udp SENT')\n\
         except OSError as error:\n\
         \x20   print('udp', type(error).__name__)\n\
         try:\n\
         \x20   print('dns RESOLVED', socket.getaddrinfo('localhost', 80))\n\
         except OSError as error:\n\
         \x20   print('dns', type(error).__name__)"
    );
    let output = python(policy(), &code).await;
    let stdout = output.stdout_text();
    assert!(output.success(), "{stdout}\n{}", output.stderr_text());
    assert!(stdout.contains("tcp PermissionError"), "{stdout}");
    assert!(stdout.contains("udp PermissionError"), "{stdout}");
    assert!(
        stdout.starts_with("tcp") && !stdout.contains("RESOLVED"),
        "{stdout}"
    );
    let accepted = tokio::time::timeout(Duration::from_millis(100), listener.accept()).await;
    assert!(accepted.is_err(), "the listener accepted a connection");
    let mut buffer = [0u8; 16];
    let received =
        tokio::time::timeout(Duration::from_millis(100), udp.recv_from(&mut buffer)).await;
    assert!(received.is_err(), "a datagram arrived");
}

#[tokio::test]
async fn a_fork_bomb_is_contained() {
    let started = Instant::now();
    let code = "import os\nwhile True:\n    os.fork()";
    let output = python(policy().wall_time(Duration::from_secs(3)), code).await;
    assert!(!output.status.success(), "{output:?}");
    assert_eq!(
        output.limit,
        Some(Limit::Processes),
        "{}",
        output.stderr_text()
    );
    assert!(output.stderr_text().contains("BlockingIOError"));
    assert!(started.elapsed() < Duration::from_secs(3));
    // The host still starts processes.
    assert!(
        std::process::Command::new("true")
            .status()
            .unwrap()
            .success()
    );
}

#[tokio::test]
async fn a_process_limit_above_one_is_enforced_or_refused_by_name() {
    require_python();
    let sandbox = Sandbox::new(policy().wall_time(Duration::from_secs(3)).max_processes(4));
    let code = "import os\n\
                children = 0\n\
                try:\n\
                \x20   while True:\n\
                \x20       if os.fork() == 0:\n\
                \x20           import time; time.sleep(5); os._exit(0)\n\
                \x20       children += 1\n\
                except OSError as error:\n\
                \x20   print(children, type(error).__name__)\n\
                \x20   raise";
    let run = sandbox
        .run(SandboxCommand::new("python3").arg("-c").arg(code))
        .await;
    if is_root() {
        // The kernel does not apply RLIMIT_NPROC to root: the sandbox says so instead of
        // running without the limit.
        let error = run.unwrap_err();
        assert!(error.is_unsupported(), "{error}");
        let message = error.to_string();
        assert!(message.contains("RLIMIT_NPROC"), "{message}");
        assert!(
            message.contains("require_process_limit(false)"),
            "{message}"
        );
    } else {
        let output = run.unwrap();
        assert_eq!(output.stdout_text(), "3 BlockingIOError\n", "{output:?}");
        assert_eq!(output.limit, Some(Limit::Processes));
    }
}

#[tokio::test]
async fn a_memory_bomb_hits_the_memory_limit() {
    let code = "chunks = []\nwhile True:\n    chunks.append(bytearray(8 * 1024 * 1024))";
    let output = python(policy().memory(128 * 1024 * 1024), code).await;
    assert_eq!(
        output.limit,
        Some(Limit::Memory),
        "{}",
        output.stderr_text()
    );
    assert!(output.stderr_text().contains("MemoryError"));
    let peak = output.peak_memory.unwrap();
    assert!(peak <= 128 * 1024 * 1024, "{peak}");
}

#[tokio::test]
async fn an_endless_loop_hits_the_cpu_limit() {
    let started = Instant::now();
    let output = python(
        policy().cpu_time(Duration::from_secs(1)),
        "while True:\n    pass",
    )
    .await;
    assert_eq!(output.limit, Some(Limit::CpuTime), "{output:?}");
    assert_eq!(output.status, ExitStatus::Signal(9));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let error = output.check().unwrap_err();
    assert_eq!(
        error.to_string(),
        "the code was stopped: it reached the sandbox's CPU time limit (1s)"
    );
}

#[tokio::test]
async fn a_sleeping_program_hits_the_wall_time_limit() {
    let started = Instant::now();
    let code = "import time\nprint('before', flush=True)\ntime.sleep(60)";
    let output = python(policy().wall_time(Duration::from_millis(700)), code).await;
    assert_eq!(output.limit, Some(Limit::WallTime));
    assert_eq!(
        output.stdout_text(),
        "before\n",
        "what it printed first still comes back"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_flood_of_output_is_cut_at_the_cap() {
    let started = Instant::now();
    let code = "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)";
    let output = python(policy().max_output(64 * 1024), code).await;
    assert_eq!(output.limit, Some(Limit::Output));
    assert_eq!(
        output.stdout.len(),
        64 * 1024,
        "the parent keeps the cap, no more"
    );
    assert!(output.stdout.iter().all(|&byte| byte == b'x'));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn killing_the_server_kills_nothing() {
    let me = std::process::id();
    let code = format!(
        "import os\n\
         try:\n\
         \x20   os.kill({me}, 9)\n\
         \x20   print('KILLED the test process')\n\
         except OSError as error:\n\
         \x20   print('test process', type(error).__name__, flush=True)\n\
         print('parent is', os.getppid(), flush=True)\n\
         os.kill(os.getppid(), 9)\n\
         print('still here')"
    );
    let output = python(policy(), &code).await;
    // Still running: this assertion is reached.
    let stdout = output.stdout_text();
    assert!(!stdout.contains("KILLED"), "{stdout}");
    assert!(stdout.contains("test process"), "{stdout}");
    // Its parent is outside its PID namespace: 0. `kill(0, 9)` signals its own process
    // group, where it is PID 1 of its namespace (which ignores its own SIGKILL) and the
    // keeper is outside its Landlock domain (where kernels with Landlock ABI 6 refuse
    // signals): it may live on or die, but nothing else does.
    assert!(stdout.contains("parent is 0"), "{stdout}");
    assert!(
        output.status == ExitStatus::Signal(9) || stdout.ends_with("still here\n"),
        "{output:?}"
    );
}

#[tokio::test]
async fn ptrace_is_refused() {
    let me = std::process::id();
    let code = format!(
        "import ctypes, os\n\
         libc = ctypes.CDLL('libc.so.6', use_errno=True)\n\
         print('traceme', libc.ptrace(0, 0, None, None), os.strerror(ctypes.get_errno()))\n\
         print('attach', libc.ptrace(16, {me}, None, None), os.strerror(ctypes.get_errno()))"
    );
    let output = python(policy(), &code).await;
    let stdout = output.stdout_text();
    assert!(output.success(), "{stdout}\n{}", output.stderr_text());
    assert!(
        stdout.contains("traceme -1 Operation not permitted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("attach -1 Operation not permitted"),
        "{stdout}"
    );
}

/// Whether a process whose command line holds `marker` is running.
fn running(marker: &str) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(marker))
    })
}

#[tokio::test]
async fn a_grandchild_that_leaves_the_session_dies_at_the_wall_time() {
    require_python();
    let marker = unique("grandchild");
    // Forking needs a process limit above 1, which root cannot have (see above): the wall
    // time kills every process of the run all the same.
    let sandbox = Sandbox::new(
        policy()
            .wall_time(Duration::from_millis(1500))
            .max_processes(8)
            .require_process_limit(false),
    );
    let code = format!(
        "import os, sys, time\n\
         if os.fork() == 0:\n\
         \x20   os.setsid()\n\
         \x20   if os.fork() == 0:\n\
         \x20       os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', {marker:?}])\n\
         \x20   os._exit(0)\n\
         time.sleep(60)"
    );
    let run = tokio::spawn(async move {
        sandbox
            .run(SandboxCommand::new("python3").arg("-c").arg(code))
            .await
    });
    let mut seen = false;
    for _ in 0..100 {
        if running(&marker) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let output = run.await.unwrap().unwrap();
    assert!(seen, "the grandchild never ran: {}", output.stderr_text());
    assert_eq!(output.limit, Some(Limit::WallTime));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!running(&marker), "the grandchild outlived the run");
}

#[tokio::test]
async fn bad_commands_fail_before_running() {
    let sandbox = Sandbox::new(policy());
    let error = sandbox
        .run(SandboxCommand::new("python3").file("../escape.py", "print(1)"))
        .await
        .unwrap_err();
    assert!(matches!(error, SandboxError::InvalidFile { .. }), "{error}");
    let tool_error = ToolError::from(error);
    assert!(!tool_error.is_internal(), "the model can rename its file");

    let error = sandbox
        .run(SandboxCommand::new("no-such-interpreter-for-mcp-tests"))
        .await
        .unwrap_err();
    assert!(matches!(error, SandboxError::Interpreter { .. }), "{error}");
    assert!(error.to_string().contains("not found on PATH"), "{error}");
}

/// An executor that stands in for a container runtime: it says every run hit the CPU limit.
struct AlwaysOverCpu;

impl Executor for AlwaysOverCpu {
    fn run<'a>(&'a self, _policy: &'a SandboxPolicy, _command: SandboxCommand) -> RunFuture<'a> {
        Box::pin(async {
            Ok(SandboxOutput::new(
                ExitStatus::Signal(9),
                Vec::new(),
                Vec::new(),
                Duration::from_secs(2),
            )
            .stopped_by(Limit::CpuTime))
        })
    }
}

#[tokio::test]
async fn another_executor_can_stand_in() {
    let sandbox = Sandbox::with_executor(
        SandboxPolicy::new().cpu_time(Duration::from_secs(2)),
        AlwaysOverCpu,
    );
    let output = sandbox.run(SandboxCommand::new("anything")).await.unwrap();
    let error = output.check().unwrap_err();
    assert_eq!(error.limit(), Some(Limit::CpuTime));
    assert!(
        error.to_string().ends_with("CPU time limit (2s)"),
        "{error}"
    );
}

/// Run a Python snippet and return what it printed.
#[tool]
async fn run_python(sandbox: Sandbox, code: String) -> Result<String, ToolError> {
    let output = sandbox
        .run(SandboxCommand::new("python3").arg("-c").arg(code))
        .await?
        .check()?;
    Ok(format!("{}{}", output.stdout_text(), output.stderr_text()))
}

#[tokio::test]
async fn a_tool_runs_code_and_reports_the_limit_that_stopped_it() {
    require_python();
    let sandbox = Sandbox::new(
        policy()
            .wall_time(Duration::from_secs(5))
            .cpu_time(Duration::from_secs(1)),
    );
    let server = Server::builder("runner")
        .state(sandbox)
        .tools(tools![run_python])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;

    let result = client
        .call_tool("run_python", json!({"code": "print(sum(range(10)))"}))
        .await
        .unwrap();
    assert!(!result.is_error());
    assert_eq!(result.text(), "45\n");

    let result = client
        .call_tool("run_python", json!({"code": "while True: pass"}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(
        result.text(),
        "the code was stopped: it reached the sandbox's CPU time limit (1s)"
    );
}

#[tokio::test]
async fn the_sandbox_settings_give_the_server_its_sandbox() {
    require_python();
    let mut settings = mcp_runtime::Settings::default();
    settings.sandbox.enabled = true;
    settings.sandbox.max_output = 4;
    let server = Server::builder("runner")
        .tools(tools![run_python])
        .settings(settings.clone())
        .build()
        .expect("the settings give the sandbox the tool needs");
    let client = TestClient::new(server).await;
    let result = client
        .call_tool("run_python", json!({"code": "print('too long')"}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert!(
        result.text().contains("output limit (4 bytes per stream)"),
        "{}",
        result.text()
    );

    settings.sandbox.enabled = false;
    let error = Server::builder("runner")
        .tools(tools![run_python])
        .settings(settings)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("Sandbox"), "{error}");
}
