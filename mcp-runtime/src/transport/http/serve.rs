//! The connection loop [`Server::bind_http`](crate::Server::bind_http) runs: hyper, as
//! `axum::serve` drives it, plus what `axum::serve` leaves out and an exposed server needs.
//!
//! - A header-read timeout (hyper's, which needs a timer `axum::serve` does not give it): a
//!   client that sends its headers a byte at a time (slowloris) is closed after it, and so is
//!   a keep-alive connection idle that long.
//! - A cap on open connections: at the cap the loop stops accepting, so new connections wait
//!   in the kernel's listen queue (instead of the process running out of descriptors).
//! - A cap per client address: connections over it are closed as soon as they are accepted,
//!   so one address cannot take the whole cap.
//! - A cap on requests per HTTP/1.1 connection (`Connection: close` on the last response).
//! - `TCP_NODELAY` on every connection: a streamed (SSE) response is written in several small
//!   pieces, and with Nagle's algorithm the last one waits for the ACK of the first, which the
//!   client delays by up to 40 ms.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Request, Version, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::HttpOptions;

/// The connection limits of [`HttpOptions`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub(super) header_timeout: Duration,
    pub(super) max_connections: usize,
    pub(super) max_connections_per_client: usize,
    /// 0: no limit.
    pub(super) max_requests_per_connection: usize,
}

impl Limits {
    pub(super) fn of(options: &HttpOptions) -> Self {
        Self {
            header_timeout: options.header_timeout,
            max_connections: options.max_connections.max(1),
            max_connections_per_client: options.max_connections_per_client.max(1),
            max_requests_per_connection: options.max_requests_per_connection,
        }
    }
}

/// Serves `router` on `listener` until `stop` is cancelled, then lets the open connections
/// finish their requests (closing idle ones at once) and returns once they are all closed.
pub(super) async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: Limits,
    stop: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let clients = Arc::new(Clients::default());
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    loop {
        // A free slot first: at the cap, connections wait in the listen queue.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                // Never closed.
                Err(_) => break,
            },
            () = stop.cancelled() => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_failed(&error).await;
                    continue;
                }
            },
            () = stop.cancelled() => break,
        };
        // IPv6 clients by their /64, as the token verifier counts them.
        let ip = crate::auth::Presenter::from_addr(peer.ip())
            .client()
            .unwrap_or(peer.ip());
        let Some(client) = clients.admit(ip, limits.max_connections_per_client) else {
            tracing::debug!(
                client = %peer.ip(),
                limit = limits.max_connections_per_client,
                "closed a connection over the per-client cap"
            );
            drop(tcp);
            continue;
        };
        set_nodelay(&tcp);
        let connection = builder
            .serve_connection_with_upgrades(
                TokioIo::new(tcp),
                connection_service(router.clone(), peer, limits.max_requests_per_connection),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::trace!(%error, "an HTTP connection ended with an error");
            }
            drop((slot, client));
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The service of one connection: `router`, with the peer's address in each request's
/// extensions (axum's `ConnectInfo`), and `Connection: close` on the response to the
/// connection's last allowed request.
fn connection_service(
    router: axum::Router,
    peer: SocketAddr,
    max_requests: usize,
) -> impl hyper::service::Service<
    Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Future<Output = Result<axum::response::Response, Infallible>> + Send,
> + Clone
+ Send
+ 'static {
    let served = Arc::new(AtomicUsize::new(0));
    hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let count = served.fetch_add(1, Ordering::Relaxed) + 1;
        let last = max_requests != 0
            && count >= max_requests
            && matches!(request.version(), Version::HTTP_10 | Version::HTTP_11);
        let mut router = router.clone();
        async move {
            let mut response = tower_service::Service::call(&mut router, request).await?;
            if last {
                (response.headers_mut())
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok(response)
        }
    })
}

/// What to do when `accept` fails: the listener stays usable, so wait a little (the usual
/// cause is running out of descriptors, which closing connections cures) and go on.
async fn accept_failed(error: &std::io::Error) {
    tracing::warn!(%error, "cannot accept an HTTP connection");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Sets `TCP_NODELAY` (see the module's documentation); a connection where it cannot be set
/// is still served.
pub(super) fn set_nodelay(tcp: &TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "cannot set TCP_NODELAY on an accepted connection");
    }
}

/// Open connections per client address.
#[derive(Default)]
struct Clients(Mutex<HashMap<IpAddr, usize>>);

impl Clients {
    /// Counts one more connection from `ip`, unless it already has `cap`.
    fn admit(self: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut open = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(ip).or_default();
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            clients: self.clone(),
            ip,
        })
    }
}

/// One open connection of a client; dropped when it closes.
struct ClientSlot {
    clients: Arc<Clients>,
    ip: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = (self.clients.0)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clients;
    use std::net::{IpAddr, Ipv4Addr};
    use std::sync::Arc;

    #[test]
    fn a_client_gets_its_cap_and_its_slots_back() {
        let clients = Arc::new(Clients::default());
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let first = clients.admit(a, 2).expect("under the cap");
        let _second = clients.admit(a, 2).expect("at the cap");
        assert!(clients.admit(a, 2).is_none(), "over the cap");
        assert!(
            clients.admit(b, 2).is_some(),
            "another client has its own cap"
        );
        drop(first);
        let third = clients.admit(a, 2);
        assert!(third.is_some(), "a closed connection frees its slot");
        assert!(clients.admit(a, 2).is_none());
    }
}
