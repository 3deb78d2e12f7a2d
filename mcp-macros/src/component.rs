//! What `#[tool]`, `#[resource]` and `#[prompt]` share: parsing the `async fn` and checking the
//! parts of its signature that do not depend on the kind of component.

use darling::Error;
use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::error::Accumulator;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use crate::common::doc_text;
use proc_macro2::TokenStream;
use quote::quote;

/// Parameter names starting with this are reserved for generated code.
const RESERVED_PREFIX: &str = "__mcp";

/// The kind of component a macro makes, for messages.
#[derive(Clone, Copy)]
pub struct Kind {
    /// `#[tool]`
    pub attribute: &'static str,
    /// `tool`
    pub noun: &'static str,
}

pub const TOOL: Kind = Kind {
    attribute: "#[tool]",
    noun: "tool",
};
pub const RESOURCE: Kind = Kind {
    attribute: "#[resource]",
    noun: "resource",
};
pub const MIDDLEWARE: Kind = Kind {
    attribute: "#[middleware]",
    noun: "middleware",
};
pub const PROMPT: Kind = Kind {
    attribute: "#[prompt]",
    noun: "prompt",
};

/// A parsed component function.
pub struct ComponentFn {
    /// The function as written, minus parameter doc comments (which rustc rejects).
    pub item: ItemFn,
    pub params: Vec<Param>,
    pub doc: Option<String>,
}

/// One typed parameter.
pub struct Param {
    /// The parameter's pattern, as written.
    pub pat: Pat,
    /// The external name: the identifier without `r#`; `None` when the pattern is not a name.
    pub name: Option<String>,
    pub name_span: Span,
    pub ty: Type,
    pub doc: Option<String>,
}

impl ComponentFn {
    /// The function's name without `r#`.
    pub fn ident_name(&self) -> String {
        let ident = self.item.sig.ident.to_string();
        ident.strip_prefix("r#").unwrap_or(&ident).to_owned()
    }

    /// The return type (`()` when none is written) and the span errors about it point at.
    pub fn return_type(&self) -> (Type, Span) {
        match &self.item.sig.output {
            ReturnType::Default => (syn::parse_quote!(()), self.item.sig.ident.span()),
            ReturnType::Type(_, ty) => ((**ty).clone(), ty.span()),
        }
    }
}

/// Parses the item as a function; `None` (with an error) when it is something else.
pub fn parse_fn(
    item: proc_macro2::TokenStream,
    kind: Kind,
    errors: &mut Accumulator,
) -> Option<ComponentFn> {
    let mut item: ItemFn = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            errors.push(
                Error::custom(format!(
                    "`{}` goes on an `async fn`: the function becomes an MCP {}",
                    kind.attribute, kind.noun
                ))
                .with_span(&error.span()),
            );
            return None;
        }
    };
    let mut params = Vec::new();
    for input in item.sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let doc = doc_text(&typed.attrs);
        typed.attrs.retain(|attr| !attr.path().is_ident("doc"));
        let (name, name_span) = match &*typed.pat {
            Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                let name = ident.ident.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
                (Some(name), ident.ident.span())
            }
            other => (None, other.span()),
        };
        params.push(Param {
            pat: (*typed.pat).clone(),
            name,
            name_span,
            ty: (*typed.ty).clone(),
            doc,
        });
    }
    let doc = doc_text(&item.attrs);
    Some(ComponentFn { item, params, doc })
}

/// Checks the signature: `async`, no `const`/`unsafe`/ABI/generics/variadics/receiver, plain
/// owned parameters, an owned return type.
pub fn validate(component: &ComponentFn, kind: Kind, errors: &mut Accumulator) {
    signature(component, kind, errors);
    parameters(component, kind, errors);
    return_type(component, kind, errors);
}

fn signature(component: &ComponentFn, kind: Kind, errors: &mut Accumulator) {
    let attribute = kind.attribute;
    let sig = &component.item.sig;
    if sig.asyncness.is_none() {
        errors.push(
            Error::custom(format!(
                "a `{attribute}` function must be `async`: write `async fn`"
            ))
            .with_span(&sig.fn_token),
        );
    }
    if let Some(constness) = &sig.constness {
        errors.push(
            Error::custom(format!("a `{attribute}` function cannot be `const`"))
                .with_span(constness),
        );
    }
    if let syn::Safety::Unsafe(token) = &sig.safety {
        errors.push(
            Error::custom(format!(
                "a `{attribute}` function cannot be `unsafe`: a client may call it with any arguments"
            ))
            .with_span(token),
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push(
            Error::custom(format!(
                "a `{attribute}` function cannot have an `extern` ABI"
            ))
            .with_span(abi),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        let why = if kind.noun == "tool" {
            "its parameter and return types must be concrete, because its schemas are generated from them"
        } else {
            "its parameter and return types must be concrete, because the runtime calls it with values of those types"
        };
        let message = format!("a `{attribute}` function cannot be generic: {why}");
        // Point at the first generic parameter (or the `where` clause), not at `<`.
        let span = match (sig.generics.params.first(), &sig.generics.where_clause) {
            (Some(param), _) => param.span(),
            (None, Some(where_clause)) => where_clause.span(),
            (None, None) => sig.generics.span(),
        };
        errors.push(Error::custom(message).with_span(&span));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(
            Error::custom(format!("a `{attribute}` function cannot be variadic"))
                .with_span(variadic),
        );
    }
    for input in &sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            errors.push(
                Error::custom(format!(
                    "`{attribute}` goes on a free function, not a method: remove `self` and take shared data as `State<T>`"
                ))
                .with_span(receiver),
            );
        }
    }
}

