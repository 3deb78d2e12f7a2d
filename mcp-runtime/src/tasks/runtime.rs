//! The server's side of tasks: starting a run, and answering `tasks/get`, `tasks/update` and
//! `tasks/cancel`. Records go to the [`TaskStore`]; what cannot leave the process (the run's
//! cancellation, its open questions, the client to notify) stays in `running`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::FutureExt;
use rmcp::model::{
    CallToolResult, CreateTaskResult, DetailedTask, ErrorCode, GetTaskResult, InputRequest,
    InputResponses, JsonObject, ServerNotification, Task, TaskPayload, TaskStatus,
    TaskStatusNotification, TaskStatusNotificationParams,
};
use rmcp::{ErrorData as McpError, Peer, RoleServer};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::{MemoryTaskStore, TaskRecord, TaskStore};
use crate::error::ToolError;
use crate::util::BoxFuture;

/// How long a cancelled run may take to stop on its own before it is dropped.
const CANCEL_GRACE: Duration = Duration::from_secs(1);

/// The limits and timings of tasks.
#[derive(Debug, Clone)]
pub(crate) struct TaskOptions {
    pub(crate) ttl: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) max_per_client: usize,
    pub(crate) max_running: usize,
}

impl Default for TaskOptions {
    fn default() -> Self {
        Self::from_settings(&crate::config::TaskSettings::default())
    }
}

impl TaskOptions {
    /// The options `[tasks]` describes.
    pub(crate) fn from_settings(settings: &crate::config::TaskSettings) -> Self {
        Self {
            ttl: settings.ttl,
            poll_interval: settings.poll_interval,
            max_per_client: settings.max_per_client,
            max_running: settings.max_running,
        }
    }
}

/// In a task's request extensions: the run is bounded by the task's time to live rather than
/// the default tool timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaskRun(pub(crate) Duration);

/// The tasks of one server.
pub(crate) struct Tasks {
    store: Arc<dyn TaskStore>,
    options: TaskOptions,
    running: Mutex<HashMap<String, Running>>,
}

/// What only the running process knows of a task.
struct Running {
    base: Task,
    owner: Option<String>,
    created: SystemTime,
    expires_at: SystemTime,
    cancel: CancellationToken,
    questions: Arc<Questions>,
    peer: Option<Peer<RoleServer>>,
}

/// A task just created: its handle for the client, and what its run needs.
#[derive(Debug)]
pub(crate) struct Begun {
    pub(crate) id: String,
    pub(crate) created: CreateTaskResult,
    pub(crate) cancel: CancellationToken,
    pub(crate) questions: Arc<Questions>,
    pub(crate) run: TaskRun,
}

impl std::fmt::Debug for Tasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tasks")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section is a few map operations: a panic cannot leave a half update.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn store_failed(error: super::TaskStoreError) -> McpError {
    tracing::error!(target: "mcp_runtime::tasks", %error, "task store failed");
    McpError::internal_error(error.to_string(), None)
}

fn no_such_task(id: &str) -> McpError {
    McpError::invalid_params(
        format!("no task `{id}`: it never existed, it expired, or it belongs to another caller"),
        None,
    )
}

/// 128 random bits, as hex.
fn new_task_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        use std::hash::BuildHasher;
        let state = std::collections::hash_map::RandomState::new();
        bytes[..8].copy_from_slice(&state.hash_one(1u8).to_le_bytes());
        bytes[8..].copy_from_slice(&state.hash_one(2u8).to_le_bytes());
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn as_object(value: impl serde::Serialize) -> JsonObject {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => JsonObject::new(),
    }
}

impl Tasks {
    pub(crate) fn new(store: Option<Arc<dyn TaskStore>>, options: TaskOptions) -> Self {
        Self {
            store: store.unwrap_or_else(|| Arc::new(MemoryTaskStore::new())),
            options,
            running: Mutex::default(),
        }
    }

