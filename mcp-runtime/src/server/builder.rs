//! [`ServerBuilder`]: what a server is made of, validated once by [`ServerBuilder::build`].

use std::fmt;
use std::sync::Arc;

use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};

use super::catalog::{Catalog, Registered};
use super::lifespan::Lifespan;
use super::live::Live;
use super::pages::{Hints, KindFacts, ListKind, Pager};
use super::{Inner, Server};
use crate::error::Error;
use crate::extract::Shared;
use crate::extract::StateMap;
use crate::middleware::{IntoMiddleware, Middleware};
use crate::prompt::{PromptEntry, PromptSet};
use crate::resource::{ResourceEntry, ResourceSet};
use crate::schema::{SchemaCx, SchemaProfile};
use crate::tool::{ToolEntry, ToolSet};

/// Builds a [`Server`]. Start with [`Server::builder`].
#[must_use = "a builder does nothing until `.build()`"]
pub struct ServerBuilder {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    icons: Vec<rmcp::model::Icon>,
    website_url: Option<String>,
    tools: Vec<ToolEntry>,
    resources: Vec<ResourceEntry>,
    prompts: Vec<PromptEntry>,
    mounts: Vec<(String, Mountable)>,
    separator: String,
    middleware: Vec<Arc<dyn Middleware>>,
    settings: Option<crate::config::Settings>,
    default_timeout: Option<crate::config::TimeLimit>,
    startup: Vec<crate::lifespan::StartupHook>,
    shutdown: Vec<crate::lifespan::ShutdownHook>,
    grace: std::time::Duration,
    state: StateMap,
    profile: SchemaProfile,
    mask_internal_errors: Option<bool>,
    verifier: Option<Arc<dyn crate::auth::TokenVerifier>>,
    stdio: Option<crate::StdioLimits>,
    page_size: Option<usize>,
    list_hints: Option<Hints>,
    request_state_key: Option<Vec<u8>>,
    task_store: Option<Arc<dyn crate::tasks::TaskStore>>,
}

impl ServerBuilder {
    pub(super) fn new(name: String) -> Self {
        ServerBuilder {
            name,
            version: "0.0.0".to_owned(),
            title: None,
            instructions: None,
            icons: Vec::new(),
            website_url: None,
            tools: Vec::new(),
            resources: Vec::new(),
            prompts: Vec::new(),
            mounts: Vec::new(),
            separator: "_".to_owned(),
            middleware: Vec::new(),
            settings: None,
            default_timeout: None,
            startup: Vec::new(),
            shutdown: Vec::new(),
            grace: std::time::Duration::from_secs(10),
            state: StateMap::default(),
            profile: SchemaProfile::default(),
            mask_internal_errors: None,
            verifier: None,
            stdio: None,
            page_size: None,
            list_hints: None,
            request_state_key: None,
            task_store: None,
        }
    }

    /// The server's version, as sent to clients. Defaults to `0.0.0`; servers usually pass
    /// `env!("CARGO_PKG_VERSION")`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// A human-readable title for the server.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Adds an icon for the server, sent in `serverInfo`: its `src` URI (`https:` or a
    /// `data:` URI), MIME type, sizes (`"48x48"`, `"any"`) and theme (`"light"` or `"dark"`;
    /// any other value leaves the theme unset).
    pub fn icon(
        mut self,
        src: impl Into<String>,
        mime_type: Option<&str>,
        sizes: &[&str],
        theme: Option<&str>,
    ) -> Self {
        let src = src.into();
        self.icons
            .push(crate::component::icon(&src, mime_type, sizes, theme));
        self
    }

    /// Sets the server's icons, sent in `serverInfo` (replacing any added before).
    pub fn icons(mut self, icons: impl IntoIterator<Item = rmcp::model::Icon>) -> Self {
        self.icons = icons.into_iter().collect();
        self
    }

    /// The server's website, sent in `serverInfo`.
    pub fn website_url(mut self, url: impl Into<String>) -> Self {
        self.website_url = Some(url.into());
        self
    }

