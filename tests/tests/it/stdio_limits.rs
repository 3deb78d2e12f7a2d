//! The byte-stream transport's bounds as set on the builder (`StdioLimits`): a line over the
//! cap is refused by id-less `-32600` and the session goes on; past the in-flight cap no more
//! input is read until an answer goes out.

use std::time::Duration;

use mcp_runtime::StdioLimits;
use mcp_runtime::prelude::*;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf};

use crate::support::gate::*;

type Answers = Lines<BufReader<ReadHalf<DuplexStream>>>;

async fn next(answers: &mut Answers) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(10), answers.next_line())
        .await
        .expect("an answer in time")
        .expect("readable")
        .expect("the server still serves");
    serde_json::from_str(&line).expect("JSON")
}

#[tokio::test]
async fn the_builders_stdio_limits_bound_lines_and_requests_in_flight() {
    let (gate, mut started_rx) = Gate::new();
    let server = Server::builder("bounded")
        .tools(tools![hold])
        .state(gate)
        .stdio_limits(StdioLimits::default().max_in_flight(2).max_line(512))
        .build()
        .expect("builds");
    let gate = server.state::<Gate>().expect("the gate");
    let (client, io) = tokio::io::duplex(1 << 16);
    let serving = tokio::spawn(server.serve(io));
    let (read, mut write) = tokio::io::split(client);
    let mut answers = BufReader::new(read).lines();
    write
        .write_all(
            concat!(
                r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#,
                "\n",
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                "\n"
            )
            .as_bytes(),
        )
        .await
        .expect("writes");
    assert_eq!(next(&mut answers).await["id"], 0);

    // A line over 512 bytes.
    let long = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(600)
    );
    write.write_all(long.as_bytes()).await.expect("writes");
    let refused = next(&mut answers).await;
    assert_eq!(refused["error"]["code"], -32600, "{refused}");

    // Three calls: two run, the third waits until one is answered.
    for n in 1..=3 {
        let call = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"tools/call\",\"params\":{{\"name\":\"hold\",\"arguments\":{{\"n\":{n}}}}}}}\n",
            10 + n
        );
        write.write_all(call.as_bytes()).await.expect("writes");
    }
    let mut running = vec![started_rx.recv().await, started_rx.recv().await];
    running.sort();
    assert_eq!(running, vec![Some(1), Some(2)]);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), started_rx.recv())
            .await
            .is_err(),
        "a third call started past the in-flight cap"
    );
    gate.release.add_permits(1);
    let first = next(&mut answers).await;
    assert!(
        [11, 12].contains(&first["id"].as_i64().unwrap_or_default()),
        "{first}"
    );
    assert_eq!(
        started_rx.recv().await,
        Some(3),
        "started once an answer went out"
    );
    gate.release.add_permits(2);
    next(&mut answers).await;
    next(&mut answers).await;
    drop(write);
    drop(answers);
    serving.await.expect("no panic").expect("ends cleanly");
}
