// Raw identifiers work as parameter names (the argument is called `type`) and as function
// names (the tool is called `match`).
use mcp_runtime::prelude::*;

/// Describe a value of a type.
#[tool]
async fn describe(r#type: String, r#ref: Option<String>) -> String {
    format!("{} {:?}", r#type, r#ref)
}

/// Match a pattern.
#[tool]
async fn r#match(pattern: String) -> bool {
    pattern.is_empty()
}

fn main() {
    let _ = tools![describe, r#match];
}
