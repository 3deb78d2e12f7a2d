//! Everything `#[tool]` can check without type information. Every mistake is collected, so one
//! compile shows them all.

use darling::Error;
use darling::error::Accumulator;
use syn::spanned::Spanned;
use syn::{FnArg, Pat, ReturnType, Type};

use super::parse::ToolFn;
use crate::common::{first_invalid_char, is_valid_tool_name};

/// Parameter names starting with this are reserved for generated code.
const RESERVED_PREFIX: &str = "__mcp";

pub fn validate(tool: &ToolFn, errors: &mut Accumulator) {
    signature(tool, errors);
    parameters(tool, errors);
    return_type(tool, errors);
    attribute(tool, errors);
}

fn signature(tool: &ToolFn, errors: &mut Accumulator) {
    let sig = &tool.item.sig;
    if sig.asyncness.is_none() {
        errors.push(
            Error::custom("a `#[tool]` function must be `async`: write `async fn`")
                .with_span(&sig.fn_token),
        );
    }
    if let Some(constness) = &sig.constness {
        errors.push(Error::custom("a `#[tool]` function cannot be `const`").with_span(constness));
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        errors.push(
            Error::custom(
                "a `#[tool]` function cannot be `unsafe`: a client may call it with any arguments",
            )
            .with_span(token),
        );
    }
    if let Some(abi) = &sig.abi {
        errors
            .push(Error::custom("a `#[tool]` function cannot have an `extern` ABI").with_span(abi));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(
            Error::custom(
                "a `#[tool]` function cannot be generic: its parameter and return types must be concrete, because its schemas are generated from them",
            )
            .with_span(&sig.generics),
        );
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(Error::custom("a `#[tool]` function cannot be variadic").with_span(variadic));
    }
    for input in &sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            errors.push(
                Error::custom(
                    "`#[tool]` goes on a free function, not a method: remove `self` and take shared data as `State<T>`",
                )
                .with_span(receiver),
            );
        }
    }
}

fn parameters(tool: &ToolFn, errors: &mut Accumulator) {
    for param in &tool.params {
        match &param.name {
            None if matches!(param.pat, Pat::Wild(_)) => errors.push(
                Error::custom("a tool parameter needs a name: the name is the argument's name in the tool's schema")
                    .with_span(&param.name_span),
            ),
            None => errors.push(
                Error::custom(
                    "a tool parameter must be a plain name, like `query: String`: the name is the argument's name; destructure inside the function",
                )
                .with_span(&param.name_span),
            ),
            Some(name) if name.starts_with(RESERVED_PREFIX) => errors.push(
                Error::custom(format!(
                    "the parameter name `{name}` is reserved: names starting with `{RESERVED_PREFIX}` belong to generated code"
                ))
                .with_span(&param.name_span),
            ),
            Some(_) => {}
        }
        match &param.ty {
            Type::Reference(reference) => errors.push(
                Error::custom(
                    "a tool parameter must be an owned type (the call outlives the request): use `String` for `&str`, `Vec<T>` for `&[T]`",
                )
                .with_span(&reference.span()),
            ),
            Type::ImplTrait(impl_trait) => errors.push(
                Error::custom("a tool parameter cannot be `impl Trait`: name a concrete type")
                    .with_span(&impl_trait.span()),
            ),
            _ => {}
        }
    }
}

fn return_type(tool: &ToolFn, errors: &mut Accumulator) {
    if let ReturnType::Type(_, ty) = &tool.item.sig.output {
        match &**ty {
            Type::ImplTrait(impl_trait) => errors.push(
                Error::custom(
                    "a tool cannot return `impl Trait`: name a concrete type, because the output schema is generated from it",
                )
                .with_span(&impl_trait.span()),
            ),
            Type::Reference(reference) if reference.lifetime.as_ref().is_none_or(|l| l.ident != "static") => {
                errors.push(
                    Error::custom("a tool must return an owned value: use `String` rather than `&str`")
                        .with_span(&reference.span()),
                );
            }
            _ => {}
        }
    }
}

fn attribute(tool: &ToolFn, errors: &mut Accumulator) {
    let attr = &tool.attr;
    match &attr.name {
        Some(name) => check_name(name, name.span(), false, errors),
        None => {
            let ident = tool.item.sig.ident.to_string();
            let ident = ident.strip_prefix("r#").unwrap_or(&ident);
            check_name(ident, tool.item.sig.ident.span(), true, errors);
        }
    }
    if let Some(title) = &attr.title
        && title.trim().is_empty()
    {
        errors.push(Error::custom("`title` cannot be empty").with_span(&title.span()));
    }
    if let Some(description) = &attr.description
        && description.trim().is_empty()
    {
        errors.push(
            Error::custom("`description` cannot be empty: remove it to use the doc comment")
                .with_span(&description.span()),
        );
    }
    if let Some(annotations) = &attr.annotations
        && annotations.read_only == Some(true)
        && annotations.destructive == Some(true)
    {
        errors.push(
            Error::custom("a tool cannot be both `read_only` and `destructive`")
                .with_span(&annotations.span()),
        );
    }
}

fn check_name(name: &str, span: proc_macro2::Span, from_ident: bool, errors: &mut Accumulator) {
    if is_valid_tool_name(name) {
        return;
    }
    let why = if name.is_empty() {
        "it is empty".to_owned()
    } else if name.len() > 128 {
        format!("it is {} characters long", name.len())
    } else {
        let c = first_invalid_char(name).unwrap_or('?');
        format!("`{c}` is not allowed")
    };
    let fix = if from_ident {
        "; set a valid one with `#[tool(name = \"…\")]`"
    } else {
        ""
    };
    errors.push(
        Error::custom(format!(
            "invalid tool name `{name}`: {why}; a tool name is 1 to 128 characters of `A-Z a-z 0-9 _ - .`{fix}"
        ))
        .with_span(&span),
    );
}
