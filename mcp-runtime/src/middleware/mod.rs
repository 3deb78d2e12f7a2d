//! Middleware: cross-cutting behaviour around every request, written once.
//!
//! A [`Middleware`] has a typed hook per request kind ([`call_tool`](Middleware::call_tool),
//! [`read_resource`](Middleware::read_resource), [`get_prompt`](Middleware::get_prompt), the
//! four lists) and a catch-all, [`on_request`](Middleware::on_request), which by default
//! dispatches to the typed hooks. Each hook receives the request (with its typed
//! [extensions](ToolCall::extensions_mut), which tools read through [`Extension<T>`]) and
//! [`Next`], the rest of the pipeline.
//!
//! Order is explicit: the first middleware added is the outermost. Global middleware runs first
//! (it also sees requests for unknown components), then a mounted server's own middleware, then
//! the component's own (`#[tool(middleware = [a, b])]`), innermost.
//!
//! ```
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::middleware::{Next, ToolCall};
//!
//! /// Refuses calls to tools whose name starts with `admin_`.
//! #[middleware]
//! async fn no_admin(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
//!     if req.name.starts_with("admin_") {
//!         return Ok(CallToolResult::error(vec![Content::text("admin tools are disabled")]));
//!     }
//!     next.run(req).await
//! }
//! # let _ = Server::builder("x").middleware(no_admin);
//! ```

use std::fmt;
use std::sync::Arc;

// Built-in middleware, one module each.
mod builtin;
pub(crate) use builtin::{prompt_timed_out, resource_timed_out};
// Re-exports of the built-ins (each defined in `builtin/`):
#[cfg(feature = "rate-limit")]
#[cfg_attr(docsrs, doc(cfg(feature = "rate-limit")))]
pub use builtin::RateLimit;
pub use builtin::{
    Audit, AuditRecord, CircuitBreaker, ClientKey, CorrelationId, ErrorHandling, Logging, Outcome,
    Retry, SizeLimit, Timeout, Timing,
};
#[cfg(feature = "cache")]
#[cfg_attr(docsrs, doc(cfg(feature = "cache")))]
pub use builtin::{Cache, CacheStats};

use std::any::Any;

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CallToolResult, Extensions, GetPromptResult, JsonObject, Prompt, ReadResourceResult, RequestId,
    Resource, ResourceTemplate, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};

mod info;
pub(crate) mod reply;
use crate::error::ToolError;
use crate::extract::{FromRequestCx, RequestCx};
use crate::util::BoxFuture;
pub use info::{ComponentInfo, ComponentKind};

