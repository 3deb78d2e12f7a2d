//! Expansion of `#[prompt]`: the function, its marker type, and its `PromptDef`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::PromptFn;
use crate::common::{runtime_path, str_slice};
use crate::component::marker;

fn prompt_name(prompt: &PromptFn) -> String {
    match &prompt.attr.name {
        Some(name) => name.as_str().to_owned(),
        None => prompt.func.ident_name(),
    }
}

pub fn expand(prompt: &PromptFn) -> TokenStream {
    let attr = &prompt.attr;
    let krate = runtime_path(attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let func = &prompt.func;
    let item = &func.item;
    let ident = &item.sig.ident;
    let marker = marker(func, "#[prompt]", "prompts!");
    let name = prompt_name(prompt);
    let (ret, ret_span) = func.return_type();

    let description = attr
        .description
        .as_ref()
        .map(|d| d.as_str().to_owned())
        .or_else(|| func.doc.clone())
        .map(|d| quote!(__mcp_d.meta().description(#d);));
    let title = attr.title.as_ref().map(|t| {
        let t = t.as_str();
        quote!(__mcp_d.meta().title(#t);)
    });
    let middleware = crate::common::middleware_stmts(attr.middleware.as_ref(), &private);
    let tags = attr.tags.as_ref().map(|tags| {
        let tags = str_slice(&tags.iter().map(syn::LitStr::value).collect::<Vec<_>>());
        quote!(__mcp_d.meta().tags(#tags);)
    });
    let scopes = attr.scopes.as_ref().map(|scopes| {
        let scopes = str_slice(&scopes.iter().map(syn::LitStr::value).collect::<Vec<_>>());
        quote!(__mcp_d.meta().scopes(#scopes);)
    });
    let completions = attr.complete.iter().flatten().map(|(argument, path)| {
        let argument = argument.to_string();
        quote_spanned! {path.span()=>
            __mcp_d.complete(#argument, |completion| #private::Box::pin(#path(completion)));
        }
    });
    let describe_params = func.params.iter().map(|param| {
        let ty = &param.ty;
        let pname = param.name.as_deref().unwrap_or_default();
        let pdoc = match &param.doc {
            Some(doc) => quote!(#private::Some(#doc)),
            None => quote!(#private::None),
        };
        quote_spanned! {ty.span()=>
            __mcp_d.param(#private::prompt_param::<#ty, _>(), #pname, #pdoc);
        }
    });
    let locals: Vec<_> = (0..func.params.len())
        .map(|i| format_ident!("__mcp_p{}", i))
        .collect();
    let extracts = func.params.iter().zip(&locals).map(|(param, local)| {
        let ty = &param.ty;
        let pname = param.name.as_deref().unwrap_or_default();
        quote_spanned! {ty.span()=>
            let #local: #ty = (#private::prompt_param::<#ty, _>().extract)(&__mcp_cx, &__mcp_args, #pname)?;
        }
    });
    let finish = quote_spanned! {ret_span=>
        let __mcp_split = (&&#private::Probe::<#ret>::new()).__mcp_split();
        let value = __mcp_split.split_prompt(__mcp_out)?;
        #private::Ok(#private::finish_prompt(value))
    };

    quote! {
        #item
        #marker
        const _: () = {
            #[allow(unused_imports)]
            use #private::{SplitViaPlain as _, SplitViaResult as _};
            #[automatically_derived]
            impl #private::PromptDef for #ident {
                const NAME: &'static str = #name;

                fn descriptor() -> #private::PromptDescriptor {
                    let mut __mcp_d = #private::PromptDescriptor::new(<Self as #private::PromptDef>::NAME);
                    #description
                    #title
                    #tags
                    #scopes
                    #(#middleware)*
                    #(#completions)*
                    #(#describe_params)*
                    __mcp_d
                }

                #[allow(unused_variables)]
                fn get(
                    __mcp_cx: #private::RequestCx,
                    __mcp_args: #private::PromptArgs,
                ) -> #private::BoxFuture<
                    'static,
                    #private::Result<#private::GetPromptResult, #private::PromptError>,
                > {
                    #private::Box::pin(async move {
                        #(#extracts)*
                        let __mcp_out: #ret = #ident(#(#locals),*).await;
                        #finish
                    })
                }
            }
        };
    }
}

/// What is emitted when validation failed.
pub fn stub(prompt: &PromptFn) -> TokenStream {
    let krate = runtime_path(prompt.attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let item = &crate::component::without_const(&prompt.func.item);
    let ident = &item.sig.ident;
    let marker = marker(&prompt.func, "#[prompt]", "prompts!");
    let name = prompt_name(prompt);
    quote! {
        #item
        #marker
        const _: () = {
            impl #private::PromptDef for #ident {
                const NAME: &'static str = #name;
                fn descriptor() -> #private::PromptDescriptor {
                    #private::PromptDescriptor::new(<Self as #private::PromptDef>::NAME)
                }
                fn get(
                    _: #private::RequestCx,
                    _: #private::PromptArgs,
                ) -> #private::BoxFuture<
                    'static,
                    #private::Result<#private::GetPromptResult, #private::PromptError>,
                > {
                    #private::Box::pin(async {
                        #private::Err(#private::PromptError::new("this prompt failed to compile"))
                    })
                }
            }
        };
    }
}