fn parameters(component: &ComponentFn, kind: Kind, errors: &mut Accumulator) {
    let noun = kind.noun;
    for param in &component.params {
        if kind.noun == "middleware" {
            // A middleware's parameters are positional: no names to check, and the request is
            // taken by value to be passed on.
            if let Type::Reference(reference) = &param.ty {
                errors.push(
                    Error::custom(
                        "a middleware takes its request and parameters by value, to pass the request on with `next.run(req)`: remove the `&`",
                    )
                    .with_span(&reference.elem.span()),
                );
            }
            continue;
        }
        match &param.name {
            None if matches!(param.pat, Pat::Wild(_)) => errors.push(
                Error::custom(format!(
                    "a {noun} parameter needs a name: the name is the argument's name in the {noun}'s schema"
                ))
                .with_span(&param.name_span),
            ),
            None => errors.push(
                Error::custom(format!(
                    "a {noun} parameter must be a plain name, like `query: String`: the name is the argument's name; destructure inside the function"
                ))
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
            // Point at the referenced type and at the trait: a span is one token on stable.
            Type::Reference(reference) => errors.push(
                Error::custom(format!(
                    "a {noun} parameter must be an owned type (the call outlives the request): use `String` for `&str`, `Vec<T>` for `&[T]`"
                ))
                .with_span(&reference.elem.span()),
            ),
            Type::ImplTrait(impl_trait) => errors.push(
                Error::custom(format!("a {noun} parameter cannot be `impl Trait`: name a concrete type"))
                    .with_span(&impl_trait.bounds.first().map_or(impl_trait.span(), Spanned::span)),
            ),
            _ => {}
        }
    }
}

fn return_type(component: &ComponentFn, kind: Kind, errors: &mut Accumulator) {
    let noun = kind.noun;
    let why = match noun {
        "middleware" => {
            "return the `Result<…, McpError>` of its request type, like `Result<CallToolResult, McpError>`"
        }
        _ => "name a concrete type, because the output schema is generated from it",
    };
    if let ReturnType::Type(_, ty) = &component.item.sig.output
        && let Type::ImplTrait(impl_trait) = &**ty
    {
        errors.push(
            Error::custom(format!("a {noun} cannot return `impl Trait`: {why}")).with_span(
                &impl_trait
                    .bounds
                    .first()
                    .map_or(impl_trait.span(), Spanned::span),
            ),
        );
    }
}

/// Whether the function has a `self` receiver: it is inside an `impl`, where nothing but the
/// error should be emitted (a marker type cannot live there).
pub fn has_receiver(component: &ComponentFn) -> bool {
    component.item.sig.receiver().is_some()
}

/// The item without `const`, so a stub does not add rustc's own error to ours.
pub fn without_const(item: &ItemFn) -> ItemFn {
    let mut item = item.clone();
    item.sig.constness = None;
    item
}

/// Checks a component name against MCP's tool-name rule (also used for prompts).
pub fn check_name(name: &str, span: Span, from_ident: bool, kind: Kind, errors: &mut Accumulator) {
    if crate::common::is_valid_tool_name(name) {
        return;
    }
    let (noun, attribute) = (
        kind.noun,
        kind.attribute
            .trim_start_matches("#[")
            .trim_end_matches(']'),
    );
    let problem = if name.is_empty() {
        format!("a {noun} name cannot be empty")
    } else if name.len() > 128 {
        format!("this {noun} name is {} characters long", name.len())
    } else {
        let c = crate::common::first_invalid_char(name).unwrap_or('?');
        format!("invalid {noun} name `{name}`: `{c}` is not allowed")
    };
    let fix = if from_ident {
        format!("; set a valid one with `#[{attribute}(name = \"…\")]`")
    } else {
        String::new()
    };
    errors.push(
        Error::custom(format!(
            "{problem}; a {noun} name is 1 to 128 characters of `A-Z a-z 0-9 _ - .`{fix}"
        ))
        .with_span(&span),
    );
}

/// Checks an optional non-empty string key.
pub fn check_not_empty(
    value: Option<&darling::util::SpannedValue<String>>,
    key: &str,
    hint: &str,
    errors: &mut Accumulator,
) {
    if let Some(value) = value
        && value.trim().is_empty()
    {
        errors
            .push(Error::custom(format!("`{key}` cannot be empty{hint}")).with_span(&value.span()));
    }
}

/// The zero-sized type that carries a component, beside the function and with its name (in
/// the type namespace, so the function stays callable).
pub fn marker(func: &ComponentFn, attribute: &str, list_macro: &str) -> TokenStream {
    let vis = &func.item.vis;
    let ident = &func.item.sig.ident;
    let doc =
        format!("The `{attribute}` generated for [`{ident}()`]: list it in `{list_macro}[…]`.");
    quote! {
        #[doc = #doc]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #ident {}
    }
}

/// Parses attribute keys with darling, reporting every error, and keeps the keys that parsed:
/// one bad key does not hide the checks of the others.
pub fn parse_attr<T: FromMeta + Default>(list: &[NestedMeta], errors: &mut Accumulator) -> T {
    match T::from_list(list) {
        Ok(attr) => attr,
        Err(error) => {
            errors.push(error);
            let good: Vec<NestedMeta> = list
                .iter()
                .filter(|item| T::from_list(std::slice::from_ref(*item)).is_ok())
                .cloned()
                .collect();
            T::from_list(&good).unwrap_or_default()
        }
    }
}
