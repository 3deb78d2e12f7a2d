//! Lifespan: startup hooks that build state once, shutdown hooks, graceful draining.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// A connection pool, built by a startup hook.
struct Pool {
    id: usize,
}

/// Which pool served the call.
#[tool]
async fn which_pool(pool: State<Pool>) -> usize {
    pool.id
}

/// What happened, in order, as the server saw it.
#[derive(Default, Clone)]
struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    fn push(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }
    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Sleeps, then answers.
#[tool]
async fn slow(events: State<Events>, millis: u64) -> String {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    events.push("tool finished");
    "done".to_owned()
}

#[tokio::test]
async fn startup_hooks_build_state_once_for_every_session() {
    let starts = Arc::new(AtomicUsize::new(0));
    let counter = starts.clone();
    let server = Server::builder("t")
        .on_startup(move || async move {
            let id = counter.fetch_add(1, Ordering::SeqCst) + 41;
            Ok::<_, std::io::Error>(Pool { id })
        })
        .tools(tools![which_pool])
        .build()
        .expect("State<Pool> is promised by the startup hook, so build() accepts it");
    assert!(!server.is_ready());
    let first = TestClient::new(server.clone()).await;
    let second = TestClient::new(server.clone()).await;
    assert!(server.is_ready());
    for client in [&first, &second] {
        let result = client.call_tool("which_pool", json!({})).await.unwrap();
        assert_eq!(result.json::<usize>().unwrap(), 41);
    }
    assert_eq!(
        starts.load(Ordering::SeqCst),
        1,
        "the hook ran more than once"
    );
}

#[tokio::test]
async fn a_failing_startup_hook_stops_the_server_and_names_the_state() {
    let server = Server::builder("t")
        .on_startup(|| async { Err::<Pool, _>("connection refused") })
        .tools(tools![which_pool])
        .build()
        .unwrap();
    let error = server.start().await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("lifespan::Pool"), "{message}");
    assert!(message.contains("connection refused"), "{message}");
    assert!(TestClient::connect(server.clone()).await.is_err());
    assert!(!server.is_ready());
}

#[tokio::test]
async fn shutdown_drains_in_flight_requests_then_runs_the_hooks() {
    let events = Events::default();
    let log = events.clone();
    let server = Server::builder("t")
        .state(events.clone())
        .on_shutdown(move |server: Server| async move {
            log.push(format!("hook, {} in flight", server.in_flight()));
        })
        .tools(tools![slow])
        .build()
        .unwrap();
    let client = Arc::new(TestClient::new(server.clone()).await);
    let call = {
        let client = client.clone();
        tokio::spawn(async move { client.call_tool("slow", json!({"millis": 200})).await })
    };
    // Let the call reach the server.
    for _ in 0..100 {
        if server.in_flight() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(server.in_flight(), 1);
    assert_eq!(server.shutdown().await, 0, "nothing was abandoned");
    assert!(server.is_stopping());
    // The tool finished before the hooks ran, and its answer reached the client.
    assert_eq!(events.all(), ["tool finished", "hook, 0 in flight"]);
    assert_eq!(call.await.unwrap().unwrap().text(), "done");
    // The hooks run once.
    server.shutdown().await;
    assert_eq!(events.all().len(), 2);
}

#[tokio::test]
async fn the_grace_period_bounds_the_wait() {
    let server = Server::builder("t")
        .state(Events::default())
        .shutdown_grace(Duration::from_millis(50))
        .tools(tools![slow])
        .build()
        .unwrap();
    let client = Arc::new(TestClient::new(server.clone()).await);
    let call = {
        let client = client.clone();
        tokio::spawn(async move { client.call_tool("slow", json!({"millis": 2000})).await })
    };
    for _ in 0..100 {
        if server.in_flight() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = std::time::Instant::now();
    assert_eq!(server.shutdown().await, 1, "one request was abandoned");
    assert!(started.elapsed() < Duration::from_millis(1500));
    // The abandoned call is answered, not left waiting.
    let answer = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .expect("the abandoned call is answered")
        .expect("the call task");
    let error = answer.expect_err("an error answer");
    assert!(
        error
            .to_string()
            .contains("stopped before this request finished"),
        "{error}"
    );
}

/// The state a startup hook built.
struct Started;

#[tokio::test]
async fn a_one_shot_command_runs_the_startup_and_shutdown_hooks_once() {
    let events = Events::default();
    let (up, down) = (events.clone(), events.clone());
    let server = Server::builder("t")
        .state(events.clone())
        .on_startup(move || async move {
            up.push("startup");
            Ok::<_, std::io::Error>(Started)
        })
        .on_shutdown(move |_: Server| async move {
            down.push("shutdown");
        })
        .tools(tools![slow])
        .build()
        .unwrap();
    server
        .clone()
        .run_with_args(["server", "call", "slow", r#"{"millis": 1}"#])
        .await
        .expect("the call succeeds");
    assert_eq!(events.all(), ["startup", "tool finished", "shutdown"]);
    assert!(server.is_stopping());
}
