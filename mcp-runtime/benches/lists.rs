//! A server with 1,000 tools, over real stdio pipes: this runtime versus rmcp, side by side in
//! one run. How long it takes to start, and what one `tools/list` costs.
//!
//! The bench binary is also the servers: run with `BENCH_SERVE=<server>` it serves the 1,000
//! tools over its stdin and stdout, and the driver spawns itself that way. Servers:
//!
//! * `ours`: 1,000 `#[tool]` functions in one `tools![…]` (see `lists/many.rs`),
//!   `Settings::load()` (the default middleware stack) and `run()`;
//! * `rmcp`: the same 1,000 tools (same names, descriptions and schemas) in one rmcp
//!   `ToolRouter`, over `rmcp::transport::io::stdio_pipes()`: the baseline.
//!
//! Per round, servers alternating order, each in a fresh process:
//!
//! * `cold ms`: spawn until the `initialize` answer;
//! * `list µs`: the round trip of one `tools/list`, one at a time (median of the round);
//! * `server µs/list`: the server's CPU time (user + system, from `/proc`) over the lists,
//!   divided by their number: what a list costs the server, whatever the client does;
//! * the answer's size, checked to hold the 1,000 tools.
//!
//! ```text
//! cargo bench -p mcp-runtime --bench lists
//! BENCH_LISTS=4000 BENCH_ROUNDS=9 cargo bench -p mcp-runtime --bench lists
//! ```
#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

#[path = "lists/many.rs"]
mod many;

const SERVE_ENV: &str = "BENCH_SERVE";
const TOOLS: usize = 1_000;
const SERVERS: [&str; 2] = ["ours", "rmcp"];

fn main() {
    if let Ok(which) = std::env::var(SERVE_ENV) {
        serve(&which);
        return;
    }
    let lists = setting("BENCH_LISTS", 2_000);
    let rounds = setting("BENCH_ROUNDS", 5);
    println!(
        "lists: {TOOLS} tools, {lists} tools/list per round, {rounds} rounds, servers alternating\n"
    );
    let mut results: Vec<Results> = SERVERS.iter().map(|_| Results::default()).collect();
    for round in 0..rounds {
        let mut order: Vec<usize> = (0..SERVERS.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let started = Instant::now();
            let mut session = Session::start(SERVERS[i]);
            results[i]
                .cold_ms
                .push(started.elapsed().as_secs_f64() * 1e3);
            let (rtt_us, cpu_us, bytes) = session.lists(lists);
            results[i].list_us.push(rtt_us);
            results[i].server_us.push(cpu_us);
            results[i].bytes = bytes;
            session.end();
        }
    }
    let base = results[1].medians();
    println!(
        "{:<6} {:>9} {:>7} {:>9} {:>7} {:>15} {:>7} {:>9}",
        "server", "cold ms", "×rmcp", "list µs", "×rmcp", "server µs/list", "×rmcp", "KB/list"
    );
    for (name, result) in SERVERS.iter().zip(&results) {
        let m = result.medians();
        println!(
            "{:<6} {:>9.2} {:>7.2} {:>9.0} {:>7.2} {:>15.0} {:>7.2} {:>9.0}",
            name,
            m.cold_ms,
            m.cold_ms / base.cold_ms,
            m.list_us,
            m.list_us / base.list_us,
            m.server_us,
            m.server_us / base.server_us,
            result.bytes as f64 / 1024.0,
        );
    }
}

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Results {
    cold_ms: Vec<f64>,
    list_us: Vec<f64>,
    server_us: Vec<f64>,
    bytes: usize,
}

struct Medians {
    cold_ms: f64,
    list_us: f64,
    server_us: f64,
}

