//! Resources: what `#[resource]` generates ([`ResourceDef`]), what `resources![…]` collects
//! ([`ResourceSet`]), template variables ([`UriVar`]), and [`ResourceError`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use base64::Engine;
use rmcp::model::{Annotations, ResourceContents, Role};
use serde::Serialize;

use crate::completion::Completer;
use crate::component::ComponentMeta;
use crate::component::failure::Failure;
use crate::component::uri::UriPart;
use crate::extract::RequestCx;
use crate::extract::Requirements;
use crate::output::{DynError, PlainRoute, Probe, ResultRoute, ViaDynError, ViaInto};
use crate::util::BoxFuture;

/// A resource or resource template, as `#[resource]` generates it: a zero-sized type beside the
/// function, with the same name.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a resource",
    label = "not a `#[resource]`",
    note = "put `#[resource(\"scheme://…\")]` on an `async fn` to make it a resource, then list the function in `resources![…]`"
)]
pub trait ResourceDef: Send + Sync + 'static {
    /// The URI or URI template, as written. A constant, so `resources![…]` can reject
    /// duplicates at compile time.
    const URI: &'static str;

    /// The resource's description; schemas and routes are built from it once.
    fn descriptor() -> ResourceDescriptor;

    /// Reads the resource for a URI that matched its template.
    fn read(
        cx: RequestCx,
        vars: ResourceVars,
    ) -> BoxFuture<'static, Result<Vec<ResourceContents>, ResourceError>>;
}

/// What a resource declares about itself.
#[doc(hidden)]
pub struct ResourceDescriptor {
    pub(crate) meta: ComponentMeta,
    pub(crate) uri: &'static [UriPart],
    pub(crate) mime_type: Option<&'static str>,
    pub(crate) annotations: Option<Annotations>,
    pub(crate) requirements: Requirements,
    pub(crate) unchecked: &'static [&'static str],
    pub(crate) completions: Vec<(&'static str, Completer)>,
}

impl ResourceDescriptor {
    /// A descriptor for `name` at `uri`.
    pub fn new(name: &'static str, uri: &'static [UriPart]) -> Self {
        Self {
            meta: ComponentMeta::new(name),
            uri,
            mime_type: None,
            annotations: None,
            requirements: Requirements::default(),
            unchecked: &[],
            completions: Vec::new(),
        }
    }
    /// What every component kind declares: title, description, icons, tags, scopes,
    /// middleware, timeout, `_meta`.
    pub fn meta(&mut self) -> &mut ComponentMeta {
        &mut self.meta
    }
    /// Sets the MIME type.
    pub fn mime_type(&mut self, mime_type: &'static str) {
        self.mime_type = Some(mime_type);
    }
    /// Sets the annotations; `user`/`assistant` audience and a 0–1 priority.
    pub fn annotations(&mut self, audience: &[&str], priority: Option<f32>) {
        let audience: Vec<Role> = audience
            .iter()
            .filter_map(|role| match *role {
                "user" => Some(Role::User),
                "assistant" => Some(Role::Assistant),
                _ => None,
            })
            .collect();
        let mut annotations = Annotations::default();
        if !audience.is_empty() {
            annotations = annotations.with_audience(audience);
        }
        if let Some(priority) = priority {
            annotations = annotations.with_priority(priority);
        }
        self.annotations = Some(annotations);
    }
    /// Variables that opted out of the path-safety check.
    pub fn unchecked(&mut self, vars: &'static [&'static str]) {
        self.unchecked = vars;
    }
    /// A completion source for a variable.
    pub fn complete(&mut self, var: &'static str, completer: Completer) {
        self.completions.push((var, completer));
    }
    /// Where injected parameters record what they need.
    pub fn requirements(&mut self) -> &mut Requirements {
        &mut self.requirements
    }
}

