//! Leaves every other module may use; this module imports nothing of the crate's.

use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future, as tool dispatch and middleware return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Constant-time equality of two secrets: the time taken does not depend on where the bytes
/// differ (only on whether the lengths do). For static tokens and the `/metrics` token.
#[cfg(all(feature = "http", any(feature = "auth", feature = "metrics")))]
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