impl Results {
    fn medians(&self) -> Medians {
        Medians {
            cold_ms: median(&self.cold_ms),
            list_us: median(&self.list_us),
            server_us: median(&self.server_us),
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

/// A spawned server after `initialize`.
struct Session {
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    stdout: BufReader<ChildStdout>,
    line: String,
}

impl Session {
    fn start(which: &str) -> Self {
        let exe = std::env::current_exe().expect("the bench binary's path");
        let mut child = Command::new(exe)
            .env(SERVE_ENV, which)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdin = BufWriter::new(child.stdin.take().expect("piped stdin"));
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut session = Self {
            child,
            stdin: Some(stdin),
            stdout,
            line: String::new(),
        };
        session.send(INITIALIZE);
        session.receive();
        assert!(
            session.line.contains(r#""serverInfo""#),
            "{which}: not an initialize answer: {}",
            session.line
        );
        session.send(INITIALIZED);
        session
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("open");
        stdin.write_all(line.as_bytes()).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    }

    fn receive(&mut self) {
        self.line.clear();
        let read = self.stdout.read_line(&mut self.line).expect("read");
        assert!(read > 0, "the server closed its stdout");
    }

    /// `count` lists one at a time: the median round trip in µs, the server's CPU µs per list,
    /// and the size of one answer in bytes.
    fn lists(&mut self, count: usize) -> (f64, f64, usize) {
        // The first list, checked: every tool, in order.
        self.send(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
        self.receive();
        let answer: serde_json::Value = serde_json::from_str(&self.line).expect("JSON");
        let tools = answer["result"]["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("not a tools/list answer: {:.300}", self.line));
        assert_eq!(tools.len(), TOOLS);
        let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        names.sort_unstable();
        assert_eq!(names.first(), Some(&"t0000"));
        assert_eq!(names.last(), Some(&"t0999"));
        let bytes = self.line.len();

        let cpu_before = cpu_ticks(self.child.id());
        let mut rtts = Vec::with_capacity(count);
        for id in 2..count + 2 {
            let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#);
            let started = Instant::now();
            self.send(&line);
            self.receive();
            rtts.push(started.elapsed().as_secs_f64() * 1e6);
            assert!(
                self.line.len() > bytes / 2,
                "a short answer: {:.300}",
                self.line
            );
        }
        let cpu = cpu_ticks(self.child.id()) - cpu_before;
        let cpu_us = cpu as f64 * 1e6 / ticks_per_second() / count as f64;
        (median(&rtts), cpu_us, bytes)
    }

    fn end(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// User plus system CPU time of a process, in clock ticks (`/proc/<pid>/stat`).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').expect("a command name") + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 of `rest` (from 0).
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

fn ticks_per_second() -> f64 {
    let output = Command::new("getconf").arg("CLK_TCK").output();
    output
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100.0)
}

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
                    .tools(many::tools())
                    .build()
                    .expect("a valid server")
                    .run_with_args(["bench"])
                    .await
                    .expect("served");
            }
            "rmcp" => {
                use mcp_runtime::rmcp::ServiceExt;
                let running = hand::Thousand::new()
                    .serve(mcp_runtime::rmcp::transport::io::stdio_pipes())
                    .await
                    .expect("initialized");
                let _ = running.waiting().await;
            }
            other => panic!("no server named {other}"),
        }
    });
}

/// The same 1,000 tools in one rmcp `ToolRouter`, built at start as rmcp's dynamic routes.
mod hand {
    use std::sync::Arc;

    use mcp_runtime::rmcp;
    use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
    use rmcp::handler::server::wrapper::{Json, Parameters};
    use rmcp::model::{Tool, ToolAnnotations};
    use rmcp::{ServerHandler, tool_handler};
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// The arguments of each tool.
    #[derive(Deserialize, JsonSchema)]
    pub struct AddArgs {
        /// Left operand
        pub a: i64,
        /// Right operand
        pub b: i64,
    }

    /// The result, shaped like the runtime's wrapped scalar: `{"result": …}`.
    #[derive(Serialize, JsonSchema)]
    pub struct AddOutput {
        /// The sum.
        pub result: i64,
    }

    #[derive(Clone)]
    pub struct Thousand {
        tool_router: ToolRouter<Self>,
    }

    impl Thousand {
        pub fn new() -> Self {
            let input = rmcp::handler::server::tool::schema_for_type::<AddArgs>();
            let output = rmcp::handler::server::tool::schema_for_type::<AddOutput>();
            let mut tool_router = ToolRouter::new();
            for i in 0..super::TOOLS {
                // Each tool its own schema objects, as each `#[tool]` of the runtime has.
                let tool = Tool::new(
                    format!("t{i:04}"),
                    "Add two integers.",
                    Arc::new((*input).clone()),
                )
                .with_raw_output_schema(Arc::new((*output).clone()))
                .annotate(ToolAnnotations::new().read_only(true).open_world(false));
                tool_router.add_route(ToolRoute::new(
                    tool,
                    |Parameters(AddArgs { a, b }): Parameters<AddArgs>| async move {
                        Json(AddOutput { result: a + b })
                    },
                ));
            }
            Self { tool_router }
        }
    }

    #[tool_handler(router = self.tool_router)]
    impl ServerHandler for Thousand {}
}
