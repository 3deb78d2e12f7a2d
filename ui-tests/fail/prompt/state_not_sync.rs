// `State<T>` needs `T: Send + Sync + 'static`; a `Cell` is not `Sync`.
use std::cell::Cell;

use mcp_runtime::prelude::*;

/// Say the counter.
#[prompt]
async fn counter(counter: State<Cell<i64>>) -> String {
    counter.get().to_string()
}

fn main() {}
