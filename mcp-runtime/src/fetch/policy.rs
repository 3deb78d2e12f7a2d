//! [`FetchPolicy`]: what a [`Fetcher`](super::Fetcher) may reach, and its caps.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::resolve::{Resolve, SystemResolver};
use super::rules::HostRule;

/// The default cap on a response body: 10 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: u64 = 10 * 1024 * 1024;
/// The default time to connect (resolution included): 10 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default time for a whole request, redirects and body included: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of redirects followed: 5.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

/// What a [`Fetcher`](super::Fetcher) may reach, and its caps.
///
/// [`FetchPolicy::default()`] is strict: `https` only; no host that is, or resolves to, an
/// address that is not globally routable (loopback, private, link-local, carrier-grade NAT,
/// multicast, broadcast, documentation, benchmarking, reserved, unique local and site-local
/// IPv6, cloud metadata services, and the IPv6 forms that carry such an IPv4 address:
/// mapped, compatible, 6to4, Teredo, NAT64); no `localhost` or metadata host names; no user
/// name or password in a URL; responses up to [`DEFAULT_MAX_RESPONSE_SIZE`];
/// [`DEFAULT_CONNECT_TIMEOUT`] to connect and [`DEFAULT_TIMEOUT`] in all; up to
/// [`DEFAULT_MAX_REDIRECTS`] redirects, each checked like the first URL; no rate limit; no
/// proxy.
///
/// Every method is a builder step:
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::fetch::{FetchPolicy, Fetcher};
///
/// let fetcher = Fetcher::new(
///     FetchPolicy::default()
///         .allow_hosts(["wiki.corp.example", "10.20.0.0/16"]) // internal, on purpose
///         .deny_hosts(["*.ads.example"])
///         .max_response_size(1024 * 1024)
///         .timeout(Duration::from_secs(10))
///         .max_redirects(3)
///         .rate_limit_per_host(2.0, 5),
/// );
/// ```
///
/// An entry of the allow or deny list is a host name (`wiki.corp.example`), every name below
/// a domain (`*.corp.example`), an address (`10.1.2.3`, `::1`) or a network (`10.0.0.0/8`,
/// `fd00::/8`). An invalid entry does not widen anything: [`Fetcher::try_new`] reports it,
/// and a fetcher made with [`Fetcher::new`] refuses every request with
/// [`FetchError::Config`](super::FetchError::Config).
///
/// [`Fetcher::try_new`]: super::Fetcher::try_new
/// [`Fetcher::new`]: super::Fetcher::new
#[derive(Clone)]
pub struct FetchPolicy {
    pub(super) allow_http: bool,
    pub(super) allow: Vec<HostRule>,
    pub(super) deny: Vec<HostRule>,
    /// Entries and values that did not parse: the fetcher refuses every request while any
    /// is here.
    pub(super) invalid: Vec<String>,
    pub(super) max_response_size: u64,
    pub(super) connect_timeout: Duration,
    pub(super) timeout: Duration,
    pub(super) max_redirects: usize,
    pub(super) rate_limit: Option<(f64, u32)>,
    pub(super) proxy: Option<reqwest::Url>,
    pub(super) resolver: Arc<dyn Resolve>,
}

impl Default for FetchPolicy {
    /// The strict policy: see [`FetchPolicy`].
    fn default() -> Self {
        Self {
            allow_http: false,
            allow: Vec::new(),
            deny: Vec::new(),
            invalid: Vec::new(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            rate_limit: None,
            proxy: None,
            resolver: Arc::new(SystemResolver),
        }
    }
}

impl fmt::Debug for FetchPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rules = |rules: &[HostRule]| rules.iter().map(ToString::to_string).collect::<Vec<_>>();
        f.debug_struct("FetchPolicy")
            .field("allow_http", &self.allow_http)
            .field("allow_hosts", &rules(&self.allow))
            .field("deny_hosts", &rules(&self.deny))
            .field("invalid", &self.invalid)
            .field("max_response_size", &self.max_response_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_redirects", &self.max_redirects)
            .field("rate_limit_per_host", &self.rate_limit)
            // The host alone: a proxy URL may carry credentials.
            .field(
                "proxy",
                &self.proxy.as_ref().and_then(|proxy| proxy.host_str()),
            )
            .finish_non_exhaustive()
    }
}

impl FetchPolicy {
    /// Allows plain `http` URLs too (`https` only by default). The addresses are checked the
    /// same either way; `http` only gives up TLS.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Adds hosts and networks that may be reached although they are not public: a name
    /// (`wiki.corp.example`) and the addresses it resolves to, a domain's names
    /// (`*.corp.example`), an address or a network (`10.20.0.0/16`). This is how a deployment
    /// lets tools reach an internal service on purpose.
    ///
    /// An allowed name reaches whatever it resolves to, except a cloud metadata address,
    /// which only an address or network entry that holds it allows. The deny list wins over
    /// this one.
    pub fn allow_hosts<I>(mut self, hosts: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let (rules, invalid) = parse_rules("allow_hosts", hosts);
        self.allow.extend(rules);
        self.invalid.extend(invalid);
        self
    }

