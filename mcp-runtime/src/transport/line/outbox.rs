//! The writing half: messages are serialized once, straight into one shared buffer, and a
//! writer task writes whatever has gathered with one write (and one flush) per batch. Sending
//! never waits for the client; reading waits instead, when too much is left unread
//! ([`Outbox::wait_below`]).

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// A write buffer that grew past this is given back after its batch.
const KEEP_CAPACITY: usize = 1 << 20;

/// Messages serialized and not yet written.
#[derive(Default)]
pub(super) struct Outbox {
    state: Mutex<State>,
    /// Something was added (or the outbox closed).
    ready: Notify,
    /// A batch was written (or writing failed).
    drained: Notify,
}

#[derive(Default)]
struct State {
    /// Serialized messages, one per line, waiting for the writer.
    buf: Vec<u8>,
    /// Bytes the writer is writing now.
    writing: usize,
    /// No more messages: the writer writes what is left and stops.
    closed: bool,
    /// Writing failed (the client closed its end): nothing more can be sent.
    broken: bool,
}

impl Outbox {
    fn state(&self) -> MutexGuard<'_, State> {
        // The lock guards plain buffers that no code panics while holding.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Serializes `message` as one line at the end of the buffer; the line's length, without
    /// its newline.
    pub(super) fn push<T: Serialize + ?Sized>(&self, message: &T) -> std::io::Result<usize> {
        self.push_with(|buf| serde_json::to_writer(buf, message).map_err(Into::into))
    }

    /// Adds one line that `write` writes (without its newline) at the end of the buffer; what
    /// it wrote is taken back if it fails. The line's length, without its newline.
    pub(super) fn push_with(
        &self,
        write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::io::Result<usize> {
        let mut state = self.state();
        if state.broken || state.closed {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "the transport is closed",
            ));
        }
        let mark = state.buf.len();
        if let Err(error) = write(&mut state.buf) {
            state.buf.truncate(mark);
            return Err(error);
        }
        let len = state.buf.len() - mark;
        state.buf.push(b'\n');
        drop(state);
        if mark == 0 {
            self.ready.notify_one();
        }
        Ok(len)
    }

    /// Waits until fewer than `limit` bytes wait to be written (or nothing more can be).
    pub(super) async fn wait_below(&self, limit: usize) {
        loop {
            let drained = self.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            {
                let state = self.state();
                if state.buf.len() + state.writing < limit || state.broken {
                    return;
                }
            }
            drained.await;
        }
    }

    /// No more messages: the writer writes what is left, then stops.
    pub(super) fn close(&self) {
        self.state().closed = true;
        self.ready.notify_one();
    }

    /// The writer: writes each batch that gathered, until closed and empty or until a write
    /// fails.
    pub(super) async fn write_out(&self, mut out: Box<dyn AsyncWrite + Send + Unpin>) {
        let mut batch = Vec::new();
        loop {
            {
                let mut state = self.state();
                if !state.buf.is_empty() {
                    std::mem::swap(&mut state.buf, &mut batch);
                    state.writing = batch.len();
                } else if state.closed {
                    break;
                }
            }
            if batch.is_empty() {
                self.ready.notified().await;
                continue;
            }
            let written = match out.write_all(&batch).await {
                Ok(()) => out.flush().await,
                Err(error) => Err(error),
            };
            batch.clear();
            if batch.capacity() > KEEP_CAPACITY {
                batch = Vec::new();
            }
            {
                let mut state = self.state();
                state.writing = 0;
                if written.is_err() {
                    state.broken = true;
                    state.buf = Vec::new();
                }
            }
            self.drained.notify_waiters();
            if let Err(error) = written {
                tracing::debug!(%error, "the client stopped reading; nothing more is sent");
                break;
            }
        }
    }

    /// Bytes serialized and not yet written.
    #[cfg(test)]
    pub(super) fn pending_bytes(&self) -> usize {
        let state = self.state();
        state.buf.len() + state.writing
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test]
    async fn messages_are_written_as_lines_in_order() {
        let outbox = Arc::new(Outbox::default());
        let (client, server) = tokio::io::duplex(64);
        let writer = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.write_out(Box::new(server)).await }
        });
        for i in 0..100 {
            outbox.push(&serde_json::json!({ "n": i })).expect("open");
        }
        outbox.close();
        let mut text = String::new();
        let mut client = client;
        client.read_to_string(&mut text).await.expect("readable");
        writer.await.expect("the writer ends");
        let numbers: Vec<i64> = text
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).expect("a line")["n"]
                    .as_i64()
                    .expect("n")
            })
            .collect();
        assert_eq!(numbers, (0..100).collect::<Vec<_>>());
        assert_eq!(outbox.pending_bytes(), 0);
        assert!(outbox.push(&1).is_err(), "closed");
    }

    #[tokio::test]
    async fn a_reader_waits_while_the_client_does_not_read() {
        let outbox = Arc::new(Outbox::default());
        let (mut client, server) = tokio::io::duplex(16);
        tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.write_out(Box::new(server)).await }
        });
        outbox.push(&"x".repeat(1000)).expect("open");
        // More than the limit waits: the duplex holds 16 bytes and nobody reads.
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), outbox.wait_below(100))
                .await;
        assert!(
            waited.is_err(),
            "still {} bytes to write",
            outbox.pending_bytes()
        );
        let mut sink = vec![0; 2000];
        let reading = tokio::spawn(async move {
            let mut total = 0;
            while total < 1003 {
                total += client.read(&mut sink).await.expect("readable");
            }
        });
        outbox.wait_below(100).await;
        reading.await.expect("read it all");
        assert_eq!(outbox.pending_bytes(), 0);
    }

    #[tokio::test]
    async fn a_closed_client_breaks_the_outbox_instead_of_blocking() {
        let outbox = Arc::new(Outbox::default());
        let (client, server) = tokio::io::duplex(16);
        drop(client);
        let writer = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.write_out(Box::new(server)).await }
        });
        outbox.push(&"message").expect("open until the write fails");
        writer.await.expect("the writer stops");
        assert!(outbox.push(&"more").is_err());
        outbox.wait_below(1).await;
    }
}
