//! What `#[resource]` checks: the URI template parses, its variables and the function's
//! parameters match (the other direction is checked by the compiler, through a trait that
//! names the parameter), and the keys make sense.

use darling::Error;
use darling::error::Accumulator;
use syn::LitStr;

use super::Resource;
use crate::component::Parsed;
use crate::uri_template::{self, Template};

/// What expansion needs: the URI as written, and its parsed template.
pub struct Checked {
    pub uri: LitStr,
    pub template: Template,
}

/// Validates; returns the URI and its template when it parses.
pub fn validate(resource: &Parsed<Resource>, errors: &mut Accumulator) -> Option<Checked> {
    let attr = &resource.attr;
    if let Some(mime) = &attr.mime_type
        && !mime.contains('/')
    {
        errors.push(
            Error::custom(format!(
                "`{}` is not a MIME type: write it like \"text/markdown\"",
                mime.as_str()
            ))
            .with_span(&mime.span()),
        );
    }
    if let Some(annotations) = &attr.annotations {
        for role in annotations.audience.as_deref().unwrap_or_default() {
            if !matches!(role.value().as_str(), "user" | "assistant") {
                errors.push(
                    Error::custom("an audience is \"user\" or \"assistant\"").with_span(role),
                );
            }
        }
        if let Some(priority) = &annotations.priority
            && !(0.0..=1.0).contains(&***priority)
        {
            errors.push(
                Error::custom("`priority` is between 0.0 and 1.0").with_span(&priority.span()),
            );
        }
    }

    let uri = attr.uri.as_ref()?;
    let template = match uri_template::parse(&uri.value()) {
        Ok(template) => template,
        Err(problem) => {
            errors.push(Error::custom(format!("invalid URI template: {problem}")).with_span(uri));
            return None;
        }
    };
    let params: Vec<&str> = resource
        .func
        .params
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    for (var, _) in template.variables() {
        if !params.contains(&var) {
            errors.push(
                Error::custom(format!(
                    "the URI template has the variable `{var}`, but the function has no parameter named `{var}`: add `{var}: String` (or any `FromStr` type)"
                ))
                .with_span(uri),
            );
        }
    }
    let is_var = |name: &str| template.variables().any(|(var, _)| var == name);
    for (var, _) in attr.complete.iter().flatten() {
        if !is_var(&var.to_string()) {
            errors.push(
                Error::custom(format!(
                    "`complete({var} = …)`: `{var}` is not a variable of the URI template"
                ))
                .with_span(var),
            );
        }
    }
    for path in attr.unchecked.iter().flat_map(|list| list.iter()) {
        let name = path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if !is_var(&name) {
            errors.push(
                Error::custom(format!(
                    "`unchecked({name})`: `{name}` is not a variable of the URI template"
                ))
                .with_span(path),
            );
        }
    }
    Some(Checked {
        uri: uri.clone(),
        template,
    })
}
