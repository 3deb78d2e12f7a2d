//! What `#[prompt]` checks beyond the signature and the shared keys.

use darling::Error;
use darling::error::Accumulator;

use super::Prompt;
use crate::component::Parsed;

pub fn validate(prompt: &Parsed<Prompt>, errors: &mut Accumulator) {
    for (argument, _) in prompt.attr.complete.iter().flatten() {
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
