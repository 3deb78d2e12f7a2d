//! Serving a [`Server`] over streamable HTTP: rmcp's streamable HTTP service on an axum router,
//! with DNS-rebinding protection, a body size limit, bearer-token auth, health, readiness,
//! Prometheus metrics and graceful shutdown.
//!
//! | route | what |
//! |---|---|
//! | `POST/GET/DELETE {path}` (`/mcp`) | MCP (streamable HTTP) |
//! | `GET /healthz` | 200 while the process serves |
//! | `GET /readyz` | 200 once the startup hooks finished, 503 before and while stopping |
//! | `GET /metrics` | Prometheus text format (see `telemetry`; with the `metrics` feature): behind the `Host` check, and the metrics token when one is set; on its own address instead when `metrics_addr` is set |
//! | `GET /.well-known/oauth-protected-resource[{path}]` | RFC 9728 metadata, when auth is on |

mod admission;
mod challenge;
mod exchanges;
mod options;
mod routes;
mod serve;
mod session_table;
pub(crate) mod sessions;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::routing::get;
use rmcp::transport::streamable_http_server::StreamableHttpService;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use self::admission::{Guard, WELL_KNOWN, bindings, endpoint, mcp_endpoint};
use self::exchanges::Exchanges;
#[cfg(feature = "metrics")]
use self::routes::{MetricsAccess, metrics};
use self::routes::{healthz, protected_resource_metadata, readyz};
use crate::error::Error;
use crate::server::Server;

pub use self::options::HttpOptions;

/// A server listening on HTTP, from [`Server::bind_http`]: where it listens, and how to stop
/// it gracefully.
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
    path: String,
    stop: CancellationToken,
    task: JoinHandle<Result<(), Error>>,
}

impl HttpServer {
    /// The address it listens on (with the real port when the options asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address `/metrics` is served on alone, when the options gave one (with the real
    /// port when they asked for port 0).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
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
    /// in flight finish within the server's shutdown grace (those still running near its end
    /// are answered with an error), the shutdown hooks run, then open streams close and the
    /// listener stops.
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
        crate::memory::give_back_freed_memory();
        #[cfg(feature = "metrics")]
        let (metrics_listener, metrics_addr) = self.metrics_listener(&options).await?;
        #[cfg(not(feature = "metrics"))]
        let metrics_addr = no_metrics_listener(&options)?;
        #[cfg(feature = "metrics")]
        let record_metrics = crate::telemetry::enable();
        let sessions = CancellationToken::new();
        let exchanges = Arc::new(Exchanges::default());
        let router = self.router(&options, sessions.clone(), exchanges.clone());
        let limits = serve::Limits::of(&options);
        let stop = CancellationToken::new();
        let server = self;
        let task_stop = stop.clone();
        let task = tokio::spawn(async move {
            let closed = CancellationToken::new();
            // The recorder's upkeep, for as long as this task runs (stopped at the end, or
            // when the task is aborted).
            #[cfg(feature = "metrics")]
            let upkeep = record_metrics.then(crate::telemetry::UpkeepTask::spawn);
            #[cfg(feature = "metrics")]
            let metrics_serving = metrics_listener.map(|(listener, router)| {
                tokio::spawn(serve::serve(
                    listener,
                    router,
                    limits,
                    CancellationToken::new(),
                ))
            });
            let serving = tokio::spawn(serve::serve(listener, router, limits, closed.clone()));
            let started = tokio::select! {
                started = server.start() => started,
                () = task_stop.cancelled() => Ok(()),
            };
            match &started {
                Ok(()) => task_stop.cancelled().await,
                Err(error) => tracing::error!(%error, "stopping: the server could not start"),
            }
            // Drain: refuse new requests; the handlers in flight finish within the grace
            // period, or are answered with an error near its end; then their answers are
            // written (until the end of the grace), and the shutdown hooks run (none after a
            // failed start, as on stdio). The whole stop takes the grace, not twice it.
            exchanges.draining.store(true, Ordering::Release);
            let deadline = tokio::time::Instant::now() + server.shutdown_grace();
            server.drain(deadline).await;
            let written = deadline.max(tokio::time::Instant::now() + Duration::from_millis(100));
            if tokio::time::timeout_at(written, exchanges.idle())
                .await
                .is_err()
            {
                tracing::warn!(
                    left = exchanges.open.load(Ordering::Acquire),
                    "the shutdown grace period ended with HTTP answers unwritten"
                );
            }
            if started.is_ok() {
                server.shutdown().await;
            }
            sessions.cancel();
            closed.cancel();
            #[cfg(feature = "metrics")]
            if let Some(upkeep) = upkeep {
                upkeep.stop().await;
            }
            #[cfg(feature = "metrics")]
            if let Some(metrics_serving) = metrics_serving {
                // Scrapes are short, and a scraper's idle keep-alive connection would hold up
                // a graceful stop: the listener and its connections are closed now.
                metrics_serving.abort();
                let _ = metrics_serving.await;
            }
            let abort = serving.abort_handle();
            match tokio::time::timeout(Duration::from_secs(5), serving).await {
                Ok(Ok(())) => {}
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
            metrics_addr,
            path: options.path,
            stop,
            task,
        })
    }