    /// Instructions sent to the client at initialization: how to use this server's tools.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Shared state, injected into components that take [`State<T>`](crate::State). One value
    /// per type; a second value of the same type replaces the first.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Registers tools, as listed by [`tools!`](crate::tools). May be called more than once.
    pub fn tools(mut self, tools: ToolSet) -> Self {
        self.tools.extend(tools.entries);
        self
    }

    /// Registers resources and resource templates, as listed by
    /// [`resources!`](crate::resources). May be called more than once.
    pub fn resources(mut self, resources: ResourceSet) -> Self {
        self.resources.extend(resources.entries);
        self
    }

    /// Registers prompts, as listed by [`prompts!`](crate::prompts). May be called more than
    /// once.
    pub fn prompts(mut self, prompts: PromptSet) -> Self {
        self.prompts.extend(prompts.entries);
        self
    }

    /// Mounts a built server under `prefix`: its tools and prompts appear as
    /// `{prefix}{separator}{name}` (`weather_forecast`), its resources under
    /// `scheme://{prefix}/…`. A name that collides with another component is an error from
    /// [`build`](Self::build) naming both sides.
    ///
    /// The mounted server is a child, not a copy: its startup hooks run when this server
    /// starts (after this server's own, in mount order; a failing one fails the start, naming
    /// the mount) and its shutdown hooks when it stops (before this server's own, in reverse
    /// mount order); its components see its state first, then this server's; masking and the
    /// default timeout it did not set come from this server; its own middleware runs inside
    /// this server's; and the [`Server`] its components receive speaks its own names.
    ///
    /// Mount a [`ServerBuilder`] rather than a built server when the child's components need
    /// state that only this server has: it is then built by this server's `build()`, which
    /// checks its `State<T>` parameters against its state and this server's.
    pub fn mount(mut self, prefix: impl Into<String>, server: impl Into<Mountable>) -> Self {
        self.mounts.push((prefix.into(), server.into()));
        self
    }

    /// Adds middleware around every request. The first added is the outermost; a mounted
    /// server's own middleware runs inside this server's, around its own components only.
    pub fn middleware<M>(mut self, middleware: impl IntoMiddleware<M>) -> Self {
        self.middleware.push(middleware.into_middleware());
        self
    }

    /// Applies settings (see [`Settings`](crate::Settings), usually `Settings::load()?`) and
    /// installs the default middleware stack they describe, outermost first:
    /// [`ErrorHandling`](crate::middleware::ErrorHandling),
    /// [`Logging`](crate::middleware::Logging), [`Timing`](crate::middleware::Timing), then
    /// [`RateLimit`](crate::middleware::RateLimit) (when `rate_limit` is set),
    /// [`Cache`](crate::middleware::Cache) (when `cache.enabled`). Middleware added
    /// afterwards runs inside this stack.
    ///
    /// Also sets internal-error masking, the default tool timeout (as
    /// [`default_timeout`](Self::default_timeout) does, when `timeout.default` is set), the
    /// server's name (when `name` is set), and what [`run`](Server::run) serves on and how it
    /// logs.
    pub fn settings(mut self, settings: crate::config::Settings) -> Self {
        use crate::middleware::{ErrorHandling, Logging, Timing};
        self.mask_internal_errors = Some(settings.mask_internal_errors);
        if let Some(limit) = settings.timeout.default {
            self.default_timeout = Some(limit);
        }
        if let Some(name) = &settings.name {
            self.name = name.clone();
        }
        self = self
            .middleware(ErrorHandling::new())
            .middleware(Logging::new())
            .middleware(Timing::new());
        // Without the feature a section asks for, `build()` refuses the settings, naming it.
        #[cfg(feature = "rate-limit")]
        let limits = &settings.rate_limit;
        #[cfg(feature = "rate-limit")]
        use crate::middleware::RateLimit;
        #[cfg(feature = "rate-limit")]
        let rate_limit = match (limits.per_client, limits.global) {
            (Some(client), Some(global)) => Some(
                RateLimit::per_client(client.per_second, client.burst)
                    .and_global(global.per_second, global.burst),
            ),
            (Some(client), None) => Some(RateLimit::per_client(client.per_second, client.burst)),
            (None, Some(global)) => Some(RateLimit::global(global.per_second, global.burst)),
            (None, None) => None,
        };
        #[cfg(feature = "rate-limit")]
        if let Some(rate_limit) = rate_limit {
            self = self.middleware(rate_limit);
        }
        #[cfg(feature = "cache")]
        if settings.cache.enabled {
            let entries = u64::try_from(settings.cache.max_entries).unwrap_or(u64::MAX);
            self = self.middleware(crate::middleware::Cache::new(settings.cache.ttl, entries));
        }
        #[cfg(feature = "auth")]
        if self.verifier.is_none()
            && let Some(auth) = &settings.auth
        {
            match crate::auth::verifier_from_settings(auth) {
                Ok(verifier) => self.verifier = verifier,
                // `Settings::validate` already refused unknown algorithms; nothing else fails.
                Err(error) => tracing::error!(%error, "the [auth] settings are unusable"),
            }
        }
        self.settings = Some(settings);
        self
    }

