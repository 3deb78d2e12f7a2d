//! MCP over real stdio pipes, process against process: this runtime versus a hand-written rmcp
//! server (and, when given, the TypeScript SDK's), side by side in one run.
//!
//! The bench binary is also the servers: run with `BENCH_SERVE=<server>` it serves `add`
//! over its stdin and stdout, and the driver spawns itself that way, so every Rust server is
//! built with the same profile. Servers:
//!
//! * `ours`: the quickstart's shape, `Settings::load()` (the default middleware stack) and
//!   `run()` (logs at `info` to stderr, which the driver discards);
//! * `bare`: `Server::builder(…).tools(tools![add]).build()?.serve_stdio()`, no middleware,
//!   no logging;
//! * `rmcp`: rmcp's `#[tool_router]` server over `rmcp::transport::stdio()`, the transport its
//!   documentation shows (stdin and stdout through tokio's blocking pool): the baseline;
//! * `rmcp-pipes`: the same over `rmcp::transport::io::stdio_pipes()`, rmcp's fastest (pipes
//!   on the reactor, as this runtime reads them);
//! * `ts`: the command in `BENCH_TS_SERVER` (for example
//!   `node mcp-runtime/benches/stdio/ts-add.mjs`, after `npm install` there), if set.
//!
//! Scenarios, each in a fresh process per round, servers alternating order per round:
//! `cold start` (spawn until the `initialize` answer), `sequential` (one call in flight, µs per
//! call), `pipelined` (all calls written as fast as the server reads them, calls per second),
//! and the server's RSS after the pipelined run. Ratios are against rmcp.
//!
//! ```text
//! cargo bench -p mcp-runtime --bench stdio
//! BENCH_CALLS=20000 BENCH_ROUNDS=9 cargo bench -p mcp-runtime --bench stdio
//! BENCH_TS_SERVER="node mcp-runtime/benches/stdio/ts-add.mjs" cargo bench -p mcp-runtime --bench stdio
//! ```
//!
//! With `BENCH_CALLGRIND=1` (and valgrind installed) it also counts instructions per
//! `tools/call` under callgrind: the whole process for N + 1 calls minus the whole process for
//! one (which pays what happens once, such as compiling the argument validator), divided by N.
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

mod harness;
use harness::servers::{add, hand};
use harness::setting;

const SERVE_ENV: &str = "BENCH_SERVE";

fn main() {
    if let Ok(which) = std::env::var(SERVE_ENV) {
        serve(&which);
        return;
    }
    let calls = setting(0, "BENCH_CALLS", 5_000);
    let rounds = setting(1, "BENCH_ROUNDS", 7);
    let mut servers: Vec<Server> = ["ours", "bare", "rmcp", "rmcp-pipes"]
        .into_iter()
        .map(Server::own)
        .collect();
    if let Ok(command) = std::env::var("BENCH_TS_SERVER") {
        servers.push(Server {
            name: "ts",
            command: command.split_whitespace().map(str::to_owned).collect(),
        });
    }
    println!("stdio: {calls} calls per scenario, {rounds} rounds, servers alternating\n");
    let mut results: Vec<Results> = servers.iter().map(|_| Results::default()).collect();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..servers.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let server = &servers[i];
            results[i]
                .cold_ms
                .push(cold_start(server).as_secs_f64() * 1e3);
            let mut session = Session::start(server);
            results[i]
                .sequential_us
                .push(session.sequential(calls) * 1e6);
            results[i].pipelined.push(session.pipelined(calls));
            results[i].rss_kb.push(session.rss_kb() as f64);
            session.end();
        }
    }
    let rmcp = servers
        .iter()
        .position(|server| server.name == "rmcp")
        .expect("rmcp is measured");
    let base = results[rmcp].medians();
    println!(
        "{:<10} {:>10} {:>8} {:>12} {:>8} {:>12} {:>8} {:>8}",
        "server", "cold ms", "×rmcp", "seq µs/call", "×rmcp", "pipelined/s", "×rmcp", "RSS MB"
    );
    for (server, result) in servers.iter().zip(&results) {
        let m = result.medians();
        println!(
            "{:<10} {:>10.2} {:>8.2} {:>12.1} {:>8.2} {:>12.0} {:>8.2} {:>8.1}",
            server.name,
            m.cold_ms,
            m.cold_ms / base.cold_ms,
            m.sequential_us,
            m.sequential_us / base.sequential_us,
            m.pipelined,
            m.pipelined / base.pipelined,
            m.rss_kb / 1024.0,
        );
    }
    if std::env::var_os("BENCH_CALLGRIND").is_some() {
        println!("\ninstructions per tools/call (callgrind, {calls} + 1 calls minus 1):");
        let own: Vec<&Server> = servers.iter().filter(|s| s.name != "ts").collect();
        let counts: Vec<f64> = own
            .iter()
            .map(|server| instructions_per_call(server, calls))
            .collect();
        let rmcp = counts[own.iter().position(|s| s.name == "rmcp").expect("rmcp")];
        for (server, count) in own.iter().zip(&counts) {
            println!("{:<6} {:>10.0} {:>8.2}", server.name, count, count / rmcp);
        }
    }
}

