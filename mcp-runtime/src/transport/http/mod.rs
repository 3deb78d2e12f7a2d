//! Serving a [`Server`] over streamable HTTP: rmcp's streamable HTTP service on an axum router,
//! with DNS-rebinding protection, a body size limit, bearer-token auth, health, readiness,
//! Prometheus metrics and graceful shutdown.
//!
//! | route | what |
//! |---|---|
//! | `POST/GET/DELETE {path}` (`/mcp`) | MCP (streamable HTTP) |
//! | `GET /healthz` | 200 while the process serves |
//! | `GET /readyz` | 200 once the startup hooks finished, 503 before and while stopping |
//! | `GET /metrics` | Prometheus text format (see `telemetry`; with the `metrics` feature) |
//! | `GET /.well-known/oauth-protected-resource[{path}]` | RFC 9728 metadata, when auth is on |

mod admission;
mod challenge;
mod exchanges;
mod options;
mod routes;
pub(crate) mod sessions;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::routing::get;
use axum::serve::{ListenerExt, TapIo};
use rmcp::transport::streamable_http_server::StreamableHttpService;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::admission::{Guard, WELL_KNOWN, bindings, endpoint, mcp_endpoint};
use self::exchanges::Exchanges;
#[cfg(feature = "metrics")]
use self::routes::metrics;
use self::routes::{healthz, protected_resource_metadata, readyz};
use crate::error::Error;
use crate::server::Server;

pub use self::options::HttpOptions;

/// A server listening on HTTP, from [`Server::bind_http`]: where it listens, and how to stop
/// it gracefully.
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    path: String,
    stop: CancellationToken,
    task: JoinHandle<Result<(), Error>>,
}

impl HttpServer {
    /// The address it listens on (with the real port when the options asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The MCP endpoint's URL, like `http://127.0.0.1:8000/mcp`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// A token that stops the server when cancelled (what a signal handler cancels).
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Stops gracefully: `/readyz` turns 503 and new MCP requests are refused (503), requests
    /// in flight finish (within the server's shutdown grace), the shutdown hooks run, then open
    /// streams close and the listener stops.
    pub async fn shutdown(self) -> Result<(), Error> {
        self.stop.cancel();
        self.wait().await
    }

    /// Serves until stopped (by [`stop_token`](Self::stop_token) or a failed startup hook).
    pub async fn wait(self) -> Result<(), Error> {
        match self.task.await {
            Ok(outcome) => outcome,
            Err(error) => Err(Error::Session(format!(
                "the HTTP server task failed: {error}"
            ))),
        }
    }
}

impl Server {
    /// Serves MCP over streamable HTTP until SIGINT or SIGTERM, then shuts down gracefully
    /// (see [`HttpServer::shutdown`]). `serve --transport http` runs this with the options
    /// from the settings.
    pub async fn serve_http(self, options: HttpOptions) -> Result<(), Error> {
        let stop_signal = crate::lifespan::StopSignal::install();
        let running = self.bind_http(options).await?;
        tracing::info!(url = running.url(), "serving MCP over streamable HTTP");
        let stop = running.stop_token();
        let on_signal = tokio::spawn(async move {
            stop_signal.recv().await;
            tracing::info!("stopping: draining in-flight requests");
            stop.cancel();
        });
        let outcome = running.wait().await;
        on_signal.abort();
        outcome
    }

    /// Binds the listener and serves in the background: startup hooks run once it listens
    /// (`/readyz` says when they are done). Port 0 picks a free port.
    pub async fn bind_http(self, options: HttpOptions) -> Result<HttpServer, Error> {
        let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
            .await
            .map_err(|error| {
                Error::Io(std::io::Error::new(
                    error.kind(),
                    format!(
                        "cannot listen on {}:{}: {error}",
                        options.host, options.port
                    ),
                ))
            })?;
        let addr = listener.local_addr()?;
        #[cfg(feature = "metrics")]
        let record_metrics = crate::telemetry::enable();
        let sessions = CancellationToken::new();
        let exchanges = Arc::new(Exchanges::default());
        let router = self.router(&options, sessions.clone(), exchanges.clone());
        let stop = CancellationToken::new();
        let server = self;
        let task_stop = stop.clone();
        let task = tokio::spawn(async move {
            let closed = CancellationToken::new();
            // The recorder's upkeep, for as long as this task runs (stopped at the end, or
            // when the task is aborted).
            #[cfg(feature = "metrics")]
            let upkeep = record_metrics.then(crate::telemetry::UpkeepTask::spawn);
            let serving = tokio::spawn(
                axum::serve(
                    nodelay(listener),
                    // The peer's address reaches the token verifier (`Presenter`).
                    router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(closed.clone().cancelled_owned())
                .into_future(),
            );
            let started = tokio::select! {
                started = server.start() => started,
                () = task_stop.cancelled() => Ok(()),
            };
            match &started {
                Ok(()) => task_stop.cancelled().await,
                Err(error) => tracing::error!(%error, "stopping: the server could not start"),
            }
            // Drain: refuse new requests, and let the exchanges in flight finish (their whole
            // response written, not only the handler returned), within the grace period.
            exchanges.draining.store(true, Ordering::Release);
            let grace = server.shutdown_grace();
            if tokio::time::timeout(grace, exchanges.idle()).await.is_err() {
                tracing::warn!(
                    left = exchanges.open.load(Ordering::Acquire),
                    "the shutdown grace period ended with HTTP requests in flight"
                );
            }
            // Then the shutdown hooks (nothing is left to drain; none after a failed start, as
            // on stdio), streams and the listener.
            if started.is_ok() {
                server.shutdown().await;
            }
            sessions.cancel();
            closed.cancel();
            #[cfg(feature = "metrics")]
            if let Some(upkeep) = upkeep {
                upkeep.stop().await;
            }
            let abort = serving.abort_handle();
            match tokio::time::timeout(Duration::from_secs(5), serving).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => tracing::warn!(%error, "the HTTP listener failed"),
                Ok(Err(error)) => tracing::warn!(%error, "the HTTP listener task failed"),
                Err(_) => {
                    tracing::warn!("connections still open 5s after shutdown: closing them");
                    abort.abort();
                }
            }
            started
        });
        Ok(HttpServer {
            addr,
            path: options.path,
            stop,
            task,
        })
    }

