//! `tools![…]`, `resources![…]`, `prompts![…]`: collect components, and reject duplicates at
//! compile time.
//!
//! Each component's key (a tool or prompt name, a resource URI) is a constant of its trait, so
//! duplicates (after `name = "…"` overrides) are found by constant evaluation: one check per
//! pair, spanned on the later entry, with a message that names both.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

use crate::component::Kind;

/// What a list of one kind says and names.
struct List {
    /// `ToolDef`
    def_trait: &'static str,
    /// `NAME`
    key: &'static str,
    /// `tool name`
    key_noun: &'static str,
    /// `ToolEntry`
    entry: &'static str,
    /// `ToolSet`
    set: &'static str,
    /// How to fix a duplicate.
    fix: &'static str,
}

const TOOLS: List = List {
    def_trait: "ToolDef",
    key: "NAME",
    key_noun: "tool name",
    entry: "ToolEntry",
    set: "ToolSet",
    fix: "give one of them another with `#[tool(name = \"…\")]`",
};

const RESOURCES: List = List {
    def_trait: "ResourceDef",
    key: "URI",
    key_noun: "URI",
    entry: "ResourceEntry",
    set: "ResourceSet",
    fix: "give one of them another URI or template",
};

const PROMPTS: List = List {
    def_trait: "PromptDef",
    key: "NAME",
    key_noun: "prompt name",
    entry: "PromptEntry",
    set: "PromptSet",
    fix: "give one of them another with `#[prompt(name = \"…\")]`",
};

pub fn expand(kind: Kind, input: TokenStream) -> TokenStream {
    let list = match kind {
        Kind::Tool => &TOOLS,
        Kind::Resource => &RESOURCES,
        Kind::Prompt => &PROMPTS,
    };
    let paths = match Punctuated::<Path, Token![,]>::parse_terminated.parse2(input) {
        Ok(paths) => paths,
        Err(error) => {
            let message = format!(
                "{error}; `{}![…]` takes the names of `{}` functions, separated by commas",
                kind.list_macro(),
                kind.attribute()
            );
            return syn::Error::new(error.span(), message).to_compile_error();
        }
    };
    let private = quote!(::mcp_runtime::__private);
    let def_trait = format_ident!("{}", list.def_trait);
    let key = format_ident!("{}", list.key);
    let entry = format_ident!("{}", list.entry);
    let set = format_ident!("{}", list.set);
    let paths: Vec<&Path> = paths.iter().collect();

    let mut checks = Vec::new();
    for (j, later) in paths.iter().enumerate() {
        for earlier in &paths[..j] {
            let later_text = path_text(later);
            let earlier_text = path_text(earlier);
            let message = if later_text == earlier_text {
                format!(
                    "`{later_text}` is listed twice in `{}![…]`",
                    kind.list_macro()
                )
            } else {
                format!(
                    "`{earlier_text}` and `{later_text}` have the same {}: list a component once, or {}",
                    list.key_noun, list.fix
                )
            };
            checks.push(quote_spanned! {later.span()=>
                const _: () = if #private::str_eq(
                    <#earlier as #private::#def_trait>::#key,
                    <#later as #private::#def_trait>::#key,
                ) {
                    ::core::panic!(#message)
                };
            });
        }
    }
    let entries = paths.iter().map(|path| {
        quote_spanned! {path.span()=> #private::#entry::of::<#path>() }
    });
    quote! {
        {
            #(#checks)*
            #private::#set::__from_entries(#private::Vec::<#private::#entry>::from([#(#entries),*]))
        }
    }
}

fn path_text(path: &Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}
