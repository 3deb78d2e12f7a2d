//! Tasks (the `io.modelcontextprotocol/tasks` extension of protocol 2026-07-28): a call of a
//! task tool answers with a handle, and `tasks/get`, `tasks/update` and `tasks/cancel` follow
//! the run, over a stdio session.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::tasks::TaskStore as _;
use serde_json::{Value, json};

use crate::support::INVALID_PARAMS;
use crate::support::line::Line;

/// Adds, slowly.
#[tool(task = "optional")]
async fn slow_sum(a: i64, b: i64) -> String {
    tokio::time::sleep(Duration::from_millis(150)).await;
    (a + b).to_string()
}

/// Only runs as a task.
#[tool(task = "required")]
async fn batch() -> String {
    "done".to_owned()
}

/// Whether `patient` saw its cancellation.
#[derive(Clone, Default)]
struct SawCancel(Arc<AtomicBool>);

/// Waits until cancelled.
#[tool(task = "optional")]
async fn patient(ctx: Ctx, saw: State<SawCancel>) -> String {
    ctx.cancellation_token().cancelled().await;
    saw.0.store(true, Ordering::SeqCst);
    "stopped".to_owned()
}

/// Asks the user a name inside a task.
#[tool(task = "optional")]
async fn greet(ctx: Ctx) -> Result<String, ToolError> {
    let answer = ctx
        .elicit(
            "Your name?",
            json!({"type": "object", "properties": {"name": {"type": "string"}}}),
        )
        .await?;
    Ok(format!(
        "hello {}",
        answer.content.unwrap_or_default()["name"]
    ))
}

/// Asks a question, and gives up after 300 ms.
#[tool(task = "optional", timeout = "300ms")]
async fn impatient(ctx: Ctx) -> Result<String, ToolError> {
    ctx.elicit(
        "Quick, a name?",
        json!({"type": "object", "properties": {}}),
    )
    .await?;
    Ok("answered".to_owned())
}

/// Sleeps longer than the server's default tool timeout.
#[tool(task = "optional")]
async fn long_haul() -> String {
    tokio::time::sleep(Duration::from_millis(300)).await;
    "made it".to_owned()
}

fn server_with(settings: mcp_runtime::Settings) -> (Server, SawCancel) {
    let saw = SawCancel::default();
    let server = Server::builder("tasks")
        .settings(settings)
        .state(saw.clone())
        .tools(tools![
            slow_sum, batch, patient, greet, long_haul, impatient
        ])
        .build()
        .expect("builds");
    (server, saw)
}

fn server() -> (Server, SawCancel) {
    server_with(mcp_runtime::Settings::default())
}

/// The `_meta` of a 2026-07-28 request; with the tasks extension declared when `tasks`.
fn meta(tasks: bool) -> Value {
    let mut capabilities = json!({"elicitation": {}});
    if tasks {
        capabilities["extensions"] = json!({"io.modelcontextprotocol/tasks": {}});
    }
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "tasks-test", "version": "1"}
    })
}

fn request(id: u64, method: &str, mut params: Value, tasks: bool) -> Value {
    params["_meta"] = meta(tasks);
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn call(id: u64, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
        true,
    )
}

/// The id of the task a call's answer created.
fn task_id(answer: &Value) -> String {
    answer["result"]["taskId"]
        .as_str()
        .expect("an id")
        .to_owned()
}

fn get(id: u64, task: &str) -> Value {
    request(id, "tasks/get", json!({"taskId": task}), true)
}

