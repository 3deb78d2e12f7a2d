//! [`Fetcher`]: the checks of its [`FetchPolicy`] around a reqwest client whose redirects are
//! off and whose resolver checks every address; [`FetchRequest`] and [`FetchResponse`].

use std::sync::{Arc, OnceLock};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use super::FetchError;
use super::check::Host;
use super::limit::HostLimiter;
use super::policy::FetchPolicy;
use super::resolve::{CheckingResolver, Refusal, resolve_checked};

/// Fetches URLs a model chose, without reaching what it must not: an SSRF-safe HTTP client.
///
/// Every URL, and every redirect hop, is checked against the [`FetchPolicy`] before any
/// connection: the scheme, no user name or password, the host by name and literal address
/// (in any spelling: `2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`), and every address the
/// host resolves to. The name is resolved once per connection, and the connection goes to
/// the addresses that were checked, never to a second answer (DNS rebinding); TLS and the
/// `Host` header keep the name. Redirects are followed by the fetcher itself, each hop
/// checked, up to [`FetchPolicy::max_redirects`]. The body is read up to
/// [`FetchPolicy::max_response_size`], and the whole request is bounded by
/// [`FetchPolicy::timeout`].
///
/// `Fetcher` is cheap to clone (clones share the connection pool and the rate limit). Put it
/// on the builder with [`.state(fetcher)`](crate::ServerBuilder::state), and a tool takes it
/// as a parameter: `fetcher: Fetcher` or `fetcher: State<Fetcher>`.
#[derive(Clone, Debug)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    policy: Arc<FetchPolicy>,
    /// Why the policy is unusable, if it is: every request fails with it.
    invalid: Option<String>,
    /// Built on first use: a fetcher that is never used costs no TLS setup.
    client: OnceLock<Result<reqwest::Client, String>>,
    limiter: Option<HostLimiter>,
}

impl Default for Fetcher {
    /// A fetcher with the strict [`FetchPolicy::default()`].
    fn default() -> Self {
        Fetcher::new(FetchPolicy::default())
    }
}

impl Fetcher {
    /// A fetcher with `policy`. A policy with an invalid entry or value gives a fetcher that
    /// refuses every request with [`FetchError::Config`]; [`try_new`](Self::try_new) reports
    /// it at once instead.
    pub fn new(policy: FetchPolicy) -> Fetcher {
        let invalid = (!policy.invalid.is_empty()).then(|| policy.invalid.join("; "));
        let limiter = policy
            .rate_limit
            .map(|(per_second, burst)| HostLimiter::new(per_second, burst));
        Fetcher {
            inner: Arc::new(Inner {
                policy: Arc::new(policy),
                invalid,
                client: OnceLock::new(),
                limiter,
            }),
        }
    }