    /// Creates a task for `owner`, unless the caps are reached, and records it as `working`.
    pub(crate) async fn begin(
        self: &Arc<Self>,
        owner: Option<String>,
        peer: Option<Peer<RoleServer>>,
    ) -> Result<Begun, McpError> {
        {
            let running = lock(&self.running);
            let mine = running.values().filter(|r| r.owner == owner).count();
            if mine >= self.options.max_per_client {
                return Err(McpError::new(
                    ErrorCode(-32000),
                    format!(
                        "too many tasks running for this caller ({mine}, `tasks.max_per_client`): \
                         wait for one to finish, or cancel one"
                    ),
                    None,
                ));
            }
            if running.len() >= self.options.max_running {
                return Err(McpError::new(
                    ErrorCode(-32000),
                    format!(
                        "the server runs as many tasks as it may ({}, `tasks.max_running`): try \
                         again later",
                        running.len()
                    ),
                    None,
                ));
            }
        }
        let now = SystemTime::now();
        self.store.purge_expired(now).await.map_err(store_failed)?;
        let id = new_task_id();
        let stamp = rmcp::task_manager::current_timestamp();
        let base = Task::new(id.clone(), TaskStatus::Working, stamp.clone(), stamp)
            .with_ttl_ms(self.options.ttl.as_millis() as u64)
            .with_poll_interval_ms(self.options.poll_interval.as_millis() as u64);
        let expires_at = now + self.options.ttl;
        let record = TaskRecord::new(
            DetailedTask::new(base.clone(), TaskPayload::Working),
            owner.clone(),
            expires_at,
        );
        self.store.put(&record).await.map_err(store_failed)?;
        let cancel = CancellationToken::new();
        let questions = Arc::new(Questions {
            task_id: id.clone(),
            tasks: Arc::downgrade(self),
            open: Mutex::default(),
        });
        lock(&self.running).insert(
            id.clone(),
            Running {
                base: base.clone(),
                owner,
                created: now,
                expires_at,
                cancel: cancel.clone(),
                questions: questions.clone(),
                peer,
            },
        );
        Ok(Begun {
            id,
            created: CreateTaskResult::new(base),
            cancel,
            questions,
            run: TaskRun(self.options.ttl),
        })
    }

    /// Runs the task's call in the background; its outcome becomes the task's result.
    pub(crate) fn spawn(
        self: &Arc<Self>,
        id: String,
        cancel: CancellationToken,
        call: BoxFuture<'static, Result<CallToolResult, McpError>>,
    ) {
        let tasks = self.clone();
        tokio::spawn(async move {
            let run = std::panic::AssertUnwindSafe(call).catch_unwind();
            let payload = tokio::select! {
                outcome = run => match outcome {
                    Ok(Ok(result)) => TaskPayload::Completed { result: as_object(result) },
                    Ok(Err(error)) => TaskPayload::Failed { error: as_object(error) },
                    Err(_) => TaskPayload::Failed {
                        error: as_object(McpError::internal_error("the task's run panicked", None)),
                    },
                },
                // The tool sees the cancellation (`Ctx::cancellation_token`) and has a moment
                // to stop on its own before its run is dropped.
                () = async {
                    cancel.cancelled().await;
                    tokio::time::sleep(CANCEL_GRACE).await;
                } => TaskPayload::Cancelled,
            };
            tasks.finish(&id, payload).await;
        });
    }

    /// Records the task's last status and lets go of its run.
    async fn finish(&self, id: &str, payload: TaskPayload) {
        let Some(running) = lock(&self.running).remove(id) else {
            return;
        };
        // A task cancelled while it finished stays cancelled.
        let payload = if running.cancel.is_cancelled() {
            TaskPayload::Cancelled
        } else {
            payload
        };
        let running = self.kept_after_end(running);
        self.record(&running, payload, None).await;
    }

    /// A task that ended is kept a whole time to live from now, so a result that took most of
    /// it is not forgotten at once (its `ttlMs`, counted from its creation, grows to match).
    fn kept_after_end(&self, mut running: Running) -> Running {
        let now = SystemTime::now();
        let expires_at = now + self.options.ttl;
        if expires_at > running.expires_at {
            let since_creation = expires_at
                .duration_since(running.created)
                .unwrap_or(self.options.ttl);
            running.base.ttl_ms = Some(since_creation.as_millis() as u64);
            running.expires_at = expires_at;
        }
        running
    }

    /// The server is stopping: every task still running fails with `-32603`, so a client
    /// polling it (from another replica with a shared store) learns it at once.
    pub(crate) async fn abandon_all(&self) {
        let running: Vec<Running> = lock(&self.running).drain().map(|(_, r)| r).collect();
        for running in running {
            running.cancel.cancel();
            let error =
                McpError::internal_error("the server stopped before this task finished", None);
            let running = self.kept_after_end(running);
            self.record(
                &running,
                TaskPayload::Failed {
                    error: as_object(error),
                },
                None,
            )
            .await;
        }
    }

