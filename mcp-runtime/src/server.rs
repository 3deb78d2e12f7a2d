//! The server: [`Server::builder`], startup validation in [`ServerBuilder::build`], and the one
//! `rmcp::ServerHandler` implementation that serves every server.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use futures::FutureExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestParams, CompleteResult,
    CompletionInfo, GetPromptRequestParams, GetPromptResponse, GetPromptResult, Implementation,
    InitializeRequestParams, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, Prompt,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference, Resource,
    ResourceTemplate, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, Peer, RoleServer, ServerHandler};
use serde_json::Value;

use crate::completion::{Completer, Completion};
use crate::component::uri::{UriTemplate, decode, path_safety_problem};
use crate::component::{ComponentInfo, ComponentKind};
use crate::context::{RequestCx, StateMap};
use crate::error::{Error, ToolError};
use crate::middleware::{
    Endpoint, HookRequest, IntoMiddleware, ListPrompts, ListResourceTemplates, ListResources,
    ListTools, Middleware, Next, PromptGet, Request, RequestParts, ResourceRead, Response,
    ToolCall,
};
use crate::prompt::{PromptArgs, PromptEntry, PromptError, PromptSet};
use crate::resource::{ReadFn, ResourceEntry, ResourceError, ResourceSet, ResourceVars};
use crate::schema::{ArgumentValidator, OutputMode, SchemaCx, SchemaProfile};
use crate::tool::{BoxFuture, Requirements, ToolArgs, ToolEntry, ToolSet, is_valid_tool_name};

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
    mounts: Vec<(String, Server)>,
    separator: String,
    middleware: Vec<Arc<dyn Middleware>>,
    settings: Option<crate::config::Settings>,
    default_timeout: Option<std::time::Duration>,
    startup: Vec<crate::lifespan::StartupHook>,
    shutdown: Vec<crate::lifespan::ShutdownHook>,
    grace: std::time::Duration,
    state: StateMap,
    profile: SchemaProfile,
    mask_internal_errors: bool,
    verifier: Option<Arc<dyn crate::auth::TokenVerifier>>,
}

impl ServerBuilder {
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
    /// `scheme://{prefix}/…`. Its components keep its own state. A name that collides with
    /// another component is an error from [`build`](Self::build) naming both sides.
    pub fn mount(mut self, prefix: impl Into<String>, server: Server) -> Self {
        self.mounts.push((prefix.into(), server));
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
    /// [`Cache`](crate::middleware::Cache) (when `cache.enabled`) and
    /// [`Timeout`](crate::middleware::Timeout) (when `timeout.default` is set). Middleware added
    /// afterwards runs inside this stack.
    ///
    /// Also sets internal-error masking, the default tool timeout, the server's name (when
    /// `name` is set), and what [`run`](Server::run) serves on and how it logs.
    pub fn settings(mut self, settings: crate::config::Settings) -> Self {
        use crate::middleware::{Cache, ErrorHandling, Logging, RateLimit, Timeout, Timing};
        self.mask_internal_errors = settings.mask_internal_errors;
        self.default_timeout = settings.timeout.default;
        if let Some(name) = &settings.name {
            self.name = name.clone();
        }
        self = self
            .middleware(ErrorHandling::new())
            .middleware(Logging::new())
            .middleware(Timing::new());
        let limits = &settings.rate_limit;
        let rate_limit = match (limits.per_client, limits.global) {
            (Some(client), Some(global)) => Some(
                RateLimit::per_client(client.per_second, client.burst)
                    .and_global(global.per_second, global.burst),
            ),
            (Some(client), None) => Some(RateLimit::per_client(client.per_second, client.burst)),
            (None, Some(global)) => Some(RateLimit::global(global.per_second, global.burst)),
            (None, None) => None,
        };
        if let Some(rate_limit) = rate_limit {
            self = self.middleware(rate_limit);
        }
        if settings.cache.enabled {
            let entries = u64::try_from(settings.cache.max_entries).unwrap_or(u64::MAX);
            self = self.middleware(Cache::new(settings.cache.ttl, entries));
        }
        if let Some(timeout) = settings.timeout.default {
            self = self.middleware(Timeout::new(timeout));
        }
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

    /// A timeout for every tool that does not declare its own (`#[tool(timeout = "…")]`).
    pub fn default_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.default_timeout = Some(timeout);
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
        self.mask_internal_errors = mask;
        self
    }

    /// Validates every component and builds the routes and schemas, once.
    ///
    /// Fails, naming the component, on an invalid or duplicate name or URI, a schema whose
    /// root is not an object, a `State<T>` the builder was not given, or a mounted component
    /// that collides with another.
    pub fn build(self) -> Result<Server, Error> {
        let shared = Arc::new(Shared {
            state: self.state,
            mask_internal_errors: self.mask_internal_errors,
            default_timeout: self.default_timeout,
        });
        let cx = SchemaCx::new(self.profile);
        let mut registry = Registry::default();
        for entry in &self.tools {
            let tool = RegisteredTool::new(entry, &cx, &shared)?;
            registry.add_tool(tool, None)?;
        }
        for entry in &self.resources {
            let resource = RegisteredResource::new(entry, &shared)?;
            registry.add_resource(resource, None)?;
        }
        for entry in &self.prompts {
            let prompt = RegisteredPrompt::new(entry, &shared)?;
            registry.add_prompt(prompt, None)?;
        }
        for (prefix, child) in &self.mounts {
            let renamed = |name: &str| format!("{prefix}{}{name}", self.separator);
            let outer = &child.inner.middleware;
            for tool in &child.inner.tools {
                let mut tool = tool.clone();
                tool.chain = chain_around(outer, &tool.chain);
                tool.name = Arc::from(renamed(&tool.name));
                tool.listed.name = tool.name.to_string().into();
                if !is_valid_tool_name(&tool.name) {
                    return Err(Error::InvalidTool {
                        tool: tool.name.to_string(),
                        message: format!(
                            "mounting under `{prefix}` gives an invalid tool name; use a prefix and separator of `A-Z a-z 0-9 _ - .`"
                        ),
                    });
                }
                registry.add_tool(tool, Some(prefix))?;
            }
            for resource in &child.inner.resources {
                let mut resource = resource.clone();
                resource.chain = chain_around(outer, &resource.chain);
                resource.template = resource.template.with_path_prefix(prefix);
                resource.name = Arc::from(renamed(&resource.name));
                registry.add_resource(resource, Some(prefix))?;
            }
            for prompt in &child.inner.prompts {
                let mut prompt = prompt.clone();
                prompt.chain = chain_around(outer, &prompt.chain);
                prompt.name = Arc::from(renamed(&prompt.name));
                prompt.listed.name = prompt.name.to_string();
                registry.add_prompt(prompt, Some(prefix))?;
            }
        }
        registry.order_templates();

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
        #[allow(deprecated)]
        let mut capabilities = ServerCapabilities::builder()
            .enable_logging()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        if !registry.resources.is_empty() {
            let resources = ServerCapabilities::builder()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_resources_list_changed()
                .build();
            capabilities.resources = resources.resources;
        }
        if !registry.prompts.is_empty() {
            let prompts = ServerCapabilities::builder()
                .enable_prompts()
                .enable_prompts_list_changed()
                .build();
            capabilities.prompts = prompts.prompts;
        }
        let has_completions = registry.resources.iter().any(|r| !r.completions.is_empty())
            || registry.prompts.iter().any(|p| !p.completions.is_empty());
        if has_completions {
            capabilities.completions = ServerCapabilities::builder()
                .enable_completions()
                .build()
                .completions;
        }
        let mut info = ServerConfig::new(capabilities).with_server_info(implementation);
        if let Some(instructions) = self.instructions {
            info = info.with_instructions(instructions);
        }
        let series = crate::telemetry::SeriesSlots::new(
            registry.tools.len(),
            registry.resources.len(),
            registry.prompts.len(),
        );
        Ok(Server {
            identity: None,
            inner: Arc::new(Inner {
                info,
                tools: registry.tools,
                tool_index: registry.tool_index,
                resources: registry.resources,
                static_index: registry.static_index,
                template_order: registry.template_order,
                prompts: registry.prompts,
                prompt_index: registry.prompt_index,
                middleware: self.middleware.into(),
                shared,
                verifier: self
                    .verifier
                    .map(std::sync::OnceLock::from)
                    .unwrap_or_default(),
                series,
                live: Live::default(),
                settings: self.settings,
                lifespan: Arc::new(crate::lifespan::Lifespan::new(
                    self.startup,
                    self.shutdown,
                    self.grace,
                )),
            }),
        })
    }
}

/// What every request of a server (or of a mounted server's components) shares.
pub(crate) struct Shared {
    pub(crate) state: StateMap,
    pub(crate) mask_internal_errors: bool,
    pub(crate) default_timeout: Option<std::time::Duration>,
}

fn check_requirements(
    kind: &'static str,
    name: &str,
    requirements: &Requirements,
    shared: &Shared,
) -> Result<(), Error> {
    for (type_id, type_name) in &requirements.states {
        if !shared.state.contains(*type_id) {
            return Err(Error::MissingState {
                kind,
                name: name.to_owned(),
                type_name,
            });
        }
    }
    Ok(())
}

/// One tool, ready to serve: its listing, its validator and its entry points.
#[derive(Clone)]
struct RegisteredTool {
    name: Arc<str>,
    listed: Tool,
    validator: Arc<ArgumentValidator>,
    whole_object: bool,
    output: OutputMode,
    call: fn(RequestCx, ToolArgs) -> BoxFuture<'static, Result<CallToolResult, McpError>>,
    tags: &'static [&'static str],
    scopes: &'static [&'static str],
    shared: Arc<Shared>,
    chain: Chain,
    timeout: Option<std::time::Duration>,
    sensitive: bool,
}

