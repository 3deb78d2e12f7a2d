//! Leaves every other module may use; this module imports nothing of the crate's.

use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future, as tool dispatch and middleware return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
