//! How a tool's return value becomes a `CallToolResult`.
//!
//! Generated code routes the return type at compile time, on the concrete type it sees
//! (autoref specialization; no name matching, so aliases such as `io::Result<T>` work):
//!
//! 1. `Result<T, E>` is split: `E` converts into [`ToolError`] (an error result), `T` goes on.
//! 2. `CallToolResult` passes through; `()` is an empty success.
//! 3. Content ([`IntoContents`]: text, image, audio, embedded resources, and `Vec`s of them)
//!    becomes the result's content.
//! 4. Any other `Serialize + JsonSchema` value is structured content with an output schema and a
//!    text copy; a plain string is text alone.

use std::marker::PhantomData;

use rmcp::model::{
    AudioContent, CallToolResult, ContentBlock, EmbeddedResource, ImageContent, JsonObject,
    TextContent,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::error::ToolError;
use crate::extract::OutputMode;
use crate::extract::RequestCx;
use crate::schema::SchemaCx;

/// How a tool's output is described and produced; decided by the routes below.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct OutputSpec {
    pub(crate) schema: fn(&SchemaCx) -> (Option<JsonObject>, OutputMode),
}

impl OutputSpec {
    pub(crate) fn unstructured() -> Self {
        Self {
            schema: |_| (None, OutputMode::Unstructured),
        }
    }
}

/// A zero-sized probe of a type, for routing on it.
#[doc(hidden)]
pub struct Probe<T>(PhantomData<fn() -> T>);

impl<T> Probe<T> {
    /// A probe of `T`.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Probe(PhantomData)
    }

    /// A probe of the type of `value`.
    pub fn of(_value: &T) -> Self {
        Probe(PhantomData)
    }
}

// ---- step 1: split `Result` -------------------------------------------------------------

/// Route for `Result<T, E>` return types.
#[doc(hidden)]
pub struct ResultRoute<T, E>(PhantomData<fn() -> (T, E)>);
/// Route for every other return type.
#[doc(hidden)]
pub struct PlainRoute<T>(PhantomData<fn() -> T>);

#[doc(hidden)]
pub trait SplitViaResult {
    type Route;
    fn __mcp_split(&self) -> Self::Route;
}
impl<T, E> SplitViaResult for &Probe<Result<T, E>> {
    type Route = ResultRoute<T, E>;
    fn __mcp_split(&self) -> Self::Route {
        ResultRoute(PhantomData)
    }
}

#[doc(hidden)]
pub trait SplitViaPlain {
    type Route;
    fn __mcp_split(&self) -> Self::Route;
}
impl<T> SplitViaPlain for Probe<T> {
    type Route = PlainRoute<T>;
    fn __mcp_split(&self) -> Self::Route {
        PlainRoute(PhantomData)
    }
}

/// Marker for error types that convert with `Into` (`ToolError` itself, every
/// `std::error::Error + Send + Sync + 'static`, and whatever has a `From` impl).
#[doc(hidden)]
pub enum ViaInto {}
/// Marker for boxed errors: `Box<dyn Error + Send + Sync>` and `anyhow::Error`, which are not
/// themselves `std::error::Error` (so `Into<ToolError>` does not cover them) but dereference to
/// one.
#[doc(hidden)]
pub enum ViaDynError {}

/// What [`ViaDynError`] accepts: a value that dereferences to `dyn Error + Send + Sync` and
/// converts into the box. `Box<dyn Error + Send + Sync>` is one; so is `anyhow::Error`
/// (without this crate naming anyhow), and any error wrapper built the same way.
///
/// Neither implements `std::error::Error` (a `Box<dyn Error>` cannot, because of the blanket
/// `impl<E: Error> From<E> for Box<dyn Error>`), which is why `Into<ToolError>` alone left them
/// out; the marker parameter keeps the two implementations apart.
#[doc(hidden)]
pub trait DynError:
    std::ops::Deref<Target = dyn std::error::Error + Send + Sync + 'static>
    + Into<Box<dyn std::error::Error + Send + Sync + 'static>>
{
}
impl<E> DynError for E where
    E: std::ops::Deref<Target = dyn std::error::Error + Send + Sync + 'static>
        + Into<Box<dyn std::error::Error + Send + Sync + 'static>>
{
}

