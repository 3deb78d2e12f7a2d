//! The layer `#[tool]`, `#[resource]` and `#[prompt]` share: one driver (parse → validate →
//! expand, or the fallback on error), the keys every kind accepts ([`shared`]), one [`Kind`],
//! and one `const _` wrapper ([`wrap`]). A kind's own module implements [`Component`] with
//! only what is its own: its keys, its checks, and its trait implementation.
//!
//! The driver has the shape of thiserror-impl's `expand.rs` (`derive` → `try_expand` →
//! `fallback::expand`): every mistake is collected in one accumulator, and on any error the
//! function is still emitted with a stub registration, so one typo gives one error.

pub mod fallback;
pub mod func;
mod icon;
mod meta;
pub mod shared;
pub mod wrap;

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::error::Accumulator;
use proc_macro2::TokenStream;
use quote::quote;

use func::{ComponentFn, Role};
use shared::SharedAttr;

/// The kinds of component.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Tool,
    Resource,
    Prompt,
}

impl Kind {
    /// `tool`, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::Prompt => "prompt",
        }
    }

    /// `#[tool]`, for messages.
    pub fn attribute(self) -> &'static str {
        match self {
            Kind::Tool => "#[tool]",
            Kind::Resource => "#[resource]",
            Kind::Prompt => "#[prompt]",
        }
    }

    /// `tools`: the macro that collects this kind.
    pub fn list_macro(self) -> &'static str {
        match self {
            Kind::Tool => "tools",
            Kind::Resource => "resources",
            Kind::Prompt => "prompts",
        }
    }
}

/// What a kind of component adds to the shared layer.
pub trait Component: Sized {
    /// Which kind this is.
    const KIND: Kind;

    /// The kind's attribute: its own keys, with [`SharedAttr`] flattened in.
    type Attr: FromMeta + Default;

    /// What validation found that expansion needs (a resource's parsed URI template).
    type Checked;

    /// The shared keys inside [`Self::Attr`].
    fn shared(attr: &Self::Attr) -> &SharedAttr;

    /// The `blocking` key, for a kind that has one: the function is then a synchronous `fn`.
    fn blocking(_attr: &Self::Attr) -> Option<proc_macro2::Span> {
        None
    }

    /// Parses the attribute's arguments. A kind with a positional argument (a resource's
    /// URI) takes it here; the others only have keys.
    fn parse_attr(list: Vec<NestedMeta>, errors: &mut Accumulator) -> Self::Attr {
        parse_attr(&list, errors)
    }

    /// The kind's own checks, after the signature and the shared keys were checked; `None`
    /// when something expansion needs could not be worked out (an error was then reported).
    fn validate(component: &Parsed<Self>, errors: &mut Accumulator) -> Option<Self::Checked>;

    /// The kind's trait implementation, emitted inside the `const _` wrapper; `shared` are
    /// the statements that describe the shared keys on the descriptor `__mcp_d`.
    fn expand(component: &Parsed<Self>, checked: Self::Checked, shared: TokenStream)
    -> TokenStream;

    /// A trait implementation that compiles whatever the mistakes, for the fallback.
    fn stub(component: &Parsed<Self>) -> TokenStream;
}

/// A parsed component: its attribute and its function.
pub struct Parsed<K: Component> {
    pub attr: K::Attr,
    pub func: ComponentFn,
}

impl<K: Component> Parsed<K> {
    /// The shared keys.
    pub fn shared(&self) -> &SharedAttr {
        K::shared(&self.attr)
    }

    /// The component's name: `name = "…"`, or the function's name.
    pub fn name(&self) -> String {
        match &self.shared().name {
            Some(name) => name.as_str().to_owned(),
            None => self.func.ident_name(),
        }
    }
}

/// `#[tool]`, `#[resource]` and `#[prompt]`: parse → validate → expand, or the fallback.
pub fn derive<K: Component>(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = darling::Error::accumulator();
    let Some(func) = func::parse_fn(item.clone(), Role::Component(K::KIND), &mut errors) else {
        // Not a function at all: give the error and the item back untouched.
        let error = errors.finish().err().map(|e| e.write_errors());
        return quote!(#error #item);
    };
    let list = NestedMeta::parse_meta_list(attr).unwrap_or_else(|error| {
        errors.push(error.into());
        Vec::new()
    });
    let attr = K::parse_attr(list, &mut errors);
    let component = Parsed::<K> { attr, func };

    let blocking = K::blocking(&component.attr);
    func::validate(
        &component.func,
        Role::Component(K::KIND),
        blocking,
        &mut errors,
    );
    shared::validate(component.shared(), K::KIND, &component.func, &mut errors);
    let checked = K::validate(&component, &mut errors);
    match (errors.finish(), checked) {
        (Ok(()), Some(checked)) => try_expand(&component, checked),
        (result, _) => fallback::expand(&component, result.err()),
    }
}

/// The function as written, its marker type, and the kind's implementation in `const _`.
fn try_expand<K: Component>(component: &Parsed<K>, checked: K::Checked) -> TokenStream {
    let item = &component.func.item;
    let marker = marker::<K>(&component.func);
    let shared = shared::expand(component.shared(), &component.func);
    let implementation = wrap::in_const(
        component.shared().krate.as_ref(),
        K::expand(component, checked, shared),
    );
    quote! {
        #item
        #marker
        #implementation
    }
}

/// The zero-sized type that carries a component, beside the function and with its name (in
/// the type namespace, so the function stays callable).
fn marker<K: Component>(func: &ComponentFn) -> TokenStream {
    let vis = &func.item.vis;
    let ident = &func.item.sig.ident;
    let doc = format!(
        "The `{}` generated for [`{ident}()`]: list it in `{}![…]`.",
        K::KIND.attribute(),
        K::KIND.list_macro()
    );
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
