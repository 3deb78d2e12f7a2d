// `#[tool(blocking)]` on a synchronous `fn`: arguments, injected parameters (`State`, `Ctx`)
// and any return type, as for an `async fn`; with the other keys; listed and built.
use mcp_runtime::prelude::*;

struct Salt(u64);

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Digest {
    hex: String,
}

/// Hash some text, slowly.
#[tool(blocking, timeout = "30s", annotations(read_only))]
fn hash(
    /// The text to hash.
    text: String,
    salt: State<Salt>,
    ctx: Ctx,
) -> Result<Digest, ToolError> {
    if ctx.cancellation_token().is_cancelled() {
        return Err(ToolError::new("cancelled"));
    }
    let sum = text.bytes().fold(salt.0, |sum, b| sum.wrapping_mul(31) ^ u64::from(b));
    Ok(Digest {
        hex: format!("{sum:x}"),
    })
}

/// Nothing to return.
#[tool(blocking)]
fn flush() {}

/// A plain string, no parameters.
#[tool(blocking, name = "read-disk")]
fn read_disk() -> String {
    std::fs::read_to_string("/dev/null").unwrap_or_default()
}

fn main() {
    let _server = Server::builder("t")
        .state(Salt(7))
        .tools(tools![hash, flush, read_disk])
        .build();
}
