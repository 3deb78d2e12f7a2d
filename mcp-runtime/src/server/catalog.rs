//! The registered components: one layer for tools, resources and prompts ([`Common`] holds
//! what they share, each kind only its own), and the one [`Catalog::route`] that resolves a
//! request to its component.

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{
    CallToolResult, Extensions, GetPromptResult, Prompt, Resource, ResourceTemplate, Tool,
};
use rmcp::service::RequestContext;

use super::live::Live;
use super::mount::MountPath;
use super::pages::Hints;
use super::tool_schemas::LazySchemas;
use super::{Chain, Server};
use crate::completion::Completer;
use crate::component::ComponentMeta;
use crate::component::uri::UriTemplate;
use crate::error::Error;
use crate::extract::OutputMode;
use crate::extract::Requirements;
use crate::extract::Shared;
use crate::extract::{RequestCx, StateMap};
use crate::middleware::{ComponentInfo, ComponentKind, Named, Route, Routing};
use crate::prompt::{PromptArgs, PromptEntry, PromptError};
use crate::resource::{ReadFn, ResourceEntry};
use crate::schema::SchemaCx;
use crate::tool::{ToolArgs, ToolEntry, is_valid_tool_name};
use crate::util::BoxFuture;

/// What every registered component has, whatever its kind.
#[derive(Clone)]
pub(crate) struct Common {
    pub(crate) name: Arc<str>,
    pub(crate) tags: &'static [&'static str],
    pub(crate) scopes: &'static [&'static str],
    pub(crate) timeout: Option<std::time::Duration>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) chain: Chain,
    /// What middleware sees, made once.
    pub(crate) info: Arc<ComponentInfo>,
    /// Where the component's own server is mounted (`None`: this server's own).
    pub(crate) mount: Option<Arc<MountPath>>,
    /// The caching hints of lists that show it, its own.
    pub(crate) cache: Hints,
}

impl Common {
    fn new(
        kind: ComponentKind,
        meta: ComponentMeta,
        shared: &Arc<Shared>,
        annotations: Option<rmcp::model::ToolAnnotations>,
        sensitive: bool,
    ) -> Self {
        let info = ComponentInfo {
            kind,
            name: meta.name.to_owned(),
            annotations,
            tags: meta.tags,
            scopes: meta.scopes,
            timeout: meta.timeout,
            sensitive,
        };
        Self {
            cache: Hints {
                ttl: meta.cache_ttl,
                scope: meta.cache_scope,
            },
            name: Arc::from(meta.name),
            tags: meta.tags,
            scopes: meta.scopes,
            timeout: meta.timeout,
            shared: shared.clone(),
            chain: meta.middleware.into(),
            info: Arc::new(info),
            mount: None,
        }
    }

    /// Gives the component a new (mounted) name.
    pub(crate) fn rename(&mut self, name: String) {
        let mut info = (*self.info).clone();
        info.name.clone_from(&name);
        self.info = Arc::new(info);
        self.name = Arc::from(name);
    }
}

/// What one kind of component adds to [`Common`].
pub(crate) trait Kind: Clone {
    /// Which kind.
    const KIND: ComponentKind;
    /// The key two components of this kind may not share: a name, or a resource's URI.
    fn key(&self, common: &Common) -> Arc<str>;
    /// Rebuilds the listing after `common` was renamed by a mount under `prefix`.
    fn relist(&mut self, common: &Common, prefix: Option<&str>);
}

/// One component, ready to serve.
#[derive(Clone)]
pub(crate) struct Registered<K> {
    pub(crate) common: Common,
    pub(crate) kind: K,
}

/// Every component of one kind, with their index and where each came from.
pub(crate) struct Components<K> {
    pub(crate) items: Vec<Registered<K>>,
    index: HashMap<Arc<str>, usize>,
    origin: Vec<Option<String>>,
}

impl<K> Default for Components<K> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashMap::new(),
            origin: Vec::new(),
        }
    }
}

impl<K: Kind> Components<K> {
    /// Adds a component, refusing a second one with the same key; `origin` is the prefix of
    /// the mounted server it comes from.
    pub(crate) fn add(&mut self, item: Registered<K>, origin: Option<&str>) -> Result<(), Error> {
        let key = item.kind.key(&item.common);
        if let Some(&previous) = self.index.get(&key) {
            return Err(collision(
                K::KIND,
                key.to_string(),
                self.origin[previous].as_deref(),
                origin,
            ));
        }
        self.index.insert(key, self.items.len());
        self.origin.push(origin.map(str::to_owned));
        self.items.push(item);
        Ok(())
    }

