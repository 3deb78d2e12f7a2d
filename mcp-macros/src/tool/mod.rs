//! `#[tool]`: parse → validate → expand.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = darling::Error::accumulator();
    let parsed = match parse::parse(attr, item.clone(), &mut errors) {
        Some(parsed) => parsed,
        // Not a function at all: give the error and the item back untouched.
        None => {
            let error = errors.finish().err().map(|e| e.write_errors());
            return quote::quote!(#error #item);
        }
    };
    validate::validate(&parsed, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&parsed),
        Err(error) => {
            let error = error.write_errors();
            // Inside an `impl`, a marker type cannot be emitted: the error and the item only.
            if crate::component::has_receiver(&parsed.func) {
                let item = &parsed.func.item;
                return quote::quote!(#error #item);
            }
            let stub = expand::stub(&parsed);
            quote::quote!(#error #stub)
        }
    }
}
