//! Expansion: the function as written, a zero-sized type of the same name (in the type
//! namespace, so the function stays callable), and its `ToolDef` implementation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::ToolFn;
use crate::common::{runtime_path, str_slice};
use crate::component::marker;

/// The tool's name: `name = "…"`, or the function's name.
fn tool_name(tool: &ToolFn) -> String {
    match &tool.attr.name {
        Some(name) => name.as_str().to_owned(),
        None => tool.func.ident_name(),
    }
}

pub fn expand(tool: &ToolFn) -> TokenStream {
    let krate = runtime_path(tool.attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let item = &tool.func.item;
    let ident = &item.sig.ident;
    let name = tool_name(tool);
    let marker = marker(&tool.func, "#[tool]", "tools!");
    let (ret, ret_span) = tool.func.return_type();
    let middleware = crate::common::middleware_stmts(tool.attr.middleware.as_ref(), &private);
    let timeout = tool
        .attr
        .timeout
        .as_ref()
        .and_then(|t| crate::common::parse_duration_ms(t).ok())
        .map(|ms| quote!(__mcp_d.meta().timeout_ms(#ms);));
    let sensitive = (tool.attr.sensitive == Some(true)).then(|| quote!(__mcp_d.sensitive();));
    let tags = tool.attr.tags.as_ref().map(|tags| {
        let tags = str_slice(&tags.iter().map(syn::LitStr::value).collect::<Vec<_>>());
        quote!(__mcp_d.meta().tags(#tags);)
    });
    let scopes = tool.attr.scopes.as_ref().map(|scopes| {
        let scopes = str_slice(&scopes.iter().map(syn::LitStr::value).collect::<Vec<_>>());
        quote!(__mcp_d.meta().scopes(#scopes);)
    });

    let description = tool
        .attr
        .description
        .as_ref()
        .map(|d| d.as_str().to_owned())
        .or_else(|| tool.func.doc.clone())
        .map(|d| quote!(__mcp_d.meta().description(#d);));
    let title = tool
        .attr
        .title
        .as_ref()
        .map(|t| t.as_str())
        .map(|t| quote!(__mcp_d.meta().title(#t);));
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

    quote! {
        #item
        #marker
        const _: () = {
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
                    #description
                    #title
                    #annotations
                    #tags
                    #scopes
                    #timeout
                    #sensitive
                    #(#middleware)*
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
                        let __mcp_out: #ret = #ident(#(#locals),*).await;
                        #finish
                    })
                }
            }
        };
    }
}

/// What is emitted when validation failed: the function and a registration that compiles, so
/// the only errors are the ones reported.
pub fn stub(tool: &ToolFn) -> TokenStream {
    let krate = runtime_path(tool.attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let item = &crate::component::without_const(&tool.func.item);
    let ident = &item.sig.ident;
    let name = tool_name(tool);
    let marker = marker(&tool.func, "#[tool]", "tools!");
    quote! {
        #item
        #marker
        const _: () = {
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
        };
    }
}
