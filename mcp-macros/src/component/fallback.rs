//! What a component expands to when it has mistakes (thiserror-impl's `fallback.rs`): the
//! errors, the function, its marker type and a stub implementation that compiles, so the rest
//! of the crate (and the IDE) keeps working and one typo gives one error.

use proc_macro2::TokenStream;
use quote::quote;

use super::{Component, Parsed, func, marker, wrap};

pub fn expand<K: Component>(component: &Parsed<K>, error: Option<darling::Error>) -> TokenStream {
    let error = error.map(darling::Error::write_errors);
    // Inside an `impl`, a marker type cannot be emitted: the error and the item only.
    if func::has_receiver(&component.func) {
        let item = &component.func.item;
        return quote!(#error #item);
    }
    let item = func::without_const(&component.func.item);
    let marker = marker::<K>(&component.func);
    let stub = wrap::in_const(component.shared().krate.as_ref(), K::stub(component));
    quote! {
        #error
        #item
        #marker
        #stub
    }
}
