//! The conformance fixture (examples/conformance) as a child process over stdio: its task tool,
//! on protocol 2026-07-28, from the handle to the result, through an in-task question. The
//! conformance suite (0.1.16) and the TypeScript client 2.x (.ci/conformance, .ci/ts-client)
//! know no tasks, so this is where the fixture's `test_task` is driven.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process;

/// How long the whole exchange may take.
const LIMIT: Duration = Duration::from_secs(30);

fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {
            "elicitation": {},
            "extensions": {"io.modelcontextprotocol/tasks": {}}
        },
        "io.modelcontextprotocol/clientInfo": {"name": "fixture-test", "version": "1"}
    })
}

#[test]
fn the_fixture_runs_its_task_tool_through_a_question_to_the_end() {
    let mut child = Command::new(process::example_binary("conformance-server"))
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the fixture starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let (lines, _reader) = process::lines_of(child.stdout.take().expect("stdout"));
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    let mut ask = |id: u64, method: &str, mut params: Value| -> Value {
        params["_meta"] = meta();
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        writeln!(stdin, "{request}").expect("writes");
        stdin.flush().expect("flushes");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = lines.recv_timeout(left).expect("an answer in time");
            let message: Value = serde_json::from_str(&line).expect("JSON");
            if message["id"] == id {
                return message;
            }
            seen.push(message);
        }
    };

    let handle = ask(
        1,
        "tools/call",
        json!({"name": "test_task", "arguments": {"steps": 3}}),
    );
    assert_eq!(handle["result"]["resultType"], "task", "{handle}");
    let task = handle["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned();
    let mut id = 2;
    let mut poll = |ask: &mut dyn FnMut(u64, &str, Value) -> Value, until: &str| loop {
        id += 1;
        let state = ask(id, "tasks/get", json!({"taskId": task}));
        if state["result"]["status"] != "working" || Instant::now() > deadline {
            assert_eq!(state["result"]["status"], until, "{state}");
            return state;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let waiting = poll(&mut ask, "input_required");
    assert_eq!(
        waiting["result"]["inputRequests"]["q0"]["params"]["message"],
        "Keep the result?"
    );
    let update = ask(
        100,
        "tasks/update",
        json!({"taskId": task, "inputResponses": {"q0": {"action": "accept", "content": {"keep": true}}}}),
    );
    assert!(update.get("result").is_some(), "{update}");
    let done = poll(&mut ask, "completed");
    assert_eq!(
        done["result"]["result"]["content"][0]["text"],
        "Task completed: 3 steps"
    );
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}