/// Polls `tasks/get` until the task leaves `status`, at most 5 s.
async fn poll_while(line: &mut Line, task: &str, status: &str) -> Value {
    for id in 1000.. {
        let answer = line.send(&get(id, task)).await;
        let result = answer["result"].clone();
        if result["status"] != status || id > 1100 {
            return result;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    unreachable!()
}

#[tokio::test]
async fn a_task_tool_answers_with_a_handle_and_the_result_comes_by_polling() {
    let (server, _) = server();
    let tools = server.tools();
    let listed = tools.iter().find(|t| t.name == "slow_sum").expect("listed");
    let hint = &listed.meta.as_ref().expect("_meta").0["io.modelcontextprotocol/tasks"];
    assert_eq!(hint["taskSupport"], "optional");
    assert!(server.info().capabilities.supports_tasks());

    let mut line = Line::start(server);
    let answer = line
        .send(&call(1, "slow_sum", json!({"a": 2, "b": 3})))
        .await;
    let handle = &answer["result"];
    assert_eq!(handle["resultType"], "task", "{answer}");
    assert_eq!(handle["status"], "working");
    assert_eq!(handle["ttlMs"], 600_000);
    assert_eq!(handle["pollIntervalMs"], 1000);
    let task = handle["taskId"].as_str().expect("an id").to_owned();

    let done = poll_while(&mut line, &task, "working").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["content"][0]["text"], "5");
    // The client was told as well.
    let told: Vec<&Value> = line
        .seen
        .iter()
        .filter(|m| m["method"] == "notifications/tasks")
        .collect();
    assert!(
        told.iter().any(|m| m["params"]["taskId"] == task.as_str() && m["params"]["status"] == "completed"),
        "{:#?}",
        line.seen
    );
}

#[tokio::test]
async fn without_the_extension_optional_is_an_ordinary_call_and_required_is_refused() {
    let (server, _) = server();
    let mut line = Line::start(server);
    let plain = request(
        1,
        "tools/call",
        json!({"name": "slow_sum", "arguments": {"a": 1, "b": 1}}),
        false,
    );
    let answer = line.send(&plain).await;
    assert_eq!(answer["result"]["content"][0]["text"], "2", "{answer}");

    let refused = request(
        2,
        "tools/call",
        json!({"name": "batch", "arguments": {}}),
        false,
    );
    let answer = line.send(&refused).await;
    assert_eq!(answer["error"]["code"], -32021, "{answer}");
    assert!(
        answer["error"]["data"]["requiredCapabilities"]["extensions"]
            .get("io.modelcontextprotocol/tasks")
            .is_some(),
        "{answer}"
    );
}

#[tokio::test]
async fn cancelling_reaches_the_running_tool() {
    let (server, saw) = server();
    let mut line = Line::start(server);
    let answer = line.send(&call(1, "patient", json!({}))).await;
    let task = task_id(&answer);
    let cancel = request(2, "tasks/cancel", json!({"taskId": task}), true);
    let answer = line.send(&cancel).await;
    assert!(answer.get("result").is_some(), "{answer}");
    let status = line.send(&get(3, &task)).await;
    assert_eq!(status["result"]["status"], "cancelled", "{status}");
    for _ in 0..100 {
        if saw.0.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        saw.0.load(Ordering::SeqCst),
        "the tool saw its cancellation"
    );
    // A cancelled task stays cancelled, and cannot be cancelled again.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let status = line.send(&get(4, &task)).await;
    assert_eq!(status["result"]["status"], "cancelled");
    let again = line
        .send(&request(5, "tasks/cancel", json!({"taskId": task}), true))
        .await;
    assert_eq!(again["error"]["code"], INVALID_PARAMS, "{again}");
    assert!(
        again["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("already ended (cancelled)"),
        "{again}"
    );
}

#[tokio::test]
async fn a_question_inside_a_task_is_answered_with_tasks_update() {
    let (server, _) = server();
    let mut line = Line::start(server);
    let answer = line.send(&call(1, "greet", json!({}))).await;
    let task = task_id(&answer);
    let waiting = poll_while(&mut line, &task, "working").await;
    assert_eq!(waiting["status"], "input_required", "{waiting}");
    let asked = &waiting["inputRequests"]["q0"];
    assert_eq!(asked["method"], "elicitation/create");
    assert_eq!(asked["params"]["message"], "Your name?");

    let update = request(
        2,
        "tasks/update",
        json!({
            "taskId": task,
            "inputResponses": {
                "q0": {"action": "accept", "content": {"name": "Ada"}},
                "q9": {"action": "accept", "content": {"name": "ignored"}}
            }
        }),
        true,
    );
    let answer = line.send(&update).await;
    assert!(answer.get("result").is_some(), "{answer}");
    let done = poll_while(&mut line, &task, "working").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["content"][0]["text"], "hello \"Ada\"");

    // A finished task takes no more answers.
    let late = request(
        3,
        "tasks/update",
        json!({"taskId": task, "inputResponses": {}}),
        true,
    );
    let answer = line.send(&late).await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS, "{answer}");
}

#[tokio::test]
async fn the_result_outlives_the_connection_until_its_time_to_live() {
    let mut settings = mcp_runtime::Settings::default();
    settings.tasks.ttl = Duration::from_secs(2);
    let (server, _) = server_with(settings);
    let mut first = Line::start(server.clone());
    let answer = first
        .send(&call(1, "slow_sum", json!({"a": 20, "b": 22})))
        .await;
    assert_eq!(answer["result"]["ttlMs"], 2000);
    let task = task_id(&answer);
    drop(first);

    // Another connection to the same server finds the result.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut second = Line::start(server);
    let done = second.send(&get(2, &task)).await;
    assert_eq!(done["result"]["status"], "completed", "{done}");
    assert_eq!(done["result"]["result"]["content"][0]["text"], "42");

    // Past its time to live it is gone.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let gone = second.send(&get(3, &task)).await;
    assert_eq!(gone["error"]["code"], INVALID_PARAMS, "{gone}");
    assert!(
        gone["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no task"),
        "{gone}"
    );
}

#[tokio::test]
async fn a_task_runs_past_the_default_tool_timeout_and_the_caps_hold() {
    let mut settings = mcp_runtime::Settings::default();
    settings.timeout.default = Some(mcp_runtime::config::TimeLimit::After(
        Duration::from_millis(50),
    ));
    settings.tasks.max_per_client = 1;
    let (server, _) = server_with(settings);
    let mut line = Line::start(server);
    let answer = line.send(&call(1, "long_haul", json!({}))).await;
    let task = task_id(&answer);

    // One running already: the caller's cap.
    let refused = line
        .send(&call(2, "slow_sum", json!({"a": 1, "b": 2})))
        .await;
    assert_eq!(refused["error"]["code"], -32000, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("max_per_client"),
        "{refused}"
    );

    let done = poll_while(&mut line, &task, "working").await;
    assert_eq!(done["result"]["content"][0]["text"], "made it", "{done}");
    // Its slot is free again.
    let answer = line
        .send(&call(3, "slow_sum", json!({"a": 1, "b": 2})))
        .await;
    assert_eq!(answer["result"]["resultType"], "task", "{answer}");
}

