//! Lifespan: state built once per process by async startup hooks, shutdown hooks, and a
//! graceful stop that drains in-flight requests.
//!
//! ```no_run
//! use mcp_runtime::prelude::*;
//!
//! struct Pool; // a database pool, an HTTP client…
//! impl Pool {
//!     async fn connect() -> Result<Pool, std::io::Error> { Ok(Pool) }
//!     async fn close(&self) {}
//! }
//!
//! /// Uses the pool.
//! #[tool]
//! async fn query(pool: State<Pool>) -> String { "ok".into() }
//!
//! # async fn run() -> Result<(), mcp_runtime::Error> {
//! Server::builder("db")
//!     .on_startup(Pool::connect) // its `Pool` is the `State<Pool>` of every component
//!     .on_shutdown(|server: Server| async move {
//!         if let Some(pool) = server.state::<Pool>() {
//!             pool.close().await;
//!         }
//!     })
//!     .tools(tools![query])
//!     .build()? // `State<Pool>` is known to come from the startup hook
//!     .run()    // startup, serve, and on SIGINT/SIGTERM/EOF: drain, then shutdown
//!     .await
//! # }
//! ```

use std::any::{Any, TypeId};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OnceCell};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::Error;
use crate::server::Server;
use crate::util::BoxFuture;

/// A startup hook: produces one state value (type-erased) or an error message.
pub(crate) type StartupHook = Box<
    dyn FnOnce() -> BoxFuture<'static, Result<(TypeId, Arc<dyn Any + Send + Sync>), String>> + Send,
>;

/// A shutdown hook.
pub(crate) type ShutdownHook = Box<dyn FnOnce(Server) -> BoxFuture<'static, ()> + Send>;

/// Wraps a user's startup function.
pub(crate) fn startup_hook<T, E, F, Fut>(hook: F) -> StartupHook
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + Sync + 'static,
    E: std::fmt::Display,
{
    Box::new(move || {
        Box::pin(async move {
            match hook().await {
                Ok(value) => Ok((
                    TypeId::of::<T>(),
                    Arc::new(value) as Arc<dyn Any + Send + Sync>,
                )),
                Err(error) => Err(format!(
                    "the startup hook for `{}` failed: {error}",
                    std::any::type_name::<T>()
                )),
            }
        })
    })
}

/// Wraps a user's shutdown function.
pub(crate) fn shutdown_hook<F, Fut>(hook: F) -> ShutdownHook
where
    F: FnOnce(Server) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Box::new(move |server| Box::pin(hook(server)))
}

/// A server's lifespan state.
pub(crate) struct Lifespan {
    startup: Mutex<Vec<StartupHook>>,
    started: OnceCell<Result<(), String>>,
    shutdown: Mutex<Vec<ShutdownHook>>,
    pub(crate) grace: Duration,
    stopping: AtomicBool,
    /// Cancelled when the grace period is over: requests still in flight are answered with an
    /// error instead of being dropped unanswered.
    pub(crate) abandon: CancellationToken,
    /// Cancelled when the server starts stopping: open-ended requests (`subscriptions/listen`)
    /// end at once, so the drain does not wait for them.
    pub(crate) stopping_token: CancellationToken,
    in_flight: AtomicUsize,
    idle: Notify,
    /// Mounted servers, by prefix, in mount order.
    children: Vec<(String, Server)>,
}

impl Lifespan {
    pub(crate) fn new(
        startup: Vec<StartupHook>,
        shutdown: Vec<ShutdownHook>,
        grace: Duration,
        children: Vec<(String, Server)>,
    ) -> Self {
        Self {
            startup: Mutex::new(startup),
            started: OnceCell::new(),
            shutdown: Mutex::new(shutdown),
            grace,
            stopping: AtomicBool::new(false),
            abandon: CancellationToken::new(),
            stopping_token: CancellationToken::new(),
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
            children,
        }
    }

