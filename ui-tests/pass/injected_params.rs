// Injected parameters (`Ctx`, `State<T>`, and a user type implementing `FromRequestCx`) mix
// with arguments in any order; they are recognised by their trait, not their name.
use mcp_runtime::RequestCx;
use mcp_runtime::prelude::*;

struct Counter(std::sync::atomic::AtomicI64);

/// The name of the tool being called.
struct ToolName(String);

impl FromRequestCx for ToolName {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(ToolName(cx.component().to_owned()))
    }
}

/// Injected first.
#[tool]
async fn first(ctx: Ctx, counter: State<Counter>, text: String) -> String {
    let _ = (ctx.is_cancelled(), &counter.0);
    text
}

/// Injected last.
#[tool]
async fn last(text: String, n: i64, tool: ToolName, ctx: Ctx) -> String {
    let _ = (n, ctx.request_id());
    format!("{text} from {}", tool.0)
}

/// Injected in between.
#[tool]
async fn between(a: i64, counter: State<Counter>, b: i64, tool: ToolName) -> i64 {
    let _ = tool.0;
    counter.0.load(std::sync::atomic::Ordering::Relaxed) + a + b
}

/// Only injected.
#[tool]
async fn only_injected(ctx: Ctx, tool: ToolName) -> String {
    let _ = ctx;
    tool.0
}

mod renamed {
    // Renaming an import changes nothing: injection is by trait.
    pub use mcp_runtime::Ctx as Context;
}

/// Through a renamed import.
#[tool]
async fn renamed_ctx(cx: renamed::Context) -> bool {
    cx.is_cancelled()
}

fn main() {
    let _ = tools![first, last, between, only_injected, renamed_ctx];
}