    /// A fetcher with `policy`, or [`FetchError::Config`] naming what in it is invalid (an
    /// allow or deny entry, the proxy URL, a zero timeout or rate) or why the HTTP client
    /// cannot be set up.
    pub fn try_new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        let fetcher = Fetcher::new(policy);
        fetcher.client()?;
        Ok(fetcher)
    }

    /// The fetcher the `[fetch]` settings describe, or what in them is invalid.
    /// [`ServerBuilder::settings`](crate::ServerBuilder::settings) gives the server this
    /// fetcher as state.
    pub fn from_settings(settings: &crate::config::FetchSettings) -> Result<Fetcher, FetchError> {
        Fetcher::try_new(FetchPolicy::from_settings(settings))
    }

    /// The policy this fetcher enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.inner.policy
    }

    /// `GET url`: the status, headers and body (up to the policy's cap), after following
    /// redirects; [`FetchError::Blocked`] if the URL or a redirect hop may not be reached.
    pub async fn get(&self, url: &str) -> Result<FetchResponse, FetchError> {
        self.request(Method::GET, url).send().await
    }

    /// A request with another method, headers or a body, sent with
    /// [`send`](FetchRequest::send):
    ///
    /// ```no_run
    /// # async fn post(fetcher: mcp_runtime::fetch::Fetcher) -> Result<(), mcp_runtime::fetch::FetchError> {
    /// use mcp_runtime::fetch::Method;
    ///
    /// let response = fetcher
    ///     .request(Method::POST, "https://api.example.com/notes")
    ///     .header("content-type", "text/plain")
    ///     .body("remember the milk")
    ///     .send()
    ///     .await?;
    /// assert!(response.status().is_success());
    /// # Ok(()) }
    /// ```
    pub fn request(&self, method: Method, url: impl AsRef<str>) -> FetchRequest {
        FetchRequest {
            fetcher: self.clone(),
            parts: Parts {
                method,
                url: url.as_ref().to_owned(),
                headers: HeaderMap::new(),
                body: None,
                invalid: None,
            },
        }
    }

    /// The HTTP client, built on first use.
    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        if let Some(message) = &self.inner.invalid {
            return Err(FetchError::Config {
                message: message.clone(),
            });
        }
        self.inner
            .client
            .get_or_init(|| build_client(&self.inner.policy))
            .as_ref()
            .map_err(|message| FetchError::Config {
                message: message.clone(),
            })
    }

    /// Sends `request`, following redirects, within the total timeout.
    async fn send(&self, request: Parts) -> Result<FetchResponse, FetchError> {
        if let Some(message) = request.invalid {
            return Err(FetchError::InvalidRequest { message });
        }
        let client = self.client()?;
        let policy = &self.inner.policy;
        let url = Url::parse(&request.url).map_err(|error| FetchError::InvalidUrl {
            url: request.url.clone(),
            reason: error.to_string(),
        })?;
        let shown = shown(&url);
        let hops = Hops {
            client,
            url,
            method: request.method,
            headers: request.headers,
            body: request.body,
        };
        match tokio::time::timeout(policy.timeout, self.follow(hops)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: shown,
                what: "the request",
                after: policy.timeout,
            }),
        }
    }

    /// Sends the request, and again to each redirect's target, every hop checked first.
    async fn follow(&self, mut hops: Hops<'_>) -> Result<FetchResponse, FetchError> {
        let policy = &self.inner.policy;
        let first = shown(&hops.url);
        let mut redirects = 0;
        loop {
            self.check_hop(&hops.url).await?;
            let mut request = hops
                .client
                .request(hops.method.clone(), hops.url.clone())
                .headers(hops.headers.clone());
            if let Some(body) = &hops.body {
                request = request.body(body.clone());
            }
            let response = request
                .send()
                .await
                .map_err(|error| transport_error(error, &hops.url, policy))?;
            let status = response.status();
            let location = response.headers().get(header::LOCATION).cloned();
            let (true, Some(location)) = (is_redirect(status), location) else {
                return read(response, &hops.url, policy.max_response_size).await;
            };
            if redirects == policy.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: first,
                    limit: policy.max_redirects,
                });
            }
            redirects += 1;
            let next = location
                .to_str()
                .ok()
                .and_then(|location| hops.url.join(location).ok())
                .ok_or_else(|| FetchError::InvalidUrl {
                    url: String::from_utf8_lossy(location.as_bytes()).into_owned(),
                    reason: format!("it is the redirect from {}", shown(&hops.url)),
                })?;
            hops.redirect(status, next);
        }
    }

    /// The checks of one hop before it is sent: the URL, the host's rate limit, and with a
    /// proxy (which resolves the target itself) what the host resolves to here.
    async fn check_hop(&self, url: &Url) -> Result<(), FetchError> {
        let policy = &self.inner.policy;
        let blocked = |reason| FetchError::Blocked {
            url: shown(url),
            reason,
        };
        let host = policy.check_url(url).map_err(blocked)?;
        if let Some(limiter) = &self.inner.limiter {
            limiter
                .take(&host.key())
                .map_err(|retry_after| FetchError::RateLimited {
                    host: host.key(),
                    retry_after,
                })?;
        }
        if let (Some(_), Host::Name(name)) = (&policy.proxy, &host) {
            let resolved =
                tokio::time::timeout(policy.connect_timeout, resolve_checked(policy, name));
            match resolved.await {
                Ok(Ok(_)) => {}
                Ok(Err(refusal)) => return Err(refusal_error(refusal, url)),
                Err(_) => {
                    return Err(FetchError::Timeout {
                        url: shown(url),
                        what: "connecting",
                        after: policy.connect_timeout,
                    });
                }
            }
        }
        Ok(())
    }
}

/// The request of one hop, changed by each redirect.
struct Hops<'a> {
    client: &'a reqwest::Client,
    url: Url,
    method: Method,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Hops<'_> {
    /// The request to send to `next` after a `status` redirect, as browsers do: `303` (and
    /// `301`/`302` after a `POST`) becomes a `GET` without a body; credentials are not sent
    /// to another origin.
    fn redirect(&mut self, status: StatusCode, next: Url) {
        let to_get = (status == StatusCode::SEE_OTHER && self.method != Method::HEAD)
            || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                && self.method == Method::POST);
        if to_get {
            self.method = Method::GET;
            self.body = None;
            for name in [
                header::CONTENT_TYPE,
                header::CONTENT_LENGTH,
                header::CONTENT_ENCODING,
                header::TRANSFER_ENCODING,
            ] {
                self.headers.remove(name);
            }
        }
        if next.origin() != self.url.origin() {
            for name in [
                header::AUTHORIZATION,
                header::COOKIE,
                header::PROXY_AUTHORIZATION,
                header::WWW_AUTHENTICATE,
            ] {
                self.headers.remove(name);
            }
        }
        self.url = next;
    }
}

/// The statuses whose `Location` is followed.
fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

/// Reads the body up to `limit` bytes.
async fn read(
    mut response: reqwest::Response,
    url: &Url,
    limit: u64,
) -> Result<FetchResponse, FetchError> {
    let too_large = || FetchError::TooLarge {
        url: shown(url),
        limit,
    };
    if response
        .content_length()
        .is_some_and(|length| length > limit)
    {
        return Err(too_large());
    }
    let capacity = response
        .content_length()
        .unwrap_or(0)
        .min(limit)
        .min(1 << 20);
    let mut body = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| FetchError::Request {
            url: shown(url),
            what: "the response body could not be read",
            source: Box::new(error),
        })?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FetchResponse {
        url: url.to_string(),
        status: response.status(),
        headers: std::mem::take(response.headers_mut()),
        body,
    })
}

