// A type that is not a `#[tool]` cannot be listed.
use mcp_runtime::prelude::*;

struct Add;

fn main() {
    let _ = tools![Add];
}