/// What a component request names: a tool, a resource URI or a prompt.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Named<'a> {
    Tool(&'a str),
    Resource(&'a str),
    Prompt(&'a str),
}

impl<'a> Named<'a> {
    /// What a JSON-RPC request names, from its method and raw `params`, before the request is
    /// typed (HTTP admission checks scopes on the body). The same fields as
    /// [`Request::named`], plus `resources/subscribe`, whose scopes are the resource's.
    #[cfg(feature = "http")]
    pub(crate) fn of_message(method: &str, params: &'a serde_json::Value) -> Option<Self> {
        use rmcp::model::{
            CallToolRequestMethod, ConstString, GetPromptRequestMethod, ReadResourceRequestMethod,
            SubscribeRequestMethod,
        };
        let field = |key: &str| params.get(key).and_then(serde_json::Value::as_str);
        match method {
            CallToolRequestMethod::VALUE => field("name").map(Named::Tool),
            ReadResourceRequestMethod::VALUE | SubscribeRequestMethod::VALUE => {
                field("uri").map(Named::Resource)
            }
            GetPromptRequestMethod::VALUE => field("name").map(Named::Prompt),
            _ => None,
        }
    }
}

/// What the server resolved for a request, as middleware reads it. The server routes each
/// request once when it enters and attaches the result to the request's extensions
/// ([`Routing`]); middleware reaches the component, and what an injected parameter is built
/// from, only through this trait, never through the server itself.
pub(crate) trait Route: Any + Send + Sync {
    /// What middleware can know about the component the request names now (routed again only
    /// when a middleware renamed the request).
    fn component(&self, named: Option<Named<'_>>) -> Option<Arc<ComponentInfo>>;
    /// Whether internal errors reach the caller masked (the server's setting).
    fn masks_internal_errors(&self) -> bool;
    /// The context an injected middleware parameter is built from.
    fn request_cx(&self, context: &RequestContext<RoleServer>) -> RequestCx;
    /// For the server, which reads back its own routing.
    fn as_any(&self) -> &dyn Any;
}

/// The request extension that carries what the server resolved ([`Route`]).
#[derive(Clone)]
pub(crate) struct Routing(pub(crate) Arc<dyn Route>);

/// Cross-cutting behaviour around requests. Implement the hooks you need; the others pass the
/// request on unchanged. Most middleware is written as an `async fn` with `#[middleware]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not middleware",
    label = "not middleware",
    note = "write middleware as an `async fn` with `#[middleware]`, or implement `mcp_runtime::middleware::Middleware`"
)]
pub trait Middleware: Send + Sync + 'static {
    /// Every request, whatever its kind. By default, dispatches to the typed hooks: override it
    /// to treat every request alike (logging, timing, rate limits).
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        match request {
            Request::CallTool(r) => {
                Box::pin(async move { self.call_tool(r, next).await.map(Response::CallTool) })
            }
            Request::ReadResource(r) => Box::pin(async move {
                self.read_resource(r, next)
                    .await
                    .map(Response::ReadResource)
            }),
            Request::GetPrompt(r) => {
                Box::pin(async move { self.get_prompt(r, next).await.map(Response::GetPrompt) })
            }
            Request::ListTools(r) => {
                Box::pin(async move { self.list_tools(r, next).await.map(Response::ListTools) })
            }
            Request::ListResources(r) => Box::pin(async move {
                self.list_resources(r, next)
                    .await
                    .map(Response::ListResources)
            }),
            Request::ListResourceTemplates(r) => Box::pin(async move {
                self.list_resource_templates(r, next)
                    .await
                    .map(Response::ListResourceTemplates)
            }),
            Request::ListPrompts(r) => {
                Box::pin(async move { self.list_prompts(r, next).await.map(Response::ListPrompts) })
            }
        }
    }

    /// `tools/call`.
    fn call_tool(
        &self,
        request: ToolCall,
        next: Next,
    ) -> BoxFuture<'_, Result<CallToolResult, McpError>> {
        Box::pin(next.run(request))
    }

    /// `resources/read`.
    fn read_resource(
        &self,
        request: ResourceRead,
        next: Next,
    ) -> BoxFuture<'_, Result<ReadResourceResult, McpError>> {
        Box::pin(next.run(request))
    }

    /// `prompts/get`.
    fn get_prompt(
        &self,
        request: PromptGet,
        next: Next,
    ) -> BoxFuture<'_, Result<GetPromptResult, McpError>> {
        Box::pin(next.run(request))
    }

    /// `tools/list`.
    fn list_tools(
        &self,
        request: ListTools,
        next: Next,
    ) -> BoxFuture<'_, Result<Vec<Tool>, McpError>> {
        Box::pin(next.run(request))
    }

    /// `resources/list`.
    fn list_resources(
        &self,
        request: ListResources,
        next: Next,
    ) -> BoxFuture<'_, Result<Vec<Resource>, McpError>> {
        Box::pin(next.run(request))
    }

    /// `resources/templates/list`.
    fn list_resource_templates(
        &self,
        request: ListResourceTemplates,
        next: Next,
    ) -> BoxFuture<'_, Result<Vec<ResourceTemplate>, McpError>> {
        Box::pin(next.run(request))
    }

    /// `prompts/list`.
    fn list_prompts(
        &self,
        request: ListPrompts,
        next: Next,
    ) -> BoxFuture<'_, Result<Vec<Prompt>, McpError>> {
        Box::pin(next.run(request))
    }
}

impl<M: Middleware + ?Sized> Middleware for Arc<M> {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        (**self).on_request(request, next)
    }
}

/// What every request carries through the pipeline: rmcp's request context (id, `_meta`,
/// cancellation, peer) and its typed extensions.
pub struct RequestParts {
    pub(crate) context: RequestContext<RoleServer>,
}

impl RequestParts {
    pub(crate) fn new(context: RequestContext<RoleServer>) -> Self {
        Self { context }
    }
}

