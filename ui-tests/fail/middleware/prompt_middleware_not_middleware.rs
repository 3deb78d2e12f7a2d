// `#[prompt(middleware = [...])]` lists middleware: a plain function is rejected on the entry.
use mcp_runtime::prelude::*;

fn shout(text: String) -> String {
    text.to_uppercase()
}

/// Plan the day.
#[prompt(middleware = [shout])]
async fn plan() -> String {
    "Plan the day.".to_owned()
}

fn main() {}
