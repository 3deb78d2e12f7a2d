//! Expansion of `#[resource]`: the function, its marker type, and its `ResourceDef`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::parse::ResourceFn;
use crate::common::{runtime_path, str_slice};
use crate::component::marker;
use crate::uri_template::{Part, Template};

fn resource_name(resource: &ResourceFn) -> String {
    match &resource.attr.name {
        Some(name) => name.as_str().to_owned(),
        None => resource.func.ident_name(),
    }
}

fn uri_parts(template: &Template, private: &TokenStream) -> TokenStream {
    let parts = template.parts.iter().map(|part| match part {
        Part::Literal(text) => quote! {
            #private::UriPart::Literal(#private::Cow::Borrowed(#text))
        },
        Part::Expr { op, vars } => {
            let op = format_ident!("{}", op.variant_name());
            quote!(#private::UriPart::Expr(#private::UriOp::#op, &[#(#vars),*]))
        }
    });
    quote!(&[#(#parts),*])
}

pub fn expand(resource: &ResourceFn, template: &Template) -> TokenStream {
    let attr = &resource.attr;
    let krate = runtime_path(attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let func = &resource.func;
    let item = &func.item;
    let ident = &item.sig.ident;
    let marker = marker(func, "#[resource]", "resources!");
    let name = resource_name(resource);
    let Some(uri) = &resource.uri else {
        return stub(resource);
    };
    let uri_text = uri.value();
    let parts = uri_parts(template, &private);
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
    let mime = attr.mime_type.as_ref().map(|m| {
        let m = m.as_str();
        quote!(__mcp_d.mime_type(#m);)
    });
    let annotations = attr.annotations.as_ref().map(|a| {
        let audience: Vec<String> = a
            .audience
            .iter()
            .flatten()
            .map(syn::LitStr::value)
            .collect();
        let audience = str_slice(&audience);
        let priority = match &a.priority {
            Some(p) => {
                let p = ***p as f32;
                quote!(#private::Some(#p))
            }
            None => quote!(#private::None),
        };
        quote!(__mcp_d.annotations(#audience, #priority);)
    });
    let unchecked = attr.unchecked.as_ref().map(|list| {
        let names: Vec<String> = list
            .iter()
            .filter_map(|p| p.get_ident().map(ToString::to_string))
            .collect();
        let names = str_slice(&names);
        quote!(__mcp_d.unchecked(#names);)
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
    let completions = attr.complete.iter().flatten().map(|(var, path)| {
        let var = var.to_string();
        quote_spanned! {path.span()=>
            __mcp_d.complete(#var, |completion| #private::Box::pin(#path(completion)));
        }
    });

    let is_var = |name: &str| template.variables().any(|(var, _)| var == name);
    let mut checks = Vec::new();
    let mut requirements = Vec::new();
    let mut extracts = Vec::new();
    let mut locals = Vec::new();
    for (i, param) in func.params.iter().enumerate() {
        let ty = &param.ty;
        let pname = param.name.clone().unwrap_or_default();
        let local = format_ident!("__mcp_p{}", i);
        if is_var(&pname) {
            extracts.push(quote_spanned! {ty.span()=>
                let #local: #ty = #private::extract_var::<#ty, _>(&__mcp_vars, #pname)?;
            });
        } else {
            // Not a template variable: it must be injected. A trait of its own names the
            // parameter in the error when it is not.
            let check = format_ident!("__mcp_injected_{}", i);
            let message = format!(
                "the parameter `{pname}` is not a variable of the URI template `{uri_text}`, and `{{Self}}` cannot be injected"
            );
            let note = format!(
                "add `{{{pname}}}` to the template, or make `{pname}` an injected parameter (`Ctx`, `State<T>`, or a type implementing `FromRequestCx`)"
            );
            checks.push(quote! {
                #[diagnostic::on_unimplemented(message = #message, label = "not a template variable", note = #note)]
                trait #check: #private::Sized {
                    fn __mcp_requirements(requirements: &mut #private::Requirements);
                    fn __mcp_extract(cx: &#private::RequestCx) -> #private::Result<Self, #private::ResourceError>;
                }
                impl<T: #private::FromRequestCx> #check for T {
                    fn __mcp_requirements(requirements: &mut #private::Requirements) {
                        <T as #private::FromRequestCx>::requirements(requirements)
                    }
                    fn __mcp_extract(cx: &#private::RequestCx) -> #private::Result<Self, #private::ResourceError> {
                        <T as #private::FromRequestCx>::from_request_cx(cx).map_err(#private::resource_error_from_tool)
                    }
                }
            });
            requirements.push(quote_spanned! {uri.span()=>
                <#ty as #check>::__mcp_requirements(__mcp_d.requirements());
            });
            extracts.push(quote_spanned! {uri.span()=>
                let #local: #ty = <#ty as #check>::__mcp_extract(&__mcp_cx)?;
            });
        }
        locals.push(local);
    }

    let finish = quote_spanned! {ret_span=>
        let __mcp_split = (&&#private::Probe::<#ret>::new()).__mcp_split();
        let value = __mcp_split.split_resource(__mcp_out)?;
        let route = (&&&#private::Probe::of(&value)).__mcp_resource();
        route.finish(value, &__mcp_vars)
    };

    quote! {
        #item
        #marker
        const _: () = {
            #[allow(unused_imports)]
            use #private::{
                ResourceViaJson as _, ResourceViaKnown as _, SplitViaPlain as _, SplitViaResult as _,
            };
            #(#checks)*
            #[automatically_derived]
            impl #private::ResourceDef for #ident {
                const URI: &'static str = #uri_text;

                fn descriptor() -> #private::ResourceDescriptor {
                    static __MCP_URI: &[#private::UriPart] = #parts;
                    let mut __mcp_d = #private::ResourceDescriptor::new(#name, __MCP_URI);
                    #description
                    #title
                    #mime
                    #annotations
                    #unchecked
                    #tags
                    #scopes
                    #(#middleware)*
                    #(#completions)*
                    #(#requirements)*
                    __mcp_d
                }

                #[allow(unused_variables)]
                fn read(
                    __mcp_cx: #private::RequestCx,
                    __mcp_vars: #private::ResourceVars,
                ) -> #private::BoxFuture<
                    'static,
                    #private::Result<#private::Vec<#private::ResourceContents>, #private::ResourceError>,
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
pub fn stub(resource: &ResourceFn) -> TokenStream {
    let krate = runtime_path(resource.attr.krate.as_ref());
    let private = quote!(#krate::__private);
    let item = &crate::component::without_const(&resource.func.item);
    let ident = &item.sig.ident;
    let marker = marker(&resource.func, "#[resource]", "resources!");
    let name = resource_name(resource);
    let uri = resource
        .uri
        .as_ref()
        .map(syn::LitStr::value)
        .unwrap_or_default();
    quote! {
        #item
        #marker
        const _: () = {
            impl #private::ResourceDef for #ident {
                const URI: &'static str = #uri;
                fn descriptor() -> #private::ResourceDescriptor {
                    #private::ResourceDescriptor::new(#name, &[])
                }
                fn read(
                    _: #private::RequestCx,
                    _: #private::ResourceVars,
                ) -> #private::BoxFuture<
                    'static,
                    #private::Result<#private::Vec<#private::ResourceContents>, #private::ResourceError>,
                > {
                    #private::Box::pin(async {
                        #private::Err(#private::ResourceError::new("this resource failed to compile"))
                    })
                }
            }
        };
    }
}