impl RegisteredTool {
    fn new(entry: &ToolEntry, cx: &SchemaCx, shared: &Arc<Shared>) -> Result<Self, Error> {
        let descriptor = (entry.descriptor)();
        let meta = &descriptor.meta;
        let invalid = |message: String| Error::InvalidTool {
            tool: meta.name.to_owned(),
            message,
        };
        if !is_valid_tool_name(meta.name) {
            return Err(invalid(
                "a tool name is 1 to 128 characters of `A-Z a-z 0-9 _ - .`".to_owned(),
            ));
        }
        check_requirements("tool", meta.name, &descriptor.input.requirements, shared)?;
        let input = cx.input(&descriptor.input);
        if input.advertised.get("type").and_then(Value::as_str) != Some("object") {
            return Err(invalid(
                "the input schema's root must be an object (`\"type\": \"object\"`)".to_owned(),
            ));
        }
        let validator = ArgumentValidator::new(&input.validation)
            .map_err(|error| invalid(format!("the input schema does not compile: {error}")))?;
        let (output_schema, output) = (descriptor.output.schema)(cx);

        let mut listed = Tool::new_with_raw(
            meta.name,
            meta.description.map(Into::into),
            input.advertised,
        );
        listed.title = meta.title.map(str::to_owned);
        listed.icons = meta.listed_icons();
        listed.meta = meta.meta.clone();
        listed.output_schema = output_schema.map(Arc::new);
        listed.annotations = descriptor.annotations;
        let meta = descriptor.meta;
        Ok(Self {
            name: Arc::from(meta.name),
            listed,
            validator: Arc::new(validator),
            whole_object: input.whole_object,
            output,
            call: entry.call,
            tags: meta.tags,
            scopes: meta.scopes,
            shared: shared.clone(),
            chain: meta.middleware.into(),
            timeout: meta.timeout,
            sensitive: descriptor.sensitive,
        })
    }
}

/// How a resource is listed.
#[derive(Clone)]
enum ResourceListing {
    Static(Resource),
    Template(ResourceTemplate),
}

