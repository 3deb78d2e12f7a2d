//! [`FetchError`]: why a URL a model chose was not fetched. It lives here, beside
//! [`ToolError`](super::ToolError), which turns it into a message the caller sees; its public
//! path is `fetch::FetchError`.

use std::time::Duration;

use super::format_duration;

/// Why a [`Fetcher`](crate::fetch::Fetcher) request failed.
///
/// The messages are written for the model that chose the URL: they say what was refused and
/// why, and never show what a host name resolved to (a model must not learn the addresses of
/// the network around the server by asking), nor the causes of transport failures (those
/// stay in [`source`](std::error::Error::source)).
///
/// A tool may use `?` on it: every variant but [`Config`](FetchError::Config) and
/// [`InvalidRequest`](FetchError::InvalidRequest) (mistakes of the server's own code or
/// settings, internal errors: logged, masked by default) becomes a message the caller sees.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Refused before any connection: a scheme that is not allowed, a user name or password in
    /// the URL, a host on the deny list, or a host that is (or resolves to) an address that is
    /// not globally routable (loopback, private, link-local, cloud metadata, …). Each redirect
    /// hop is checked the same way.
    #[error("refused to fetch {url}: {reason}")]
    Blocked {
        /// The URL refused, without any user name or password.
        url: String,
        /// Why, in words: "its host 127.0.0.1 is a loopback address".
        reason: String,
    },
    /// The URL does not parse, or a redirect's `Location` does not.
    #[error("{url:?} is not a URL that can be fetched: {reason}")]
    InvalidUrl {
        /// The text given (or the redirect's target).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host name could not be resolved.
    #[error("the host {host} could not be resolved")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// No connection could be made to the host.
    #[error("could not connect to {url}")]
    Connect {
        /// The URL of the hop that failed.
        url: String,
        /// The transport's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The connection, or the whole request with its redirects and body, took too long.
    #[error("fetching {url} timed out: {what} took longer than {}", format_duration(*.after))]
    Timeout {
        /// The URL asked for.
        url: String,
        /// `connecting` or `the request`.
        what: &'static str,
        /// The limit that was reached.
        after: Duration,
    },
    /// The response body is larger than the cap (the body is not read past it).
    #[error("the response from {url} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The URL whose response was too large.
        url: String,
        /// The cap, in bytes
        /// ([`FetchPolicy::max_response_size`](crate::fetch::FetchPolicy::max_response_size)).
        limit: u64,
    },
    /// More redirects than the policy follows.
    #[error("{url} redirects more than {limit} times")]
    TooManyRedirects {
        /// The URL asked for.
        url: String,
        /// The most redirects followed
        /// ([`FetchPolicy::max_redirects`](crate::fetch::FetchPolicy::max_redirects)).
        limit: usize,
    },
    /// The host was asked too often: its rate limit has no request left now.
    #[error("too many requests to {host}; try again in {}", format_duration(*.retry_after))]
    RateLimited {
        /// The host.
        host: String,
        /// When the next request would be allowed.
        retry_after: Duration,
    },
    /// The request failed after connecting: the connection broke, the TLS handshake failed,
    /// or the server did not speak HTTP.
    #[error("fetching {url} failed: {what}")]
    Request {
        /// The URL of the hop that failed.
        url: String,
        /// What failed, in words.
        what: &'static str,
        /// The transport's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The request the server's code built is invalid (a header name or value that is not
    /// HTTP).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is invalid.
        message: String,
    },
    /// The policy is invalid (an allow or deny entry, the proxy URL) or the HTTP client could
    /// not be set up; every request of such a fetcher fails with it.
    #[error("the fetch policy is invalid: {message}")]
    Config {
        /// What is invalid.
        message: String,
    },
}

impl FetchError {
    /// Whether the URL was refused before any connection (see [`FetchError::Blocked`]).
    pub fn is_blocked(&self) -> bool {
        matches!(self, Self::Blocked { .. })
    }

    /// Whether a limit stopped the request: the connect or total timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether the response was over the size cap.
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }

    /// Whether the host's rate limit refused the request.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Self::RateLimited { .. })
    }

    /// Whether the caller (a model) can act on the message: everything but the server's own
    /// mistakes.
    pub(crate) fn is_for_caller(&self) -> bool {
        !matches!(self, Self::Config { .. } | Self::InvalidRequest { .. })
    }
}
