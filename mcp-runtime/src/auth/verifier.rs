//! The [`TokenVerifier`] trait: what turns a bearer token into an [`Identity`], and the
//! [`Presenter`] of a token, as far as the transport knows it.

use std::net::IpAddr;

use futures::future::BoxFuture;

use super::error::AuthError;
use super::identity::Identity;

/// Turns a bearer token into an [`Identity`], or refuses it.
///
/// Implemented by [`JwtVerifier`](super::JwtVerifier) and [`StaticTokens`](super::StaticTokens); implement it to check tokens another
/// way (token introspection, an API-key table).
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the part after `Bearer `).
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Identity, AuthError>>;

    /// Verifies `token`, knowing who presented it: what the HTTP transport calls. A verifier
    /// that spends something every client shares on a token it cannot check yet (a fetch from
    /// the identity provider) can keep one client from spending all of it.
    ///
    /// By default [`verify`](Self::verify), which does not look at the presenter.
    fn verify_presented<'a>(
        &'a self,
        token: &'a str,
        presenter: Presenter,
    ) -> BoxFuture<'a, Result<Identity, AuthError>> {
        let _ = presenter;
        self.verify(token)
    }

    /// The authorization servers to advertise in the protected resource metadata (the token
    /// issuer, for a JWT verifier).
    fn authorization_servers(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Who presented a token, as far as the transport knows: the peer's IP address over HTTP
/// ([`Server::bind_http`](crate::Server::bind_http) records it; a router nested in an
/// application of your own knows it when the application serves it with
/// `into_make_service_with_connect_info::<SocketAddr>()`).
///
/// Behind a reverse proxy every request comes from the proxy: clients are then told apart no
/// better than by the whole server's limits. Forwarded headers are not read, since any client
/// can write them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Presenter {
    addr: Option<IpAddr>,
}

impl Presenter {
    /// A presenter the transport knows nothing about.
    pub fn unknown() -> Self {
        Self::default()
    }

    /// A presenter connected from `addr`.
    pub fn from_addr(addr: IpAddr) -> Self {
        Self { addr: Some(addr) }
    }

    /// The peer's IP address, when the transport knows it.
    pub fn addr(&self) -> Option<IpAddr> {
        self.addr
    }

    /// What tells clients apart: the IPv4 address, or the /64 network of an IPv6 address (one
    /// host usually holds a whole /64, so its addresses count as one client).
    // Its callers (per-client limits, JWKS refresh) are all HTTP's.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    pub(crate) fn client(&self) -> Option<IpAddr> {
        match self.addr?.to_canonical() {
            IpAddr::V4(v4) => Some(IpAddr::V4(v4)),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !u128::from(u64::MAX);
                Some(IpAddr::V6(network.into()))
            }
        }
    }
}

#[cfg(all(test, feature = "auth"))]
mod tests {
    use super::Presenter;

    #[test]
    fn ipv6_clients_are_their_64_network_and_mapped_ipv4_is_ipv4() {
        let a = Presenter::from_addr("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = Presenter::from_addr("2001:db8:1:2:bbbb::2".parse().unwrap());
        let other = Presenter::from_addr("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a.client(), b.client());
        assert_ne!(a.client(), other.client());
        assert_eq!(a.client(), Some("2001:db8:1:2::".parse().unwrap()));
        let mapped = Presenter::from_addr("::ffff:192.0.2.7".parse().unwrap());
        assert_eq!(mapped.client(), Some("192.0.2.7".parse().unwrap()));
        assert_eq!(Presenter::unknown().client(), None);
    }
}
