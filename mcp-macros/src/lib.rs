//! Procedural macros for [`mcp-runtime`](https://docs.rs/mcp-runtime): `#[tool]` and
//! `tools![…]`. Depend on `mcp-runtime` and use them from there; their documentation lives on
//! the re-exports.
//!
//! Each macro is parsed, then validated (every mistake collected, one compile shows them all),
//! then expanded. On an error, the original item is still emitted with a stub registration, so
//! one typo gives one error, not a cascade.

mod common;
mod tool;
mod tools;

use proc_macro::TokenStream;

/// Turns an `async fn` into an MCP tool. See `mcp_runtime::tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    tool::tool(attr.into(), item.into()).into()
}

/// Collects `#[tool]` functions, rejecting duplicate names at compile time. See
/// `mcp_runtime::tools`.
#[proc_macro]
pub fn tools(input: TokenStream) -> TokenStream {
    tools::tools(input.into()).into()
}