    /// The enabled component with `key`.
    fn find(&self, live: &Live, key: &str) -> Option<usize> {
        let &i = self.index.get(key)?;
        let common = &self.items[i].common;
        live.is_enabled(&common.name, common.tags).then_some(i)
    }

    /// The component with `key` (its name, or a resource's URI), enabled or not.
    pub(crate) fn get(&self, key: &str) -> Option<&Registered<K>> {
        self.index.get(key).map(|&i| &self.items[i])
    }

    /// The registered names, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| &*item.common.name)
    }

    /// What a list shows: the enabled components (within the caller's scopes when `ext` is
    /// a request's), each as `show` makes it.
    pub(crate) fn listed_as<T>(
        &self,
        live: &Live,
        ext: Option<&Extensions>,
        show: impl Fn(&K) -> Option<T>,
    ) -> Vec<T> {
        self.items
            .iter()
            .filter(|item| {
                let common = &item.common;
                live.is_enabled(&common.name, common.tags)
                    && ext.is_none_or(|ext| check_scopes(common.scopes, ext).is_ok())
            })
            .filter_map(|item| show(&item.kind))
            .collect()
    }
}

impl<K: Kind + Listed> Components<K> {
    /// The enabled components as clients list them.
    pub(crate) fn listed(&self, live: &Live, ext: Option<&Extensions>) -> Vec<K::Listing> {
        self.listed_as(live, ext, |kind| kind.listing().cloned())
    }
}

/// A kind whose components are listed as one rmcp type.
pub(crate) trait Listed {
    type Listing: Clone;
    fn listing(&self) -> Option<&Self::Listing>;
}

/// Two components with one key.
fn collision(
    kind: ComponentKind,
    name: String,
    first: Option<&str>,
    second: Option<&str>,
) -> Error {
    let noun = kind.noun();
    let side = |origin: Option<&str>| match origin {
        Some(prefix) => format!("the server mounted as `{prefix}`"),
        None => "this server".to_owned(),
    };
    if first.is_none() && second.is_none() {
        return match kind {
            ComponentKind::Tool => Error::DuplicateTool(name),
            _ => Error::Collision {
                kind: noun,
                name,
                first: "a component of this server".to_owned(),
                second: "another component of this server".to_owned(),
            },
        };
    }
    Error::Collision {
        kind: noun,
        name,
        first: side(first),
        second: side(second),
    }
}

/// Refuses a component whose injected parameters need state the server was not given.
fn check_requirements(
    kind: ComponentKind,
    name: &str,
    requirements: &Requirements,
    known: &StateMap,
) -> Result<(), Error> {
    for (type_id, type_name) in &requirements.states {
        if !known.contains(*type_id) {
            return Err(Error::MissingState {
                kind: kind.noun(),
                name: name.to_owned(),
                type_name,
            });
        }
    }
    Ok(())
}

// ---- tools ------------------------------------------------------------------------------

/// What a tool adds: its schemas (with its listing and validator) and its entry point.
#[derive(Clone)]
pub(crate) struct ToolKind {
    pub(crate) schemas: LazySchemas,
    pub(crate) call:
        fn(RequestCx, ToolArgs) -> BoxFuture<'static, Result<CallToolResult, rmcp::ErrorData>>,
    /// Whether calls run as tasks.
    pub(crate) task: crate::tasks::TaskSupport,
}

impl Kind for ToolKind {
    const KIND: ComponentKind = ComponentKind::Tool;
    fn key(&self, common: &Common) -> Arc<str> {
        common.name.clone()
    }
    fn relist(&mut self, common: &Common, _prefix: Option<&str>) {
        self.schemas = self.schemas.renamed(common.name.clone());
    }
}

impl Listed for ToolKind {
    type Listing = Tool;
    /// Generates the tool's schemas on the first list (a tool whose schemas cannot work is
    /// left out, and was logged).
    fn listing(&self) -> Option<&Tool> {
        self.schemas.get().ok().map(|schemas| &schemas.listed)
    }
}

