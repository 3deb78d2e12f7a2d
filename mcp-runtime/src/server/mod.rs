//! The server: [`Server::builder`], startup validation in [`ServerBuilder::build`], and the one
//! `rmcp::ServerHandler` implementation that serves every server.
//!
//! - `builder.rs`: the builder and `build()`;
//! - `catalog.rs`: the registered components (one layer for the three kinds) and the one
//!   `route()`;
//! - `dispatch.rs`: a request's way through the middleware to its component;
//! - `live.rs`: what changes while serving (enabled components, peers, subscriptions, levels);
//! - `mount.rs`: mounted servers, as children;
//! - `lifespan.rs`: startup and shutdown hooks, draining;
//! - `handler.rs`: the thin `rmcp::ServerHandler` adapter.

mod builder;
mod catalog;
mod dispatch;
mod handler;
pub(crate) mod lifespan;
mod list_cache;
mod live;
mod mount;
mod pages;
mod tool_schemas;

use std::fmt;
use std::sync::Arc;

use rmcp::model::{Prompt, Resource, ResourceTemplate, ServerConfig, Tool};

use crate::extract::Shared;
use crate::middleware::ComponentInfo;
use crate::middleware::{Middleware, Request};

pub use builder::{Mountable, ServerBuilder};

use catalog::Catalog;
#[cfg(feature = "http")]
pub(crate) use catalog::Routed;
pub(crate) use list_cache::ListCache;
use live::Live;
use mount::MountPath;

/// A built MCP server: its components with their schemas, its state and its options. Cheap to
/// clone (one `Arc`); clones share the live state (enabled components, subscriptions).
///
/// It implements `rmcp::ServerHandler`, so it also plugs into anything that serves an rmcp
/// handler.
///
/// Inside a component of a mounted server, the `Server` a tool receives speaks the mounted
/// server's own names: `disable("forecast")` and `notify_resource_updated("weather://x")`
/// reach the mounted `weather_forecast` and `weather://weather/x`.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
    /// The identity every request of this handle carries (the in-memory test client's
    /// `connect_as`), unless the transport attached one.
    identity: Option<crate::auth::Identity>,
    /// Where this handle's names live, when it is handed to a mounted component.
    mount: Option<Arc<MountPath>>,
}

struct Inner {
    info: ServerConfig,
    catalog: Catalog,
    middleware: Chain,
    shared: Arc<Shared>,
    /// Set by the builder, or once later by `run()` from the settings.
    verifier: std::sync::OnceLock<Arc<dyn crate::auth::TokenVerifier>>,
    #[cfg(feature = "metrics")]
    series: crate::telemetry::SeriesSlots,
    live: Live,
    /// List answers serialized once per view, shared by every session over the line codec.
    lists: Arc<ListCache>,
    /// How lists are paged, and their caching hints.
    pager: pages::Pager,
    /// Seals the answers carried across rounds (`requestState`): set by the builder or by
    /// `run()` from the settings, else a random key on first use.
    sealer: std::sync::OnceLock<crate::rounds::Sealer>,
    /// Tasks: set by the builder (a store, or settings) or by `run()` from the settings, else
    /// the defaults on first use.
    tasks: std::sync::OnceLock<Arc<crate::tasks::runtime::Tasks>>,
    /// Whether any tool runs as a task: when none does, a call skips the check.
    task_tools: bool,
    settings: Option<crate::config::Settings>,
    /// The bounds of each byte-stream session.
    stdio: crate::StdioLimits,
    lifespan: Arc<lifespan::Lifespan>,
    /// Schema constraints nothing checks without the `validation` feature.
    #[cfg(not(feature = "validation"))]
    unchecked: Unchecked,
}

/// The warning about unchecked schema constraints, and whether it was logged.
#[cfg(not(feature = "validation"))]
pub(crate) struct Unchecked {
    pub(crate) warning: Option<String>,
    pub(crate) said: std::sync::atomic::AtomicBool,
}

