// Every form of middleware: each request type with its response, a catch-all `Request`,
// injected parameters, `mut` and `_`-prefixed names, `crate = path`, a function without
// `#[middleware]`, a struct implementing `Middleware`, per-component middleware on a tool, a
// resource and a prompt, and a server built with all of them.
use std::sync::atomic::{AtomicUsize, Ordering};

use mcp_runtime::middleware::{
    ListPrompts, ListResourceTemplates, ListResources, ListTools, Middleware, PromptGet, Request,
    ResourceRead, Response,
};
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool};
use mcp_runtime::tool::BoxFuture;

/// Counts what went through.
#[derive(Default)]
struct Calls(AtomicUsize);

/// The tenant a middleware attached.
#[derive(Clone)]
struct Tenant(&'static str);

#[middleware]
async fn on_tool_call(mut req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    req.extensions_mut().insert(Tenant("acme"));
    next.run(req).await
}

#[middleware]
async fn on_resource_read(req: ResourceRead, next: Next) -> Result<ReadResourceResult, McpError> {
    next.run(req).await
}

#[middleware]
async fn on_prompt_get(req: PromptGet, next: Next) -> Result<GetPromptResult, McpError> {
    next.run(req).await
}

#[middleware]
async fn on_list_tools(req: ListTools, next: Next) -> Result<Vec<Tool>, McpError> {
    next.run(req).await
}

#[middleware]
async fn on_list_resources(req: ListResources, next: Next) -> Result<Vec<Resource>, McpError> {
    next.run(req).await
}

#[middleware]
async fn on_list_resource_templates(
    req: ListResourceTemplates,
    next: Next,
) -> Result<Vec<ResourceTemplate>, McpError> {
    next.run(req).await
}

#[middleware]
async fn on_list_prompts(req: ListPrompts, next: Next) -> Result<Vec<Prompt>, McpError> {
    next.run(req).await
}

/// Every request, whatever its kind.
#[middleware]
async fn on_every_request(req: Request, next: Next) -> Result<Response, McpError> {
    let _ = (req.method(), req.target());
    next.run(req).await
}

/// Injected parameters between the request and `next`: `State<T>`, `Server`, `Ctx`.
#[middleware]
async fn with_injected(
    req: Request,
    calls: State<Calls>,
    server: Server,
    ctx: Ctx,
    next: Next,
) -> Result<Response, McpError> {
    calls.0.fetch_add(1, Ordering::Relaxed);
    let _ = (server, ctx.request_id());
    next.run_request(req).await
}

/// A short-circuit that never calls `next`, with `_`-prefixed names.
#[middleware]
async fn refuse_prompts(_req: PromptGet, _next: Next) -> Result<GetPromptResult, McpError> {
    Err(McpError::invalid_request("prompts are disabled", None))
}

/// The runtime crate named explicitly, as a re-exporting crate would.
#[middleware(crate = ::mcp_runtime)]
async fn explicit_crate(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    next.run(req).await
}

/// Without `#[middleware]`: `.middleware(f)` accepts it all the same.
async fn unmarked(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    next.run(req).await
}

/// Middleware as a value: a struct implementing `Middleware`, overriding one typed hook.
struct CountCalls {
    calls: std::sync::Arc<AtomicUsize>,
}

impl CountCalls {
    fn new() -> Self {
        Self {
            calls: std::sync::Arc::default(),
        }
    }
}

impl Middleware for CountCalls {
    fn call_tool(
        &self,
        request: ToolCall,
        next: Next,
    ) -> BoxFuture<'_, Result<CallToolResult, McpError>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Box::pin(next.run(request))
    }
}

/// Which tenant is calling; its own middleware, innermost.
#[tool(middleware = [on_tool_call, CountCalls::new()])]
async fn whoami(tenant: Extension<Tenant>) -> String {
    tenant.0.0.to_owned()
}

/// Today's memo, with its own middleware.
#[resource("memo://today", middleware = [on_resource_read])]
async fn today() -> String {
    "Ship it.".to_owned()
}

/// Plan the day, with its own middleware.
#[prompt(middleware = [on_prompt_get, unmarked_prompt])]
async fn plan() -> String {
    "Plan the day.".to_owned()
}

/// A `PromptGet` middleware without `#[middleware]`, listed on a prompt.
async fn unmarked_prompt(req: PromptGet, next: Next) -> Result<GetPromptResult, McpError> {
    next.run(req).await
}

fn main() {
    // Still plain functions: callable, and nameable as values.
    let _ = on_tool_call;
    let server: Result<Server, mcp_runtime::Error> = Server::builder("x")
        .state(Calls::default())
        .middleware(on_every_request)
        .middleware(with_injected)
        .middleware(on_tool_call)
        .middleware(on_resource_read)
        .middleware(on_prompt_get)
        .middleware(on_list_tools)
        .middleware(on_list_resources)
        .middleware(on_list_resource_templates)
        .middleware(on_list_prompts)
        .middleware(refuse_prompts)
        .middleware(explicit_crate)
        .middleware(unmarked)
        .middleware(CountCalls::new())
        .middleware(std::sync::Arc::new(CountCalls::new()))
        .tools(tools![whoami])
        .resources(resources![today])
        .prompts(prompts![plan])
        .build();
    let _ = server;
}
