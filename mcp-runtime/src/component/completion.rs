//! Completions (`completion/complete`) for prompt arguments and resource-template variables,
//! declared next to the component: `#[prompt(complete(topic = topics))]`.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::extract::Shared;
use crate::util::BoxFuture;

/// A completion source: an `async fn(Completion) -> Vec<String>` named in `complete(…)`.
pub type Completer = fn(Completion) -> BoxFuture<'static, Vec<String>>;

/// One completion request: the argument being completed, what the user typed so far, the
/// other arguments already chosen, and the server's shared state.
///
/// ```
/// use mcp_runtime::completion::Completion;
///
/// /// Topics that start with what was typed.
/// async fn topics(completion: Completion) -> Vec<String> {
///     ["rust", "ruby", "go"]
///         .into_iter()
///         .filter(|topic| topic.starts_with(completion.value()))
///         .map(str::to_owned)
///         .collect()
/// }
/// # let _ = topics;
/// ```
pub struct Completion {
    pub(crate) argument: String,
    pub(crate) value: String,
    pub(crate) context: HashMap<String, String>,
    pub(crate) shared: Arc<Shared>,
}

impl Completion {
    /// The name of the argument or variable being completed.
    pub fn argument(&self) -> &str {
        &self.argument
    }

    /// What the user has typed so far.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The value of another argument, already chosen by the user.
    pub fn context(&self, argument: &str) -> Option<&str> {
        self.context.get(argument).map(String::as_str)
    }

    /// Shared state given to the builder with `.state(…)`.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.shared.state.get::<T>()
    }
}

impl fmt::Debug for Completion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Completion")
            .field("argument", &self.argument)
            .field("value", &self.value)
            .field("context", &self.context)
            .finish_non_exhaustive()
    }
}