/// An error type a tool may return in `Result<T, E>`.
///
/// The marker `M` keeps the implementations apart; you never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as a tool error",
    label = "this error type does not convert into `ToolError`",
    note = "return `ToolError` (a message for the caller: `ToolError::new(…)`), any `std::error::Error + Send + Sync + 'static` or `Box<dyn Error + Send + Sync>` or `anyhow::Error` (logged, shown as `internal error`), or map the error with `.map_err(ToolError::internal)`"
)]
pub trait IntoToolError<M> {
    /// Converts the error.
    fn into_tool_error(self) -> ToolError;
}
impl<E: Into<ToolError>> IntoToolError<ViaInto> for E {
    fn into_tool_error(self) -> ToolError {
        self.into()
    }
}
impl<E: DynError> IntoToolError<ViaDynError> for E {
    fn into_tool_error(self) -> ToolError {
        ToolError::from_boxed(self.into())
    }
}

impl<T, E> ResultRoute<T, E> {
    /// A probe of the success type.
    pub fn inner(&self) -> Probe<T> {
        Probe(PhantomData)
    }

    /// Splits the value.
    pub fn split<M>(self, value: Result<T, E>) -> Result<T, ToolError>
    where
        E: IntoToolError<M>,
    {
        value.map_err(IntoToolError::into_tool_error)
    }
}

impl<T> PlainRoute<T> {
    /// A probe of the value type.
    pub fn inner(&self) -> Probe<T> {
        Probe(PhantomData)
    }

    /// The value, always a success.
    pub fn split(self, value: T) -> Result<T, ToolError> {
        Ok(value)
    }
}

// ---- step 2: route the success value ----------------------------------------------------

/// Route for `CallToolResult`.
#[doc(hidden)]
pub struct CallResultRoute;
/// Route for `()`.
#[doc(hidden)]
pub struct UnitRoute;
/// Route for content values.
#[doc(hidden)]
pub struct ContentRoute<T>(PhantomData<fn() -> T>);
/// Route for structured values.
#[doc(hidden)]
pub struct ValueRoute<T>(PhantomData<fn() -> T>);

#[doc(hidden)]
pub trait OutputViaCallResult {
    fn __mcp_output(&self) -> CallResultRoute;
}
impl OutputViaCallResult for &&Probe<CallToolResult> {
    fn __mcp_output(&self) -> CallResultRoute {
        CallResultRoute
    }
}

#[doc(hidden)]
pub trait OutputViaUnit {
    fn __mcp_output(&self) -> UnitRoute;
}
impl OutputViaUnit for &&Probe<()> {
    fn __mcp_output(&self) -> UnitRoute {
        UnitRoute
    }
}

#[doc(hidden)]
pub trait OutputViaContent {
    type Route;
    fn __mcp_output(&self) -> Self::Route;
}
impl<T: IntoContents> OutputViaContent for &Probe<T> {
    type Route = ContentRoute<T>;
    fn __mcp_output(&self) -> Self::Route {
        ContentRoute(PhantomData)
    }
}

#[doc(hidden)]
pub trait OutputViaValue {
    type Route;
    fn __mcp_output(&self) -> Self::Route;
}
impl<T> OutputViaValue for Probe<T> {
    type Route = ValueRoute<T>;
    fn __mcp_output(&self) -> Self::Route {
        ValueRoute(PhantomData)
    }
}

impl CallResultRoute {
    /// The route itself (every route has `bind`, so generated code is uniform).
    pub fn bind(self) -> Self {
        self
    }
    /// No output schema.
    pub fn spec(&self) -> OutputSpec {
        OutputSpec::unstructured()
    }
    /// Passes the result through.
    pub fn finish(self, value: CallToolResult, _cx: &RequestCx) -> CallToolResult {
        value
    }
}

impl UnitRoute {
    /// The route itself (every route has `bind`, so generated code is uniform).
    pub fn bind(self) -> Self {
        self
    }
    /// No output schema.
    pub fn spec(&self) -> OutputSpec {
        OutputSpec::unstructured()
    }
    /// An empty success.
    pub fn finish(self, _value: (), _cx: &RequestCx) -> CallToolResult {
        CallToolResult::success(Vec::new())
    }
}

