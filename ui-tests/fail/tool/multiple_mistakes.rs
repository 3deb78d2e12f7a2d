// Several mistakes in one function are all reported in one compile: an unknown key, a
// function that is not `async` whose name is not a valid tool name, a `&str` parameter and a
// reserved parameter name.
use mcp_runtime::prelude::*;

/// Echo the text back.
#[tool(descripton = "Echo.")]
fn écho(text: &str, __mcp_times: u32) -> String {
    text.repeat(__mcp_times as usize)
}

fn main() {}
