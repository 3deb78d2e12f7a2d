// `State<T>` needs `T: Send + Sync + 'static`; a `Cell` is not `Sync`, so the parameter can
// be neither injected nor (not being in the template) a variable.
use std::cell::Cell;

use mcp_runtime::prelude::*;

/// The counter, as text.
#[resource("counter://value")]
async fn counter(counter: State<Cell<i64>>) -> String {
    counter.get().to_string()
}

fn main() {}
