//! The one wrapper every expansion's helper items go in, and the one place `crate = path` is
//! read (serde_derive's `dummy.rs::wrap_in_const`).

use proc_macro2::TokenStream;
use quote::quote;

/// How code inside [`in_const`] names the runtime's `__private` module (call-site spanned, also
/// when interpolated into `quote_spanned!`).
pub fn private() -> TokenStream {
    quote!(__mcp_private)
}

/// `const _: () = { use <runtime>::__private as __mcp_private; … };`: the code inside reaches
/// the runtime as `__mcp_private::…`, whatever `crate = path` says, and its items stay out of
/// the user's namespace.
pub fn in_const(krate: Option<&syn::Path>, code: TokenStream) -> TokenStream {
    let krate = match krate {
        Some(path) => quote!(#path),
        None => quote!(::mcp_runtime),
    };
    quote! {
        const _: () = {
            use #krate::__private as __mcp_private;
            #code
        };
    }
}
