//! A tool's `ToolDef` implementation: its descriptor (the shared keys, its annotations,
//! parameters and output) and its call, which extracts the parameters, runs the function and
//! turns the result into a `CallToolResult`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::Tool;
use crate::component::{Parsed, wrap};

pub fn expand(tool: &Parsed<Tool>, shared: TokenStream) -> TokenStream {
    let private = wrap::private();
    let ident = &tool.func.item.sig.ident;
    let name = tool.name();
    let (ret, ret_span) = tool.func.return_type();
    let sensitive = (tool.attr.sensitive == Some(true)).then(|| quote!(__mcp_d.sensitive();));
    let task = tool.attr.task.as_ref().and_then(|task| {
        let variant = match task.as_str() {
            "optional" => quote!(Optional),
            "required" => quote!(Required),
            _ => return None,
        };
        Some(quote!(__mcp_d.task(#private::TaskSupport::#variant);))
    });
    let annotations = tool.attr.annotations.as_ref().map(|a| {
        let opt = |v: Option<bool>| match v {
            Some(b) => quote!(#private::Some(#b)),
            None => quote!(#private::None),
        };
        let (r, d, i, o) = (
            opt(a.read_only),
            opt(a.destructive),
            opt(a.idempotent),
            opt(a.open_world),
        );
        quote!(__mcp_d.annotations(#r, #d, #i, #o);)
    });

    let describe_params = tool.func.params.iter().map(|param| {
        let ty = &param.ty;
        let pname = param.name.as_deref().unwrap_or_default();
        let pdoc = match &param.doc {
            Some(doc) => quote!(#private::Some(#doc)),
            None => quote!(#private::None),
        };
        quote_spanned! {ty.span()=>
            __mcp_d.param(#private::tool_param::<#ty, _>(), #pname, #pdoc);
        }
    });
    let locals: Vec<_> = (0..tool.func.params.len())
        .map(|i| format_ident!("__mcp_p{}", i))
        .collect();
    let extract_params = tool.func.params.iter().zip(&locals).map(|(param, local)| {
        let ty = &param.ty;
        let pname = param.name.as_deref().unwrap_or_default();
        let extract = quote_spanned! {ty.span()=>
            (#private::tool_param::<#ty, _>().extract)(&__mcp_cx, &mut __mcp_args, #pname)
        };
        quote! {
            let #local: #ty = match #extract {
                #private::Ok(value) => value,
                #private::Err(error) => return #private::Ok(#private::error_result(&__mcp_cx, error)),
            };
        }
    });

    let describe_output = quote_spanned! {ret_span=>
        let __mcp_split = (&&#private::Probe::<#ret>::new()).__mcp_split();
        __mcp_d.output((&&&__mcp_split.inner()).__mcp_output().bind().spec());
    };
    let finish = quote_spanned! {ret_span=>
        let __mcp_split = (&&#private::Probe::<#ret>::new()).__mcp_split();
        #private::Ok(match __mcp_split.split(__mcp_out) {
            #private::Ok(value) => {
                let route = (&&&#private::Probe::of(&value)).__mcp_output().bind();
                route.finish(value, &__mcp_cx)
            }
            #private::Err(error) => #private::error_result(&__mcp_cx, error),
        })
    };

    // The body: awaited, or (`blocking`) run on the blocking thread pool.
    let run = if tool.attr.blocking.is_some() {
        quote_spanned! {ret_span=>
            let __mcp_out: #ret = match #private::run_blocking(
                move || #ident(#(#locals),*)
            ).await {
                #private::Ok(value) => value,
                #private::Err(error) => {
                    return #private::Ok(#private::error_result(&__mcp_cx, error));
                }
            };
        }
    } else {
        quote! {
            let __mcp_out: #ret = #ident(#(#locals),*).await;
        }
    };

    quote! {
        #[allow(unused_imports)]
        use #private::{
            OutputViaCallResult as _, OutputViaContent as _, OutputViaUnit as _,
            OutputViaValue as _, SplitViaPlain as _, SplitViaResult as _,
        };
        #[automatically_derived]
        impl #private::ToolDef for #ident {
            const NAME: &'static str = #name;

            fn descriptor() -> #private::ToolDescriptor {
                let mut __mcp_d = #private::ToolDescriptor::new(
                    <Self as #private::ToolDef>::NAME,
                );
                #shared
                #annotations
                #sensitive
                #task
                #(#describe_params)*
                #describe_output
                __mcp_d
            }

            #[allow(unused_mut, unused_variables)]
            fn call(
                __mcp_cx: #private::RequestCx,
                mut __mcp_args: #private::ToolArgs,
            ) -> #private::BoxFuture<
                'static,
                #private::Result<#private::CallToolResult, #private::McpError>,
            > {
                #private::Box::pin(async move {
                    #(#extract_params)*
                    #run
                    #finish
                })
            }
        }
    }
}

/// What is emitted when validation failed: the function and a registration that compiles, so
/// the only errors are the ones reported.
pub fn stub(tool: &Parsed<Tool>) -> TokenStream {
    let private = wrap::private();
    let ident = &tool.func.item.sig.ident;
    let name = tool.name();
    quote! {
        impl #private::ToolDef for #ident {
            const NAME: &'static str = #name;
            fn descriptor() -> #private::ToolDescriptor {
                #private::ToolDescriptor::new(<Self as #private::ToolDef>::NAME)
            }
            fn call(
                _: #private::RequestCx,
                _: #private::ToolArgs,
            ) -> #private::BoxFuture<
                'static,
                #private::Result<#private::CallToolResult, #private::McpError>,
            > {
                #private::Box::pin(async {
                    #private::Err(#private::McpError::internal_error("this tool failed to compile", #private::None))
                })
            }
        }
    }
}
