//! The built-in middleware, one file each: logging, timing, error handling, rate limits,
//! caching, timeouts, retries, circuit breaking, size limits and audit. Each is plain
//! [`Middleware`](super::Middleware) on the public API of its parent module; none reaches into
//! the server.

mod audit;
#[cfg(feature = "cache")]
mod cache;
mod circuit;
mod client_key;
mod errors;
mod logging;
#[cfg(feature = "rate-limit")]
mod rate_limit;
mod retry;
mod size;
mod timeout;
mod timing;

pub use audit::{Audit, AuditRecord};
#[cfg(feature = "cache")]
pub use cache::{Cache, CacheStats};
pub use circuit::CircuitBreaker;
pub use client_key::ClientKey;
pub use errors::{CorrelationId, ErrorHandling};
pub use logging::{Logging, Outcome};
#[cfg(feature = "rate-limit")]
pub use rate_limit::RateLimit;
pub use retry::Retry;
pub use size::SizeLimit;
pub use timeout::Timeout;
pub(crate) use timeout::{prompt_timed_out, resource_timed_out};
pub use timing::Timing;