    /// Verifies bearer tokens on HTTP: requests without a valid token are refused (401), and
    /// the verified [`Identity`](crate::auth::Identity) reaches middleware and tools
    /// ([`Auth`](crate::auth::Auth)). [`settings`](Self::settings) sets this from
    /// `MCP_AUTH__*` unless it was set already.
    pub fn auth(mut self, verifier: impl crate::auth::TokenVerifier) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// The limit of every call to a tool of this server that does not declare its own
    /// (`#[tool(timeout = "…")]`): a [`Duration`](std::time::Duration), or
    /// [`TimeLimit::Off`](crate::config::TimeLimit::Off) for none. The `timeout.default`
    /// setting sets it too ([`settings`](Self::settings)).
    ///
    /// Unset, a mounted server takes the default of the server it is mounted in, and a server
    /// that is mounted nowhere (or whose parents set none either)
    /// [`DEFAULT_TOOL_TIMEOUT`](crate::config::DEFAULT_TOOL_TIMEOUT), 60 seconds.
    ///
    /// A call that runs past its limit is abandoned: its future is dropped, its
    /// [`Ctx`](crate::Ctx)'s cancellation token cancelled, and the caller gets an error result
    /// (`isError: true`) such as "the tool `slow` timed out after 1m". A `#[tool(blocking)]`
    /// body cannot be stopped: its thread runs on to its end in the background, and its result
    /// is dropped.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mcp_runtime::config::TimeLimit;
    /// use mcp_runtime::prelude::*;
    ///
    /// let quick = Server::builder("quick").default_timeout(Duration::from_secs(5));
    /// let patient = Server::builder("patient").default_timeout(TimeLimit::Off);
    /// ```
    pub fn default_timeout(mut self, limit: impl Into<crate::config::TimeLimit>) -> Self {
        self.default_timeout = Some(limit.into());
        self
    }

    /// An async startup hook that builds shared state once per process (a pool, a client):
    /// its value is the [`State<T>`](crate::State) of every component. It runs when the server
    /// starts serving (or on [`Server::start`]); if it fails, the server does not start and the
    /// error names the state type. `build()` knows the state will exist.
    pub fn on_startup<T, E, F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<T, E>> + Send + 'static,
        T: Send + Sync + 'static,
        E: fmt::Display,
    {
        self.state.promise::<T>();
        self.startup.push(crate::lifespan::startup_hook(hook));
        self
    }

