//! Name resolution: the [`Resolve`] trait a policy resolves host names through
//! ([`SystemResolver`] by default), and the resolver the HTTP client connects through, which
//! checks every address of an answer before it hands the answer on. The client asks it once
//! per connection and connects to nothing else, so a second lookup that a rebinding DNS
//! server could answer differently never happens.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use super::policy::FetchPolicy;

/// The future a [`Resolve`] returns: the addresses of a host name.
pub type Resolving<'a> = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send + 'a>>;

/// How a [`Fetcher`](super::Fetcher) turns a host name into addresses:
/// [`SystemResolver`] (the system's resolver, through Tokio) unless the policy was given
/// another with [`FetchPolicy::resolver`].
///
/// Every address of an answer is checked, and the connection goes to those addresses only.
/// A closure `Fn(&str) -> io::Result<Vec<IpAddr>>` is a resolver too, handy in tests:
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr};
/// use mcp_runtime::fetch::FetchPolicy;
///
/// let policy = FetchPolicy::default().resolver(|host: &str| match host {
///     "wiki.test" => Ok(vec![IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34))]),
///     _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such host")),
/// });
/// ```
pub trait Resolve: Send + Sync + 'static {
    /// The addresses of `host`, a lowercase name (international names in their `xn--` form).
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a>;
}

impl<F> Resolve for F
where
    F: Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync + 'static,
{
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        let answer = self(host);
        Box::pin(std::future::ready(answer))
    }
}

/// The system's resolver (`getaddrinfo`, on Tokio's blocking pool): the default of a
/// [`FetchPolicy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host, 0)).await?;
            Ok(addrs.map(|addr| addr.ip()).collect())
        })
    }
}

/// Why the checking resolver gave no addresses; the fetcher finds it in the client's error.
#[derive(Debug, thiserror::Error)]
pub(super) enum Refusal {
    /// An address of the answer may not be reached: the reason, in words.
    #[error("{0}")]
    Blocked(String),
    /// The name did not resolve.
    #[error("the host {host} could not be resolved")]
    Failed {
        host: String,
        #[source]
        source: io::Error,
    },
}

impl Refusal {
    /// The same refusal, owned (it is found by reference in the client's error chain).
    pub(super) fn duplicate(&self) -> Refusal {
        match self {
            Refusal::Blocked(reason) => Refusal::Blocked(reason.clone()),
            Refusal::Failed { host, source } => Refusal::Failed {
                host: host.clone(),
                source: io::Error::new(source.kind(), source.to_string()),
            },
        }
    }
}

/// Resolves a host name through the policy's resolver and checks every address of the
/// answer (an empty answer is a failure).
pub(super) async fn resolve_checked(
    policy: &FetchPolicy,
    host: &str,
) -> Result<Vec<IpAddr>, Refusal> {
    let failed = |source| Refusal::Failed {
        host: host.to_owned(),
        source,
    };
    let addrs = policy.resolver.resolve(host).await.map_err(failed)?;
    if addrs.is_empty() {
        return Err(failed(io::Error::new(
            io::ErrorKind::NotFound,
            "the answer holds no address",
        )));
    }
    policy
        .check_resolved(host, &addrs)
        .map_err(Refusal::Blocked)?;
    Ok(addrs)
}

/// The resolver the HTTP client connects through: the policy's, with every address checked.
/// The trusted proxy's own host (the one name the client looks up when a proxy is set) is
/// resolved without the checks.
pub(super) struct CheckingResolver {
    pub(super) policy: Arc<FetchPolicy>,
    pub(super) proxy_host: Option<String>,
}

impl reqwest::dns::Resolve for CheckingResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_ascii_lowercase();
        let trusted = self.proxy_host.as_deref() == Some(host.as_str());
        Box::pin(async move {
            let addrs = if trusted {
                policy
                    .resolver
                    .resolve(&host)
                    .await
                    .map_err(|source| Refusal::Failed {
                        host: host.clone(),
                        source,
                    })?
            } else {
                resolve_checked(&policy, &host).await?
            };
            // Port 0: the client puts the URL's port in.
            let addrs: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}