    /// Saves the task's state and tells the client, if it is still connected.
    async fn record(&self, running: &RunningView, payload: TaskPayload, message: Option<&str>) {
        let mut base = running.base.clone();
        base.last_updated_at = rmcp::task_manager::current_timestamp();
        if let Some(message) = message {
            base = base.with_status_message(message);
        }
        let task = DetailedTask::new(base, payload);
        let record = TaskRecord::new(task.clone(), running.owner.clone(), running.expires_at);
        if let Err(error) = self.store.put(&record).await {
            tracing::error!(target: "mcp_runtime::tasks", %error, task = record.id(), "task store failed");
        }
        if let Some(peer) = &running.peer {
            let params = TaskStatusNotificationParams::new(task);
            let notification = TaskStatusNotification::new(params);
            // The client may have gone: the record is what counts.
            let _ = peer
                .send_notification(ServerNotification::TaskStatusNotification(notification))
                .await;
        }
    }

    /// The record of task `id`, if `caller` may see it.
    async fn visible(&self, id: &str, caller: Option<&str>) -> Result<TaskRecord, McpError> {
        let record = self.store.get(id).await.map_err(store_failed)?;
        match record {
            Some(record)
                if record.expires_at > SystemTime::now()
                    && (record.owner.is_none() || record.owner.as_deref() == caller) =>
            {
                Ok(record)
            }
            _ => Err(no_such_task(id)),
        }
    }

    /// `tasks/get`.
    pub(crate) async fn get(
        &self,
        id: &str,
        caller: Option<&str>,
    ) -> Result<GetTaskResult, McpError> {
        Ok(GetTaskResult::new(self.visible(id, caller).await?.task))
    }

    /// `tasks/cancel`: the run stops (its future is dropped; its `Ctx` sees the cancellation
    /// first) and the task is `cancelled` at once.
    pub(crate) async fn cancel(&self, id: &str, caller: Option<&str>) -> Result<(), McpError> {
        let record = self.visible(id, caller).await?;
        let running = lock(&self.running).remove(id);
        let Some(running) = running else {
            let status = record.task.status();
            return Err(McpError::invalid_params(
                format!("task `{id}` already ended ({})", status_word(status)),
                None,
            ));
        };
        running.cancel.cancel();
        self.record(
            &running.view(),
            TaskPayload::Cancelled,
            Some("cancelled by the client"),
        )
        .await;
        Ok(())
    }

    /// `tasks/update`: answers the task's open questions (keys it did not ask are ignored).
    pub(crate) async fn update(
        &self,
        id: &str,
        caller: Option<&str>,
        responses: InputResponses,
    ) -> Result<(), McpError> {
        let record = self.visible(id, caller).await?;
        let questions = lock(&self.running).get(id).map(|r| r.questions.clone());
        let Some(questions) = questions else {
            return Err(McpError::invalid_params(
                format!(
                    "task `{id}` is not waiting for input ({})",
                    status_word(record.task.status())
                ),
                None,
            ));
        };
        questions.answer(responses);
        self.publish(id).await;
        Ok(())
    }

    /// Records the running task's status: `input_required` with its open questions, or
    /// `working`.
    async fn publish(&self, id: &str) {
        let view = lock(&self.running).get(id).map(Running::view);
        let Some(view) = view else {
            return;
        };
        let open = view.questions.open_requests();
        let payload = if open.is_empty() {
            TaskPayload::Working
        } else {
            TaskPayload::InputRequired {
                input_requests: open,
            }
        };
        self.record(&view, payload, None).await;
    }
}

/// A copy of what [`Tasks::record`] needs of a running task (taken out of the lock).
type RunningView = Running;

impl Running {
    fn view(&self) -> RunningView {
        Running {
            base: self.base.clone(),
            owner: self.owner.clone(),
            created: self.created,
            expires_at: self.expires_at,
            cancel: self.cancel.clone(),
            questions: self.questions.clone(),
            peer: self.peer.clone(),
        }
    }
}

fn status_word(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Working => "working",
        TaskStatus::InputRequired => "input_required",
        TaskStatus::Completed => "completed",
        TaskStatus::Failed => "failed",
        TaskStatus::Cancelled => "cancelled",
        _ => "in another state",
    }
}