    /// An async shutdown hook, run once when the server stops (after in-flight requests
    /// drained): close pools, flush buffers.
    pub fn on_shutdown<F, Fut>(mut self, hook: F) -> Self
    where
        F: FnOnce(Server) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.shutdown.push(crate::lifespan::shutdown_hook(hook));
        self
    }

    /// How long a stopping server waits for in-flight requests; 10 seconds by default.
    pub fn shutdown_grace(mut self, grace: std::time::Duration) -> Self {
        self.grace = grace;
        self
    }

    /// The bounds of the stdio transport (and of [`Server::serve`] on any byte stream): the
    /// longest line, the requests in flight, the answers unread. By default those of the
    /// `[stdio]` settings, if [`settings`](Self::settings) were given, else
    /// [`StdioLimits::default`](crate::StdioLimits::default).
    pub fn stdio_limits(mut self, limits: crate::StdioLimits) -> Self {
        self.stdio = Some(limits);
        self
    }

    /// The key that seals the answers a client gave across rounds (the `requestState` of
    /// protocol 2026-07-28, see [`Ctx::elicit`](crate::Ctx::elicit)): at least 32 bytes, the
    /// same on every replica that may serve the next round. By default that of the
    /// `[request_state]` settings, else a random key of the process, which is enough for one
    /// replica (a retry that reaches another one is refused with `-32602`). `build()` fails on
    /// a shorter key.
    pub fn request_state_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.request_state_key = Some(key.into());
        self
    }

    /// Where task records live (tools marked `#[tool(task = "…")]`, see [`crate::tasks`]): by
    /// default a [`MemoryTaskStore`](crate::tasks::MemoryTaskStore) of this process. A shared
    /// store lets `tasks/get` reach a result from any replica.
    pub fn task_store(mut self, store: impl crate::tasks::TaskStore) -> Self {
        self.task_store = Some(Arc::new(store));
        self
    }

    /// Pages the lists (`tools/list`, `resources/list`, `resources/templates/list`,
    /// `prompts/list`): at most `size` items each, and a `nextCursor` while more remain, in
    /// the order of registration. By default that of the `[lists]` settings, if
    /// [`settings`](Self::settings) were given, else no pages: a list is answered whole, and
    /// a request with a cursor is refused. `0` turns paging off.
    ///
    /// Cursors are opaque and sealed by a key of this server: one that was altered, comes
    /// from another server, or points into a list that has changed since (a component
    /// disabled, a caller with other scopes) is refused with `-32602`, and the client lists
    /// again from the start.
    pub fn page_size(mut self, size: usize) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The caching hints of the lists: how long a client may treat one as fresh (`ttlMs`)
    /// and who may cache it (`cacheScope`). A component's own hints (its descriptor's
    /// [`cache_ttl_ms`](crate::__private::ComponentMeta::cache_ttl_ms) and
    /// [`cache_scope`](crate::__private::ComponentMeta::cache_scope)) narrow those of a
    /// list that shows it: the shortest time, `private` over `public`. A list that depends on
    /// the caller's scopes (some component of its kind declares scopes) is always `private`.
    /// By default those of the `[lists]` settings, else none (rmcp then says `ttlMs: 0`,
    /// `private` to clients on protocol `2026-07-28`).
    pub fn list_cache_hints(
        mut self,
        ttl: std::time::Duration,
        scope: rmcp::model::CacheScope,
    ) -> Self {
        self.list_hints = Some(Hints {
            ttl: Some(ttl),
            scope: Some(scope),
        });
        self
    }

    /// The separator between a mount's prefix and a component name; `_` by default.
    pub fn mount_separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = separator.into();
        self
    }

    /// The JSON Schema dialect of advertised schemas; [`SchemaProfile::Compatible`] by default.
    pub fn schema_profile(mut self, profile: SchemaProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Whether internal errors (any `std::error::Error` a component returns, and panics)
    /// reach the caller as `internal error` (the default) or with their message. They are
    /// logged either way.
    pub fn mask_internal_errors(mut self, mask: bool) -> Self {
        self.mask_internal_errors = Some(mask);
        self
    }

    /// Validates every component and builds the routes and schemas, once.
    ///
    /// Fails, naming the component, on an invalid or duplicate name or URI, a schema whose
    /// root is not an object, a `State<T>` the builder was not given, or a mounted component
    /// that collides with another.
    pub fn build(self) -> Result<Server, Error> {
        let server = self.build_under(None)?;
        // Said now when the application logs already, else by `run()` once it set logging up.
        #[cfg(not(feature = "validation"))]
        if tracing::dispatcher::has_been_set() {
            server.warn_unchecked();
        }
        Ok(server)
    }

    /// The `FileRoot` the `[files]` settings describe, unless none is set or one was given as
    /// state already.
    #[cfg(feature = "files")]
    fn files_root_from_settings(&self) -> Result<Option<crate::files::FileRoot>, Error> {
        let Some(settings) = &self.settings else {
            return Ok(None);
        };
        if self
            .state
            .contains(std::any::TypeId::of::<crate::files::FileRoot>())
        {
            return Ok(None);
        }
        crate::files::FileRoot::from_settings(&settings.files)
            .map_err(|error| Error::Usage(format!("the [files] settings: {error}")))
    }

    /// The `Fetcher` the `[fetch]` settings describe (strict unless they say otherwise),
    /// unless the builder has no settings or was given a fetcher as state already.
    #[cfg(feature = "fetch")]
    fn fetcher_from_settings(&self) -> Result<Option<crate::fetch::Fetcher>, Error> {
        let Some(settings) = &self.settings else {
            return Ok(None);
        };
        if self
            .state
            .contains(std::any::TypeId::of::<crate::fetch::Fetcher>())
        {
            return Ok(None);
        }
        crate::fetch::Fetcher::from_settings(&settings.fetch)
            .map(Some)
            .map_err(|error| Error::Usage(format!("the [fetch] settings: {error}")))
    }

    /// The `Sandbox` the `[sandbox]` settings describe, unless they do not enable one or one
    /// was given as state already.
    #[cfg(feature = "sandbox")]
    fn sandbox_from_settings(&self) -> Option<crate::sandbox::Sandbox> {
        let settings = self.settings.as_ref()?;
        if self
            .state
            .contains(std::any::TypeId::of::<crate::sandbox::Sandbox>())
        {
            return None;
        }
        crate::sandbox::Sandbox::from_settings(&settings.sandbox)
    }

    /// Builds, with `below` (a parent's state, for a mounted builder) visible under this
    /// server's own state.
    // `mut`: the `[files]`, `[fetch]` and `[sandbox]` settings may add a root, a fetcher and a
    // sandbox to the state.
    #[cfg_attr(
        not(any(feature = "files", feature = "fetch", feature = "sandbox")),
        allow(unused_mut)
    )]
    fn build_under(mut self, below: Option<&StateMap>) -> Result<Server, Error> {
        if let Some(settings) = &self.settings {
            settings.require_features()?;
        }
        #[cfg(feature = "files")]
        if let Some(root) = self.files_root_from_settings()? {
            self.state.insert(root);
        }
        #[cfg(feature = "fetch")]
        if let Some(fetcher) = self.fetcher_from_settings()? {
            self.state.insert(fetcher);
        }
        #[cfg(feature = "sandbox")]
        if let Some(sandbox) = self.sandbox_from_settings() {
            self.state.insert(sandbox);
        }
        let known = match below {
            Some(below) => self.state.layered_over(below),
            None => self.state.clone(),
        };
        let shared = Arc::new(Shared {
            state: self.state,
            mask_internal_errors: self.mask_internal_errors.unwrap_or(true),
            mask_set: self.mask_internal_errors.is_some(),
            default_timeout: self.default_timeout,
        });
        let cx = SchemaCx::new(self.profile);
        let mut catalog = Catalog::default();
        for entry in &self.tools {
            catalog.tools.add(
                Registered::tool(entry, &cx, &shared, &known, cfg!(debug_assertions))?,
                None,
            )?;
        }
        for entry in &self.resources {
            catalog
                .resources
                .add(Registered::resource(entry, &shared, &known)?, None)?;
        }
        for entry in &self.prompts {
            catalog
                .prompts
                .add(Registered::prompt(entry, &shared, &known)?, None)?;
        }
        let mut children = Vec::with_capacity(self.mounts.len());
        for (prefix, child) in self.mounts {
            let child = match child.0 {
                Child::Built(server) => server,
                Child::Builder(builder) => builder.build_under(Some(&known))?,
            };
            super::mount::mount(&mut catalog, &prefix, &self.separator, &child, &shared)?;
            children.push((prefix, child));
        }
        catalog.order_templates();

        let mut implementation = Implementation::new(self.name, self.version);
        if let Some(title) = self.title {
            implementation = implementation.with_title(title);
        }
        if !self.icons.is_empty() {
            implementation = implementation.with_icons(self.icons);
        }
        if let Some(url) = self.website_url {
            implementation = implementation.with_website_url(url);
        }
        let mut info = ServerConfig::new(capabilities(&catalog)).with_server_info(implementation);
        if let Some(instructions) = self.instructions {
            info = info.with_instructions(instructions);
        }
        #[cfg(not(feature = "validation"))]
        let unchecked = {
            let tools: Vec<(String, Vec<&'static str>)> = catalog
                .tools
                .items
                .iter()
                .filter_map(|tool| {
                    let unchecked = tool.kind.schemas.get().ok()?.validator.unchecked();
                    let name = tool.common.name.to_string();
                    (!unchecked.is_empty()).then(|| (name, unchecked.to_vec()))
                })
                .collect();
            super::Unchecked {
                warning: crate::schema::unchecked_warning(&tools),
                said: std::sync::atomic::AtomicBool::new(false),
            }
        };
        #[cfg(feature = "metrics")]
        let series = crate::telemetry::SeriesSlots::new(
            catalog.tools.items.len(),
            catalog.resources.items.len(),
            catalog.prompts.items.len(),
        );
        let sealer = std::sync::OnceLock::new();
        let request_state = self.settings.as_ref().map(|s| &s.request_state);
        if self.request_state_key.is_some() || request_state.is_some() {
            let defaults = crate::config::RequestStateSettings::default();
            let request_state = request_state.unwrap_or(&defaults);
            let key = match &self.request_state_key {
                Some(key) => Some(key.as_slice()),
                None => request_state
                    .key
                    .as_ref()
                    .map(|key| key.expose().as_bytes()),
            };
            let built = crate::rounds::Sealer::new(
                key,
                Some(request_state.ttl),
                Some(request_state.max_size),
            )
            .map_err(Error::Usage)?;
            let _ = sealer.set(built);
        }
        let task_tools = (catalog.tools.items.iter())
            .any(|tool| tool.kind.task != crate::tasks::TaskSupport::Forbidden);
        let tasks = std::sync::OnceLock::new();
        if self.task_store.is_some() || self.settings.is_some() {
            let options = (self.settings.as_ref())
                .map(|settings| crate::tasks::runtime::TaskOptions::from_settings(&settings.tasks))
                .unwrap_or_default();
            let _ = tasks.set(Arc::new(crate::tasks::runtime::Tasks::new(
                self.task_store,
                options,
            )));
        }
        let pager = pager(
            &catalog,
            self.page_size,
            self.list_hints,
            self.settings.as_ref(),
        );
        Ok(Server {
            identity: None,
            mount: None,
            inner: Arc::new(Inner {
                info,
                catalog,
                middleware: self.middleware.into(),
                shared,
                verifier: self
                    .verifier
                    .map(std::sync::OnceLock::from)
                    .unwrap_or_default(),
                #[cfg(feature = "metrics")]
                series,
                live: Live::default(),
                lists: Default::default(),
                pager,
                sealer,
                tasks,
                task_tools,
                stdio: (self.stdio)
                    .or_else(|| {
                        self.settings
                            .as_ref()
                            .map(|settings| settings.stdio.limits())
                    })
                    .unwrap_or_default(),
                settings: self.settings,
                #[cfg(not(feature = "validation"))]
                unchecked,
                lifespan: Arc::new(Lifespan::new(
                    self.startup,
                    self.shutdown,
                    self.grace,
                    children,
                )),
            }),
        })
    }
}