/// One resource or template, ready to serve.
#[derive(Clone)]
struct RegisteredResource {
    name: Arc<str>,
    template: UriTemplate,
    listing: ResourceListing,
    look: Arc<ResourceLook>,
    mime_type: Option<&'static str>,
    unchecked: &'static [&'static str],
    completions: Vec<(&'static str, Completer)>,
    read: ReadFn,
    tags: &'static [&'static str],
    scopes: &'static [&'static str],
    shared: Arc<Shared>,
    chain: Chain,
}

impl RegisteredResource {
    fn new(entry: &ResourceEntry, shared: &Arc<Shared>) -> Result<Self, Error> {
        let d = (entry.descriptor)();
        let meta = d.meta;
        check_requirements("resource", meta.name, &d.requirements, shared)?;
        let template = UriTemplate::new(d.uri);
        let mut resource = Self {
            name: Arc::from(meta.name),
            template,
            listing: ResourceListing::Static(Resource::new(String::new(), String::new())),
            look: Arc::new(ResourceLook {
                title: meta.title,
                description: meta.description,
                icons: meta.listed_icons(),
                meta: meta.meta.clone(),
                annotations: d.annotations,
            }),
            mime_type: d.mime_type,
            unchecked: d.unchecked,
            completions: d.completions,
            read: entry.read,
            tags: meta.tags,
            scopes: meta.scopes,
            shared: shared.clone(),
            chain: meta.middleware.into(),
        };
        resource.relist();
        Ok(resource)
    }

    /// Rebuilds the listing from the (possibly prefixed) template and name.
    fn relist(&mut self) {
        let uri = self.template.to_string();
        let look = &self.look;
        self.listing = if self.template.is_static() {
            let mut listed = Resource::new(uri, self.name.to_string());
            listed.title = look.title.map(str::to_owned);
            listed.description = look.description.map(str::to_owned);
            listed.mime_type = self.mime_type.map(str::to_owned);
            listed.icons = look.icons.clone();
            listed.meta = look.meta.clone();
            listed.annotations = look.annotations.clone();
            ResourceListing::Static(listed)
        } else {
            let mut listed = ResourceTemplate::new(uri, self.name.to_string());
            listed.title = look.title.map(str::to_owned);
            listed.description = look.description.map(str::to_owned);
            listed.mime_type = self.mime_type.map(str::to_owned);
            listed.icons = look.icons.clone();
            listed.meta = look.meta.clone();
            listed.annotations = look.annotations.clone();
            ResourceListing::Template(listed)
        };
    }

    /// Rebuilds the listing after a mount renamed the resource.
    fn renamed(mut self) -> Self {
        self.relist();
        self
    }

    fn uri(&self) -> String {
        self.template.to_string()
    }
}

/// How a resource looks in a listing, whatever its URI and name.
struct ResourceLook {
    title: Option<&'static str>,
    description: Option<&'static str>,
    icons: Option<Vec<rmcp::model::Icon>>,
    meta: Option<rmcp::model::MetaObject>,
    annotations: Option<rmcp::model::Annotations>,
}

/// One prompt, ready to serve.
#[derive(Clone)]
struct RegisteredPrompt {
    name: Arc<str>,
    listed: Prompt,
    completions: Vec<(&'static str, Completer)>,
    get: fn(RequestCx, PromptArgs) -> BoxFuture<'static, Result<GetPromptResult, PromptError>>,
    tags: &'static [&'static str],
    scopes: &'static [&'static str],
    shared: Arc<Shared>,
    chain: Chain,
}

impl RegisteredPrompt {
    fn new(entry: &PromptEntry, shared: &Arc<Shared>) -> Result<Self, Error> {
        let d = (entry.descriptor)();
        let meta = d.meta;
        check_requirements("prompt", meta.name, &d.requirements, shared)?;
        let arguments = (!d.arguments.is_empty()).then_some(d.arguments);
        let mut listed = Prompt::new(meta.name, meta.description, arguments);
        listed.title = meta.title.map(str::to_owned);
        listed.icons = meta.listed_icons();
        listed.meta = meta.meta.clone();
        Ok(Self {
            name: Arc::from(meta.name),
            listed,
            completions: d.completions,
            get: entry.get,
            tags: meta.tags,
            scopes: meta.scopes,
            shared: shared.clone(),
            chain: meta.middleware.into(),
        })
    }
}

/// Components being assembled by `build()`.
#[derive(Default)]
struct Registry {
    tools: Vec<RegisteredTool>,
    tool_index: HashMap<Arc<str>, usize>,
    tool_origin: HashMap<Arc<str>, Option<String>>,
    resources: Vec<RegisteredResource>,
    static_index: HashMap<String, usize>,
    template_order: Vec<usize>,
    resource_origin: HashMap<String, Option<String>>,
    prompts: Vec<RegisteredPrompt>,
    prompt_index: HashMap<Arc<str>, usize>,
    prompt_origin: HashMap<Arc<str>, Option<String>>,
}

fn collision(
    kind: &'static str,
    name: String,
    first: Option<&String>,
    second: Option<&String>,
) -> Error {
    let side = |origin: Option<&String>| match origin {
        Some(prefix) => format!("the server mounted as `{prefix}`"),
        None => "this server".to_owned(),
    };
    if first.is_none() && second.is_none() {
        return match kind {
            "tool" => Error::DuplicateTool(name),
            _ => Error::Collision {
                kind,
                name,
                first: "a component of this server".to_owned(),
                second: "another component of this server".to_owned(),
            },
        };
    }
    Error::Collision {
        kind,
        name,
        first: side(first),
        second: side(second),
    }
}

impl Registry {
    fn add_tool(&mut self, tool: RegisteredTool, origin: Option<&String>) -> Result<(), Error> {
        if let Some(previous) = self.tool_origin.get(&tool.name) {
            return Err(collision(
                "tool",
                tool.name.to_string(),
                previous.as_ref(),
                origin,
            ));
        }
        self.tool_origin.insert(tool.name.clone(), origin.cloned());
        self.tool_index.insert(tool.name.clone(), self.tools.len());
        self.tools.push(tool);
        Ok(())
    }

