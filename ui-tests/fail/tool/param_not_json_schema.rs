// An argument type needs `JsonSchema` as well as `Deserialize`.
use mcp_runtime::prelude::*;

#[derive(serde::Deserialize)]
struct Point {
    x: i64,
    y: i64,
}

/// The distance from the origin, in taxicab steps.
#[tool]
async fn steps(point: Point) -> i64 {
    point.x.abs() + point.y.abs()
}

fn main() {}