impl Registered<ToolKind> {
    /// A tool's registration. Its schemas are generated now when `eager` (debug builds, so a
    /// schema that cannot work fails `build()`), else on first use (see [`LazySchemas`]).
    pub(crate) fn tool(
        entry: &ToolEntry,
        cx: &SchemaCx,
        shared: &Arc<Shared>,
        known: &StateMap,
        eager: bool,
    ) -> Result<Self, Error> {
        let descriptor = (entry.descriptor)();
        let task = descriptor.task;
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
        check_requirements(
            ComponentKind::Tool,
            meta.name,
            &descriptor.input.requirements,
            known,
        )?;
        let schemas = LazySchemas::new(entry.descriptor, cx.profile(), Arc::from(meta.name));
        if eager {
            schemas.get().map_err(|error| invalid(error.to_owned()))?;
        }
        let common = Common::new(
            ComponentKind::Tool,
            descriptor.meta,
            shared,
            descriptor.annotations,
            descriptor.sensitive,
        );
        Ok(Self {
            common,
            kind: ToolKind {
                schemas,
                call: entry.call,
                task,
            },
        })
    }
}

// ---- resources --------------------------------------------------------------------------

/// How a resource is listed.
#[derive(Clone)]
pub(crate) enum ResourceListing {
    Static(Resource),
    Template(ResourceTemplate),
}

/// How a resource looks in a listing, whatever its URI and name.
struct ResourceLook {
    title: Option<&'static str>,
    description: Option<&'static str>,
    icons: Option<Vec<rmcp::model::Icon>>,
    meta: Option<rmcp::model::MetaObject>,
    annotations: Option<rmcp::model::Annotations>,
}

/// What a resource adds: its URI template, listing, reader and completions.
#[derive(Clone)]
pub(crate) struct ResourceKind {
    pub(crate) template: UriTemplate,
    pub(crate) listing: ResourceListing,
    look: Arc<ResourceLook>,
    pub(crate) mime_type: Option<&'static str>,
    pub(crate) unchecked: &'static [&'static str],
    pub(crate) completions: Vec<(&'static str, Completer)>,
    pub(crate) read: ReadFn,
}

impl ResourceKind {
    /// The URI (or template) as listed.
    pub(crate) fn uri(&self) -> String {
        self.template.to_string()
    }
}

impl Kind for ResourceKind {
    const KIND: ComponentKind = ComponentKind::Resource;
    fn key(&self, _common: &Common) -> Arc<str> {
        Arc::from(self.uri())
    }
    fn relist(&mut self, common: &Common, prefix: Option<&str>) {
        if let Some(prefix) = prefix {
            self.template = self.template.with_path_prefix(prefix);
        }
        let uri = self.template.to_string();
        let look = &self.look;
        self.listing = if self.template.is_static() {
            let mut listed = Resource::new(uri, common.name.to_string());
            listed.title = look.title.map(str::to_owned);
            listed.description = look.description.map(str::to_owned);
            listed.mime_type = self.mime_type.map(str::to_owned);
            listed.icons = look.icons.clone();
            listed.meta = look.meta.clone();
            listed.annotations = look.annotations.clone();
            ResourceListing::Static(listed)
        } else {
            let mut listed = ResourceTemplate::new(uri, common.name.to_string());
            listed.title = look.title.map(str::to_owned);
            listed.description = look.description.map(str::to_owned);
            listed.mime_type = self.mime_type.map(str::to_owned);
            listed.icons = look.icons.clone();
            listed.meta = look.meta.clone();
            listed.annotations = look.annotations.clone();
            ResourceListing::Template(listed)
        };
    }
}

impl Registered<ResourceKind> {
    pub(crate) fn resource(
        entry: &ResourceEntry,
        shared: &Arc<Shared>,
        known: &StateMap,
    ) -> Result<Self, Error> {
        let d = (entry.descriptor)();
        let meta = d.meta;
        check_requirements(ComponentKind::Resource, meta.name, &d.requirements, known)?;
        let look = Arc::new(ResourceLook {
            title: meta.title,
            description: meta.description,
            icons: meta.listed_icons(),
            meta: meta.meta.clone(),
            annotations: d.annotations,
        });
        let common = Common::new(ComponentKind::Resource, meta, shared, None, false);
        let mut kind = ResourceKind {
            template: UriTemplate::new(d.uri),
            listing: ResourceListing::Static(Resource::new(String::new(), String::new())),
            look,
            mime_type: d.mime_type,
            unchecked: d.unchecked,
            completions: d.completions,
            read: entry.read,
        };
        kind.relist(&common, None);
        Ok(Self { common, kind })
    }
}