    fn add_resource(
        &mut self,
        resource: RegisteredResource,
        origin: Option<&String>,
    ) -> Result<(), Error> {
        let resource = resource.renamed();
        let uri = resource.uri();
        if let Some(previous) = self.resource_origin.get(&uri) {
            return Err(collision("resource", uri, previous.as_ref(), origin));
        }
        self.resource_origin.insert(uri.clone(), origin.cloned());
        if resource.template.is_static() {
            self.static_index.insert(uri, self.resources.len());
        }
        self.resources.push(resource);
        Ok(())
    }

    fn add_prompt(
        &mut self,
        prompt: RegisteredPrompt,
        origin: Option<&String>,
    ) -> Result<(), Error> {
        if let Some(previous) = self.prompt_origin.get(&prompt.name) {
            return Err(collision(
                "prompt",
                prompt.name.to_string(),
                previous.as_ref(),
                origin,
            ));
        }
        self.prompt_origin
            .insert(prompt.name.clone(), origin.cloned());
        self.prompt_index
            .insert(prompt.name.clone(), self.prompts.len());
        self.prompts.push(prompt);
        Ok(())
    }

    /// Templates, most specific (most literal text) first.
    fn order_templates(&mut self) {
        let mut order: Vec<usize> = (0..self.resources.len())
            .filter(|&i| !self.resources[i].template.is_static())
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.resources[i].template.specificity()));
        self.template_order = order;
    }
}

/// A built MCP server: its components with their schemas, its state and its options. Cheap to
/// clone (one `Arc`); clones share the live state (enabled components, subscriptions).
///
/// It implements `rmcp::ServerHandler`, so it also plugs into anything that serves an rmcp
/// handler.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
    /// The identity every request of this handle carries (the in-memory test client's
    /// `connect_as`), unless the transport attached one.
    identity: Option<crate::auth::Identity>,
}

struct Inner {
    info: ServerConfig,
    tools: Vec<RegisteredTool>,
    tool_index: HashMap<Arc<str>, usize>,
    resources: Vec<RegisteredResource>,
    static_index: HashMap<String, usize>,
    template_order: Vec<usize>,
    prompts: Vec<RegisteredPrompt>,
    prompt_index: HashMap<Arc<str>, usize>,
    middleware: Chain,
    shared: Arc<Shared>,
    /// Set by the builder, or once later by `run()` from the settings.
    verifier: std::sync::OnceLock<Arc<dyn crate::auth::TokenVerifier>>,
    series: crate::telemetry::SeriesSlots,
    live: Live,
    settings: Option<crate::config::Settings>,
    lifespan: Arc<crate::lifespan::Lifespan>,
}

/// A middleware chain, shared by every request.
type Chain = Arc<[Arc<dyn Middleware>]>;

/// `outer` then `inner`: a mounted server's middleware around its components' own.
fn chain_around(outer: &Chain, inner: &Chain) -> Chain {
    outer.iter().chain(inner.iter()).cloned().collect()
}

/// What changes while a server runs: disabled components, connected clients, subscriptions.
#[derive(Default)]
struct Live {
    any_disabled: AtomicBool,
    disabled: RwLock<Disabled>,
    peers: Mutex<Vec<Peer<RoleServer>>>,
    subscriptions: Mutex<HashMap<String, Vec<Peer<RoleServer>>>>,
    /// The level each session set with `logging/setLevel`.
    #[allow(deprecated)]
    log_levels: Mutex<HashMap<usize, rmcp::model::LoggingLevel>>,
}

#[derive(Default)]
struct Disabled {
    names: HashSet<String>,
    tags: HashSet<String>,
}

