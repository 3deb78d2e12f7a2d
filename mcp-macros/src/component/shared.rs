//! The keys every component kind accepts, declared once: each kind's attribute flattens
//! [`SharedAttr`] in (`#[darling(flatten)]`), so unknown keys still get one "did you mean"
//! over the kind's keys and these. Checked once ([`validate`]) and expanded once ([`expand`]):
//! adding a shared key touches this file only.

use darling::FromMeta;
use darling::error::Accumulator;
use darling::util::SpannedValue;
use darling::{Error, Result};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::LitStr;
use syn::spanned::Spanned;

use super::Kind;
use super::func::ComponentFn;
use super::icon::{self, Icons};
use super::meta::{self, MetaMap};

/// The keys of `#[tool(…)]`, `#[resource("…", …)]` and `#[prompt(…)]` alike.
#[derive(Debug, Default, FromMeta)]
pub struct SharedAttr {
    /// The component's name; defaults to the function's name.
    pub name: Option<SpannedValue<String>>,
    /// A human-readable title.
    pub title: Option<SpannedValue<String>>,
    /// The description; defaults to the function's doc comment.
    pub description: Option<SpannedValue<String>>,
    /// Icons clients may show: `icons = ["https://…", icon(src = "…", …)]`.
    pub icons: Option<Icons>,
    /// Tags, for enabling and disabling groups of components.
    pub tags: Option<Vec<LitStr>>,
    /// OAuth scopes a caller needs to see and use this component: `scopes = ["notes:write"]`.
    pub scopes: Option<Vec<LitStr>>,
    /// Middleware around this component only, innermost: `middleware = [a, b]`.
    pub middleware: Option<ExprList>,
    /// The longest a call may run: `timeout = "5s"` (`ms`, `s`, `m`, `h`).
    pub timeout: Option<SpannedValue<String>>,
    /// How long a list showing the component may be cached: `cache_ttl = "5m"` (its
    /// `ttlMs`; the shortest of a list's components wins).
    pub cache_ttl: Option<SpannedValue<String>>,
    /// Who may cache a list showing the component: `cache_scope = "public"` or `"private"`.
    pub cache_scope: Option<SpannedValue<String>>,
    /// The component's `_meta` object: `meta(key = "value", count = 3)`.
    pub meta: Option<MetaMap>,
    /// The path of the runtime crate, for crates that re-export it.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `[a, b(1)]`: a list of expressions, for `middleware = […]`.
#[derive(Debug, Default, Clone)]
pub struct ExprList(pub Vec<syn::Expr>);

impl FromMeta for ExprList {
    fn from_expr(expr: &syn::Expr) -> Result<Self> {
        match expr {
            syn::Expr::Array(array) => Ok(ExprList(array.elems.iter().cloned().collect())),
            syn::Expr::Group(group) => Self::from_expr(&group.expr),
            other => Err(Error::custom(
                "expected a list of middleware, like `middleware = [audit, RateLimit::new(5)]`",
            )
            .with_span(other)),
        }
    }
}

/// Checks the shared keys, and the name the component gets when `name` is not given.
pub fn validate(attr: &SharedAttr, kind: Kind, func: &ComponentFn, errors: &mut Accumulator) {
    match (kind, &attr.name) {
        // A resource's name is free text: its URI is what identifies it.
        (Kind::Resource, name) => check_not_empty(name.as_ref(), "name", "", errors),
        (_, Some(name)) => check_name(name, name.span(), false, kind, errors),
        (_, None) => check_name(
            &func.ident_name(),
            func.item.sig.ident.span(),
            true,
            kind,
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
    if let Some(icons) = &attr.icons {
        icon::validate(icons, errors);
    }
    check_words(
        attr.tags.as_deref(),
        "a tag is a non-empty word without spaces, like \"admin\"",
        errors,
    );
    // OAuth's `scope` is space-separated.
    check_words(
        attr.scopes.as_deref(),
        "a scope is a non-empty word without spaces, like \"notes:write\"",
        errors,
    );
    if let Some(timeout) = &attr.timeout
        && let Err(problem) = crate::common::parse_duration_ms(timeout)
    {
        errors.push(Error::custom(problem).with_span(&timeout.span()));
    }
    if let Some(ttl) = &attr.cache_ttl
        && let Err(problem) = crate::common::parse_duration_ms(ttl)
    {
        errors.push(Error::custom(problem).with_span(&ttl.span()));
    }
    if let Some(scope) = &attr.cache_scope
        && !matches!(scope.as_str(), "public" | "private")
    {
        errors.push(
            Error::custom(format!(
                "`cache_scope` is \"public\" or \"private\", not {:?}",
                scope.as_str()
            ))
            .with_span(&scope.span()),
        );
    }
    if let Some(meta) = &attr.meta {
        meta::validate(meta, errors);
    }
}

/// The statements that put the shared keys on the descriptor `__mcp_d`, through its `meta()`.
pub fn expand(attr: &SharedAttr, func: &ComponentFn) -> TokenStream {
    let private = super::wrap::private();
    let description = attr
        .description
        .as_ref()
        .map(|d| d.as_str().to_owned())
        .or_else(|| func.doc.clone())
        .map(|d| quote!(__mcp_d.meta().description(#d);));
    let title = attr.title.as_ref().map(|t| {
        let t = t.as_str();
        quote!(__mcp_d.meta().title(#t);)
    });
    let icons = attr
        .icons
        .as_ref()
        .map(|icons| icon::expand(icons, &private));
    let tags = attr.tags.as_deref().map(|tags| {
        let tags = str_slice(tags);
        quote!(__mcp_d.meta().tags(#tags);)
    });
    let scopes = attr.scopes.as_deref().map(|scopes| {
        let scopes = str_slice(scopes);
        quote!(__mcp_d.meta().scopes(#scopes);)
    });
    let middleware = attr.middleware.iter().flat_map(|list| &list.0).map(|expr| {
        quote_spanned! {expr.span()=>
            __mcp_d.meta().middleware(#private::middleware_arc(#expr));
        }
    });
    let timeout = attr
        .timeout
        .as_ref()
        .and_then(|t| crate::common::parse_duration_ms(t).ok())
        .map(|ms| quote!(__mcp_d.meta().timeout_ms(#ms);));
    let cache_ttl = attr
        .cache_ttl
        .as_ref()
        .and_then(|t| crate::common::parse_duration_ms(t).ok())
        .map(|ms| quote!(__mcp_d.meta().cache_ttl_ms(#ms);));
    let cache_scope = attr.cache_scope.as_ref().and_then(|scope| {
        let variant = match scope.as_str() {
            "public" => quote!(Public),
            "private" => quote!(Private),
            _ => return None,
        };
        Some(quote!(__mcp_d.meta().cache_scope(#private::CacheScope::#variant);))
    });
    let meta = attr.meta.as_ref().map(|meta| meta::expand(meta, &private));
    quote! {
        #description
        #title
        #icons
        #tags
        #scopes
        #(#middleware)*
        #timeout
        #cache_ttl
        #cache_scope
        #meta
    }
}

/// `&["a", "b"]` for a list of string literals.
fn str_slice(items: &[LitStr]) -> TokenStream {
    let items = items.iter().map(LitStr::value);
    quote!(&[#(#items),*])
}

/// Checks a component name against MCP's tool-name rule (also used for prompts).
fn check_name(name: &str, span: Span, from_ident: bool, kind: Kind, errors: &mut Accumulator) {
    if crate::common::is_valid_tool_name(name) {
        return;
    }
    let noun = kind.noun();
    let attribute = kind
        .attribute()
        .trim_start_matches("#[")
        .trim_end_matches(']');
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
fn check_not_empty(
    value: Option<&SpannedValue<String>>,
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

/// Tags and scopes are non-empty and free of whitespace.
fn check_words(words: Option<&[LitStr]>, message: &str, errors: &mut Accumulator) {
    for word in words.unwrap_or_default() {
        let value = word.value();
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            errors.push(Error::custom(message).with_span(word));
        }
    }
}
