// A parameter whose name is a typo of the template variable (`ids` for `{id}`): the variable
// without a parameter is reported, on the template. The parameter that is not a variable is
// checked only once the template's variables all have parameters, so it is not reported here.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note(ids: u64) -> String {
    format!("note {ids}")
}

fn main() {}