/// What [`ServerBuilder::mount`] takes: a built [`Server`], or a [`ServerBuilder`] that the
/// parent builds with its own state visible underneath.
pub struct Mountable(Child);

enum Child {
    Built(Server),
    Builder(Box<ServerBuilder>),
}

impl From<Server> for Mountable {
    fn from(server: Server) -> Self {
        Self(Child::Built(server))
    }
}

impl From<ServerBuilder> for Mountable {
    fn from(builder: ServerBuilder) -> Self {
        Self(Child::Builder(Box::new(builder)))
    }
}

impl fmt::Debug for Mountable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Child::Built(server) => f.debug_tuple("Mountable").field(server).finish(),
            Child::Builder(builder) => f.debug_tuple("Mountable").field(&builder.name).finish(),
        }
    }
}

/// What a server with these components can do.
/// How the server pages its lists: the builder's choices, else the settings'.
fn pager(
    catalog: &Catalog,
    page_size: Option<usize>,
    hints: Option<Hints>,
    settings: Option<&crate::config::Settings>,
) -> Pager {
    let lists = settings.map(|settings| &settings.lists);
    let page_size = match page_size {
        Some(size) => std::num::NonZeroUsize::new(size),
        None => lists.and_then(crate::config::ListSettings::page_size),
    };
    let hints = hints.unwrap_or_else(|| Hints {
        ttl: lists.and_then(|lists| lists.cache_ttl),
        scope: lists.and_then(|lists| lists.cache_scope),
    });
    Pager::new(page_size, hints, |kind| {
        let facts = |commons: &mut dyn Iterator<Item = &super::catalog::Common>| {
            let mut facts = KindFacts::default();
            for common in commons {
                facts.scoped |= !common.scopes.is_empty();
                facts.own_hints |= common.cache != Hints::default();
            }
            facts
        };
        let resources = catalog.resources.items.iter();
        match kind {
            ListKind::Tools => facts(&mut catalog.tools.items.iter().map(|t| &t.common)),
            ListKind::Prompts => facts(&mut catalog.prompts.items.iter().map(|p| &p.common)),
            ListKind::Resources => facts(
                &mut resources
                    .filter(|r| r.kind.template.is_static())
                    .map(|r| &r.common),
            ),
            ListKind::Templates => facts(
                &mut resources
                    .filter(|r| !r.kind.template.is_static())
                    .map(|r| &r.common),
            ),
        }
    })
}