impl fmt::Debug for ResourceDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceDescriptor")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// The URI being read and its decoded template variables.
#[derive(Debug, Clone)]
pub struct ResourceVars {
    pub(crate) uri: String,
    pub(crate) mime_type: Option<&'static str>,
    pub(crate) values: Vec<(&'static str, String)>,
}

impl ResourceVars {
    /// The URI the client asked for.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The decoded value of a variable, if the URI had one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| value.as_str())
    }
}

#[doc(hidden)]
pub enum ViaFromStr {}
#[doc(hidden)]
pub enum ViaOptional {}

/// A type a URI template variable can be: any `FromStr` type (a bad value is a `-32602` error
/// naming the variable), or `Option` of one (for query variables that may be absent).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a URI template variable",
    label = "a template variable's type must implement `FromStr`",
    note = "use `String`, a number, or any type implementing `std::str::FromStr`; `Option<T>` for a query variable that may be absent"
)]
pub trait UriVar<M>: Sized {
    /// Parses the variable from the matched URI.
    #[doc(hidden)]
    fn from_vars(vars: &ResourceVars, name: &'static str) -> Result<Self, ResourceError>;
}

#[diagnostic::do_not_recommend]
impl<T> UriVar<ViaFromStr> for T
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_vars(vars: &ResourceVars, name: &'static str) -> Result<Self, ResourceError> {
        let value = vars.get(name).ok_or_else(|| {
            ResourceError::invalid_params(format!(
                "the URI `{}` has no value for `{name}`",
                vars.uri
            ))
        })?;
        parse_var(value, name)
    }
}

#[diagnostic::do_not_recommend]
impl<T> UriVar<ViaOptional> for Option<T>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    fn from_vars(vars: &ResourceVars, name: &'static str) -> Result<Self, ResourceError> {
        vars.get(name)
            .map(|value| parse_var(value, name))
            .transpose()
    }
}

fn parse_var<T>(value: &str, name: &str) -> Result<T, ResourceError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    value.parse().map_err(|error: T::Err| {
        ResourceError::invalid_params(format!(
            "`{name}` = `{value}` is not a valid {}: {error}",
            short_type_name::<T>()
        ))
    })
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// Why reading a resource failed. Becomes a JSON-RPC error:
///
/// - [`ResourceError::not_found`]: the spec's resource-not-found error (`-32002`);
/// - [`ResourceError::invalid_params`]: `-32602`, with the message;
/// - [`ResourceError::new`]: `-32603`, with the message;
/// - any `std::error::Error` (with `?`) and [`ResourceError::internal`]: `-32603`, logged, and
///   shown as `internal error` unless the server unmasks internal errors. A function may also
///   return `Result<T, Box<dyn Error + Send + Sync>>` or `anyhow::Result<T>`: the same.
///   As in a tool, the refusals of `files::FileError`, `fetch::FetchError` and
///   `sandbox::SandboxError` (a path out of the root, a blocked URL, a limit…) and an
///   `rmcp::ErrorData` keep their message: `-32603`, shown to the client.
pub struct ResourceError {
    failure: Failure,
}

impl ResourceError {
    /// No resource exists at `uri`.
    pub fn not_found(uri: impl Into<String>) -> Self {
        Self {
            failure: Failure::NotFound(uri.into()),
        }
    }
    /// The URI's variables are wrong; the message says how.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            failure: Failure::InvalidParams(message.into()),
        }
    }
    /// A failure whose message the client sees.
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            failure: Failure::Message(message.into()),
        }
    }
    /// An internal failure: logged, masked by default.
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            failure: Failure::Internal(error.into()),
        }
    }

    /// The JSON-RPC error for reading `uri`.
    pub(crate) fn into_mcp(self, target: (&str, &str), mask_internal: bool) -> rmcp::ErrorData {
        self.failure.into_mcp(target, mask_internal)
    }
}

impl fmt::Debug for ResourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure.debug("ResourceError", f)
    }
}

/// `?` on a [`ToolError`](crate::ToolError), what [`Ctx`](crate::Ctx)'s methods return: its
/// message stays what the client sees, an internal one stays masked.
impl From<crate::ToolError> for ResourceError {
    fn from(error: crate::ToolError) -> Self {
        Self {
            failure: error.into(),
        }
    }
}

