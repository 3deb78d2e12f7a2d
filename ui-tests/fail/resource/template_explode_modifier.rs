// RFC 6570 level 4 modifiers are not supported: `{a*}` (explode) binds a list, and a
// resource's variables bind one value each.
use mcp_runtime::prelude::*;

/// Notes by tag.
#[resource("notes://tags/{tags*}")]
async fn tagged(tags: String) -> String {
    tags
}

fn main() {}