    /// Counts a request as in flight until the guard drops.
    pub(crate) fn track(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

/// A request in flight.
pub(crate) struct InFlight(Arc<Lifespan>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl Server {
    /// Runs the startup hooks, once per server (clones share it), filling the state they
    /// produce, then those of mounted servers, in mount order. Serving calls this; call it
    /// yourself to fail fast before serving.
    pub async fn start(&self) -> Result<(), Error> {
        let lifespan = self.lifespan();
        let outcome = lifespan
            .started
            .get_or_init(|| async {
                let hooks = std::mem::take(
                    &mut *lifespan
                        .startup
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner),
                );
                for hook in hooks {
                    let (type_id, value) = hook().await?;
                    self.shared().state.fill(type_id, value);
                }
                for (prefix, child) in &lifespan.children {
                    Box::pin(child.start()).await.map_err(|error| {
                        let error = match error {
                            Error::Startup(message) => message,
                            other => other.to_string(),
                        };
                        format!(
                            "the server mounted as `{prefix}` (`{}`) failed to start: {error}",
                            child.name()
                        )
                    })?;
                }
                tracing::debug!(server = self.name(), "startup hooks done");
                Ok(())
            })
            .await;
        outcome.clone().map_err(Error::Startup)
    }

    /// How long [`shutdown`](Self::shutdown) waits for requests in flight.
    pub fn shutdown_grace(&self) -> std::time::Duration {
        self.lifespan().grace
    }

    /// Whether the startup hooks have finished successfully.
    pub fn is_ready(&self) -> bool {
        matches!(self.lifespan().started.get(), Some(Ok(())))
    }

    /// How many requests are being handled right now.
    pub fn in_flight(&self) -> usize {
        self.lifespan().in_flight.load(Ordering::Acquire)
    }

    /// Stops gracefully: waits for in-flight requests (up to the grace period set with
    /// [`ServerBuilder::shutdown_grace`](crate::ServerBuilder::shutdown_grace), 10 seconds by
    /// default; those still running near its end are answered with an error, "the server
    /// stopped before this request finished"), then runs the shutdown hooks of mounted servers
    /// (in reverse mount order) and its own, once. Returns how many requests were still in
    /// flight when the grace period ended.
    pub async fn shutdown(&self) -> usize {
        let abandoned = self.drain(Instant::now() + self.lifespan().grace).await;
        for (_, child) in self.lifespan().children.iter().rev() {
            Box::pin(child.shutdown()).await;
        }
        let hooks = std::mem::take(
            &mut *self
                .lifespan()
                .shutdown
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for hook in hooks {
            hook(self.clone()).await;
        }
        abandoned
    }

    /// Marks the server stopping and waits for the requests in flight until shortly before
    /// `deadline`; then answers those left with an error, and waits for them to be gone until
    /// `deadline`. Returns how many were abandoned.
    pub(crate) async fn drain(&self, deadline: Instant) -> usize {
        let lifespan = self.lifespan();
        lifespan.stopping.store(true, Ordering::Release);
        lifespan.stopping_token.cancel();
        let idle = || async {
            loop {
                let idle = lifespan.idle.notified();
                if lifespan.in_flight.load(Ordering::Acquire) == 0 {
                    break;
                }
                idle.await;
            }
        };
        // A tenth of the grace (at most half a second) is kept to answer what is abandoned.
        let left_for_answers = deadline
            .saturating_duration_since(Instant::now())
            .div_f32(10.0)
            .min(Duration::from_millis(500));
        if tokio::time::timeout_at(deadline - left_for_answers, idle())
            .await
            .is_ok()
        {
            self.abandon_tasks().await;
            return 0;
        }
        let left = lifespan.in_flight.load(Ordering::Acquire);
        tracing::warn!(
            left,
            "the shutdown grace period ended with requests in flight: answering them with an error"
        );
        lifespan.abandon.cancel();
        let _ = tokio::time::timeout_at(deadline, idle()).await;
        self.abandon_tasks().await;
        left
    }

    /// Tasks still running when the server stops fail with "the server stopped before this
    /// task finished", rather than stay `working` until they expire.
    async fn abandon_tasks(&self) {
        if let Some(tasks) = self.inner.tasks.get() {
            tasks.abandon_all().await;
        }
    }

    /// Whether [`shutdown`](Self::shutdown) has begun.
    pub fn is_stopping(&self) -> bool {
        self.lifespan().stopping.load(Ordering::Acquire)
    }
}

/// SIGINT (Ctrl-C) and, on Unix, SIGTERM listeners. They are registered when created, so a
/// signal that arrives before anyone waits is not lost to the default action (which would kill
/// the process without draining).
pub(crate) struct StopSignal {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignal {
    /// Registers the listeners now.
    pub(crate) fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Completes when a stop signal arrives.
    pub(crate) async fn recv(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut signal) => {
                        signal.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => {}
                () = next(self.terminate) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
