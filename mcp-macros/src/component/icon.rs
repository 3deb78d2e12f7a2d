//! `icons = ["https://…/a.png", icon(src = "…", mime_type = "image/png", sizes = ["48x48"],
//! theme = "dark")]`: the MCP `Icon`s of a component, parsed and checked at compile time.

use darling::ast::NestedMeta;
use darling::error::Accumulator;
use darling::{Error, FromMeta, Result};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::{Expr, Lit, LitStr};

/// How to write an icon, for the messages.
const FORMS: &str = "an icon is its URL, like \"https://example.com/icon.png\", or `icon(src = \"…\", mime_type = \"image/png\", sizes = [\"48x48\"], theme = \"dark\")`";

/// One icon: `"src"`, or `icon(…)` with every field.
#[derive(Debug)]
pub struct Icon {
    /// Where the image is: an `https:`, `http:` or `data:` URI.
    pub src: LitStr,
    /// Its MIME type, `image/…`.
    pub mime_type: Option<LitStr>,
    /// Sizes it suits: `"48x48"`, or `"any"` for a scalable image.
    pub sizes: Option<Vec<LitStr>>,
    /// The theme it is drawn for: `"light"` or `"dark"`.
    pub theme: Option<LitStr>,
}

/// The keys of `icon(…)`; `src` is optional here only so that its absence gets a message of
/// our own.
#[derive(Debug, FromMeta)]
struct IconArgs {
    src: Option<LitStr>,
    mime_type: Option<LitStr>,
    sizes: Option<Vec<LitStr>>,
    theme: Option<LitStr>,
}

/// `icons = […]`.
#[derive(Debug, Default)]
pub struct Icons(pub Vec<Icon>);

impl FromMeta for Icons {
    fn from_expr(expr: &Expr) -> Result<Self> {
        match expr {
            Expr::Array(array) => {
                let mut errors = Error::accumulator();
                let icons = array
                    .elems
                    .iter()
                    .filter_map(|elem| errors.handle(icon(elem)))
                    .collect();
                errors.finish_with(Icons(icons))
            }
            Expr::Group(group) => Self::from_expr(&group.expr),
            other => Err(Error::custom(format!(
                "`icons` is a list: `icons = [\"https://example.com/icon.png\"]`; {FORMS}"
            ))
            .with_span(other)),
        }
    }
}

/// One element of the list.
fn icon(elem: &Expr) -> Result<Icon> {
    match elem {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(src), ..
        }) => Ok(Icon {
            src: src.clone(),
            mime_type: None,
            sizes: None,
            theme: None,
        }),
        Expr::Call(call) if matches!(&*call.func, Expr::Path(path) if path.path.is_ident("icon")) =>
        {
            let list = NestedMeta::parse_meta_list(call.args.to_token_stream())?;
            let args = IconArgs::from_list(&list).map_err(|error| error.with_span(call))?;
            let src = args.src.ok_or_else(|| {
                Error::custom(
                    "`icon(…)` needs `src`, the icon's URL: `icon(src = \"https://example.com/icon.png\", …)`",
                )
                .with_span(&call.func)
            })?;
            Ok(Icon {
                src,
                mime_type: args.mime_type,
                sizes: args.sizes,
                theme: args.theme,
            })
        }
        Expr::Group(group) => icon(&group.expr),
        other => Err(Error::custom(FORMS).with_span(other)),
    }
}

/// Checks each icon, every mistake spanned on its value.
pub fn validate(icons: &Icons, errors: &mut Accumulator) {
    for icon in &icons.0 {
        check_src(&icon.src, errors);
        if let Some(mime) = &icon.mime_type {
            let value = mime.value();
            let subtype = value.strip_prefix("image/").unwrap_or_default();
            if subtype.is_empty() || value.chars().any(char::is_whitespace) {
                errors.push(
                    Error::custom(format!(
                        "`{value}` is not an image MIME type: write it like \"image/png\" or \"image/svg+xml\""
                    ))
                    .with_span(mime),
                );
            }
        }
        for size in icon.sizes.iter().flatten() {
            if !is_size(&size.value()) {
                errors.push(
                    Error::custom(format!(
                        "`{}` is not an icon size: write \"48x48\" (width x height in pixels, both above 0) or \"any\" for a scalable image",
                        size.value()
                    ))
                    .with_span(size),
                );
            }
        }
        if let Some(theme) = &icon.theme
            && !matches!(theme.value().as_str(), "light" | "dark")
        {
            errors.push(
                Error::custom(format!(
                    "`{}` is not an icon theme: it is \"light\" or \"dark\" (the background the icon is drawn for)",
                    theme.value()
                ))
                .with_span(theme),
            );
        }
    }
}

/// `src` is an `https:`, `http:` or `data:` URI, with something after the scheme and no
/// whitespace.
fn check_src(src: &LitStr, errors: &mut Accumulator) {
    let value = src.value();
    let problem = if value.trim().is_empty() {
        Some("an icon's `src` cannot be empty".to_owned())
    } else {
        let lower = value.to_ascii_lowercase();
        let rest = ["https:", "http:", "data:"]
            .iter()
            .find_map(|scheme| lower.strip_prefix(scheme));
        match rest {
            None => Some(format!(
                "`{value}` is not an icon URL: an icon's `src` starts with `https:`, `http:` or `data:`"
            )),
            Some(rest) if rest.trim_start_matches('/').is_empty() => Some(format!(
                "`{value}` is not an icon URL: nothing follows the scheme"
            )),
            Some(_) if value.chars().any(char::is_whitespace) => Some(format!(
                "`{value}` is not an icon URL: a URL has no spaces (write them as `%20`)"
            )),
            Some(_) => None,
        }
    };
    if let Some(problem) = problem {
        errors.push(
            Error::custom(format!(
                "{problem}; write it like \"https://example.com/icon.png\""
            ))
            .with_span(src),
        );
    }
}

/// `WxH` with whole numbers above 0, or `any`.
fn is_size(size: &str) -> bool {
    let positive = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n.bytes().any(|b| b != b'0')
    };
    size == "any"
        || size
            .split_once('x')
            .is_some_and(|(w, h)| positive(w) && positive(h))
}

/// `__mcp_d.meta().icon(src, mime, sizes, theme);` for each icon.
pub fn expand(icons: &Icons, private: &TokenStream) -> TokenStream {
    let option = |value: &Option<LitStr>| match value {
        Some(value) => quote!(#private::Some(#value)),
        None => quote!(#private::None),
    };
    let statements = icons.0.iter().map(|icon| {
        let src = &icon.src;
        let mime = option(&icon.mime_type);
        let sizes = icon.sizes.iter().flatten();
        let theme = option(&icon.theme);
        quote!(__mcp_d.meta().icon(#src, #mime, &[#(#sizes),*], #theme);)
    });
    quote!(#(#statements)*)
}

#[cfg(test)]
mod tests {
    use super::is_size;

    #[test]
    fn sizes() {
        for good in ["48x48", "1x1", "any", "512x256", "016x16"] {
            assert!(is_size(good), "{good}");
        }
        for bad in [
            "", "48", "48X48", "0x48", "48x0", "x48", "48x", "-1x2", "4 x4", "ANY", "a x b",
        ] {
            assert!(!is_size(bad), "{bad}");
        }
    }
}