#[tokio::test]
async fn an_unknown_task_is_invalid_params() {
    let (server, _) = server();
    let mut line = Line::start(server);
    let answer = line.send(&get(1, "0123456789abcdef0123456789abcdef")).await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS, "{answer}");
}

/// A store that counts what the server asks of it, over the in-memory one.
#[derive(Clone, Default)]
struct CountingStore {
    inner: Arc<mcp_runtime::tasks::MemoryTaskStore>,
    puts: Arc<std::sync::atomic::AtomicUsize>,
    gets: Arc<std::sync::atomic::AtomicUsize>,
}

impl mcp_runtime::tasks::TaskStore for CountingStore {
    fn put<'a>(
        &'a self,
        record: &'a mcp_runtime::tasks::TaskRecord,
    ) -> mcp_runtime::tasks::BoxFuture<'a, Result<(), mcp_runtime::tasks::TaskStoreError>> {
        self.puts.fetch_add(1, Ordering::SeqCst);
        self.inner.put(record)
    }

    fn get<'a>(
        &'a self,
        task_id: &'a str,
    ) -> mcp_runtime::tasks::BoxFuture<
        'a,
        Result<Option<mcp_runtime::tasks::TaskRecord>, mcp_runtime::tasks::TaskStoreError>,
    > {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.get(task_id)
    }
}

#[tokio::test]
async fn records_go_to_the_store_the_builder_was_given() {
    let store = CountingStore::default();
    let server = Server::builder("stored")
        .task_store(store.clone())
        .tools(tools![slow_sum])
        .build()
        .expect("builds");
    let mut line = Line::start(server);
    let answer = line
        .send(&call(1, "slow_sum", json!({"a": 1, "b": 1})))
        .await;
    let task = task_id(&answer);
    let done = poll_while(&mut line, &task, "working").await;
    assert_eq!(done["status"], "completed");
    assert!(
        store.puts.load(Ordering::SeqCst) >= 2,
        "working, then completed"
    );
    assert!(store.gets.load(Ordering::SeqCst) >= 1);
    let record = store.inner.get(&task).await.expect("reads").expect("kept");
    assert_eq!(record.owner, None);
    assert_eq!(
        serde_json::to_value(&record.task).expect("JSON")["result"]["content"][0]["text"],
        "2"
    );
}

#[tokio::test]
async fn a_task_that_times_out_waiting_says_which_answer_it_lacked() {
    let (server, _) = server();
    let mut line = Line::start(server);
    let answer = line.send(&call(1, "impatient", json!({}))).await;
    let task = task_id(&answer);
    let waiting = poll_while(&mut line, &task, "working").await;
    assert_eq!(waiting["status"], "input_required", "{waiting}");
    let done = poll_while(&mut line, &task, "input_required").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["result"]["isError"], true, "{done}");
    let text = done["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains(
            "timed out after 300ms, waiting for the client's answer to q0 (elicitation/create)"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn a_result_is_kept_a_whole_time_to_live_after_the_task_ends() {
    let mut settings = mcp_runtime::Settings::default();
    settings.tasks.ttl = Duration::from_millis(1000);
    let (server, _) = server_with(settings);
    let mut line = Line::start(server);
    let answer = line.send(&call(1, "long_haul", json!({}))).await;
    let task = task_id(&answer);
    // `long_haul` takes 300 ms; 1.1 s after the start the first time to live is over.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let done = line.send(&get(2, &task)).await;
    assert_eq!(done["result"]["status"], "completed", "{done}");
    let ttl = done["result"]["ttlMs"].as_u64().expect("a ttl");
    assert!(ttl > 1000, "the time to live grew to cover the end: {ttl}");
}

#[tokio::test]
async fn tasks_still_running_when_the_server_stops_fail_with_the_reason() {
    let store = CountingStore::default();
    let server = Server::builder("stopping")
        .task_store(store.clone())
        .state(SawCancel::default())
        .shutdown_grace(Duration::from_millis(200))
        .tools(tools![patient])
        .build()
        .expect("builds");
    let mut line = Line::start(server.clone());
    let answer = line.send(&call(1, "patient", json!({}))).await;
    let task = task_id(&answer);
    server.shutdown().await;
    let record = store.inner.get(&task).await.expect("reads").expect("kept");
    let task = serde_json::to_value(&record.task).expect("JSON");
    // The run counts as a request in flight: the shutdown waits for it through the grace,
    // then answers it, and the task records that answer.
    assert_eq!(task["status"], "failed", "{task}");
    let message = task["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the server stopped before this"),
        "{message}"
    );
}