macro_rules! request_types {
    ($($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* pub $field:ident: $ty:ty),* } => $variant:ident($response:ty), $method:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
            pub(crate) parts: RequestParts,
        }

        impl $name {
            /// The JSON-RPC method.
            pub const METHOD: &'static str = $method;

            /// Typed values middleware attaches for later middleware and for tools
            /// ([`Extension<T>`]).
            pub fn extensions(&self) -> &Extensions {
                &self.parts.context.extensions
            }

            /// Attaches typed values: `req.extensions_mut().insert(Tenant("acme"))`.
            pub fn extensions_mut(&mut self) -> &mut Extensions {
                &mut self.parts.context.extensions
            }

            /// The JSON-RPC request id.
            pub fn request_id(&self) -> &RequestId {
                &self.parts.context.id
            }

            /// The verified caller, if the request carries one (see [`crate::auth`]).
            pub fn identity(&self) -> Option<&crate::auth::Identity> {
                crate::auth::Identity::of(&self.parts.context.extensions)
            }

            /// The client connection, to send it notifications or requests.
            pub fn peer(&self) -> &Peer<RoleServer> {
                &self.parts.context.peer
            }

            /// The whole rmcp request context.
            pub fn context(&self) -> &RequestContext<RoleServer> {
                &self.parts.context
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }

        impl MiddlewareReturn<$name> for Result<$response, McpError> {
            fn into_result(self) -> Result<$response, McpError> {
                self
            }
        }

        impl HookRequest for $name {
            type Response = $response;
            fn into_request(self) -> Request {
                Request::$variant(self)
            }
            fn from_request(request: Request) -> Result<Self, Request> {
                match request {
                    Request::$variant(r) => Ok(r),
                    other => Err(other),
                }
            }
            fn into_response(response: $response) -> Response {
                Response::$variant(response)
            }
            fn from_response(response: Response) -> Result<$response, McpError> {
                match response {
                    Response::$variant(r) => Ok(r),
                    other => Err(mismatch(Self::METHOD, &other)),
                }
            }
            fn context_of(&self) -> &RequestContext<RoleServer> {
                &self.parts.context
            }
        }
    )*

        /// Any request, for catch-all middleware.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum Request {
            $($(#[$doc])* $variant($name),)*
        }

        /// Any response, for catch-all middleware.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum Response {
            $($(#[$doc])* $variant($response),)*
        }

        impl Request {
            /// Every method a request can have, in declaration order.
            #[cfg(feature = "metrics")]
            pub(crate) const METHODS: &'static [&'static str] = &[$($method),*];

            /// The JSON-RPC method (`tools/call`, …).
            pub fn method(&self) -> &'static str {
                match self { $(Request::$variant(_) => $method,)* }
            }

            fn parts(&self) -> &RequestParts {
                match self { $(Request::$variant(r) => &r.parts,)* }
            }

            fn parts_mut(&mut self) -> &mut RequestParts {
                match self { $(Request::$variant(r) => &mut r.parts,)* }
            }
        }

        impl Response {
            fn kind(&self) -> &'static str {
                match self { $(Response::$variant(_) => $method,)* }
            }
        }
    };
}

request_types! {
    /// `tools/call`: the tool's name and its arguments (before validation).
    ToolCall {
        /// The tool's name.
        pub name: String,
        /// The arguments.
        pub arguments: JsonObject
    } => CallTool(CallToolResult), "tools/call";
    /// `resources/read`.
    ResourceRead {
        /// The URI to read.
        pub uri: String
    } => ReadResource(ReadResourceResult), "resources/read";
    /// `prompts/get`.
    PromptGet {
        /// The prompt's name.
        pub name: String,
        /// The arguments.
        pub arguments: JsonObject
    } => GetPrompt(GetPromptResult), "prompts/get";
    /// `tools/list`.
    ListTools {} => ListTools(Vec<Tool>), "tools/list";
    /// `resources/list`.
    ListResources {} => ListResources(Vec<Resource>), "resources/list";
    /// `resources/templates/list`.
    ListResourceTemplates {} => ListResourceTemplates(Vec<ResourceTemplate>), "resources/templates/list";
    /// `prompts/list`.
    ListPrompts {} => ListPrompts(Vec<Prompt>), "prompts/list";
}

impl Request {
    /// The component the request is for: a tool or prompt name, a resource URI; `None` for
    /// lists.
    pub fn target(&self) -> Option<&str> {
        match self {
            Request::CallTool(r) => Some(&r.name),
            Request::ReadResource(r) => Some(&r.uri),
            Request::GetPrompt(r) => Some(&r.name),
            _ => None,
        }
    }

    /// Typed values attached by middleware.
    pub fn extensions(&self) -> &Extensions {
        &self.parts().context.extensions
    }

    /// The verified caller, when the request carries one (HTTP with auth, or a test client
    /// connected as an identity): see [`crate::auth`].
    pub fn identity(&self) -> Option<&crate::auth::Identity> {
        crate::auth::Identity::of(self.extensions())
    }