/// The client: no redirects (the fetcher follows them), no proxy from the environment (only
/// the policy's), no retries, and the checking resolver.
fn build_client(policy: &Arc<FetchPolicy>) -> Result<reqwest::Client, String> {
    let resolver = CheckingResolver {
        policy: Arc::clone(policy),
        proxy_host: policy.proxy_host(),
    };
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .retry(reqwest::retry::never())
        .referer(false)
        .connect_timeout(policy.connect_timeout)
        .dns_resolver(Arc::new(resolver));
    if let Some(proxy) = &policy.proxy {
        let proxy = reqwest::Proxy::all(proxy.as_str())
            .map_err(|_| "the proxy URL is not one reqwest accepts".to_owned())?;
        builder = builder.proxy(proxy);
    }
    builder
        .build()
        .map_err(|error| format!("the HTTP client cannot be set up: {error}"))
}

/// The error for a failed hop: a refusal of the checking resolver if there is one in the
/// chain, else what the transport says.
fn transport_error(error: reqwest::Error, url: &Url, policy: &FetchPolicy) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(cause) = source {
        if let Some(refusal) = cause.downcast_ref::<Refusal>() {
            return refusal_error(refusal.duplicate(), url);
        }
        source = cause.source();
    }
    let shown = shown(url);
    if error.is_timeout() {
        return FetchError::Timeout {
            url: shown,
            what: "connecting",
            after: policy.connect_timeout,
        };
    }
    if error.is_connect() {
        return FetchError::Connect {
            url: shown,
            source: Box::new(error),
        };
    }
    let what = if error.is_body() || error.is_decode() {
        "the response could not be read"
    } else {
        "the request could not be completed"
    };
    FetchError::Request {
        url: shown,
        what,
        source: Box::new(error),
    }
}

fn refusal_error(refusal: Refusal, url: &Url) -> FetchError {
    match refusal {
        Refusal::Blocked(reason) => FetchError::Blocked {
            url: shown(url),
            reason,
        },
        Refusal::Failed { host, source } => FetchError::Resolve { host, source },
    }
}

/// The URL as messages show it: without a user name or password.
fn shown(url: &Url) -> String {
    let mut url = url.clone();
    // Both fail only for URLs that cannot have them, which have none to hide.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// A request being built by [`Fetcher::request`]; [`send`](Self::send) it.
#[derive(Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct FetchRequest {
    fetcher: Fetcher,
    parts: Parts,
}

/// What a [`FetchRequest`] holds besides its fetcher.
#[derive(Debug)]
struct Parts {
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
    /// The first header (or JSON body) that did not make it: sending fails with it.
    invalid: Option<String>,
}

impl FetchRequest {
    /// Adds a header (`"accept"`, `header::ACCEPT`…). An invalid name or value makes
    /// [`send`](Self::send) fail with [`FetchError::InvalidRequest`].
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        <HeaderName as TryFrom<K>>::Error: std::fmt::Display,
        HeaderValue: TryFrom<V>,
        <HeaderValue as TryFrom<V>>::Error: std::fmt::Display,
    {
        let name = HeaderName::try_from(name);
        let value = HeaderValue::try_from(value);
        match (name, value) {
            (Ok(name), Ok(value)) => {
                self.parts.headers.append(name, value);
            }
            (Err(error), _) => self.fail(format!("invalid header name: {error}")),
            (_, Err(error)) => self.fail(format!("invalid header value: {error}")),
        }
        self
    }

    /// Adds every header of `headers`.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in &headers {
            self.parts.headers.append(name, value.clone());
        }
        self
    }

    /// The request body (sent again to a `307` or `308` redirect's target, dropped on a
    /// redirect that turns the request into a `GET`).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.parts.body = Some(body.into());
        self
    }

    /// A JSON body, with `content-type: application/json`.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => {
                self.parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                self.parts.body = Some(body);
            }
            Err(error) => self.fail(format!("the JSON body does not serialize: {error}")),
        }
        self
    }

    fn fail(&mut self, message: String) {
        self.parts.invalid.get_or_insert(message);
    }

    /// Sends the request: the status, headers and body (up to the policy's cap) of the last
    /// response, after following redirects.
    pub async fn send(self) -> Result<FetchResponse, FetchError> {
        self.fetcher.send(self.parts).await
    }
}

/// A response: its status, headers and body, read in full (up to the policy's cap).
#[derive(Debug, Clone)]
pub struct FetchResponse {
    url: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl FetchResponse {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `content-type` header, if it is text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(header::CONTENT_TYPE)?.to_str().ok()
    }

    /// The URL that answered: the one asked for, or the last redirect's target.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, owned.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// The body as text: UTF-8, with any invalid sequence replaced by `�`.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}
