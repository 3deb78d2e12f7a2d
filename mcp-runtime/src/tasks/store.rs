//! Where task records live: the [`TaskStore`] trait and its in-memory default.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use rmcp::model::DetailedTask;
use serde::{Deserialize, Serialize};

use crate::util::BoxFuture;

/// One task as a store keeps it: its state (status, and its result or error once done), who
/// owns it and when it expires. Serializable, so a shared store can keep it as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskRecord {
    /// The task as `tasks/get` returns it.
    pub task: DetailedTask,
    /// The token subject of the caller that created it, when authenticated.
    pub owner: Option<String>,
    /// When the store may forget it.
    pub expires_at: SystemTime,
}

impl TaskRecord {
    /// A record of `task`, owned by `owner`, kept until `expires_at`.
    pub fn new(task: DetailedTask, owner: Option<String>, expires_at: SystemTime) -> Self {
        Self {
            task,
            owner,
            expires_at,
        }
    }

    /// The task's id.
    pub fn id(&self) -> &str {
        &self.task.task.task_id
    }
}

/// A store failed (a shared store's connection, say). The caller gets `-32603` with the
/// message; the server logs it.
#[derive(Debug)]
pub struct TaskStoreError(Box<dyn std::error::Error + Send + Sync>);

impl TaskStoreError {
    /// Wraps the store's own error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for TaskStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the task store failed: {}", self.0)
    }
}

impl std::error::Error for TaskStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Keeps task records: the server puts a record when a task starts and at each change of
/// status, reads it for `tasks/get`, and forgets it after its `expires_at`.
///
/// A store that expires entries itself (a Redis `SET … PXAT`) may leave
/// [`purge_expired`](Self::purge_expired) as it is; `get` must not return a record past its
/// `expires_at` either way (the server also checks).
pub trait TaskStore: Send + Sync + 'static {
    /// Saves `record`, replacing any record with its id.
    fn put<'a>(&'a self, record: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>>;

    /// The record with id `task_id`, if there is one.
    fn get<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>>;

    /// Forgets the records that expired before `now`.
    fn purge_expired(&self, now: SystemTime) -> BoxFuture<'_, Result<(), TaskStoreError>> {
        let _ = now;
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The default [`TaskStore`]: records in this process's memory, forgotten when they expire
/// (the server purges on each new task) or when the process exits.
#[derive(Debug, Default)]
pub struct MemoryTaskStore {
    records: Mutex<HashMap<String, TaskRecord>>,
}

impl MemoryTaskStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn records(&self) -> std::sync::MutexGuard<'_, HashMap<String, TaskRecord>> {
        // Each operation is one map call: a panic cannot leave the map half-updated.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TaskStore for MemoryTaskStore {
    fn put<'a>(&'a self, record: &'a TaskRecord) -> BoxFuture<'a, Result<(), TaskStoreError>> {
        self.records()
            .insert(record.id().to_owned(), record.clone());
        Box::pin(std::future::ready(Ok(())))
    }

    fn get<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<TaskRecord>, TaskStoreError>> {
        let record = self
            .records()
            .get(task_id)
            .filter(|record| record.expires_at > SystemTime::now())
            .cloned();
        Box::pin(std::future::ready(Ok(record)))
    }

    fn purge_expired(&self, now: SystemTime) -> BoxFuture<'_, Result<(), TaskStoreError>> {
        self.records().retain(|_, record| record.expires_at > now);
        Box::pin(std::future::ready(Ok(())))
    }
}
