//! `#[resource("scheme://{var}")]`: parse → validate → expand.

mod expand;
mod parse;
mod validate;

use proc_macro2::TokenStream;

pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = darling::Error::accumulator();
    let Some(parsed) = parse::parse(attr, item.clone(), &mut errors) else {
        let error = errors.finish().err().map(|e| e.write_errors());
        return quote::quote!(#error #item);
    };
    let template = validate::validate(&parsed, &mut errors);
    match (errors.finish(), template) {
        (Ok(()), Some(template)) => expand::expand(&parsed, &template),
        (result, _) => {
            let error = result.err().map(|e| e.write_errors());
            if crate::component::has_receiver(&parsed.func) {
                let item = &parsed.func.item;
                return quote::quote!(#error #item);
            }
            let stub = expand::stub(&parsed);
            quote::quote!(#error #stub)
        }
    }
}
