// The return value must become a result: a struct without `Serialize + JsonSchema` cannot.
use mcp_runtime::prelude::*;

struct Point {
    x: i64,
    y: i64,
}

/// The origin.
#[tool]
async fn origin() -> Point {
    Point { x: 0, y: 0 }
}

fn main() {}
