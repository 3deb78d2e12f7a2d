//! `#[prompt]`: parse → validate → expand.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = darling::Error::accumulator();
    let Some(parsed) = parse::parse(attr, item.clone(), &mut errors) else {
        let error = errors.finish().err().map(|e| e.write_errors());
        return quote::quote!(#error #item);
    };
    validate::validate(&parsed, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&parsed),
        Err(error) => {
            let error = error.write_errors();
            if crate::component::has_receiver(&parsed.func) {
                let item = &parsed.func.item;
                return quote::quote!(#error #item);
            }
            let stub = expand::stub(&parsed);
            quote::quote!(#error #stub)
        }
    }
}