// ---- prompts ----------------------------------------------------------------------------

/// The function that renders a prompt.
pub(crate) type GetFn =
    fn(RequestCx, PromptArgs) -> BoxFuture<'static, Result<GetPromptResult, PromptError>>;

/// What a prompt adds: its listing, renderer and completions.
#[derive(Clone)]
pub(crate) struct PromptKind {
    pub(crate) listed: Prompt,
    pub(crate) completions: Vec<(&'static str, Completer)>,
    pub(crate) get: GetFn,
}

impl Kind for PromptKind {
    const KIND: ComponentKind = ComponentKind::Prompt;
    fn key(&self, common: &Common) -> Arc<str> {
        common.name.clone()
    }
    fn relist(&mut self, common: &Common, _prefix: Option<&str>) {
        self.listed.name = common.name.to_string();
    }
}

impl Listed for PromptKind {
    type Listing = Prompt;
    fn listing(&self) -> Option<&Prompt> {
        Some(&self.listed)
    }
}

impl Registered<PromptKind> {
    pub(crate) fn prompt(
        entry: &PromptEntry,
        shared: &Arc<Shared>,
        known: &StateMap,
    ) -> Result<Self, Error> {
        let d = (entry.descriptor)();
        let meta = d.meta;
        check_requirements(ComponentKind::Prompt, meta.name, &d.requirements, known)?;
        let arguments = (!d.arguments.is_empty()).then_some(d.arguments);
        let mut listed = Prompt::new(meta.name, meta.description, arguments);
        listed.title = meta.title.map(str::to_owned);
        listed.icons = meta.listed_icons();
        listed.meta = meta.meta.clone();
        let common = Common::new(ComponentKind::Prompt, meta, shared, None, false);
        Ok(Self {
            common,
            kind: PromptKind {
                listed,
                completions: d.completions,
                get: entry.get,
            },
        })
    }
}

// ---- the catalog and routing ------------------------------------------------------------

/// Every component of a server.
#[derive(Default)]
pub(crate) struct Catalog {
    pub(crate) tools: Components<ToolKind>,
    pub(crate) resources: Components<ResourceKind>,
    pub(crate) prompts: Components<PromptKind>,
    /// Resource templates, most specific (most literal text) first.
    template_order: Vec<usize>,
}

/// The component a request was routed to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    Tool(usize),
    Resource(usize),
    Prompt(usize),
}

impl Catalog {
    /// Orders the templates for routing; call once every resource is in.
    pub(crate) fn order_templates(&mut self) {
        let items = &self.resources.items;
        let mut order: Vec<usize> = (0..items.len())
            .filter(|&i| !items[i].kind.template.is_static())
            .collect();
        order.sort_by_key(|&i| std::cmp::Reverse(items[i].kind.template.specificity()));
        self.template_order = order;
    }

    pub(crate) fn find_tool(&self, live: &Live, name: &str) -> Option<usize> {
        self.tools.find(live, name)
    }

    pub(crate) fn find_prompt(&self, live: &Live, name: &str) -> Option<usize> {
        self.prompts.find(live, name)
    }

    /// Finds the resource for `uri`: a static one exactly, or the most specific matching
    /// template, with its variables.
    pub(crate) fn route_resource(
        &self,
        live: &Live,
        uri: &str,
    ) -> Option<(usize, Vec<(&'static str, String)>)> {
        let items = &self.resources.items;
        if let Some(i) = self.resources.find(live, uri)
            && items[i].kind.template.is_static()
        {
            return Some((i, Vec::new()));
        }
        self.template_order.iter().find_map(|&i| {
            let resource = &items[i];
            if !live.is_enabled(&resource.common.name, resource.common.tags) {
                return None;
            }
            resource
                .kind
                .template
                .matches(uri)
                .map(|captures| (i, captures))
        })
    }

    /// The enabled component `named` names, if any.
    pub(crate) fn find(&self, live: &Live, named: Named<'_>) -> Option<Target> {
        match named {
            Named::Tool(name) => self.find_tool(live, name).map(Target::Tool),
            Named::Resource(uri) => self
                .route_resource(live, uri)
                .map(|(i, _)| Target::Resource(i)),
            Named::Prompt(name) => self.find_prompt(live, name).map(Target::Prompt),
        }
    }

    /// What every component kind shares, for a routed target.
    pub(crate) fn common(&self, target: Target) -> &Common {
        match target {
            Target::Tool(i) => &self.tools.items[i].common,
            Target::Resource(i) => &self.resources.items[i].common,
            Target::Prompt(i) => &self.prompts.items[i].common,
        }
    }

    /// Every scope components declare, sorted, once each.
    #[cfg(feature = "http")]
    pub(crate) fn declared_scopes(&self) -> Vec<&'static str> {
        let tools = self.tools.items.iter().map(|t| &t.common);
        let resources = self.resources.items.iter().map(|r| &r.common);
        let prompts = self.prompts.items.iter().map(|p| &p.common);
        let mut scopes: Vec<&'static str> = tools
            .chain(resources)
            .chain(prompts)
            .flat_map(|common| common.scopes.iter().copied())
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
    }
}