    /// Attaches typed values for later middleware and for tools.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.parts_mut().context.extensions
    }

    /// The JSON-RPC request id.
    pub fn request_id(&self) -> &RequestId {
        &self.parts().context.id
    }

    /// The whole rmcp request context.
    pub fn context(&self) -> &RequestContext<RoleServer> {
        &self.parts().context
    }

    /// What the request's component declared (kind, name, hints, tags, scopes, timeout,
    /// sensitivity), as routing resolved it when the request arrived: `None` for lists and
    /// unknown components. After a middleware renamed the request, the renamed component's.
    pub fn component(&self) -> Option<Arc<ComponentInfo>> {
        component_of(self.extensions(), self.named())
    }

    /// What a component request names.
    pub(crate) fn named(&self) -> Option<Named<'_>> {
        match self {
            Request::CallTool(r) => Some(Named::Tool(&r.name)),
            Request::ReadResource(r) => Some(Named::Resource(&r.uri)),
            Request::GetPrompt(r) => Some(Named::Prompt(&r.name)),
            _ => None,
        }
    }

    /// Whether internal errors reach the caller masked (the server's setting).
    pub(crate) fn masks_internal_errors(&self) -> Option<bool> {
        self.extensions()
            .get::<Routing>()
            .map(|routing| routing.0.masks_internal_errors())
    }
}

/// What routing resolved for `named`, from a request's extensions.
fn component_of(ext: &Extensions, named: Option<Named<'_>>) -> Option<Arc<ComponentInfo>> {
    ext.get::<Routing>()?.0.component(named)
}

macro_rules! component_accessor {
    ($($request:ident => $named:ident($field:ident)),*) => {$(
        impl $request {
            /// What the request's component declared, as routing resolved it (see
            /// [`Request::component`]); `None` when there is no such component.
            pub fn component(&self) -> Option<Arc<ComponentInfo>> {
                component_of(self.extensions(), Some(Named::$named(&self.$field)))
            }
        }
    )*};
}

component_accessor!(ToolCall => Tool(name), ResourceRead => Resource(uri), PromptGet => Prompt(name));

impl HookRequest for Request {
    type Response = Response;
    fn into_request(self) -> Request {
        self
    }
    fn from_request(request: Request) -> Result<Self, Request> {
        Ok(request)
    }
    fn into_response(response: Response) -> Response {
        response
    }
    fn from_response(response: Response) -> Result<Response, McpError> {
        Ok(response)
    }
    fn context_of(&self) -> &RequestContext<RoleServer> {
        &self.parts().context
    }
}

fn mismatch(method: &str, response: &Response) -> McpError {
    McpError::internal_error(
        format!(
            "a middleware answered a `{method}` request with a `{}` response",
            response.kind()
        ),
        None,
    )
}

/// A request type a middleware hook can take: one of the typed requests ([`ToolCall`], …) or
/// [`Request`] for all of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request type middleware can take",
    label = "not a middleware request type",
    note = "take `ToolCall`, `ResourceRead`, `PromptGet`, `ListTools`, `ListResources`, `ListResourceTemplates`, `ListPrompts`, or `Request` for every request"
)]
pub trait HookRequest: Sized + Send + 'static {
    /// What the rest of the pipeline answers.
    type Response: Send + 'static;
    /// Wraps the request.
    fn into_request(self) -> Request;
    /// Unwraps a request of this kind, or gives it back.
    // `Err` returns the request itself to the caller: it is not an error value to shrink.
    #[allow(clippy::result_large_err)]
    fn from_request(request: Request) -> Result<Self, Request>;
    /// Wraps a response.
    fn into_response(response: Self::Response) -> Response;
    /// Unwraps a response of this kind.
    fn from_response(response: Response) -> Result<Self::Response, McpError>;
    /// The request's rmcp context.
    #[doc(hidden)]
    fn context_of(&self) -> &RequestContext<RoleServer>;
}

