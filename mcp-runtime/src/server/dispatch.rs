//! A request's way through the server: routed once on arrival ([`Routed`]), through the
//! global middleware, the component's own middleware, to the component, and back.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use rmcp::ErrorData as McpError;
use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, CompleteRequestParams, CompleteResult, CompletionInfo, GetPromptResult,
    ReadResourceResult, Reference,
};
use rmcp::service::RequestContext;
use serde_json::Value;

use super::Server;
use super::catalog::{Common, ResourceListing, Routed, Target, check_scopes};
use crate::completion::Completion;
use crate::component::uri::{decode, path_safety_problem};
use crate::error::ToolError;
use crate::extract::OutputMode;
use crate::extract::RequestCx;
use crate::extract::Shared;
#[cfg(feature = "http")]
use crate::middleware::Named;
use crate::middleware::{
    Endpoint, Next, PromptGet, Request, RequestParts, ResourceRead, Response, ToolCall,
};
use crate::prompt::{PromptArgs, PromptError};
use crate::resource::{ResourceError, ResourceVars};
use crate::tool::ToolArgs;
use crate::util::BoxFuture;

use crate::error::codes::FORBIDDEN;

impl Server {
    fn request_cx(
        &self,
        context: RequestContext<RoleServer>,
        common: &Common,
        output: OutputMode,
    ) -> RequestCx {
        RequestCx {
            log_level: self.inner.live.log_level(&context),
            request: Arc::new(context),
            server: Arc::new(self.within(common.mount.as_ref())),
            shared: common.shared.clone(),
            component: common.name.clone(),
            output,
        }
    }

    /// A request's parts, with this handle's identity attached.
    pub(super) fn parts(&self, mut context: RequestContext<RoleServer>) -> RequestParts {
        if let Some(identity) = &self.identity
            && crate::auth::Identity::of(&context.extensions).is_none()
        {
            context.extensions.insert(identity.clone());
        }
        RequestParts::new(context)
    }

