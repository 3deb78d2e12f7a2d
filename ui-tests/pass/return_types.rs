// Every supported return type compiles: plain values, strings, structured values, content,
// `CallToolResult`, `()`, and `Result`s of them with any error that converts into `ToolError`.
use mcp_runtime::prelude::*;

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Point {
    x: i64,
    y: i64,
}

/// An integer.
#[tool]
async fn integer() -> i64 {
    1
}

/// An owned string.
#[tool]
async fn owned_string() -> String {
    "text".to_owned()
}

/// A static string.
#[tool]
async fn static_str() -> &'static str {
    "text"
}

/// A structured value.
#[tool]
async fn structured() -> Point {
    Point { x: 1, y: 2 }
}

/// A list of structured values.
#[tool]
async fn list() -> Vec<Point> {
    Vec::new()
}

/// An optional value.
#[tool]
async fn optional() -> Option<Point> {
    None
}

/// Nothing.
#[tool]
async fn unit() {}

/// Nothing, spelled out.
#[tool]
async fn unit_explicit() -> () {}

/// One content block.
#[tool]
async fn content() -> Content {
    Content::text("text")
}

/// Several content blocks.
#[tool]
async fn contents() -> Vec<Content> {
    vec![Content::text("a"), Content::text("b")]
}

/// A result built by hand.
#[tool]
async fn call_result() -> CallToolResult {
    CallToolResult::success(vec![Content::text("text")])
}

/// A value or a message for the caller.
#[tool]
async fn with_tool_error() -> Result<Point, ToolError> {
    Err(ToolError::new("no point"))
}

/// Content or a message for the caller.
#[tool]
async fn content_or_error() -> Result<Vec<Content>, ToolError> {
    Ok(vec![Content::text("text")])
}

/// A value or an I/O error.
#[tool]
async fn with_io_error() -> Result<i64, std::io::Error> {
    Ok(1)
}

/// A string or an I/O error, through the `io::Result` alias.
#[tool]
async fn io_result_alias() -> std::io::Result<String> {
    std::fs::read_to_string("/nonexistent")
}

/// Nothing or an error.
#[tool]
async fn unit_or_error() -> Result<(), ToolError> {
    Ok(())
}

fn main() {
    let _ = tools![
        integer,
        owned_string,
        static_str,
        structured,
        list,
        optional,
        unit,
        unit_explicit,
        content,
        contents,
        call_result,
        with_tool_error,
        content_or_error,
        with_io_error,
        io_result_alias,
        unit_or_error,
    ];
}
