// A parameter type must be an argument (`Deserialize + JsonSchema`) or injected
// (`FromRequestCx`); a plain struct is neither.
use mcp_runtime::prelude::*;

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