    /// Routes a request once, then runs it through the global middleware (if any), the
    /// component's own middleware (if any), and the component.
    ///
    /// Boxed: each request runs in a task of its own, whose future is moved a few times on
    /// the way; a pointer moves for free, the pipeline's whole state machine does not.
    pub(super) fn handle(
        &self,
        request: Request,
    ) -> crate::util::BoxFuture<'_, Result<Response, McpError>> {
        Box::pin(self.handle_routed(request))
    }

    async fn handle_routed(&self, mut request: Request) -> Result<Response, McpError> {
        #[cfg(feature = "http")]
        let routed = match Routed::admitted(request.extensions(), self, request.named()) {
            Some(admitted) => admitted,
            None => Routed::new(self, request.named()),
        };
        #[cfg(not(feature = "http"))]
        let routed = Routed::new(self, request.named());
        #[cfg(feature = "metrics")]
        if crate::telemetry::is_enabled() {
            let series = self.series(&request, routed.target);
            routed.attach(request.extensions_mut());
            let started = std::time::Instant::now();
            let response = self.handle_inner(request).await;
            let error = match &response {
                Ok(Response::CallTool(result)) if result.is_error == Some(true) => {
                    Some("tool_error")
                }
                Ok(_) => None,
                Err(error) => Some(crate::telemetry::error_kind(error.code.0)),
            };
            series.record(started.elapsed().as_secs_f64(), error);
            return response;
        }
        routed.attach(request.extensions_mut());
        self.handle_inner(request).await
    }

    /// The metric series of a request, registered once per component (or list method): the
    /// `component` label is a registered name, or `unknown` (never a name the client chose,
    /// which would make the series unbounded), or `(restricted)` for a component that declares
    /// scopes, unless the server shows them (its name would tell anyone who reads `/metrics`
    /// what callers without the scopes cannot list).
    #[cfg(feature = "metrics")]
    fn series(&self, request: &Request, target: Option<Target>) -> &crate::telemetry::Series {
        use std::sync::atomic::Ordering;

        use crate::telemetry::{RESTRICTED, Series};
        let inner = &self.inner;
        let method = request.method();
        let method_slot = Request::METHODS
            .iter()
            .position(|m| *m == method)
            .unwrap_or(0);
        if let Some(target) = target {
            let common = inner.catalog.common(target);
            if !common.scopes.is_empty() && !inner.series.show_restricted.load(Ordering::Relaxed) {
                return inner.series.restricted[method_slot].get_or_init(|| {
                    Series::new(method, metrics::SharedString::const_str(RESTRICTED))
                });
            }
            let slot = match target {
                Target::Tool(i) => &inner.series.tools[i],
                Target::Resource(i) => &inner.series.resources[i],
                Target::Prompt(i) => &inner.series.prompts[i],
            };
            return slot.get_or_init(|| {
                Series::new(
                    method,
                    metrics::SharedString::from_shared(common.name.clone()),
                )
            });
        }
        // Lists have no component; a component request that found none is `unknown`.
        let (slots, label) = if request.target().is_some() {
            (&inner.series.unknown, "unknown")
        } else {
            (&inner.series.other, "")
        };
        slots[method_slot]
            .get_or_init(|| Series::new(method, metrics::SharedString::const_str(label)))
    }

    /// Whether the metrics name the components that declare scopes (`false`: they are counted
    /// together as `(restricted)`). Set by the HTTP transport from its options.
    #[cfg(all(feature = "metrics", feature = "http"))]
    pub(crate) fn show_restricted_metrics(&self, show: bool) {
        self.inner
            .series
            .show_restricted
            .store(show, std::sync::atomic::Ordering::Relaxed);
    }

    async fn handle_inner(&self, request: Request) -> Result<Response, McpError> {
        let _in_flight = self.inner.lifespan.track();
        let method = request.method();
        let pipeline = if self.inner.middleware.is_empty() {
            self.route(request)
        } else {
            let router: Arc<dyn Endpoint> = Arc::new(Router(self.clone()));
            Next::new(self.inner.middleware.clone(), router).run_request(request)
        };
        // Components catch their own panics; this catches a middleware's, which would otherwise
        // leave the client waiting for an answer that never comes.
        let caught = AssertUnwindSafe(pipeline).catch_unwind();
        // At the end of a shutdown's grace period, what is still running is answered with an
        // error (a request that finishes on its first poll never looks at the token).
        let abandon = self.inner.lifespan.abandon.cancelled();
        let outcome = tokio::select! {
            biased;
            outcome = caught => outcome,
            () = abandon => {
                return Err(McpError::internal_error(
                    format!(
                        "the server stopped before this request finished (its shutdown grace \
                         period is {})",
                        crate::error::format_duration(self.inner.lifespan.grace)
                    ),
                    None,
                ));
            }
        };
        match outcome {
            Ok(response) => response,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                tracing::error!(method, panic = message, "a middleware panicked");
                let shown = if self.inner.shared.mask_internal_errors {
                    "internal error".to_owned()
                } else {
                    format!("a middleware panicked: {message}")
                };
                Err(McpError::internal_error(shown, None))
            }
        }
    }

    /// After the global middleware: the component the request was routed to (routed again
    /// only if a middleware renamed it), its scopes, its own middleware, and the component.
    fn route(&self, mut request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        if matches!(
            request,
            Request::ListTools(_)
                | Request::ListResources(_)
                | Request::ListResourceTemplates(_)
                | Request::ListPrompts(_)
        ) {
            return Box::pin(std::future::ready(Ok(self.list(&request))));
        }
        let target = match Routed::of(request.extensions()) {
            Some(routed) if routed.is_for(request.named()) => routed.target,
            _ => {
                let routed = Routed::new(self, request.named());
                let target = routed.target;
                routed.attach(request.extensions_mut());
                target
            }
        };
        let Some(target) = target else {
            return Box::pin(std::future::ready(Err(not_found(&request))));
        };
        let common = self.inner.catalog.common(target);
        if let Err(missing) = check_scopes(common.scopes, request.extensions()) {
            let what = match &request {
                Request::CallTool(call) => format!("the tool `{}`", call.name),
                Request::ReadResource(read) => format!("the resource `{}`", read.uri),
                Request::GetPrompt(get) => format!("the prompt `{}`", get.name),
                _ => "this request".to_owned(),
            };
            return Box::pin(std::future::ready(Err(forbidden(&what, &missing))));
        }
        if common.chain.is_empty() {
            self.clone().invoke(target, request)
        } else {
            let endpoint: Arc<dyn Endpoint> = Arc::new(Invoke {
                server: self.clone(),
                target,
            });
            Next::new(common.chain.clone(), endpoint).run_request(request)
        }
    }

    /// A list request's answer: the enabled components the caller has the scopes for.
    fn list(&self, request: &Request) -> Response {
        let ext = Some(request.extensions());
        match request {
            Request::ListTools(_) => Response::ListTools(self.listed_tools(ext)),
            Request::ListResources(_) => Response::ListResources(self.listed_resources(ext)),
            Request::ListResourceTemplates(_) => {
                Response::ListResourceTemplates(self.listed_templates(ext))
            }
            _ => Response::ListPrompts(self.listed_prompts(ext)),
        }
    }

    pub(super) fn listed_tools(
        &self,
        ext: Option<&rmcp::model::Extensions>,
    ) -> Vec<rmcp::model::Tool> {
        self.inner.catalog.tools.listed(&self.inner.live, ext)
    }

    pub(super) fn listed_prompts(
        &self,
        ext: Option<&rmcp::model::Extensions>,
    ) -> Vec<rmcp::model::Prompt> {
        self.inner.catalog.prompts.listed(&self.inner.live, ext)
    }

    pub(super) fn listed_resources(
        &self,
        ext: Option<&rmcp::model::Extensions>,
    ) -> Vec<rmcp::model::Resource> {
        let live = &self.inner.live;
        self.inner
            .catalog
            .resources
            .listed_as(live, ext, |r| match &r.listing {
                ResourceListing::Static(listed) => Some(listed.clone()),
                ResourceListing::Template(_) => None,
            })
    }

    pub(super) fn listed_templates(
        &self,
        ext: Option<&rmcp::model::Extensions>,
    ) -> Vec<rmcp::model::ResourceTemplate> {
        let live = &self.inner.live;
        self.inner
            .catalog
            .resources
            .listed_as(live, ext, |r| match &r.listing {
                ResourceListing::Template(listed) => Some(listed.clone()),
                ResourceListing::Static(_) => None,
            })
    }

    /// Routes a JSON-RPC request from its raw method and `params`, before rmcp types it: HTTP
    /// admission checks the caller's scopes on it, and attaches it to the HTTP request so that
    /// dispatch reuses it instead of routing again.
    #[cfg(feature = "http")]
    pub(crate) fn route_message(&self, method: &str, params: &Value) -> Option<Routed> {
        Named::of_message(method, params).map(|named| Routed::new(self, Some(named)))
    }

    /// Every scope components declare, for the protected resource metadata.
    #[cfg(feature = "http")]
    pub(crate) fn declared_scopes(&self) -> Vec<&'static str> {
        self.inner.catalog.declared_scopes()
    }

    fn invoke(
        self,
        target: Target,
        request: Request,
    ) -> BoxFuture<'static, Result<Response, McpError>> {
        Box::pin(async move {
            match (target, request) {
                (Target::Tool(i), Request::CallTool(call)) => {
                    self.invoke_tool(i, call).await.map(Response::CallTool)
                }
                (Target::Resource(i), Request::ReadResource(read)) => self
                    .invoke_resource(i, read)
                    .await
                    .map(Response::ReadResource),
                (Target::Prompt(i), Request::GetPrompt(get)) => {
                    self.invoke_prompt(i, get).await.map(Response::GetPrompt)
                }
                (_, other) => Err(McpError::internal_error(
                    format!(
                        "a middleware turned the request into a `{}` request",
                        other.method()
                    ),
                    None,
                )),
            }
        })
    }

    async fn invoke_tool(&self, i: usize, call: ToolCall) -> Result<CallToolResult, McpError> {
        let tool = &self.inner.catalog.tools.items[i];
        let (common, kind) = (&tool.common, &tool.kind);
        let mask = common.shared.mask_internal_errors;
        let schemas = kind
            .schemas
            .get()
            .map_err(|error| McpError::internal_error(error.to_owned(), None))?;
        if let Err(error) = schemas.validator.ready() {
            return Err(McpError::internal_error(error, None));
        }
        let arguments = Value::Object(call.arguments);
        if let Err(problems) = schemas.validator.check(&arguments) {
            return Ok(ToolError::invalid_arguments(problems).into_call_result(&common.name, mask));
        }
        let Value::Object(map) = arguments else {
            // Built as an object just above.
            return Err(McpError::internal_error(
                "arguments are not an object",
                None,
            ));
        };
        let cancel = call.parts.context.ct.clone();
        let extensions = &call.parts.context.extensions;
        // A task's open questions, to name in a timeout.
        let questions = extensions
            .get::<Arc<crate::tasks::runtime::Questions>>()
            .cloned();
        let limit = match extensions.get::<crate::tasks::runtime::TaskRun>() {
            // A task's run is bounded by the task's time to live, or the tool's own timeout.
            Some(run) => Some(common.timeout.unwrap_or(run.0)),
            None => tool_limit(
                common.timeout,
                crate::middleware::Timeout::default_of(extensions),
                common.shared.default_timeout,
            ),
        };
        let cx = self.request_cx(call.parts.context, common, schemas.output);
        let args = ToolArgs {
            map,
            whole_object: schemas.whole_object,
        };
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        let run = crate::logging::with_client(
            sink,
            AssertUnwindSafe((kind.call)(cx, args)).catch_unwind(),
        );
        let Some(outcome) = bounded(limit, &cancel, run).await else {
            let limit = limit.unwrap_or_default();
            tracing::warn!(
                target: "mcp_runtime::timeout",
                method = "tools/call",
                component = %common.name,
                timeout_ms = limit.as_millis() as u64,
                "request timed out"
            );
            let waiting = (questions.as_deref())
                .and_then(crate::tasks::runtime::Questions::waiting_for)
                .map(|waiting| format!(", waiting for the client's answer to {waiting}"))
                .unwrap_or_default();
            return Ok(ToolError::new(format!(
                "the tool `{}` timed out after {}{waiting}",
                common.name,
                crate::error::format_duration(limit)
            ))
            .into_call_result(&common.name, mask));
        };
        match outcome {
            Ok(result) => result,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                Ok(ToolError::panic(message).into_call_result(&common.name, mask))
            }
        }
    }

    async fn invoke_resource(
        &self,
        i: usize,
        read: ResourceRead,
    ) -> Result<ReadResourceResult, McpError> {
        let resource = &self.inner.catalog.resources.items[i];
        let (common, kind) = (&resource.common, &resource.kind);
        let uri = read.uri;
        let mask = common.shared.mask_internal_errors;
        // The component's own middleware may have rewritten the URI: match it again.
        let Some(captures) = kind.template.matches(&uri) else {
            return Err(ResourceError::not_found(uri.clone()).into_mcp(("uri", &uri), mask));
        };
        let mut values = Vec::with_capacity(captures.len());
        for (name, raw) in captures {
            let value = decode(&raw).map_err(|problem| {
                ResourceError::invalid_params(format!("`{name}`: {problem}"))
                    .into_mcp(("uri", &uri), mask)
            })?;
            if !kind.unchecked.contains(&name)
                && let Some(problem) = path_safety_problem(&value)
            {
                return Err(ResourceError::invalid_params(format!(
                    "`{name}` {problem}, which is refused for safety"
                ))
                .into_mcp(("uri", &uri), mask));
            }
            values.push((name, value));
        }
        let vars = ResourceVars {
            uri: uri.clone(),
            mime_type: kind.mime_type,
            values,
        };
        let cancel = read.parts.context.ct.clone();
        let cx = self.request_cx(read.parts.context, common, OutputMode::Unstructured);
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        let run = crate::logging::with_client(
            sink,
            AssertUnwindSafe((kind.read)(cx, vars)).catch_unwind(),
        );
        let Some(outcome) = bounded(common.timeout, &cancel, run).await else {
            let limit = common.timeout.unwrap_or_default();
            return Err(crate::middleware::resource_timed_out(&uri, limit));
        };
        match outcome {
            Ok(Ok(contents)) => Ok(ReadResourceResult::new(contents)),
            Ok(Err(error)) => Err(error.into_mcp(("uri", &uri), mask)),
            Err(payload) => Err(ResourceError::internal(format!(
                "the resource panicked: {}",
                panic_message(payload.as_ref())
            ))
            .into_mcp(("uri", &uri), mask)),
        }
    }

    async fn invoke_prompt(&self, i: usize, get: PromptGet) -> Result<GetPromptResult, McpError> {
        let prompt = &self.inner.catalog.prompts.items[i];
        let (common, kind) = (&prompt.common, &prompt.kind);
        let mask = common.shared.mask_internal_errors;
        let args = PromptArgs { map: get.arguments };
        let cancel = get.parts.context.ct.clone();
        let cx = self.request_cx(get.parts.context, common, OutputMode::Unstructured);
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        let run = crate::logging::with_client(
            sink,
            AssertUnwindSafe((kind.get)(cx, args)).catch_unwind(),
        );
        let Some(outcome) = bounded(common.timeout, &cancel, run).await else {
            let limit = common.timeout.unwrap_or_default();
            return Err(crate::middleware::prompt_timed_out(&get.name, limit));
        };
        match outcome {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(error.into_mcp(("prompt", &get.name), mask)),
            Err(payload) => Err(PromptError::internal(format!(
                "the prompt panicked: {}",
                panic_message(payload.as_ref())
            ))
            .into_mcp(("prompt", &get.name), mask)),
        }
    }

    pub(super) async fn completions(
        &self,
        request: CompleteRequestParams,
    ) -> Result<CompleteResult, McpError> {
        let inner = &self.inner;
        let (catalog, live) = (&inner.catalog, &inner.live);
        let found: Option<(&Vec<_>, &Arc<Shared>)> = match &request.r#ref {
            Reference::Prompt(reference) => catalog
                .find_prompt(live, reference.name.as_str())
                .map(|i| &catalog.prompts.items[i])
                .map(|p| (&p.kind.completions, &p.common.shared)),
            Reference::Resource(reference) => catalog
                .resources
                .items
                .iter()
                .filter(|r| live.is_enabled(&r.common.name, r.common.tags))
                .find(|r| r.kind.uri() == reference.uri)
                .map(|r| (&r.kind.completions, &r.common.shared)),
            _ => None,
        };
        let Some((completions, shared)) = found else {
            return Err(McpError::invalid_params(
                "completion for an unknown prompt or resource template",
                None,
            ));
        };
        let Some(&(_, completer)) = completions
            .iter()
            .find(|(name, _)| *name == request.argument.name)
        else {
            return Ok(CompleteResult::new(CompletionInfo::default()));
        };
        let completion = Completion {
            argument: request.argument.name.clone(),
            value: request.argument.value.clone(),
            context: request
                .context
                .and_then(|c| c.arguments)
                .unwrap_or_default(),
            shared: shared.clone(),
        };
        let values = match AssertUnwindSafe(completer(completion)).catch_unwind().await {
            Ok(values) => values,
            Err(payload) => {
                tracing::error!(
                    panic = panic_message(payload.as_ref()),
                    "a completion source panicked"
                );
                Vec::new()
            }
        };
        let total = values.len();
        let shown: Vec<String> = values
            .into_iter()
            .take(CompletionInfo::MAX_VALUES)
            .collect();
        let mut info = CompletionInfo::default();
        info.has_more = Some(total > shown.len());
        info.total = u32::try_from(total).ok();
        info.values = shown;
        Ok(CompleteResult::new(info))
    }
}