/// What a `#[middleware]` function returns for its request type `R`. Implemented for each
/// request type's own `Result<…, McpError>` only, so a mismatch is an error that says which.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not what a middleware taking `{R}` returns",
    label = "wrong response type for this request type",
    note = "`ToolCall` → `Result<CallToolResult, McpError>`; `ResourceRead` → `Result<ReadResourceResult, McpError>`; `PromptGet` → `Result<GetPromptResult, McpError>`; `ListTools` → `Result<Vec<Tool>, McpError>`; `ListResources` → `Result<Vec<Resource>, McpError>`; `ListResourceTemplates` → `Result<Vec<ResourceTemplate>, McpError>`; `ListPrompts` → `Result<Vec<Prompt>, McpError>`; `Request` → `Result<Response, McpError>`"
)]
pub trait MiddlewareReturn<R: HookRequest>: Send + 'static {
    /// Converts into the pipeline's result.
    fn into_result(self) -> Result<R::Response, McpError>;
}

impl MiddlewareReturn<Request> for Result<Response, McpError> {
    fn into_result(self) -> Result<Response, McpError> {
        self
    }
}

/// The rest of the pipeline: the next middleware, or the component itself.
pub struct Next {
    chain: Arc<[Arc<dyn Middleware>]>,
    index: usize,
    endpoint: Arc<dyn Endpoint>,
}

/// What a pipeline ends in.
pub(crate) trait Endpoint: Send + Sync + 'static {
    fn call(&self, request: Request) -> BoxFuture<'static, Result<Response, McpError>>;
}

impl Next {
    pub(crate) fn new(chain: Arc<[Arc<dyn Middleware>]>, endpoint: Arc<dyn Endpoint>) -> Self {
        Self {
            chain,
            index: 0,
            endpoint,
        }
    }

    /// Passes the request on and returns the response.
    pub async fn run<R: HookRequest>(self, request: R) -> Result<R::Response, McpError> {
        let response = self.run_request(request.into_request()).await?;
        R::from_response(response)
    }

    /// Passes any request on.
    pub fn run_request(self, request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        match self.chain.get(self.index).cloned() {
            Some(middleware) => {
                let next = Next {
                    chain: self.chain,
                    index: self.index + 1,
                    endpoint: self.endpoint,
                };
                Box::pin(async move { middleware.on_request(request, next).await })
            }
            None => self.endpoint.call(request),
        }
    }
}

impl fmt::Debug for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("remaining", &(self.chain.len() - self.index))
            .finish_non_exhaustive()
    }
}

/// Runs `hook` for requests of kind `R` and passes every other request on: what
/// `#[middleware]` generates for its request type.
#[doc(hidden)]
pub fn intercept<R, F>(
    request: Request,
    next: Next,
    hook: F,
) -> BoxFuture<'static, Result<Response, McpError>>
where
    R: HookRequest,
    F: FnOnce(R, Next) -> BoxFuture<'static, Result<R::Response, McpError>>,
{
    match R::from_request(request) {
        Ok(request) => {
            let future = hook(request, next);
            Box::pin(async move { future.await.map(R::into_response) })
        }
        Err(other) => next.run_request(other),
    }
}

/// Something that can be added as middleware: a [`Middleware`] value, or an
/// `async fn(req: <request type>, [injected…], next: Next) -> Result<…, McpError>` (with or
/// without `#[middleware]`, which only adds compile-time checks with clear messages).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not middleware",
    label = "not middleware",
    note = "pass an `async fn(req: ToolCall, next: Next) -> Result<CallToolResult, McpError>` (mark it `#[middleware]` for clear errors), or a value implementing `mcp_runtime::middleware::Middleware`",
    note = "if `#[middleware]` reported an error on this function, fix that first; a middleware takes at most 4 injected parameters, and its future must be `Send`"
)]
pub trait IntoMiddleware<M>: Send + Sync + 'static {
    /// Converts into a shared middleware.
    fn into_middleware(self) -> Arc<dyn Middleware>;
}

#[doc(hidden)]
pub enum ViaMiddleware {}

impl<T: Middleware> IntoMiddleware<ViaMiddleware> for T {
    fn into_middleware(self) -> Arc<dyn Middleware> {
        Arc::new(self)
    }
}

/// An `async fn` used as middleware.
struct FnMiddleware<F, M> {
    f: F,
    _marker: std::marker::PhantomData<fn() -> M>,
}