/// A server to spawn.
struct Server {
    name: &'static str,
    /// The program and its arguments.
    command: Vec<String>,
}

impl Server {
    /// One of the servers this binary is.
    fn own(name: &'static str) -> Self {
        let exe = std::env::current_exe().expect("the bench binary's path");
        Self {
            name,
            command: vec![exe.to_string_lossy().into_owned()],
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.command[0]);
        command.args(&self.command[1..]);
        if self.name != "ts" {
            command.env(SERVE_ENV, self.name);
        }
        command
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }
}

#[derive(Default)]
struct Results {
    cold_ms: Vec<f64>,
    sequential_us: Vec<f64>,
    pipelined: Vec<f64>,
    rss_kb: Vec<f64>,
}

struct Medians {
    cold_ms: f64,
    sequential_us: f64,
    pipelined: f64,
    rss_kb: f64,
}

impl Results {
    fn medians(&self) -> Medians {
        Medians {
            cold_ms: median(&self.cold_ms),
            sequential_us: median(&self.sequential_us),
            pipelined: median(&self.pipelined),
            rss_kb: median(&self.rss_kb),
        }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn call_line(id: usize) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":2,"b":3}}}}}}"#
    )
}

/// A spawned server after `initialize`.
struct Session {
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    stdout: BufReader<ChildStdout>,
    line: String,
    next_id: usize,
}

impl Session {
    fn start(server: &Server) -> Self {
        let mut child = server.command().spawn().expect("the server starts");
        let stdin = BufWriter::new(child.stdin.take().expect("piped"));
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut session = Self {
            child,
            stdin: Some(stdin),
            stdout,
            line: String::new(),
            next_id: 1,
        };
        session.write_line(INITIALIZE);
        session.flush();
        let answer = session.read_line();
        assert!(answer.contains("\"result\""), "initialize: {answer}");
        session.write_line(INITIALIZED);
        session.flush();
        session
    }

    fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("open");
        stdin.write_all(line.as_bytes()).expect("writable");
        stdin.write_all(b"\n").expect("writable");
    }

    fn flush(&mut self) {
        self.stdin
            .as_mut()
            .expect("open")
            .flush()
            .expect("writable");
    }

    fn read_line(&mut self) -> String {
        self.line.clear();
        let read = self.stdout.read_line(&mut self.line).expect("readable");
        assert!(read > 0, "the server closed stdout");
        self.line.clone()
    }

    /// Seconds per call, one call in flight.
    fn sequential(&mut self, calls: usize) -> f64 {
        let started = Instant::now();
        for _ in 0..calls {
            let id = self.next_id;
            self.next_id += 1;
            self.write_line(&call_line(id));
            self.flush();
            let answer = self.read_line();
            check(&answer);
        }
        started.elapsed().as_secs_f64() / calls as f64
    }

    /// Calls per second, written by one thread while this one reads the answers.
    fn pipelined(&mut self, calls: usize) -> f64 {
        let first = self.next_id;
        self.next_id += calls;
        let mut stdin = self.stdin.take().expect("open");
        let started = Instant::now();
        let writer = std::thread::spawn(move || {
            for id in first..first + calls {
                stdin.write_all(call_line(id).as_bytes()).expect("writable");
                stdin.write_all(b"\n").expect("writable");
            }
            stdin.flush().expect("writable");
            stdin
        });
        for _ in 0..calls {
            let answer = self.read_line();
            check(&answer);
        }
        let rate = calls as f64 / started.elapsed().as_secs_f64();
        self.stdin = Some(writer.join().expect("the writer"));
        rate
    }

    /// The server's resident set, in KiB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn end(mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every answer is `add(2, 3) = 5`, not an error.