/// Identifies a session: every request of a session shares its `initialize` parameters.
fn session_key(peer: &Peer<RoleServer>) -> Option<usize> {
    peer.peer_info().map(|info| Arc::as_ptr(&info) as usize)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Live {
    fn is_enabled(&self, name: &str, tags: &[&str]) -> bool {
        if !self.any_disabled.load(Ordering::Acquire) {
            return true;
        }
        let disabled = self.disabled.read().unwrap_or_else(PoisonError::into_inner);
        !disabled.names.contains(name) && !tags.iter().any(|tag| disabled.tags.contains(*tag))
    }
}

/// Which components an enable or disable applies to.
#[derive(Debug, Clone, Copy)]
enum Selector<'a> {
    Name(&'a str),
    Tag(&'a str),
}

impl Server {
    /// Starts building a server named `name` (the name clients see).
    pub fn builder(name: impl Into<String>) -> ServerBuilder {
        ServerBuilder {
            name: name.into(),
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
            mask_internal_errors: true,
            verifier: None,
        }
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.inner.info.server_info.name
    }

    /// The server's enabled tools as clients list them, with their schemas.
    pub fn tools(&self) -> Vec<Tool> {
        self.listed_tools(None)
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
        self.listed_prompts(None)
    }

    /// Whether a component is listed: enabled, and (for a request's caller, `ext`) within
    /// its scopes. `None` lists every enabled component, whatever its scopes.
    fn listed(
        &self,
        name: &str,
        tags: &[&str],
        scopes: &[&str],
        ext: Option<&rmcp::model::Extensions>,
    ) -> bool {
        self.inner.live.is_enabled(name, tags)
            && ext.is_none_or(|ext| self.check_scopes(scopes, ext).is_ok())
    }

    fn listed_tools(&self, ext: Option<&rmcp::model::Extensions>) -> Vec<Tool> {
        self.inner
            .tools
            .iter()
            .filter(|t| self.listed(&t.name, t.tags, t.scopes, ext))
            .map(|t| t.listed.clone())
            .collect()
    }

    fn listed_prompts(&self, ext: Option<&rmcp::model::Extensions>) -> Vec<Prompt> {
        self.inner
            .prompts
            .iter()
            .filter(|p| self.listed(&p.name, p.tags, p.scopes, ext))
            .map(|p| p.listed.clone())
            .collect()
    }

    fn listed_resources(&self, ext: Option<&rmcp::model::Extensions>) -> Vec<Resource> {
        self.listed_resource_entries(ext)
            .filter_map(|r| match &r.listing {
                ResourceListing::Static(listed) => Some(listed.clone()),
                ResourceListing::Template(_) => None,
            })
            .collect()
    }

    fn listed_templates(&self, ext: Option<&rmcp::model::Extensions>) -> Vec<ResourceTemplate> {
        self.listed_resource_entries(ext)
            .filter_map(|r| match &r.listing {
                ResourceListing::Template(listed) => Some(listed.clone()),
                ResourceListing::Static(_) => None,
            })
            .collect()
    }

    fn listed_resource_entries<'a>(
        &'a self,
        ext: Option<&'a rmcp::model::Extensions>,
    ) -> impl Iterator<Item = &'a RegisteredResource> {
        self.inner
            .resources
            .iter()
            .filter(move |r| self.listed(&r.name, r.tags, r.scopes, ext))
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.inner.shared
    }

    pub(crate) fn lifespan(&self) -> &Arc<crate::lifespan::Lifespan> {
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

    /// Shared state of type `T`, as given to the builder or built by a startup hook.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.inner.shared.state.get::<T>()
    }

    /// What middleware can know about the enabled tool `name`.
    pub fn tool_info(&self, name: &str) -> Option<ComponentInfo> {
        let tool = &self.inner.tools[self.find_tool(name)?];
        Some(ComponentInfo {
            kind: ComponentKind::Tool,
            name: tool.name.to_string(),
            annotations: tool.listed.annotations.clone(),
            tags: tool.tags,
            scopes: tool.scopes,
            timeout: tool.timeout,
            sensitive: tool.sensitive,
        })
    }

    /// What middleware can know about the resource that reading `uri` would reach.
    pub fn resource_info(&self, uri: &str) -> Option<ComponentInfo> {
        let (i, _) = self.route_resource(uri)?;
        let resource = &self.inner.resources[i];
        Some(ComponentInfo {
            kind: ComponentKind::Resource,
            name: resource.name.to_string(),
            annotations: None,
            tags: resource.tags,
            scopes: resource.scopes,
            timeout: None,
            sensitive: false,
        })
    }

    /// What middleware can know about the enabled prompt `name`.
    pub fn prompt_info(&self, name: &str) -> Option<ComponentInfo> {
        let prompt = &self.inner.prompts[self.find_prompt(name)?];
        Some(ComponentInfo {
            kind: ComponentKind::Prompt,
            name: prompt.name.to_string(),
            annotations: None,
            tags: prompt.tags,
            scopes: prompt.scopes,
            timeout: None,
            sensitive: false,
        })
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

    /// Disables the tool, resource or prompt named `name` (a resource by its name, not its
    /// URI): it disappears from lists and calls to it fail as unknown. Connected clients get
    /// the matching `list_changed` notifications. Returns how many components it affected.
    pub async fn disable(&self, name: &str) -> usize {
        self.set_enabled(Selector::Name(name), false).await
    }

    /// Enables what [`disable`](Self::disable) disabled.
    pub async fn enable(&self, name: &str) -> usize {
        self.set_enabled(Selector::Name(name), true).await
    }

    /// Disables every component tagged `tag`.
    pub async fn disable_tag(&self, tag: &str) -> usize {
        self.set_enabled(Selector::Tag(tag), false).await
    }

    /// Enables what [`disable_tag`](Self::disable_tag) disabled.
    pub async fn enable_tag(&self, tag: &str) -> usize {
        self.set_enabled(Selector::Tag(tag), true).await
    }

    async fn set_enabled(&self, selector: Selector<'_>, enabled: bool) -> usize {
        let inner = &self.inner;
        let matches = |name: &str, tags: &[&str]| match selector {
            Selector::Name(wanted) => name == wanted,
            Selector::Tag(wanted) => tags.contains(&wanted),
        };
        let tools = inner
            .tools
            .iter()
            .filter(|t| matches(&t.name, t.tags))
            .count();
        let resources = inner
            .resources
            .iter()
            .filter(|r| matches(&r.name, r.tags))
            .count();
        let prompts = inner
            .prompts
            .iter()
            .filter(|p| matches(&p.name, p.tags))
            .count();
        {
            let mut disabled = inner
                .live
                .disabled
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let set = match selector {
                Selector::Name(name) => (&mut disabled.names, name),
                Selector::Tag(tag) => (&mut disabled.tags, tag),
            };
            let changed = if enabled {
                set.0.remove(set.1)
            } else {
                set.0.insert(set.1.to_owned())
            };
            let any = !disabled.names.is_empty() || !disabled.tags.is_empty();
            inner.live.any_disabled.store(any, Ordering::Release);
            if !changed {
                return 0;
            }
        }
        let peers = self.connected_peers();
        for peer in &peers {
            if tools > 0 {
                let _ = peer.notify_tool_list_changed().await;
            }
            if resources > 0 {
                let _ = peer.notify_resource_list_changed().await;
            }
            if prompts > 0 {
                let _ = peer.notify_prompt_list_changed().await;
            }
        }
        tools + resources + prompts
    }

    /// Tells every client subscribed to `uri` that the resource changed
    /// (`notifications/resources/updated`). Returns how many clients were notified.
    pub async fn notify_resource_updated(&self, uri: &str) -> usize {
        let peers: Vec<Peer<RoleServer>> = {
            let mut subscriptions = lock(&self.inner.live.subscriptions);
            match subscriptions.get_mut(uri) {
                Some(peers) => {
                    peers.retain(|peer| !peer.is_transport_closed());
                    peers.clone()
                }
                None => Vec::new(),
            }
        };
        let mut sent = 0;
        for peer in peers {
            let param = ResourceUpdatedNotificationParam::new(uri);
            if peer.notify_resource_updated(param).await.is_ok() {
                sent += 1;
            }
        }
        sent
    }

    fn connected_peers(&self) -> Vec<Peer<RoleServer>> {
        let mut peers = lock(&self.inner.live.peers);
        peers.retain(|peer| !peer.is_transport_closed());
        peers.clone()
    }

    #[allow(deprecated)]
    fn log_level(&self, context: &RequestContext<RoleServer>) -> Option<rmcp::model::LoggingLevel> {
        let key = session_key(&context.peer)?;
        lock(&self.inner.live.log_levels).get(&key).copied()
    }

    fn request_cx(
        &self,
        context: RequestContext<RoleServer>,
        shared: &Arc<Shared>,
        component: Arc<str>,
        output: OutputMode,
    ) -> RequestCx {
        RequestCx {
            log_level: self.log_level(&context),
            request: Arc::new(context),
            server: self.clone(),
            shared: shared.clone(),
            component,
            output,
        }
    }

    // ---- the pipeline ------------------------------------------------------------------

    /// Runs a request through the global middleware (if any), the router, the component's own
    /// middleware (if any), and the component.
    async fn handle(&self, request: Request) -> Result<Response, McpError> {
        if crate::telemetry::is_enabled() {
            let series = self.series(&request);
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
        self.handle_inner(request).await
    }

    /// The metric series of a request, registered once per component (or list method): the
    /// `component` label is a registered name, or `unknown` (never a name the client chose,
    /// which would make the series unbounded).
    fn series(&self, request: &Request) -> &crate::telemetry::Series {
        use crate::telemetry::Series;
        let inner = &self.inner;
        let method = request.method();
        fn named<'a>(
            slots: &'a [std::sync::OnceLock<Series>],
            i: usize,
            method: &'static str,
            name: &Arc<str>,
        ) -> &'a Series {
            slots[i].get_or_init(|| {
                Series::new(method, metrics::SharedString::from_shared(name.clone()))
            })
        }
        let found = match request {
            Request::CallTool(call) => self
                .find_tool(&call.name)
                .map(|i| named(&inner.series.tools, i, method, &inner.tools[i].name)),
            Request::ReadResource(read) => self
                .route_resource(&read.uri)
                .map(|(i, _)| named(&inner.series.resources, i, method, &inner.resources[i].name)),
            Request::GetPrompt(get) => self
                .find_prompt(&get.name)
                .map(|i| named(&inner.series.prompts, i, method, &inner.prompts[i].name)),
            _ => None,
        };
        found.unwrap_or_else(|| {
            // Lists have no component; a component request that found none is `unknown`.
            let (slots, label) = if request.target().is_some() {
                (&inner.series.unknown, "unknown")
            } else {
                (&inner.series.other, "")
            };
            let slot = crate::middleware::Request::METHODS
                .iter()
                .position(|m| *m == method)
                .unwrap_or(0);
            slots[slot].get_or_init(|| Series::new(method, metrics::SharedString::const_str(label)))
        })
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
        match AssertUnwindSafe(pipeline).catch_unwind().await {
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

    /// Finds the component a request is for, then runs its own middleware and the component.
    fn route(&self, request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        let inner = &self.inner;
        let found = match &request {
            Request::CallTool(call) => self
                .find_tool(&call.name)
                .map(|i| (Target::Tool(i), inner.tools[i].chain.clone())),
            Request::ReadResource(read) => self
                .route_resource(&read.uri)
                .map(|(i, _)| (Target::Resource(i), inner.resources[i].chain.clone())),
            Request::GetPrompt(get) => self
                .find_prompt(&get.name)
                .map(|i| (Target::Prompt(i), inner.prompts[i].chain.clone())),
            Request::ListTools(_)
            | Request::ListResources(_)
            | Request::ListResourceTemplates(_)
            | Request::ListPrompts(_) => {
                return Box::pin(std::future::ready(Ok(self.list(&request))));
            }
        };
        let Some((target, chain)) = found else {
            return Box::pin(std::future::ready(Err(not_found(&request))));
        };
        let scopes = match target {
            Target::Tool(i) => inner.tools[i].scopes,
            Target::Resource(i) => inner.resources[i].scopes,
            Target::Prompt(i) => inner.prompts[i].scopes,
        };
        if let Err(missing) = self.check_scopes(scopes, request.extensions()) {
            let what = match &request {
                Request::CallTool(call) => format!("the tool `{}`", call.name),
                Request::ReadResource(read) => format!("the resource `{}`", read.uri),
                Request::GetPrompt(get) => format!("the prompt `{}`", get.name),
                _ => "this request".to_owned(),
            };
            return Box::pin(std::future::ready(Err(forbidden(&what, &missing))));
        }
        if chain.is_empty() {
            self.clone().invoke(target, request)
        } else {
            let endpoint: Arc<dyn Endpoint> = Arc::new(Invoke {
                server: self.clone(),
                target,
            });
            Next::new(chain, endpoint).run_request(request)
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

    /// Whether the caller of a request has `scopes`; the missing ones if not.
    ///
    /// Scopes are enforced when the request carries an identity, and on every HTTP request (a
    /// server on the network without auth serves no scoped component). A local transport
    /// without an identity (stdio: the user who spawned the process) is not checked.
    pub(crate) fn check_scopes<'s>(
        &self,
        scopes: &[&'s str],
        ext: &rmcp::model::Extensions,
    ) -> Result<(), Vec<&'s str>> {
        if scopes.is_empty() {
            return Ok(());
        }
        match crate::auth::Identity::of(ext) {
            Some(identity) => {
                let missing = identity.missing_scopes(scopes);
                if missing.is_empty() {
                    Ok(())
                } else {
                    Err(missing)
                }
            }
            None if ext.get::<http::request::Parts>().is_some() => Err(scopes.to_vec()),
            None => Ok(()),
        }
    }

    /// The scopes the component a JSON-RPC request names needs (`None`: no such component, or
    /// not a component request). For the HTTP layer, which answers 403 before the request
    /// reaches the pipeline.
    pub(crate) fn scopes_for(&self, method: &str, params: &Value) -> &'static [&'static str] {
        let inner = &self.inner;
        let field = |key: &str| params.get(key).and_then(Value::as_str);
        let found = match method {
            "tools/call" => field("name")
                .and_then(|name| self.find_tool(name))
                .map(|i| inner.tools[i].scopes),
            "resources/read" | "resources/subscribe" => field("uri")
                .and_then(|uri| self.route_resource(uri))
                .map(|(i, _)| inner.resources[i].scopes),
            "prompts/get" => field("name")
                .and_then(|name| self.find_prompt(name))
                .map(|i| inner.prompts[i].scopes),
            _ => None,
        };
        found.unwrap_or_default()
    }

    /// Every scope components declare, for the protected resource metadata.
    pub(crate) fn declared_scopes(&self) -> Vec<&'static str> {
        let inner = &self.inner;
        let mut scopes: Vec<&'static str> = inner
            .tools
            .iter()
            .flat_map(|t| t.scopes.iter())
            .chain(inner.resources.iter().flat_map(|r| r.scopes.iter()))
            .chain(inner.prompts.iter().flat_map(|p| p.scopes.iter()))
            .copied()
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }

    /// The token verifier given to the builder (or by its settings), if any.
    pub fn verifier(&self) -> Option<&Arc<dyn crate::auth::TokenVerifier>> {
        self.inner.verifier.get()
    }

    /// Gives the server `verifier` unless it has one already (every clone shares it).
    pub(crate) fn set_verifier_if_none(&self, verifier: Arc<dyn crate::auth::TokenVerifier>) {
        // Already set: the builder's verifier wins.
        let _ = self.inner.verifier.set(verifier);
    }

    /// This server, with every request it serves carrying `identity` (unless the transport
    /// attached one): what [`TestClient::connect_as`](crate::testing::TestClient::connect_as)
    /// serves.
    pub(crate) fn with_identity(&self, identity: crate::auth::Identity) -> Self {
        Self {
            inner: self.inner.clone(),
            identity: Some(identity),
        }
    }

    /// A request's parts, with this handle's identity attached.
    fn parts(&self, mut context: RequestContext<RoleServer>) -> RequestParts {
        if let Some(identity) = &self.identity
            && crate::auth::Identity::of(&context.extensions).is_none()
        {
            context.extensions.insert(identity.clone());
        }
        RequestParts::new(context)
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

    fn find_tool(&self, name: &str) -> Option<usize> {
        let inner = &self.inner;
        let &i = inner.tool_index.get(name)?;
        let tool = &inner.tools[i];
        inner.live.is_enabled(&tool.name, tool.tags).then_some(i)
    }

    fn find_prompt(&self, name: &str) -> Option<usize> {
        let inner = &self.inner;
        let &i = inner.prompt_index.get(name)?;
        let prompt = &inner.prompts[i];
        inner
            .live
            .is_enabled(&prompt.name, prompt.tags)
            .then_some(i)
    }

    async fn invoke_tool(&self, i: usize, call: ToolCall) -> Result<CallToolResult, McpError> {
        let tool = &self.inner.tools[i];
        let mask = tool.shared.mask_internal_errors;
        let arguments = Value::Object(call.arguments);
        if let Err(problems) = tool.validator.check(&arguments) {
            return Ok(ToolError::invalid_arguments(problems).into_call_result(&tool.name, mask));
        }
        let Value::Object(map) = arguments else {
            // Built as an object just above.
            return Err(McpError::internal_error(
                "arguments are not an object",
                None,
            ));
        };
        let cancel = call.parts.context.ct.clone();
        let cx = self.request_cx(
            call.parts.context,
            &tool.shared,
            tool.name.clone(),
            tool.output,
        );
        let args = ToolArgs {
            map,
            whole_object: tool.whole_object,
        };
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        let run = crate::logging::with_client(
            sink,
            AssertUnwindSafe((tool.call)(cx, args)).catch_unwind(),
        );
        let outcome = match tool.timeout.or(tool.shared.default_timeout) {
            None => run.await,
            Some(limit) => match tokio::time::timeout(limit, run).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    // The tool's `Ctx` sees the cancellation if it is still holding on to it.
                    cancel.cancel();
                    return Ok(ToolError::new(format!(
                        "the tool `{}` timed out after {}",
                        tool.name,
                        crate::error::format_duration(limit)
                    ))
                    .into_call_result(&tool.name, mask));
                }
            },
        };
        match outcome {
            Ok(result) => result,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                Ok(ToolError::panic(message).into_call_result(&tool.name, mask))
            }
        }
    }

    /// Finds the resource for `uri`: a static one exactly, or the most specific matching
    /// template, with its variables.
    fn route_resource(&self, uri: &str) -> Option<(usize, Vec<(&'static str, String)>)> {
        let inner = &self.inner;
        let live = &inner.live;
        if let Some(&i) = inner.static_index.get(uri) {
            let resource = &inner.resources[i];
            if live.is_enabled(&resource.name, resource.tags) {
                return Some((i, Vec::new()));
            }
        }
        inner.template_order.iter().find_map(|&i| {
            let resource = &inner.resources[i];
            if !live.is_enabled(&resource.name, resource.tags) {
                return None;
            }
            resource.template.matches(uri).map(|captures| (i, captures))
        })
    }

    async fn invoke_resource(
        &self,
        i: usize,
        read: ResourceRead,
    ) -> Result<ReadResourceResult, McpError> {
        let resource = &self.inner.resources[i];
        let uri = read.uri;
        let mask = resource.shared.mask_internal_errors;
        // Middleware may have rewritten the URI since routing: match it again.
        let Some(captures) = resource.template.matches(&uri) else {
            return Err(ResourceError::not_found(uri.clone()).into_mcp(("uri", &uri), mask));
        };
        let mut values = Vec::with_capacity(captures.len());
        for (name, raw) in captures {
            let value = decode(&raw).map_err(|problem| {
                ResourceError::invalid_params(format!("`{name}`: {problem}"))
                    .into_mcp(("uri", &uri), mask)
            })?;
            if !resource.unchecked.contains(&name)
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
            mime_type: resource.mime_type,
            values,
        };
        let cx = self.request_cx(
            read.parts.context,
            &resource.shared,
            resource.name.clone(),
            OutputMode::Unstructured,
        );
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        match crate::logging::with_client(
            sink,
            AssertUnwindSafe((resource.read)(cx, vars)).catch_unwind(),
        )
        .await
        {
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
        let prompt = &self.inner.prompts[i];
        let mask = prompt.shared.mask_internal_errors;
        let args = PromptArgs { map: get.arguments };
        let cx = self.request_cx(
            get.parts.context,
            &prompt.shared,
            prompt.name.clone(),
            OutputMode::Unstructured,
        );
        let sink = crate::logging::sink_for(&cx.request, cx.log_level);
        match crate::logging::with_client(
            sink,
            AssertUnwindSafe((prompt.get)(cx, args)).catch_unwind(),
        )
        .await
        {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(error.into_mcp(("prompt", &get.name), mask)),
            Err(payload) => Err(PromptError::internal(format!(
                "the prompt panicked: {}",
                panic_message(payload.as_ref())
            ))
            .into_mcp(("prompt", &get.name), mask)),
        }
    }

    async fn completions(
        &self,
        request: CompleteRequestParams,
    ) -> Result<CompleteResult, McpError> {
        let inner = &self.inner;
        let found = match &request.r#ref {
            Reference::Prompt(reference) => inner
                .prompt_index
                .get(reference.name.as_str())
                .map(|&i| &inner.prompts[i])
                .filter(|p| inner.live.is_enabled(&p.name, p.tags))
                .map(|p| (&p.completions, &p.shared)),
            Reference::Resource(reference) => inner
                .resources
                .iter()
                .filter(|r| inner.live.is_enabled(&r.name, r.tags))
                .find(|r| r.uri() == reference.uri)
                .map(|r| (&r.completions, &r.shared)),
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

/// The component a request was routed to.
#[derive(Debug, Clone, Copy)]
enum Target {
    Tool(usize),
    Resource(usize),
    Prompt(usize),
}

/// The end of the global middleware chain: routing.
struct Router(Server);

impl Endpoint for Router {
    fn call(&self, request: Request) -> BoxFuture<'static, Result<Response, McpError>> {
        self.0.route(request)
    }
    fn server(&self) -> &Server {
        &self.0
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
    fn server(&self) -> &Server {
        &self.server
    }
}

/// The JSON-RPC error code for a caller that lacks the scopes a component needs.
pub const FORBIDDEN: i32 = -32003;

/// The error for a caller without the scopes `what` (a component, in words) needs.
fn forbidden(what: &str, missing: &[&str]) -> McpError {
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

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Server")
            .field("name", &self.name())
            .field(
                "tools",
                &inner.tools.iter().map(|t| &*t.name).collect::<Vec<_>>(),
            )
            .field(
                "resources",
                &inner
                    .resources
                    .iter()
                    .map(RegisteredResource::uri)
                    .collect::<Vec<_>>(),
            )
            .field(
                "prompts",
                &inner.prompts.iter().map(|p| &*p.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        self.inner.info.clone()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let request = ListTools {
            parts: self.parts(context),
        };
        let tools = ListTools::from_response(self.handle(request.into_request()).await?)?;
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let call = ToolCall {
            name: request.name.into_owned(),
            arguments: request.arguments.unwrap_or_default(),
            parts: self.parts(context),
        };
        let result = ToolCall::from_response(self.handle(call.into_request()).await?)?;
        Ok(CallToolResponse::from(result))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        // Disabled tools are unknown here too (rmcp's HTTP transport validates with this).
        let position = self.find_tool(name)?;
        Some(self.inner.tools[position].listed.clone())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let request = ListResources {
            parts: self.parts(context),
        };
        let resources = ListResources::from_response(self.handle(request.into_request()).await?)?;
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        let request = ListResourceTemplates {
            parts: self.parts(context),
        };
        let templates =
            ListResourceTemplates::from_response(self.handle(request.into_request()).await?)?;
        Ok(ListResourceTemplatesResult::with_all_items(templates))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let read = ResourceRead {
            uri: request.uri,
            parts: self.parts(context),
        };
        let result = ResourceRead::from_response(self.handle(read.into_request()).await?)?;
        Ok(ReadResourceResponse::from(result))
    }

    #[allow(deprecated)]
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let Some((i, _)) = self.route_resource(&request.uri) else {
            return Err(
                ResourceError::not_found(request.uri.clone()).into_mcp(("uri", &request.uri), true)
            );
        };
        let RequestParts { context } = self.parts(context);
        if let Err(missing) = self.check_scopes(self.inner.resources[i].scopes, &context.extensions)
        {
            let what = format!("the resource `{}`", request.uri);
            return Err(forbidden(&what, &missing));
        }
        let key = session_key(&context.peer);
        let mut subscriptions = lock(&self.inner.live.subscriptions);
        let peers = subscriptions.entry(request.uri).or_default();
        if key.is_none() || !peers.iter().any(|peer| session_key(peer) == key) {
            peers.push(context.peer);
        }
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let key = session_key(&context.peer);
        let mut subscriptions = lock(&self.inner.live.subscriptions);
        if let Some(peers) = subscriptions.get_mut(&request.uri) {
            peers.retain(|peer| session_key(peer) != key);
            if peers.is_empty() {
                subscriptions.remove(&request.uri);
            }
        }
        Ok(())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        let request = ListPrompts {
            parts: self.parts(context),
        };
        let prompts = ListPrompts::from_response(self.handle(request.into_request()).await?)?;
        Ok(ListPromptsResult::with_all_items(prompts))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let get = PromptGet {
            name: request.name,
            arguments: request.arguments.unwrap_or_default(),
            parts: self.parts(context),
        };
        let result = PromptGet::from_response(self.handle(get.into_request()).await?)?;
        Ok(GetPromptResponse::from(result))
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        self.completions(request).await
    }

    #[allow(deprecated)]
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        if let Some(key) = session_key(&context.peer) {
            lock(&self.inner.live.log_levels).insert(key, request.level);
        }
        Ok(())
    }

    async fn initialize(
        &self,
        request: InitializeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<InitializeResult, McpError> {
        context.peer.set_peer_info(request.clone());
        // Registered here rather than on `notifications/initialized` (handled in a task of its
        // own), so a change right after the handshake still reaches the client.
        {
            let mut peers = lock(&self.inner.live.peers);
            peers.retain(|peer| !peer.is_transport_closed());
            peers.push(context.peer.clone());
        }
        self.negotiate_initialize(&request)
    }
}
