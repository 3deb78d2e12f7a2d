// `State<T>` needs `T: Send + Sync + 'static`; a `Cell` is not `Sync`.
use std::cell::Cell;

use mcp_runtime::prelude::*;

/// Read the counter.
#[tool]
async fn read(counter: State<Cell<i64>>) -> i64 {
    counter.get()
}

fn main() {}