    /// The listener (and its router) serving `/metrics` alone when `options.metrics_addr` asks
    /// for one, and its address.
    #[cfg(feature = "metrics")]
    async fn metrics_listener(
        &self,
        options: &HttpOptions,
    ) -> Result<
        (
            Option<(tokio::net::TcpListener, axum::Router)>,
            Option<SocketAddr>,
        ),
        Error,
    > {
        let Some(addr) = &options.metrics_addr else {
            if self.verifier().is_some() && options.metrics_token.is_none() {
                tracing::warn!(
                    "auth is on, but /metrics, beside the MCP endpoint, asks for no token: set \
                     http.metrics_token, or http.metrics_addr to serve it on an internal address"
                );
            }
            return Ok((None, None));
        };
        let listener = tokio::net::TcpListener::bind(addr.as_str())
            .await
            .map_err(|error| {
                Error::Io(std::io::Error::new(
                    error.kind(),
                    format!("cannot listen on {addr} (metrics_addr): {error}"),
                ))
            })?;
        let local = listener.local_addr()?;
        Ok((Some((listener, self.metrics_router(options))), Some(local)))
    }

    /// The router serving `/metrics` alone, behind the `Host` check and the metrics token of
    /// `options`: what [`bind_http`](Self::bind_http) serves on `options.metrics_addr`, to
    /// serve on an address of your own beside [`http_router`](Self::http_router).
    #[cfg(feature = "metrics")]
    #[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
    pub fn metrics_router(&self, options: &HttpOptions) -> axum::Router {
        self.show_restricted_metrics(options.metrics_show_restricted);
        axum::Router::new().route("/metrics", get(metrics).with_state(metrics_access(options)))
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
    /// knows each client's address ([`Presenter`](crate::auth::Presenter)). With
    /// `options.metrics_addr` set, `/metrics` is left out: serve
    /// [`metrics_router`](Self::metrics_router) where you want it.
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
        let (mcp, sessions) = if options.stateless {
            let service =
                StreamableHttpService::new(factory, NeverSessionManager::default().into(), config);
            (endpoint(service), None)
        } else {
            let sessions = sessions::Sessions::new(session_table::SessionTable::new(
                options.max_sessions,
                options.max_sessions_per_client,
                options.session_idle_timeout,
            ));
            let service = StreamableHttpService::new(factory, sessions.clone(), config);
            (endpoint(service), Some(sessions))
        };
        let guard = Arc::new(Guard {
            server: self.clone(),
            verifier: self.verifier().cloned(),
            scopes: self.declared_scopes(),
            path: options.path.clone(),
            resource: options.resource.clone(),
            max_body: options.max_body,
            body_timeout: options.body_timeout,
            sessions,
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
            self.show_restricted_metrics(options.metrics_show_restricted);
            if options.metrics_addr.is_none() {
                let access = metrics_access(options);
                router = router.route("/metrics", get(metrics).with_state(access));
            }
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

/// Who may read `/metrics` under `options`.
#[cfg(feature = "metrics")]
fn metrics_access(options: &HttpOptions) -> Arc<MetricsAccess> {
    Arc::new(MetricsAccess {
        allowed_hosts: options.allowed_hosts.clone(),
        token: options.metrics_token.clone(),
    })
}

/// Without the `metrics` feature nothing serves `/metrics`: an address for it is an error.
#[cfg(not(feature = "metrics"))]
fn no_metrics_listener(options: &HttpOptions) -> Result<Option<SocketAddr>, Error> {
    match &options.metrics_addr {
        None => Ok(None),
        Some(_) => Err(Error::Usage(
            "serving /metrics on its own address needs mcp-runtime's `metrics` cargo feature"
                .to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {

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
        let client = tokio::net::TcpStream::connect(addr);
        let (accepted, client) = tokio::join!(listener.accept(), client);
        client.expect("connects");
        let (accepted, _) = accepted.expect("accepts");
        super::serve::set_nodelay(&accepted);
        assert!(accepted.nodelay().expect("reads TCP_NODELAY"));
    }
}
