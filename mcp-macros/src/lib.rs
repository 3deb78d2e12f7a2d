//! Procedural macros for [`mcp-runtime`](https://docs.rs/mcp-runtime): `#[tool]`,
//! `#[resource]`, `#[prompt]`, `#[middleware]`, and `tools![…]`, `resources![…]`, `prompts![…]`. Depend on
//! `mcp-runtime` and use them from there; their documentation lives on the re-exports.
//!
//! Each macro is parsed, then validated (every mistake collected, one compile shows them all),
//! then expanded. On an error, the original item is still emitted with a stub registration, so
//! one typo gives one error, not a cascade.
#![forbid(unsafe_code)]

mod common;
mod component;
mod lists;
mod middleware;
mod prompt;
mod resource;
mod tool;
mod uri_template;

use proc_macro::TokenStream;

/// Turns an `async fn` into an MCP tool. See `mcp_runtime::tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::derive::<tool::Tool>(attr.into(), item.into()).into()
}

/// Turns an `async fn` into an MCP resource or resource template. See `mcp_runtime::resource`.
#[proc_macro_attribute]
pub fn resource(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::derive::<resource::Resource>(attr.into(), item.into()).into()
}

/// Turns an `async fn` into an MCP prompt. See `mcp_runtime::prompt`.
#[proc_macro_attribute]
pub fn prompt(attr: TokenStream, item: TokenStream) -> TokenStream {
    component::derive::<prompt::Prompt>(attr.into(), item.into()).into()
}

/// Turns an `async fn(req, [injected…], next) -> Result<…>` into middleware. See
/// `mcp_runtime::middleware`.
#[proc_macro_attribute]
pub fn middleware(attr: TokenStream, item: TokenStream) -> TokenStream {
    middleware::middleware(attr.into(), item.into()).into()
}

/// Collects `#[tool]` functions, rejecting duplicate names at compile time.
#[proc_macro]
pub fn tools(input: TokenStream) -> TokenStream {
    lists::expand(component::Kind::Tool, input.into()).into()
}

/// Collects `#[resource]` functions, rejecting duplicate URIs at compile time.
#[proc_macro]
pub fn resources(input: TokenStream) -> TokenStream {
    lists::expand(component::Kind::Resource, input.into()).into()
}

/// Collects `#[prompt]` functions, rejecting duplicate names at compile time.
#[proc_macro]
pub fn prompts(input: TokenStream) -> TokenStream {
    lists::expand(component::Kind::Prompt, input.into()).into()
}