#[cfg(not(feature = "validation"))]
impl Server {
    /// Logs, once per server, which tools declare schema constraints that go unchecked
    /// without the `validation` feature.
    pub(crate) fn warn_unchecked(&self) {
        let unchecked = &self.inner.unchecked;
        if let Some(warning) = &unchecked.warning
            && !unchecked
                .said
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!("{warning}");
        }
    }
}

/// A middleware chain, shared by every request.
pub(crate) type Chain = Arc<[Arc<dyn Middleware>]>;

impl Server {
    /// Starts building a server named `name` (the name clients see).
    pub fn builder(name: impl Into<String>) -> ServerBuilder {
        ServerBuilder::new(name.into())
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.inner.info.server_info.name
    }

    /// The server's enabled tools as clients list them, with their schemas.
    pub fn tools(&self) -> Vec<Tool> {
        self.inner.catalog.tools.listed(&self.inner.live, None)
    }

    /// The enabled static resources, as clients list them.
    pub fn resources(&self) -> Vec<Resource> {
        self.listed_resources(None)
    }

    /// The enabled resource templates, as clients list them.
    pub fn resource_templates(&self) -> Vec<ResourceTemplate> {
        self.listed_templates(None)
    }

    /// The enabled prompts, as clients list them.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.inner.catalog.prompts.listed(&self.inner.live, None)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    pub(crate) fn lifespan(&self) -> &Arc<lifespan::Lifespan> {
        &self.inner.lifespan
    }

    /// Whether internal errors reach callers as `internal error` (see
    /// [`ServerBuilder::mask_internal_errors`]); for middleware that reports errors itself.
    pub fn masks_internal_errors(&self) -> bool {
        self.inner.shared.mask_internal_errors
    }

    /// The settings given to the builder, if any.
    pub fn settings(&self) -> Option<&crate::config::Settings> {
        self.inner.settings.as_ref()
    }

    /// Shared state of type `T`, as given to the builder or built by a startup hook. Inside a
    /// mounted server's component: the mounted server's state first, then this server's.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        match &self.mount {
            Some(mount) => mount.shared.state.get::<T>(),
            None => self.inner.shared.state.get::<T>(),
        }
    }

    /// What middleware can know about the enabled tool `name`.
    pub fn tool_info(&self, name: &str) -> Option<ComponentInfo> {
        let i = self.inner.catalog.find_tool(&self.inner.live, name)?;
        Some((*self.inner.catalog.tools.items[i].common.info).clone())
    }

    /// What middleware can know about the resource that reading `uri` would reach.
    pub fn resource_info(&self, uri: &str) -> Option<ComponentInfo> {
        let (i, _) = self.inner.catalog.route_resource(&self.inner.live, uri)?;
        Some((*self.inner.catalog.resources.items[i].common.info).clone())
    }

    /// What middleware can know about the enabled prompt `name`.
    pub fn prompt_info(&self, name: &str) -> Option<ComponentInfo> {
        let i = self.inner.catalog.find_prompt(&self.inner.live, name)?;
        Some((*self.inner.catalog.prompts.items[i].common.info).clone())
    }

    /// What middleware can know about the component a request is for (`None` for lists and
    /// unknown components).
    pub fn component_info(&self, request: &Request) -> Option<ComponentInfo> {
        match request {
            Request::CallTool(call) => self.tool_info(&call.name),
            Request::ReadResource(read) => self.resource_info(&read.uri),
            Request::GetPrompt(get) => self.prompt_info(&get.name),
            _ => None,
        }
    }

    /// What the server sends in its `initialize` response.
    pub fn info(&self) -> &ServerConfig {
        &self.inner.info
    }

    /// What seals the answers carried across rounds: the configured key, else a random one.
    pub(crate) fn sealer(&self) -> &crate::rounds::Sealer {
        self.inner.sealer.get_or_init(crate::rounds::Sealer::random)
    }

    /// The server's tasks.
    pub(crate) fn tasks(&self) -> &Arc<crate::tasks::runtime::Tasks> {
        self.inner
            .tasks
            .get_or_init(|| Arc::new(crate::tasks::runtime::Tasks::new(None, Default::default())))
    }

    /// Runs tasks as `settings` say, unless the builder chose already.
    pub(crate) fn set_tasks_if_none(&self, settings: &crate::config::TaskSettings) {
        if self.inner.tasks.get().is_none() {
            let tasks = crate::tasks::runtime::Tasks::new(
                None,
                crate::tasks::runtime::TaskOptions::from_settings(settings),
            );
            let _ = self.inner.tasks.set(Arc::new(tasks));
        }
    }

    /// Seals request states as `settings` say, unless the builder chose already (or a state
    /// was sealed): how `run()` applies `MCP_REQUEST_STATE__*` to a server built without
    /// `.settings(…)`.
    pub(crate) fn set_sealer_if_none(
        &self,
        settings: &crate::config::RequestStateSettings,
    ) -> Result<(), crate::Error> {
        if self.inner.sealer.get().is_none() {
            let sealer =
                crate::rounds::Sealer::from_settings(settings).map_err(crate::Error::Usage)?;
            let _ = self.inner.sealer.set(sealer);
        }
        Ok(())
    }

    /// The token verifier given to the builder (or by its settings), if any.
    pub fn verifier(&self) -> Option<&Arc<dyn crate::auth::TokenVerifier>> {
        self.inner.verifier.get()
    }

    /// Gives the server `verifier` unless it has one already (every clone shares it).
    #[cfg(feature = "auth")]
    pub(crate) fn set_verifier_if_none(&self, verifier: Arc<dyn crate::auth::TokenVerifier>) {
        // Already set: the builder's verifier wins.
        let _ = self.inner.verifier.set(verifier);
    }

    /// This server, with every request it serves carrying `identity` (unless the transport
    /// attached one): what [`TestClient::connect_as`](crate::testing::TestClient::connect_as)
    /// serves.
    pub(crate) fn with_identity(&self, identity: crate::auth::Identity) -> Self {
        Self {
            identity: Some(identity),
            ..self.clone()
        }
    }

    /// The bounds of each byte-stream (stdio) session.
    pub fn stdio_limits(&self) -> crate::StdioLimits {
        self.inner.stdio
    }

    /// The list answers kept serialized, for the line codec of each session.
    pub(crate) fn list_cache(&self) -> Arc<ListCache> {
        self.inner.lists.clone()
    }

    /// This server as a component mounted at `mount` sees it.
    pub(crate) fn within(&self, mount: Option<&Arc<MountPath>>) -> Self {
        Self {
            mount: mount.cloned(),
            ..self.clone()
        }
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let catalog = &self.inner.catalog;
        f.debug_struct("Server")
            .field("name", &self.name())
            .field("tools", &catalog.tools.names().collect::<Vec<_>>())
            .field(
                "resources",
                &catalog
                    .resources
                    .items
                    .iter()
                    .map(|r| r.kind.uri())
                    .collect::<Vec<_>>(),
            )
            .field("prompts", &catalog.prompts.names().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl crate::RequestCx {
    /// The server handling the request. Inside a mounted server's component, the handle speaks
    /// that server's own names (see [`Server`]).
    pub fn server(&self) -> &Server {
        // Every `RequestCx` is built by `Server::request_cx` (dispatch.rs), which stores a
        // `Server` here, and the field is never replaced: the downcast cannot fail.
        self.server
            .downcast_ref::<Server>()
            .expect("a RequestCx always carries the Server that built it")
    }
}

/// The server handling the request, injected: to notify subscribers of a changed resource, or
/// to enable and disable components at run time.
impl crate::FromRequestCx for Server {
    fn from_request_cx(cx: &crate::RequestCx) -> Result<Self, crate::ToolError> {
        Ok(cx.server().clone())
    }
}
