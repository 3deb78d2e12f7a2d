//! URLs a model chose, fetched without reaching what it must not: [`Fetcher`].
//!
//! A tool that fetches a URL its caller chose must not be talked into
//! `http://169.254.169.254/latest/meta-data/iam/security-credentials/` (the cloud's metadata
//! service hands out credentials), `http://localhost:6379/` or the admin page of a router on
//! the private network: server-side request forgery (SSRF). A [`Fetcher`] checks every URL
//! against its [`FetchPolicy`] before any connection, and refuses with
//! [`FetchError::Blocked`] (see [`FetchError::is_blocked`]):
//!
//! - schemes other than `https` (and `http` when [allowed](FetchPolicy::allow_http)), and URLs
//!   with a user name or password;
//! - hosts that are, or resolve to, any address that is not globally routable: loopback,
//!   unspecified, private, link-local, carrier-grade NAT, multicast, broadcast,
//!   documentation, benchmarking and reserved ranges, IPv6 unique local and site-local
//!   addresses, the cloud metadata addresses, and IPv4 addresses hidden in IPv6 ones (mapped,
//!   compatible, 6to4, Teredo, NAT64) — in every spelling (`2130706433`, `0177.0.0.1`,
//!   `0x7f.1`, `127.1`, `[::ffff:7f00:1]`) — and `localhost` and metadata host names;
//! - hosts on the [deny list](FetchPolicy::deny_hosts), even public ones. The
//!   [allow list](FetchPolicy::allow_hosts) lets a deployment reach an internal service on
//!   purpose.
//!
//! A host name is resolved once per connection, through the policy's [`Resolve`], and the
//! connection goes to the addresses that were checked: a DNS server that answers a public
//! address to the check and `127.0.0.1` to the connection (DNS rebinding) gets nowhere.
//! Redirects are followed by the fetcher, each hop checked like the first URL, up to a
//! limit; bodies are capped, connections and whole requests time out, and a per-host rate
//! limit and a trusted egress proxy are there for deployments that want them.
//!
//! Put the fetcher on the builder with [`.state(…)`](crate::ServerBuilder::state) (or let the
//! `[fetch]` settings make it); a tool takes it as a parameter (`Fetcher` or
//! `State<Fetcher>`), and `?` turns a refusal into a message the model reads:
//!
//! ```
//! use mcp_runtime::fetch::{FetchPolicy, Fetcher};
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//!
//! /// Fetch a web page.
//! #[tool]
//! async fn fetch_page(fetcher: Fetcher, url: String) -> Result<String, ToolError> {
//!     Ok(fetcher.get(&url).await?.text())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fetcher = Fetcher::new(FetchPolicy::default().max_response_size(1024 * 1024));
//! let refused = fetcher.get("http://2130706433/").await.unwrap_err();
//! assert!(refused.is_blocked());
//!
//! let server = Server::builder("web")
//!     .state(fetcher)
//!     .tools(tools![fetch_page])
//!     .build()?;
//! let client = TestClient::new(server).await;
//! let url = "https://169.254.169.254/latest/meta-data/";
//! let result = client.call_tool("fetch_page", serde_json::json!({"url": url})).await?;
//! assert!(result.is_error());
//! assert_eq!(
//!     result.text(),
//!     "refused to fetch https://169.254.169.254/latest/meta-data/: \
//!      its host 169.254.169.254 is a cloud metadata service address"
//! );
//! # Ok(())
//! # }
//! ```

mod address;
mod check;
mod fetcher;
mod limit;
mod policy;
mod resolve;
mod rules;

pub use crate::error::fetch::FetchError;
pub use fetcher::{FetchRequest, FetchResponse, Fetcher};
pub use policy::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_TIMEOUT,
    FetchPolicy,
};
/// HTTP types of requests and responses (from the `http` crate, through reqwest).
pub use reqwest::{Method, StatusCode, header};
pub use resolve::{Resolve, Resolving, SystemResolver};

use crate::RequestCx;
use crate::ToolError;
use crate::extract::{FromRequestCx, Requirements};

/// A tool parameter `fetcher: Fetcher` is the fetcher given to the builder with
/// `.state(fetcher)` (or made from the `[fetch]` settings): the same as `State<Fetcher>`,
/// without the wrapper.
impl FromRequestCx for Fetcher {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        crate::State::<Fetcher>::from_request_cx(cx).map(|state| Fetcher::clone(&state))
    }

    fn requirements(requirements: &mut Requirements) {
        requirements.state::<Fetcher>();
    }
}
