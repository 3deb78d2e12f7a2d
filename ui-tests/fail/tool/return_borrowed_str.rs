// A tool returns an owned value: a borrowed `&str` (other than `&'static str`) is rejected by
// rustc itself (E0106, which suggests `&'static str` or `String`), with no error of the macro's.
use mcp_runtime::prelude::*;

/// Greet.
#[tool]
async fn greet() -> &str {
    "hello"
}

fn main() {}
