// Every key of `#[tool(…)]`, annotations as flags and as `= bool`, and doc comments on
// parameters (which become the arguments' descriptions).
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(
    name = "math.add",
    title = "Add",
    description = "Adds two integers.",
    annotations(read_only, idempotent, open_world = false)
)]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand,
    /// over two lines
    b: i64,
) -> i64 {
    a + b
}

/// Delete a note.
#[tool(annotations(destructive = true, read_only = false, idempotent = true, open_world))]
async fn delete(
    /// The note's id
    id: u64,
) -> bool {
    id > 0
}

/// Not destructive, said explicitly.
#[tool(annotations(read_only, destructive = false))]
async fn peek() -> i64 {
    0
}

/// Names may use `A-Z a-z 0-9 _ - .`.
#[tool(name = "Name_with-every.Allowed_char0")]
async fn every_char() -> i64 {
    0
}

/// The runtime crate named explicitly, as a re-exporting crate would.
#[tool(crate = ::mcp_runtime)]
async fn explicit_crate() -> i64 {
    0
}

/// The runtime crate as a string, the older form.
#[tool(crate = "::mcp_runtime")]
async fn explicit_crate_str() -> i64 {
    0
}

/// An empty attribute list.
#[tool()]
async fn empty_list() -> i64 {
    0
}

fn main() {
    let _ = tools![
        add,
        delete,
        peek,
        every_char,
        explicit_crate,
        explicit_crate_str,
        empty_list
    ];
}