impl<E> From<E> for ResourceError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self {
            failure: Failure::from_error(Box::new(error)),
        }
    }
}

/// An error type a resource may return in `Result<T, E>`.
///
/// The marker `M` keeps the implementations apart; you never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as a resource error",
    label = "this error type does not convert into `ResourceError`",
    note = "return `ResourceError` (`ResourceError::not_found(uri)`, `ResourceError::new(…)`), any `std::error::Error + Send + Sync + 'static`, `Box<dyn Error + Send + Sync>` or `anyhow::Error` (logged, shown as `internal error`)"
)]
pub trait IntoResourceError<M> {
    /// Converts the error.
    fn into_resource_error(self) -> ResourceError;
}
impl<E: Into<ResourceError>> IntoResourceError<ViaInto> for E {
    fn into_resource_error(self) -> ResourceError {
        self.into()
    }
}

impl<E: DynError> IntoResourceError<ViaDynError> for E {
    fn into_resource_error(self) -> ResourceError {
        ResourceError {
            failure: Failure::from_error(self.into()),
        }
    }
}

impl<T, E> ResultRoute<T, E> {
    /// Splits a resource's result.
    pub fn split_resource<M>(self, value: Result<T, E>) -> Result<T, ResourceError>
    where
        E: IntoResourceError<M>,
    {
        value.map_err(IntoResourceError::into_resource_error)
    }
}

impl<T> PlainRoute<T> {
    /// The value, always a success.
    pub fn split_resource(self, value: T) -> Result<T, ResourceError> {
        Ok(value)
    }
}

// ---- resource contents --------------------------------------------------------------------

/// Route for values that already are resource contents.
#[doc(hidden)]
pub struct ContentsRoute;
/// Route for text.
#[doc(hidden)]
pub struct TextRoute;
/// Route for bytes (a base64 blob).
#[doc(hidden)]
pub struct BlobRoute;
/// Route for serde values (JSON text).
#[doc(hidden)]
pub struct JsonRoute<T>(PhantomData<fn() -> T>);

/// Values that become resource contents as-is or as text/blob.
#[doc(hidden)]
pub trait ResourceViaKnown {
    type Route;
    fn __mcp_resource(&self) -> Self::Route;
}
macro_rules! known_route {
    ($($ty:ty => $route:ident),* $(,)?) => {$(
        impl ResourceViaKnown for &&Probe<$ty> {
            type Route = $route;
            fn __mcp_resource(&self) -> $route { $route }
        }
    )*};
}
known_route! {
    ResourceContents => ContentsRoute,
    Vec<ResourceContents> => ContentsRoute,
    String => TextRoute,
    &'static str => TextRoute,
    Cow<'static, str> => TextRoute,
    Vec<u8> => BlobRoute,
    &'static [u8] => BlobRoute,
}

/// Anything else serializable becomes JSON text.
#[doc(hidden)]
pub trait ResourceViaJson {
    type Route;
    fn __mcp_resource(&self) -> Self::Route;
}
impl<T> ResourceViaJson for Probe<T> {
    type Route = JsonRoute<T>;
    fn __mcp_resource(&self) -> Self::Route {
        JsonRoute(PhantomData)
    }
}

/// Contents a resource returns unchanged.
#[doc(hidden)]
pub trait IntoResourceContents {
    fn into_resource_contents(self) -> Vec<ResourceContents>;
}
impl IntoResourceContents for ResourceContents {
    fn into_resource_contents(self) -> Vec<ResourceContents> {
        vec![self]
    }
}
impl IntoResourceContents for Vec<ResourceContents> {
    fn into_resource_contents(self) -> Vec<ResourceContents> {
        self
    }
}

impl ContentsRoute {
    /// Passes the contents through.
    pub fn finish<T: IntoResourceContents>(
        self,
        value: T,
        _vars: &ResourceVars,
    ) -> Result<Vec<ResourceContents>, ResourceError> {
        Ok(value.into_resource_contents())
    }
}

