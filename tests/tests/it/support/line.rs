//! A stdio session driven line by line: write a JSON-RPC message, read until its answer.

use mcp_runtime::Server;
use serde_json::Value;

/// Writes each line to a stdio session in turn and reads its answer.
pub struct Line {
    /// The messages read that answered nothing sent (notifications, other answers).
    pub seen: Vec<Value>,
    write: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    read: tokio::io::Lines<tokio::io::BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
}

impl Line {
    pub fn start(server: Server) -> Self {
        use tokio::io::AsyncBufReadExt;
        let (client, io) = tokio::io::duplex(1 << 16);
        tokio::spawn(server.serve(io));
        let (read, write) = tokio::io::split(client);
        Line {
            seen: Vec::new(),
            write,
            read: tokio::io::BufReader::new(read).lines(),
        }
    }

    /// Writes `message` without waiting for anything.
    pub async fn write(&mut self, message: &Value) {
        use tokio::io::AsyncWriteExt;
        let line = format!("{message}\n");
        self.write.write_all(line.as_bytes()).await.expect("writes");
    }

    /// The next message the server writes, if one comes within `wait`.
    pub async fn next(&mut self, wait: std::time::Duration) -> Option<Value> {
        let line = tokio::time::timeout(wait, self.read.next_line())
            .await
            .ok()?;
        let line = line.expect("readable")?;
        Some(serde_json::from_str(&line).expect("JSON"))
    }

    pub async fn send(&mut self, message: &Value) -> Value {
        use tokio::io::AsyncWriteExt;
        let line = format!("{message}\n");
        self.write.write_all(line.as_bytes()).await.expect("writes");
        loop {
            let line =
                tokio::time::timeout(std::time::Duration::from_secs(10), self.read.next_line())
                    .await
                    .expect("answered in time")
                    .expect("readable")
                    .expect("a line");
            let answer: Value = serde_json::from_str(&line).expect("JSON");
            if answer.get("id") == message.get("id") {
                return answer;
            }
            self.seen.push(answer);
        }
    }
}