/// What routing resolved for a request, carried in its extensions from the moment it enters
/// the server: telemetry, scope checks, built-in middleware and dispatch read it instead of
/// routing again. Global middleware may rewrite the name or URI: what it resolved is then
/// resolved again, for the new one.
#[derive(Clone)]
pub(crate) struct Routed {
    /// The server the request is for.
    pub(crate) server: Server,
    /// The component found, if any.
    pub(crate) target: Option<Target>,
    /// The URI a resource read was routed for (names are compared with the component's).
    uri: Option<String>,
}

impl Routed {
    /// Routes what a request names on `server`.
    pub(crate) fn new(server: &Server, named: Option<Named<'_>>) -> Self {
        let inner = &server.inner;
        Self {
            server: server.clone(),
            target: named.and_then(|named| inner.catalog.find(&inner.live, named)),
            uri: match named {
                Some(Named::Resource(uri)) => Some(uri.to_owned()),
                _ => None,
            },
        }
    }

    /// Whether this is still what the request names (no middleware renamed it since).
    pub(crate) fn is_for(&self, named: Option<Named<'_>>) -> bool {
        let catalog = &self.server.inner.catalog;
        match (named, self.target) {
            (None, _) => true,
            (Some(Named::Resource(uri)), _) => self.uri.as_deref() == Some(uri),
            (Some(Named::Tool(name)), Some(Target::Tool(i))) => {
                *catalog.tools.items[i].common.name == *name
            }
            (Some(Named::Prompt(name)), Some(Target::Prompt(i))) => {
                *catalog.prompts.items[i].common.name == *name
            }
            // Found nothing under this name: still nothing, unless it is a registered name
            // now (a middleware renamed the request).
            (Some(Named::Tool(name)), None) => !catalog.tools.index.contains_key(name),
            (Some(Named::Prompt(name)), None) => !catalog.prompts.index.contains_key(name),
            _ => false,
        }
    }

    /// The scopes the routed component needs (none when nothing was found).
    #[cfg(feature = "http")]
    pub(crate) fn scopes(&self) -> &'static [&'static str] {
        let catalog = &self.server.inner.catalog;
        self.target
            .map(|t| catalog.common(t).scopes)
            .unwrap_or_default()
    }

    /// What HTTP admission routed for this request (attached to the HTTP request's parts), if
    /// it was for `server` and still names the same component.
    #[cfg(feature = "http")]
    pub(crate) fn admitted(
        ext: &Extensions,
        server: &Server,
        named: Option<Named<'_>>,
    ) -> Option<Routed> {
        let parts = ext.get::<http::request::Parts>()?;
        let routed = parts
            .extensions
            .get::<Routing>()?
            .0
            .as_any()
            .downcast_ref::<Routed>()?;
        let same =
            Arc::ptr_eq(&routed.server.inner, &server.inner) && routed.server.mount.is_none();
        (same && routed.is_for(named)).then(|| routed.clone())
    }

    /// The routing attached to a request, if the request entered a server.
    pub(crate) fn of(ext: &Extensions) -> Option<&Routed> {
        ext.get::<Routing>()?.0.as_any().downcast_ref::<Routed>()
    }

    /// Attaches this routing to a request, where middleware and dispatch read it.
    pub(crate) fn attach(self, ext: &mut Extensions) {
        ext.insert(self.into_routing());
    }

    /// This routing as the extension that carries it.
    pub(crate) fn into_routing(self) -> Routing {
        Routing(Arc::new(self))
    }
}

