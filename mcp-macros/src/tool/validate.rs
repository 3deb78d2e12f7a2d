//! What `#[tool]` checks beyond the shared signature rules.

use darling::Error;
use darling::error::Accumulator;

use super::parse::ToolFn;
use crate::component::{self, TOOL, check_name, check_not_empty};

pub fn validate(tool: &ToolFn, errors: &mut Accumulator) {
    component::validate(&tool.func, TOOL, errors);
    let attr = &tool.attr;
    match &attr.name {
        Some(name) => check_name(name, name.span(), false, TOOL, errors),
        None => check_name(
            &tool.func.ident_name(),
            tool.func.item.sig.ident.span(),
            true,
            TOOL,
            errors,
        ),
    }
    check_not_empty(attr.title.as_ref(), "title", "", errors);
    check_not_empty(
        attr.description.as_ref(),
        "description",
        ": remove it to use the doc comment",
        errors,
    );
    if let Some(annotations) = &attr.annotations
        && annotations.read_only == Some(true)
        && annotations.destructive == Some(true)
    {
        errors.push(
            Error::custom("a tool cannot be both `read_only` and `destructive`")
                .with_span(&annotations.span()),
        );
    }
    crate::common::check_tags(attr.tags.as_deref(), errors);
    crate::common::check_scopes(attr.scopes.as_deref(), errors);
    if let Some(timeout) = &attr.timeout
        && let Err(problem) = crate::common::parse_duration_ms(timeout)
    {
        errors.push(Error::custom(problem).with_span(&timeout.span()));
    }
}
