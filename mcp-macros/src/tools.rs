//! `tools![a, b, …]`: collects `#[tool]`s, and rejects duplicate names at compile time.
//!
//! Names are constants of each tool's `ToolDef`, so duplicates (after `name = "…"` overrides)
//! are found by constant evaluation: one check per pair, spanned on the later entry, with a
//! message that names both.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Path, Token};

use crate::common::runtime_path;

pub fn tools(input: TokenStream) -> TokenStream {
    let paths = match Punctuated::<Path, Token![,]>::parse_terminated.parse2(input) {
        Ok(paths) => paths,
        Err(error) => {
            let message = format!(
                "{error}; `tools![…]` takes the names of `#[tool]` functions, separated by commas"
            );
            return syn::Error::new(error.span(), message).to_compile_error();
        }
    };
    let krate = runtime_path(None);
    let private = quote!(#krate::__private);
    let paths: Vec<&Path> = paths.iter().collect();

    let mut checks = Vec::new();
    for (j, later) in paths.iter().enumerate() {
        for earlier in &paths[..j] {
            let later_text = path_text(later);
            let earlier_text = path_text(earlier);
            let message = if later_text == earlier_text {
                format!("`{later_text}` is listed twice in `tools![…]`")
            } else {
                format!(
                    "`{earlier_text}` and `{later_text}` have the same tool name: give one of them another with `#[tool(name = \"…\")]`"
                )
            };
            checks.push(quote_spanned! {later.span()=>
                const _: () = if #private::str_eq(
                    <#earlier as #private::ToolDef>::NAME,
                    <#later as #private::ToolDef>::NAME,
                ) {
                    ::core::panic!(#message)
                };
            });
        }
    }
    let entries = paths.iter().map(|path| {
        quote_spanned! {path.span()=> #private::ToolEntry::of::<#path>() }
    });
    quote! {
        {
            #(#checks)*
            #private::ToolSet::__from_entries(#private::Vec::<#private::ToolEntry>::from([#(#entries),*]))
        }
    }
}

fn path_text(path: &Path) -> String {
    quote!(#path).to_string().replace(' ', "")
}