/// The questions a running task asked the client, answered by `tasks/update`.
pub(crate) struct Questions {
    task_id: String,
    tasks: std::sync::Weak<Tasks>,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    next: usize,
    waiting: BTreeMap<String, (InputRequest, oneshot::Sender<Value>)>,
}

impl std::fmt::Debug for Questions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Questions")
            .field("task_id", &self.task_id)
            .finish_non_exhaustive()
    }
}

impl Questions {
    /// Asks the client `request` and waits for its answer (bounded by the run's own bound: the
    /// task's time to live, or the tool's timeout).
    pub(crate) async fn ask(&self, request: InputRequest) -> Result<Value, ToolError> {
        let (answer, answered) = oneshot::channel();
        {
            let mut open = lock(&self.open);
            let key = format!("q{}", open.next);
            open.next += 1;
            open.waiting.insert(key, (request, answer));
        }
        if let Some(tasks) = self.tasks.upgrade() {
            tasks.publish(&self.task_id).await;
        }
        answered
            .await
            .map_err(|_| ToolError::new("the task ended before the client answered"))
    }

    fn answer(&self, mut responses: InputResponses) {
        let mut open = lock(&self.open);
        let keys: Vec<String> = open.waiting.keys().cloned().collect();
        for key in keys {
            if let Some(value) = responses.remove(&key)
                && let Some((_, answer)) = open.waiting.remove(&key)
            {
                let _ = answer.send(value);
            }
        }
    }

    /// The questions still waiting for the client, as `q0 (elicitation/create)`, if any.
    pub(crate) fn waiting_for(&self) -> Option<String> {
        let open = lock(&self.open);
        let waiting: Vec<String> = (open.waiting.iter())
            .map(|(key, (request, _))| {
                let method = match request {
                    InputRequest::Elicitation(_) => "elicitation/create",
                    InputRequest::CreateMessage(_) => "sampling/createMessage",
                    _ => "roots/list",
                };
                format!("{key} ({method})")
            })
            .collect();
        (!waiting.is_empty()).then(|| waiting.join(", "))
    }

    fn open_requests(&self) -> rmcp::model::InputRequests {
        lock(&self.open)
            .waiting
            .iter()
            .map(|(key, (request, _))| (key.clone(), request.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(max_per_client: usize, max_running: usize) -> Arc<Tasks> {
        let options = TaskOptions {
            max_per_client,
            max_running,
            ..TaskOptions::default()
        };
        Arc::new(Tasks::new(None, options))
    }

    #[tokio::test]
    async fn a_task_is_seen_only_by_its_owner() {
        let tasks = tasks(4, 8);
        let begun = tasks.begin(Some("alice".into()), None).await.unwrap();
        assert!(tasks.get(&begun.id, Some("alice")).await.is_ok());
        for other in [Some("bob"), None] {
            let error = tasks.get(&begun.id, other).await.unwrap_err();
            assert!(error.message.contains("no task"), "{}", error.message);
            assert!(tasks.cancel(&begun.id, other).await.is_err());
        }
        let anonymous = tasks.begin(None, None).await.unwrap();
        assert!(tasks.get(&anonymous.id, None).await.is_ok());
        assert!(
            tasks.get(&anonymous.id, Some("bob")).await.is_ok(),
            "no owner: the id is the key"
        );
    }

    #[tokio::test]
    async fn running_tasks_are_capped_per_caller_and_in_all() {
        let tasks = tasks(2, 3);
        for _ in 0..2 {
            tasks.begin(Some("alice".into()), None).await.unwrap();
        }
        let error = tasks.begin(Some("alice".into()), None).await.unwrap_err();
        assert!(
            error.message.contains("max_per_client"),
            "{}",
            error.message
        );
        tasks.begin(Some("bob".into()), None).await.unwrap();
        let error = tasks.begin(Some("carol".into()), None).await.unwrap_err();
        assert!(error.message.contains("max_running"), "{}", error.message);
    }

    #[tokio::test]
    async fn ids_are_unguessable_and_distinct() {
        let tasks = tasks(100, 100);
        let mut ids = std::collections::HashSet::new();
        for _ in 0..50 {
            let id = tasks.begin(None, None).await.unwrap().id;
            assert_eq!(id.len(), 32);
            assert!(ids.insert(id));
        }
    }
}
