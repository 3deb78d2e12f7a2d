//! A prompt's `PromptDef` implementation: its descriptor (the shared keys, its completions and
//! arguments) and its get, which extracts the arguments, runs the function and turns the
//! result into a `GetPromptResult`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::Prompt;
use crate::component::{Parsed, wrap};

pub fn expand(prompt: &Parsed<Prompt>, shared: TokenStream) -> TokenStream {
    let attr = &prompt.attr;
    let private = wrap::private();
    let func = &prompt.func;
    let ident = &func.item.sig.ident;
    let name = prompt.name();
    let (ret, ret_span) = func.return_type();

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
        #[allow(unused_imports)]
        use #private::{SplitViaPlain as _, SplitViaResult as _};
        #[automatically_derived]
        impl #private::PromptDef for #ident {
            const NAME: &'static str = #name;

            fn descriptor() -> #private::PromptDescriptor {
                let mut __mcp_d = #private::PromptDescriptor::new(<Self as #private::PromptDef>::NAME);
                #shared
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
    }
}

/// What is emitted when validation failed.
pub fn stub(prompt: &Parsed<Prompt>) -> TokenStream {
    let private = wrap::private();
    let ident = &prompt.func.item.sig.ident;
    let name = prompt.name();
    quote! {
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
    }
}