impl<T: IntoContents> ContentRoute<T> {
    /// The route itself (every route has `bind`, so generated code is uniform).
    pub fn bind(self) -> Self {
        self
    }
    /// No output schema.
    pub fn spec(&self) -> OutputSpec {
        OutputSpec::unstructured()
    }
    /// The content, as a success.
    pub fn finish(self, value: T, _cx: &RequestCx) -> CallToolResult {
        CallToolResult::success(value.into_contents())
    }
}

/// A structured value a tool may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a tool",
    label = "not a tool result",
    note = "return a type that implements `serde::Serialize` and `schemars::JsonSchema` (add `#[derive(serde::Serialize, schemars::JsonSchema)]`), a `String`, content (`Content`, `Vec<Content>`, …), a `CallToolResult`, or a `Result` of one of these"
)]
pub trait ToolOutput: Serialize + JsonSchema + 'static {}
impl<T: Serialize + JsonSchema + 'static> ToolOutput for T {}

impl<T> ValueRoute<T> {
    /// Checks that `T` can be returned, once; the bound lives only here, so an unsupported
    /// return type is reported once.
    #[inline]
    pub fn bind(self) -> BoundValueRoute<T>
    where
        T: ToolOutput,
    {
        BoundValueRoute {
            schema: |cx| cx.output::<T>(),
            serialize: |value| serde_json::to_value(value),
        }
    }
}

/// A [`ValueRoute`] whose type was checked.
#[doc(hidden)]
pub struct BoundValueRoute<T> {
    schema: fn(&SchemaCx) -> (Option<JsonObject>, OutputMode),
    serialize: fn(&T) -> Result<Value, serde_json::Error>,
}

impl<T> BoundValueRoute<T> {
    /// The output schema of `T`.
    pub fn spec(&self) -> OutputSpec {
        OutputSpec {
            schema: self.schema,
        }
    }

    /// The value as structured content (or text, for a plain string).
    pub fn finish(self, value: T, cx: &RequestCx) -> CallToolResult {
        match (self.serialize)(&value) {
            Ok(value) => structured_result(value, cx.output),
            Err(error) => ToolError::internal(format!(
                "the tool's result could not be serialized: {error}"
            ))
            .into_call_result(cx.component(), cx.mask_internal_errors()),
        }
    }
}

/// Builds the result of a structured value in the given mode.
pub(crate) fn structured_result(value: Value, mode: OutputMode) -> CallToolResult {
    match (mode, value) {
        (OutputMode::Text, Value::String(text)) => {
            CallToolResult::success(vec![ContentBlock::text(text)])
        }
        (OutputMode::Wrapped, value) => {
            let mut object = serde_json::Map::with_capacity(1);
            object.insert("result".to_owned(), value);
            CallToolResult::structured(Value::Object(object))
        }
        (_, value) => CallToolResult::structured(value),
    }
}

// ---- content ------------------------------------------------------------------------------

/// One content block a tool may return: [`ContentBlock`] (alias [`Content`](crate::Content)),
/// [`TextContent`], [`ImageContent`], [`AudioContent`] or [`EmbeddedResource`].
pub trait IntoContent {
    /// Converts into a content block.
    fn into_content(self) -> ContentBlock;
}

impl IntoContent for ContentBlock {
    fn into_content(self) -> ContentBlock {
        self
    }
}
impl IntoContent for TextContent {
    fn into_content(self) -> ContentBlock {
        ContentBlock::Text(self)
    }
}
impl IntoContent for ImageContent {
    fn into_content(self) -> ContentBlock {
        ContentBlock::Image(self)
    }
}
impl IntoContent for AudioContent {
    fn into_content(self) -> ContentBlock {
        ContentBlock::Audio(self)
    }
}
impl IntoContent for EmbeddedResource {
    fn into_content(self) -> ContentBlock {
        ContentBlock::Resource(self)
    }
}

/// Content a tool may return: one [`IntoContent`] value or a `Vec` of them.
pub trait IntoContents {
    /// Converts into content blocks.
    fn into_contents(self) -> Vec<ContentBlock>;
}

impl<T: IntoContent> IntoContents for T {
    fn into_contents(self) -> Vec<ContentBlock> {
        vec![self.into_content()]
    }
}

impl<T: IntoContent> IntoContents for Vec<T> {
    fn into_contents(self) -> Vec<ContentBlock> {
        self.into_iter().map(IntoContent::into_content).collect()
    }
}
