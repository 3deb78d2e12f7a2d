//! `tools![…]`, `resources![…]`, `prompts![…]`: collect components, and reject duplicates at
//! compile time.
//!
//! Each component's key (a tool or prompt name, a resource URI) is a constant of its trait, so
//! duplicates (after `name = "…"` overrides) are found by constant evaluation: one evaluation
//! sorts the whole list's keys (`__private::first_occurrences`), then one small constant per
//! entry, spanned on it, fails when an earlier entry has its key, with a message that names
//! both. (A constant per pair made a list of 1,000 tools cost minutes and gigabytes of rustc
//! memory.)

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
    let entry = format_ident!("{}", list.entry);
    let set = format_ident!("{}", list.set);
    let paths: Vec<&Path> = paths.iter().collect();

    let checks = if paths.len() < 2 {
        TokenStream::new()
    } else {
        duplicate_checks(kind, list, &paths)
    };
    let entries = paths.iter().map(|path| {
        quote_spanned! {path.span()=> #private::#entry::of::<#path>() }
    });
    quote! {
        {
            #checks
            #private::#set::__from_entries(#private::Vec::<#private::#entry>::from([#(#entries),*]))
        }
    }
}

/// The duplicate check of a list of at least two entries: the keys sorted once, then a constant
/// per entry that panics, spanned on the entry, when an earlier one has the same key.
fn duplicate_checks(kind: Kind, list: &List, paths: &[&Path]) -> TokenStream {
    let private = quote!(::mcp_runtime::__private);
    let def_trait = format_ident!("{}", list.def_trait);
    let key = format_ident!("{}", list.key);
    let count = paths.len();
    let texts: Vec<String> = paths.iter().map(|path| path_text(path)).collect();
    let keys = paths.iter().map(|path| {
        quote_spanned! {path.span()=> <#path as #private::#def_trait>::#key }
    });
    let longest = texts.iter().map(String::len).max().unwrap_or(0);
    let mut checks = Vec::with_capacity(count);
    for (index, (later, text)) in paths.iter().zip(&texts).enumerate().skip(1) {
        // `later` listed twice, or `earlier` (known only once the constants are evaluated) and
        // `later` with the same key: the message is assembled in a buffer as long as the
        // longest it can be.
        let twice = format!("`{text}` is listed twice in `{}![…]`", kind.list_macro());
        let same = format!(
            "` and `{text}` have the same {}: list a component once, or {}",
            list.key_noun, list.fix
        );
        let capacity = twice.len().max(1 + longest + same.len());
        checks.push(quote_spanned! {later.span()=>
            const _: () = {
                let earlier = __MCP_FIRST[#index];
                if earlier != #private::UNIQUE {
                    let mut buffer = [0u8; #capacity];
                    let parts = if #private::str_eq(__MCP_PATHS[earlier], #text) {
                        [#twice, "", ""]
                    } else {
                        ["`", __MCP_PATHS[earlier], #same]
                    };
                    ::core::panic!("{}", #private::concat(&mut buffer, &parts))
                }
            };
        });
    }
    quote! {
        const __MCP_KEYS: [&str; #count] = [#(#keys),*];
        const __MCP_PATHS: [&str; #count] = [#(#texts),*];
        const __MCP_FIRST: [usize; #count] = #private::first_occurrences(&__MCP_KEYS);
        #(#checks)*
    }
}

fn path_text(path: &Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}