/// The end of the global middleware chain: routing.
struct Router(Server);

impl Endpoint for Router {
    fn call(&self, request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        self.0.route(request)
    }
}

/// The end of a component's own middleware chain: the component.
struct Invoke {
    server: Server,
    target: Target,
}

impl Endpoint for Invoke {
    fn call(&self, request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        self.server.clone().invoke(self.target, request)
    }
}

/// The error for a caller without the scopes `what` (a component, in words) needs.
pub(super) fn forbidden(what: &str, missing: &[&str]) -> McpError {
    let plural = if missing.len() == 1 { "" } else { "s" };
    McpError::new(
        rmcp::model::ErrorCode(FORBIDDEN),
        format!(
            "{what} needs the scope{plural} {}",
            missing
                .iter()
                .map(|scope| format!("`{scope}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(serde_json::json!({ "required_scopes": missing })),
    )
}

/// The error for a request whose component does not exist (or is disabled).
fn not_found(request: &Request) -> McpError {
    match request {
        Request::CallTool(call) => McpError::invalid_params(
            format!("unknown tool `{}`", call.name),
            Some(serde_json::json!({ "tool": call.name })),
        ),
        Request::ReadResource(read) => {
            ResourceError::not_found(read.uri.clone()).into_mcp(("uri", &read.uri), true)
        }
        Request::GetPrompt(get) => McpError::invalid_params(
            format!("unknown prompt `{}`", get.name),
            Some(serde_json::json!({ "prompt": get.name })),
        ),
        other => McpError::internal_error(format!("`{}` has no component", other.method()), None),
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// The limit of a tool call: the tool's own; else the default of a
/// [`Timeout`](crate::middleware::Timeout) middleware the call passed through; else its
/// server's default (a mounted server's own, or its parent's); else
/// [`DEFAULT_TOOL_TIMEOUT`](crate::config::DEFAULT_TOOL_TIMEOUT). `None` when the choice was
/// [`TimeLimit::Off`](crate::config::TimeLimit::Off).
fn tool_limit(
    own: Option<std::time::Duration>,
    middleware: Option<std::time::Duration>,
    server: Option<crate::config::TimeLimit>,
) -> Option<std::time::Duration> {
    use crate::config::{DEFAULT_TOOL_TIMEOUT, TimeLimit};
    own.or(middleware)
        .map(TimeLimit::After)
        .or(server)
        .unwrap_or(TimeLimit::After(DEFAULT_TOOL_TIMEOUT))
        .duration()
}

/// Runs a component within `limit`, if it has one: `None` when the limit passed first. The
/// request's cancellation token is then cancelled, so a `Ctx` still holding on to it sees the
/// call was abandoned.
async fn bounded<T>(
    limit: Option<std::time::Duration>,
    cancel: &tokio_util::sync::CancellationToken,
    run: impl std::future::Future<Output = T>,
) -> Option<T> {
    let Some(limit) = limit else {
        return Some(run.await);
    };
    match tokio::time::timeout(limit, run).await {
        Ok(outcome) => Some(outcome),
        Err(_) => {
            cancel.cancel();
            None
        }
    }
}