impl Route for Routed {
    fn component(&self, named: Option<Named<'_>>) -> Option<Arc<ComponentInfo>> {
        let inner = &self.server.inner;
        let target = if self.is_for(named) {
            self.target?
        } else {
            inner.catalog.find(&inner.live, named?)?
        };
        Some(inner.catalog.common(target).info.clone())
    }

    fn masks_internal_errors(&self) -> bool {
        self.server.masks_internal_errors()
    }

    fn request_cx(&self, context: &RequestContext<RoleServer>) -> RequestCx {
        RequestCx {
            request: Arc::new(context.clone()),
            log_level: None,
            server: Arc::new(self.server.clone()),
            shared: self.server.shared().clone(),
            component: Arc::from(""),
            output: OutputMode::Unstructured,
        }
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Whether the caller of a request has `scopes`; the missing ones if not.
///
/// Scopes are enforced when the request carries an identity, and on every HTTP request (a
/// server on the network without auth serves no scoped component). A local transport
/// without an identity (stdio: the user who spawned the process) is not checked.
pub(crate) fn check_scopes<'s>(scopes: &[&'s str], ext: &Extensions) -> Result<(), Vec<&'s str>> {
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
        #[cfg(feature = "http")]
        None if ext.get::<http::request::Parts>().is_some() => Err(scopes.to_vec()),
        None => Ok(()),
    }
}

// What HTTP admission routes, and what dispatch then reuses.
#[cfg(test)]
#[cfg(feature = "http")]
mod tests {
    use serde_json::json;

    use super::*;

    /// Needs a scope.
    #[crate::tool(scopes = ["notes:read"])]
    async fn scoped() -> i64 {
        1
    }

    /// Needs nothing.
    #[crate::tool]
    async fn plain() -> i64 {
        2
    }

    fn server(name: &str) -> Server {
        Server::builder(name)
            .tools(crate::tools![scoped, plain])
            .build()
            .expect("two valid tools")
    }

    /// What HTTP admission routed, attached to the HTTP request's parts as rmcp hands them on.
    fn admitted_by(server: &Server, method: &str, params: serde_json::Value) -> Extensions {
        let routed = server
            .route_message(method, &params)
            .expect("a component request");
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.extensions.insert(routed.into_routing());
        let mut ext = Extensions::new();
        ext.insert(parts);
        ext
    }

    #[test]
    fn http_admission_routes_once_and_dispatch_reuses_it() {
        let server = server("one");
        let routed = server
            .route_message("tools/call", &json!({ "name": "scoped", "arguments": {} }))
            .expect("a component request");
        assert_eq!(routed.scopes(), ["notes:read"]);
        assert!(
            server
                .route_message("tools/call", &json!({ "name": "plain" }))
                .expect("a component request")
                .scopes()
                .is_empty()
        );
        let ext = admitted_by(&server, "tools/call", json!({ "name": "scoped" }));
        let reused = Routed::admitted(&ext, &server, Some(Named::Tool("scoped")))
            .expect("dispatch reuses what admission routed");
        let Some(Target::Tool(i)) = reused.target else {
            panic!("admission found the tool");
        };
        assert_eq!(&*server.inner.catalog.tools.items[i].common.name, "scoped");
    }

    #[test]
    fn admission_routing_is_not_reused_for_another_name_or_server() {
        let server = server("one");
        let ext = admitted_by(&server, "tools/call", json!({ "name": "scoped" }));
        // A middleware renamed the request since: routed again.
        assert!(Routed::admitted(&ext, &server, Some(Named::Tool("plain"))).is_none());
        // Another server never reads this one's routing.
        assert!(
            Routed::admitted(&ext, &self::server("two"), Some(Named::Tool("scoped"))).is_none()
        );
        // Requests that name no component are not routed at admission.
        assert!(server.route_message("tools/list", &json!({})).is_none());
        assert!(
            server
                .route_message("tools/call", &json!({ "name": 5 }))
                .is_none()
        );
    }

    #[test]
    fn resource_reads_and_subscriptions_route_by_uri() {
        let server = server("one");
        let params = json!({ "uri": "notes://missing" });
        for method in ["resources/read", "resources/subscribe"] {
            let routed = server
                .route_message(method, &params)
                .expect("a resource request");
            assert!(routed.target.is_none(), "{method}: no such resource");
            assert!(routed.is_for(Some(Named::Resource("notes://missing"))));
        }
    }
}
