//! `#[middleware]`: checks at compile time that an
//! `async fn(req: <request type>, [injected…], next: Next) -> Result<…>` is middleware, with
//! messages that say what to do. The function itself is unchanged: `.middleware(f)` accepts it
//! (through `IntoMiddleware`, for the hook its request type names), and it stays callable.

use darling::FromMeta;
use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::component::func::{self, ComponentFn, Role};
use crate::component::{parse_attr, wrap};

/// The keys of `#[middleware(…)]`.
#[derive(Debug, Default, FromMeta)]
struct MiddlewareAttr {
    /// The path of the runtime crate, for crates that re-export it.
    #[darling(rename = "crate")]
    krate: Option<syn::Path>,
}

pub fn middleware(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = darling::Error::accumulator();
    let Some(func) = func::parse_fn(item.clone(), Role::Middleware, &mut errors) else {
        let error = errors.finish().err().map(|e| e.write_errors());
        return quote!(#error #item);
    };
    let attr = match NestedMeta::parse_meta_list(attr) {
        Ok(list) => parse_attr::<MiddlewareAttr>(&list, &mut errors),
        Err(error) => {
            errors.push(error.into());
            MiddlewareAttr::default()
        }
    };
    func::validate(&func, Role::Middleware, None, &mut errors);
    if func.params.len() < 2 {
        errors.push(
            darling::Error::custom(
                "a middleware takes the request first and `next: Next` last, like `async fn m(req: ToolCall, next: Next) -> Result<CallToolResult, McpError>`",
            )
            .with_span(&func.item.sig.paren_token.span.join()),
        );
    }
    // `.middleware(f)` accepts functions with up to 4 injected parameters.
    if func.params.len() > 6 {
        errors.push(
            darling::Error::custom(
                "a middleware takes at most 4 injected parameters between the request and `next`: group them in a type implementing `FromRequestCx`",
            )
            .with_span(&func.params[5].name_span),
        );
    }
    if matches!(func.item.sig.output, syn::ReturnType::Default) {
        errors.push(
            darling::Error::custom(
                "a middleware returns the response of its request type, like `-> Result<CallToolResult, McpError>`",
            )
            .with_span(&func.item.sig.ident),
        );
    }
    match errors.finish() {
        Ok(()) => expand(&func, attr.krate.as_ref()),
        Err(error) => {
            let error = error.write_errors();
            let item = func::without_const(&func.item);
            quote!(#error #item)
        }
    }
}

fn expand(func: &ComponentFn, krate: Option<&syn::Path>) -> TokenStream {
    let private = wrap::private();
    let item = &func.item;
    let (ret, ret_span) = func.return_type();
    let request_ty = &func.params[0].ty;
    let next_ty = &func.params[func.params.len() - 1].ty;
    let injected = func.params[1..func.params.len() - 1].iter().map(|param| {
        let ty = &param.ty;
        quote_spanned! {ty.span()=> #private::check_middleware_param::<#ty>(); }
    });
    let request_check =
        quote_spanned! {request_ty.span()=> #private::check_request::<#request_ty>(); };
    let next_check = quote_spanned! {next_ty.span()=> #private::check_next::<#next_ty>(); };
    let return_check = quote_spanned! {ret_span=>
        #private::check_middleware_return::<#request_ty, #ret>();
    };
    // What `.middleware(f)` needs, checked here with messages that say what to do.
    let checks = wrap::in_const(
        krate,
        quote! {
            #[allow(dead_code)]
            fn __mcp_checks() {
                #request_check
                #(#injected)*
                #next_check
                #return_check
            }
        },
    );
    quote! {
        #item
        #checks
    }
}