    /// Adds hosts and networks that are never reached, public or not, allowed or not: names,
    /// `*.domain` entries, addresses and networks (`203.0.113.0/24`), checked against the
    /// URL's host and every address it resolves to (and the IPv4 address inside an IPv6
    /// one).
    pub fn deny_hosts<I>(mut self, hosts: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let (rules, invalid) = parse_rules("deny_hosts", hosts);
        self.deny.extend(rules);
        self.invalid.extend(invalid);
        self
    }

    /// The largest response body read, in bytes ([`DEFAULT_MAX_RESPONSE_SIZE`] by default);
    /// a larger one is [`FetchError::TooLarge`](super::FetchError::TooLarge), and no more of
    /// it is read than the cap.
    pub fn max_response_size(mut self, bytes: u64) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// How long resolving a host and connecting to it may take
    /// ([`DEFAULT_CONNECT_TIMEOUT`] by default); longer is
    /// [`FetchError::Timeout`](super::FetchError::Timeout).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.invalid
                .push("connect_timeout: 0 leaves no time to connect".into());
        }
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, redirects and body included ([`DEFAULT_TIMEOUT`]
    /// by default); longer is [`FetchError::Timeout`](super::FetchError::Timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        if timeout.is_zero() {
            self.invalid
                .push("timeout: 0 leaves no time to fetch".into());
        }
        self.timeout = timeout;
        self
    }

    /// How many redirects are followed ([`DEFAULT_MAX_REDIRECTS`] by default), each checked
    /// like the first URL; one more is
    /// [`FetchError::TooManyRedirects`](super::FetchError::TooManyRedirects). `0` refuses
    /// every redirect.
    pub fn max_redirects(mut self, redirects: usize) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// Limits the requests to each host (redirect hops included) to a token bucket:
    /// `per_second` sustained, bursts of up to `burst`. Over it, a request is
    /// [`FetchError::RateLimited`](super::FetchError::RateLimited), saying when to try again.
    /// None by default.
    pub fn rate_limit_per_host(mut self, per_second: f64, burst: u32) -> Self {
        if !(per_second.is_finite() && per_second > 0.0) || burst == 0 {
            self.invalid.push(format!(
                "rate_limit_per_host: {per_second} per second with bursts of {burst}: the rate \
                 must be greater than 0 and the burst at least 1"
            ));
        }
        self.rate_limit = Some((per_second, burst));
        self
    }

    /// Sends every request through this egress proxy (`http://proxy.internal:3128`; a user
    /// name and password in it are sent to the proxy). The proxy is trusted: its own address
    /// is not checked. The target's host still is, by name and literal address and by what
    /// it resolves to here (so it must resolve here too); the proxy then connects to the
    /// target itself, with its own resolution.
    pub fn proxy(mut self, url: impl AsRef<str>) -> Self {
        let url = url.as_ref();
        match check_proxy(url) {
            Ok(proxy) => self.proxy = Some(proxy),
            Err(why) => self.invalid.push(format!("proxy: {why}")),
        }
        self
    }

    /// Resolves host names through `resolver` instead of the system's
    /// ([`SystemResolver`]): a DNS-over-HTTPS client, a fixed table, or a test's answers.
    pub fn resolver(mut self, resolver: impl Resolve) -> Self {
        self.resolver = Arc::new(resolver);
        self
    }

    /// The policy the `[fetch]` settings describe.
    pub fn from_settings(settings: &crate::config::FetchSettings) -> FetchPolicy {
        let mut policy = FetchPolicy::default()
            .allow_http(settings.allow_http)
            .allow_hosts(&settings.allow_hosts)
            .deny_hosts(&settings.deny_hosts)
            .max_response_size(settings.max_response_size)
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .max_redirects(settings.max_redirects);
        if let Some(rate) = settings.rate_limit_per_host {
            policy = policy.rate_limit_per_host(rate.per_second, rate.burst);
        }
        if let Some(proxy) = &settings.proxy {
            policy = policy.proxy(proxy.expose());
        }
        policy
    }

    /// The host of the trusted proxy, as the client asks the resolver for it.
    pub(super) fn proxy_host(&self) -> Option<String> {
        let host = self.proxy.as_ref()?.host_str()?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        Some(host.to_ascii_lowercase())
    }
}

/// The entries that parse, and a problem for each that does not.
fn parse_rules<I>(list: &str, hosts: I) -> (Vec<HostRule>, Vec<String>)
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    let mut rules = Vec::new();
    let mut invalid = Vec::new();
    for host in hosts {
        match HostRule::parse(host.as_ref()) {
            Ok(rule) => rules.push(rule),
            Err(why) => invalid.push(format!("{list}: {why}")),
        }
    }
    (rules, invalid)
}

/// A proxy URL: `http` or `https`, with a host, and nothing after it but `/`.
fn check_proxy(url: &str) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|error| format!("not a URL: {error}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme `{}` is not supported: use an http:// or https:// proxy",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    // reqwest's own error would show the URL, credentials and all.
    reqwest::Proxy::all(parsed.as_str()).map_err(|_| "not a proxy URL reqwest accepts")?;
    Ok(parsed)
}
