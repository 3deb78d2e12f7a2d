// Inside `Result<T, E>`, `T` must still become a result.
use mcp_runtime::prelude::*;

struct Point {
    x: i64,
    y: i64,
}

/// The origin.
#[tool]
async fn origin() -> Result<Point, ToolError> {
    Ok(Point { x: 0, y: 0 })
}

fn main() {}
