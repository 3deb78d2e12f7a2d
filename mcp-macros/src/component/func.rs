//! The function under `#[tool]`, `#[resource]`, `#[prompt]` and `#[middleware]`: parsing the
//! `async fn` and checking the parts of its signature that do not depend on what it becomes.

use darling::Error;
use darling::error::Accumulator;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, Pat, ReturnType, Type};

use super::Kind;
use crate::common::doc_text;

/// Parameter names starting with this are reserved for generated code.
const RESERVED_PREFIX: &str = "__mcp";

/// What the function becomes: a component of some kind, or middleware.
#[derive(Clone, Copy)]
pub enum Role {
    Component(Kind),
    Middleware,
}

impl Role {
    /// `#[tool]`
    pub fn attribute(self) -> &'static str {
        match self {
            Role::Component(kind) => kind.attribute(),
            Role::Middleware => "#[middleware]",
        }
    }

    /// `tool`
    pub fn noun(self) -> &'static str {
        match self {
            Role::Component(kind) => kind.noun(),
            Role::Middleware => "middleware",
        }
    }
}

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
    role: Role,
    errors: &mut Accumulator,
) -> Option<ComponentFn> {
    let mut item: ItemFn = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            errors.push(
                Error::custom(format!(
                    "`{}` goes on an `async fn`: the function becomes an MCP {}",
                    role.attribute(),
                    role.noun()
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

/// Checks the signature: `async` (synchronous under `blocking`, the span of that key), no
/// `const`/`unsafe`/ABI/generics/variadics/receiver, plain owned parameters, an owned return
/// type.
pub fn validate(
    component: &ComponentFn,
    role: Role,
    blocking: Option<Span>,
    errors: &mut Accumulator,
) {
    signature(component, role, blocking, errors);
    parameters(component, role, errors);
    return_type(component, role, errors);
}

fn signature(
    component: &ComponentFn,
    role: Role,
    blocking: Option<Span>,
    errors: &mut Accumulator,
) {
    let attribute = role.attribute();
    let sig = &component.item.sig;
    match (&sig.asyncness, blocking) {
        (None, None) => {
            let or_blocking = if matches!(role, Role::Component(Kind::Tool)) {
                ", or `#[tool(blocking)]` to run a synchronous `fn` on the blocking thread pool"
            } else {
                ""
            };
            errors.push(
                Error::custom(format!(
                    "a `{attribute}` function must be `async`: write `async fn`{or_blocking}"
                ))
                .with_span(&sig.fn_token),
            );
        }
        (Some(asyncness), Some(_)) => errors.push(
            Error::custom(
                "`blocking` runs a synchronous `fn` on the blocking thread pool: remove `async`, or remove `blocking` to run the `async fn` as it is",
            )
            .with_span(asyncness),
        ),
        _ => {}
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
        let why = if matches!(role, Role::Component(Kind::Tool)) {
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

fn parameters(component: &ComponentFn, role: Role, errors: &mut Accumulator) {
    let noun = role.noun();
    for param in &component.params {
        if matches!(role, Role::Middleware) {
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

fn return_type(component: &ComponentFn, role: Role, errors: &mut Accumulator) {
    let noun = role.noun();
    let why = match role {
        Role::Middleware => {
            "return the `Result<…, McpError>` of its request type, like `Result<CallToolResult, McpError>`"
        }
        Role::Component(_) => {
            "name a concrete type, because the output schema is generated from it"
        }
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