    /// The axum router [`bind_http`](Self::bind_http) serves, to nest in an application of
    /// your own (`Router::new().merge(server.http_router(&options))`). Run
    /// [`start`](Self::start) before serving it, and call `telemetry::enable` for `/metrics`
    /// (with the `metrics` feature; spawn `telemetry::upkeep` too, or the request durations
    /// stay in memory until `/metrics` is scraped). Set `TCP_NODELAY` on the connections you accept
    /// (`axum::serve(listener.tap_io(|tcp| { let _ = tcp.set_nodelay(true); }), app)` with
    /// `axum::serve::ListenerExt`): without it every streamed (SSE) response waits about 40 ms
    /// for Nagle's algorithm and the client's delayed ACK. Serve it with
    /// `app.into_make_service_with_connect_info::<SocketAddr>()`, so that the token verifier
    /// knows each client's address ([`Presenter`](crate::auth::Presenter)).
    pub fn http_router(&self, options: &HttpOptions) -> axum::Router {
        self.router(options, CancellationToken::new(), Arc::default())
    }

    fn router(
        &self,
        options: &HttpOptions,
        sessions: CancellationToken,
        exchanges: Arc<Exchanges>,
    ) -> axum::Router {
        let config = options.rmcp_config(sessions);
        let factory = {
            let server = self.clone();
            move || Ok(server.clone())
        };
        let mcp = if options.stateless {
            endpoint(StreamableHttpService::new(
                factory,
                NeverSessionManager::default().into(),
                config,
            ))
        } else {
            endpoint(StreamableHttpService::new(
                factory,
                sessions::Sessions::default().into(),
                config,
            ))
        };
        let guard = Arc::new(Guard {
            server: self.clone(),
            verifier: self.verifier().cloned(),
            scopes: self.declared_scopes(),
            path: options.path.clone(),
            resource: options.resource.clone(),
            max_body: options.max_body,
            exchanges,
            mcp,
            bindings: (self.verifier().is_some() && !options.stateless).then(bindings),
            allowed_hosts: options.allowed_hosts.clone(),
        });
        let mut router = axum::Router::new()
            .route(&options.path, axum::routing::any(mcp_endpoint))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz));
        #[cfg(feature = "metrics")]
        {
            router = router.route("/metrics", get(metrics));
        }
        if guard.verifier.is_some() {
            let metadata = get(protected_resource_metadata);
            router = router
                .route(WELL_KNOWN, metadata.clone())
                .route(&format!("{WELL_KNOWN}{}", options.path), metadata);
        }
        router.with_state(guard)
    }
}

/// The listener [`Server::bind_http`] serves: `TCP_NODELAY` on every accepted connection.
///
/// A streamed (SSE) response is written in several small pieces; with Nagle's algorithm on, the
/// last one waits for the ACK of the first, which the client delays by up to 40 ms. A
/// connection where the option cannot be set is still served.
///
/// A named type (not `impl Listener`), so that axum's connect info knows its address type.
fn nodelay(
    listener: tokio::net::TcpListener,
) -> TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)> {
    listener.tap_io(set_nodelay as fn(&mut tokio::net::TcpStream))
}

fn set_nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    #[cfg(feature = "metrics")]
    #[tokio::test]
    async fn serving_runs_the_metrics_upkeep_until_shutdown() {
        // The only test that serves: no other upkeep task is alive.
        use crate::telemetry::upkeep_tasks;
        let server = crate::Server::builder("upkeep")
            .build()
            .expect("the server builds");
        let running = server
            .bind_http(super::HttpOptions::new().host("127.0.0.1").port(0))
            .await
            .expect("binds a loopback port");
        // The serving task spawns it first thing.
        for _ in 0..1000 {
            if upkeep_tasks() > 0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        assert_eq!(upkeep_tasks(), 1, "no upkeep task while serving");
        running.shutdown().await.expect("stops cleanly");
        assert_eq!(upkeep_tasks(), 0, "the upkeep task outlived the server");
    }

    #[tokio::test]
    async fn accepted_connections_have_tcp_nodelay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a loopback port");
        let addr = listener.local_addr().expect("an address");
        let mut listener = super::nodelay(listener);
        let client = tokio::net::TcpStream::connect(addr);
        let ((accepted, _), client) = tokio::join!(listener.accept(), client);
        client.expect("connects");
        assert!(accepted.nodelay().expect("reads TCP_NODELAY"));
    }
}
