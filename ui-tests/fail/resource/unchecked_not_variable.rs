// `unchecked(var)` exempts a template variable from the path-safety check: `nope` is not one.
use mcp_runtime::prelude::*;

/// A file, by path.
#[resource("file:///{+path}", unchecked(nope))]
async fn file(path: String) -> String {
    path
}

fn main() {}