macro_rules! fn_middleware {
    ($($param:ident),*) => {
        impl<F, Fut, R, Ret, $($param,)*> IntoMiddleware<(R, $($param,)* Ret)> for F
        where
            F: Fn(R, $($param,)* Next) -> Fut + Clone + Send + Sync + 'static,
            Fut: std::future::Future<Output = Ret> + Send + 'static,
            R: HookRequest,
            Ret: MiddlewareReturn<R>,
            $($param: MiddlewareParam + Send + 'static,)*
        {
            fn into_middleware(self) -> Arc<dyn Middleware> {
                Arc::new(FnMiddleware::<F, (R, $($param,)* Ret)> {
                    f: self,
                    _marker: std::marker::PhantomData,
                })
            }
        }

        impl<F, Fut, R, Ret, $($param,)*> Middleware for FnMiddleware<F, (R, $($param,)* Ret)>
        where
            F: Fn(R, $($param,)* Next) -> Fut + Clone + Send + Sync + 'static,
            Fut: std::future::Future<Output = Ret> + Send + 'static,
            R: HookRequest,
            Ret: MiddlewareReturn<R>,
            $($param: MiddlewareParam + Send + 'static,)*
        {
            #[allow(non_snake_case)]
            fn on_request(&self, request: Request, next: Next) -> BoxFuture<'_, Result<Response, McpError>> {
                let f = self.f.clone();
                intercept::<R, _>(request, next, move |request, next| {
                    Box::pin(async move {
                        $(let $param = $param::from_parts(request.context_of())?;)*
                        f(request, $($param,)* next).await.into_result()
                    })
                })
            }
        }
    };
}

fn_middleware!();
fn_middleware!(T1);
fn_middleware!(T1, T2);
fn_middleware!(T1, T2, T3);
fn_middleware!(T1, T2, T3, T4);

/// The last parameter of a `#[middleware]` function.
#[diagnostic::on_unimplemented(
    message = "the last parameter of a middleware must be `next: Next`, not `{Self}`",
    label = "expected `Next`",
    note = "a middleware takes the request first, then injected parameters, and `next: Next` last"
)]
pub trait IsNext {
    /// Converts.
    #[doc(hidden)]
    fn from_next(next: Next) -> Self;
}

impl IsNext for Next {
    fn from_next(next: Next) -> Self {
        next
    }
}

/// A parameter injected into a `#[middleware]` function, between the request and `next`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a middleware parameter",
    label = "not an injected parameter",
    note = "a middleware takes the request first, then injected parameters (`State<T>`, `Server`, or any `FromRequestCx` type), and `next: Next` last"
)]
pub trait MiddlewareParam: Sized {
    /// Builds the parameter.
    #[doc(hidden)]
    fn from_parts(context: &RequestContext<RoleServer>) -> Result<Self, McpError>;
}

impl<T: FromRequestCx> MiddlewareParam for T {
    fn from_parts(context: &RequestContext<RoleServer>) -> Result<Self, McpError> {
        let routing = context.extensions.get::<Routing>().ok_or_else(|| {
            McpError::internal_error("the request was not routed by a server", None)
        })?;
        let cx = routing.0.request_cx(context);
        T::from_request_cx(&cx).map_err(|error| McpError::internal_error(error.to_string(), None))
    }
}

/// A value a middleware attached to the request (`req.extensions_mut().insert(value)`),
/// injected into a tool, resource or prompt.
///
/// When no middleware attached a `T`, the call fails with a message that names the full type
/// (`Extension<my_crate::Tenant>`) and says to insert one from a middleware. That message is
/// logged as an error and shown to the client even when internal errors are masked: it is a
/// mistake in how the server was put together, not a runtime failure whose details could leak
/// anything, and whoever sees it first (often the developer calling the tool) needs to know
/// what to fix.
///
/// `build()` cannot check this the way it checks [`State<T>`](crate::State): middleware
/// decides per request whether to insert an extension (after authenticating, after looking a
/// tenant up, …), so which extensions a request carries is known only while it runs.
#[derive(Debug, Clone)]
pub struct Extension<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromRequestCx for Extension<T> {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        if let Some(value) = cx.request().extensions.get::<T>() {
            return Ok(Extension(value.clone()));
        }
        let message = missing_extension_message(cx.component(), std::any::type_name::<T>());
        tracing::error!(component = cx.component(), "{message}");
        Err(ToolError::new(message))
    }
}

/// What a call that takes an extension nobody inserted fails with.
fn missing_extension_message(component: &str, type_name: &str) -> String {
    let taker = if component.is_empty() {
        "this request's handler".to_owned()
    } else {
        format!("`{component}`")
    };
    format!(
        "{taker} takes `Extension<{type_name}>`, but no middleware inserted a `{type_name}` \
         into this request; add a middleware that calls \
         `request.extensions_mut().insert(…)` with a `{type_name}` value, and make sure it runs \
         for this component"
    )
}

impl<T> std::ops::Deref for Extension<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
