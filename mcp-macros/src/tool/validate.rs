//! What `#[tool]` checks beyond the signature and the shared keys.

use darling::Error;
use darling::error::Accumulator;

use super::parse::ToolAttr;

pub fn validate(attr: &ToolAttr, errors: &mut Accumulator) {
    if let Some(annotations) = &attr.annotations
        && annotations.read_only == Some(true)
        && annotations.destructive == Some(true)
    {
        errors.push(
            Error::custom("a tool cannot be both `read_only` and `destructive`")
                .with_span(&annotations.span()),
        );
    }
    if let Some(task) = &attr.task
        && !matches!(task.as_str(), "optional" | "required")
    {
        errors.push(
            Error::custom(format!(
                "`task` is \"optional\" (a task when the client supports tasks, else an ordinary call) or \"required\" (only as a task), not {:?}",
                task.as_str()
            ))
            .with_span(&task.span()),
        );
    }
    if let Some(value) = attr.blocking.and_then(|blocking| blocking.value) {
        errors.push(
            Error::custom(
                "`blocking` takes no value: write `#[tool(blocking)]` on a synchronous `fn` to run it on the blocking thread pool",
            )
            .with_span(&value),
        );
    }
}