impl TextRoute {
    /// Text, with the resource's MIME type (`text/plain` by default).
    pub fn finish<T: AsRef<str>>(
        self,
        value: T,
        vars: &ResourceVars,
    ) -> Result<Vec<ResourceContents>, ResourceError> {
        Ok(vec![
            ResourceContents::text(value.as_ref(), vars.uri.clone())
                .with_mime_type(vars.mime_type.unwrap_or("text/plain")),
        ])
    }
}

impl BlobRoute {
    /// A base64 blob, with the resource's MIME type (`application/octet-stream` by default).
    pub fn finish<T: AsRef<[u8]>>(
        self,
        value: T,
        vars: &ResourceVars,
    ) -> Result<Vec<ResourceContents>, ResourceError> {
        let blob = base64::engine::general_purpose::STANDARD.encode(value.as_ref());
        Ok(vec![
            ResourceContents::blob(blob, vars.uri.clone())
                .with_mime_type(vars.mime_type.unwrap_or("application/octet-stream")),
        ])
    }
}

/// A value a resource may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource",
    label = "not resource contents",
    note = "return a `String` (text), `Vec<u8>` (a blob), `ResourceContents` or a `Vec` of them, any `serde::Serialize` value (JSON text), or a `Result` of one of these"
)]
pub trait ResourceOutput: Serialize + 'static {}
impl<T: Serialize + 'static> ResourceOutput for T {}

impl<T> JsonRoute<T> {
    /// JSON text, with the resource's MIME type (`application/json` by default).
    pub fn finish(
        self,
        value: T,
        vars: &ResourceVars,
    ) -> Result<Vec<ResourceContents>, ResourceError>
    where
        T: ResourceOutput,
    {
        let text = serde_json::to_string(&value).map_err(|error| {
            ResourceError::internal(format!("the resource could not be serialized: {error}"))
        })?;
        Ok(vec![
            ResourceContents::text(text, vars.uri.clone())
                .with_mime_type(vars.mime_type.unwrap_or("application/json")),
        ])
    }
}

/// Reads a resource: what `#[resource]` generates.
pub(crate) type ReadFn =
    fn(RequestCx, ResourceVars) -> BoxFuture<'static, Result<Vec<ResourceContents>, ResourceError>>;

/// One registered resource.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub struct ResourceEntry {
    pub(crate) uri: &'static str,
    pub(crate) descriptor: fn() -> ResourceDescriptor,
    pub(crate) read: ReadFn,
}

impl ResourceEntry {
    /// The entry of a `#[resource]`.
    pub fn of<T: ResourceDef>() -> Self {
        Self {
            uri: T::URI,
            descriptor: T::descriptor,
            read: T::read,
        }
    }
}

crate::tool::component_set! {
    /// A list of resources, as built by [`resources!`](crate::resources).
    ResourceSet of ResourceEntry by uri;
    /// The URIs and templates, in the order they were listed.
    fn uris;
    "resources"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "files")]
    #[test]
    fn file_refusals_are_shown_and_file_io_failures_masked() {
        use crate::files::FileError;
        let target = ("uri", "files://a");
        let refused: ResourceError = FileError::NotFound { path: "a".into() }.into();
        let refused = refused.into_mcp(target, true);
        assert_eq!(refused.code, rmcp::model::ErrorCode::INTERNAL_ERROR);
        assert_eq!(refused.message, "\"a\" does not exist");
        let failed: ResourceError = FileError::Io {
            path: "a".into(),
            source: std::io::Error::other("disk on fire"),
        }
        .into();
        assert_eq!(failed.into_mcp(target, true).message, "internal error");
    }

    #[test]
    fn other_errors_stay_internal() {
        let error: ResourceError = std::io::Error::other("disk on fire").into();
        assert_eq!(
            error.into_mcp(("uri", "x://"), true).message,
            "internal error"
        );
    }
}