fn capabilities(catalog: &Catalog) -> ServerCapabilities {
    #[allow(deprecated)]
    let mut capabilities = ServerCapabilities::builder()
        .enable_logging()
        .enable_tools()
        .enable_tool_list_changed()
        .build();
    let resources = &catalog.resources.items;
    let prompts = &catalog.prompts.items;
    if !resources.is_empty() {
        let caps = ServerCapabilities::builder()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_resources_list_changed()
            .build();
        capabilities.resources = caps.resources;
    }
    if !prompts.is_empty() {
        let caps = ServerCapabilities::builder()
            .enable_prompts()
            .enable_prompts_list_changed()
            .build();
        capabilities.prompts = caps.prompts;
    }
    if catalog
        .tools
        .items
        .iter()
        .any(|tool| tool.kind.task != crate::tasks::TaskSupport::Forbidden)
    {
        let caps = ServerCapabilities::builder().enable_tasks().build();
        capabilities.extensions = caps.extensions;
    }
    let has_completions = resources.iter().any(|r| !r.kind.completions.is_empty())
        || prompts.iter().any(|p| !p.kind.completions.is_empty());
    if has_completions {
        capabilities.completions = ServerCapabilities::builder()
            .enable_completions()
            .build()
            .completions;
    }
    capabilities
}