fn check(answer: &str) {
    assert!(
        answer.contains("\"result\"")
            && !answer.contains("\"isError\":true")
            && answer.contains('5'),
        "tools/call: {answer}"
    );
}

/// Spawn until the `initialize` answer.
fn cold_start(server: &Server) -> Duration {
    let started = Instant::now();
    let session = Session::start(server);
    let elapsed = started.elapsed();
    session.end();
    elapsed
}

/// Instructions per call under callgrind: a run of `calls` + 1 calls minus a run of one, each
/// call sent after the previous answer (in lockstep, so that how the input happens to be
/// batched does not change the count).
fn instructions_per_call(server: &Server, calls: usize) -> f64 {
    let total = |calls: usize| -> f64 {
        let out = std::env::temp_dir().join(format!(
            "mcp-bench-callgrind-{}-{}-{calls}.out",
            server.name,
            std::process::id()
        ));
        let mut child = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .args(&server.command)
            .env(SERVE_ENV, server.name)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("valgrind starts");
        let mut session = Session {
            stdin: Some(BufWriter::new(child.stdin.take().expect("piped"))),
            stdout: BufReader::new(child.stdout.take().expect("piped")),
            child,
            line: String::new(),
            next_id: 1,
        };
        session.write_line(INITIALIZE);
        session.flush();
        session.read_line();
        session.write_line(INITIALIZED);
        session.sequential(calls);
        drop(session.stdin.take());
        session.child.wait().expect("valgrind ends");
        let text = std::fs::read_to_string(&out).expect("callgrind's output");
        let _ = std::fs::remove_file(&out);
        text.lines()
            .find_map(|line| {
                line.strip_prefix("totals:")
                    .or_else(|| line.strip_prefix("summary:"))
            })
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
            .expect("callgrind's total")
    };
    (total(calls + 1) - total(1)) / calls as f64
}

/// Serves `add` over stdio as server `which`.
fn serve(which: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        match which {
            "ours" => {
                mcp_runtime::Server::builder("bench")
                    .settings(mcp_runtime::Settings::load().expect("default settings"))
                    .tools(mcp_runtime::tools![add])
                    .build()
                    .expect("a valid server")
                    .run_with_args(["bench"])
                    .await
                    .expect("served");
            }
            "bare" => {
                mcp_runtime::Server::builder("bench")
                    .tools(mcp_runtime::tools![add])
                    .build()
                    .expect("a valid server")
                    .serve_stdio()
                    .await
                    .expect("served");
            }
            "rmcp" => {
                use mcp_runtime::rmcp::ServiceExt;
                let running = hand::HandServer::new()
                    .serve(mcp_runtime::rmcp::transport::stdio())
                    .await
                    .expect("initialized");
                let _ = running.waiting().await;
            }
            "rmcp-pipes" => {
                use mcp_runtime::rmcp::ServiceExt;
                let running = hand::HandServer::new()
                    .serve(mcp_runtime::rmcp::transport::io::stdio_pipes())
                    .await
                    .expect("initialized");
                let _ = running.waiting().await;
            }
            other => panic!("no server named {other}"),
        }
    });
}
