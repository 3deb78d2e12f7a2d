//! What `#[prompt]` checks beyond the shared signature rules.

use darling::Error;
use darling::error::Accumulator;

use super::parse::PromptFn;
use crate::component::{self, PROMPT, check_name, check_not_empty};

pub fn validate(prompt: &PromptFn, errors: &mut Accumulator) {
    component::validate(&prompt.func, PROMPT, errors);
    let attr = &prompt.attr;
    match &attr.name {
        Some(name) => check_name(name, name.span(), false, PROMPT, errors),
        None => check_name(
            &prompt.func.ident_name(),
            prompt.func.item.sig.ident.span(),
            true,
            PROMPT,
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
    crate::common::check_tags(attr.tags.as_deref(), errors);
    crate::common::check_scopes(attr.scopes.as_deref(), errors);
    for (argument, _) in attr.complete.iter().flatten() {
        let name = argument.to_string();
        if !prompt
            .func
            .params
            .iter()
            .any(|p| p.name.as_deref() == Some(name.as_str()))
        {
            errors.push(
                Error::custom(format!(
                    "`complete({name} = …)`: the prompt has no parameter named `{name}`"
                ))
                .with_span(argument),
            );
        }
    }
}
