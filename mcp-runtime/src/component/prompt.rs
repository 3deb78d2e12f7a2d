//! Prompts: what `#[prompt]` generates ([`PromptDef`]), what `prompts![…]` collects
//! ([`PromptSet`]), and how parameters become prompt arguments ([`PromptParam`]).

use std::fmt;
use std::str::FromStr;

use rmcp::model::{GetPromptResult, JsonObject, PromptArgument, PromptMessage, Role};
use serde_json::Value;

use crate::completion::Completer;
use crate::component::ComponentMeta;
use crate::component::failure::Failure;
use crate::extract::Requirements;
use crate::extract::{FromRequestCx, RequestCx};
use crate::output::{DynError, PlainRoute, ResultRoute, ViaDynError, ViaInto};
use crate::tool::ViaInjection;
use crate::util::BoxFuture;

/// Why rendering a prompt failed. Becomes a JSON-RPC error:
///
/// - [`PromptError::invalid_params`]: `-32602`, with the message (a bad or missing argument);
/// - [`PromptError::new`]: `-32603`, with the message;
/// - any `std::error::Error` (with `?`) and [`PromptError::internal`]: `-32603`, logged, and
///   shown as `internal error` unless the server unmasks internal errors. A function may also
///   return `Result<T, Box<dyn Error + Send + Sync>>` or `anyhow::Result<T>`: the same.
///   As in a tool, the refusals of `files::FileError`, `fetch::FetchError` and
///   `sandbox::SandboxError` (a path out of the root, a blocked URL, a limit…) and an
///   `rmcp::ErrorData` keep their message: `-32603`, shown to the client.
pub struct PromptError {
    failure: Failure,
}

impl PromptError {
    /// The arguments are wrong; the message says how.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            failure: Failure::InvalidParams(message.into()),
        }
    }
    /// A failure whose message the client sees.
    pub fn new(message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
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

    /// The JSON-RPC error for getting the prompt `target`.
    pub(crate) fn into_mcp(self, target: (&str, &str), mask_internal: bool) -> rmcp::ErrorData {
        self.failure.into_mcp(target, mask_internal)
    }
}

impl fmt::Debug for PromptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.failure.debug("PromptError", f)
    }
}

/// `?` on a [`ToolError`](crate::ToolError), what [`Ctx`](crate::Ctx)'s methods return: its
/// message stays what the client sees, an internal one stays masked.
impl From<crate::ToolError> for PromptError {
    fn from(error: crate::ToolError) -> Self {
        Self {
            failure: error.into(),
        }
    }
}

impl<E> From<E> for PromptError
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Self {
            failure: Failure::from_error(Box::new(error)),
        }
    }
}

/// A prompt, as `#[prompt]` generates it: a zero-sized type beside the function.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a prompt",
    label = "not a `#[prompt]`",
    note = "put `#[prompt]` on an `async fn` to make it a prompt, then list the function in `prompts![…]`"
)]
pub trait PromptDef: Send + Sync + 'static {
    /// The prompt's name. A constant, so `prompts![…]` can reject duplicates at compile time.
    const NAME: &'static str;

    /// The prompt's description and arguments.
    fn descriptor() -> PromptDescriptor;

    /// Renders the prompt.
    fn get(
        cx: RequestCx,
        args: PromptArgs,
    ) -> BoxFuture<'static, Result<GetPromptResult, PromptError>>;
}

/// What a prompt declares about itself.
#[doc(hidden)]
pub struct PromptDescriptor {
    pub(crate) meta: ComponentMeta,
    pub(crate) arguments: Vec<PromptArgument>,
    pub(crate) requirements: Requirements,
    pub(crate) completions: Vec<(&'static str, Completer)>,
}

impl PromptDescriptor {
    /// A descriptor for `name`.
    pub fn new(name: &'static str) -> Self {
        Self {
            meta: ComponentMeta::new(name),
            arguments: Vec::new(),
            requirements: Requirements::default(),
            completions: Vec::new(),
        }
    }
    /// What every component kind declares: title, description, icons, tags, scopes,
    /// middleware, timeout, `_meta`.
    pub fn meta(&mut self) -> &mut ComponentMeta {
        &mut self.meta
    }
    /// Records one parameter.
    pub fn param<T>(
        &mut self,
        param: PromptParamFns<T>,
        name: &'static str,
        description: Option<&'static str>,
    ) {
        (param.describe)(self, name, description);
    }
    /// A completion source for an argument.
    pub fn complete(&mut self, argument: &'static str, completer: Completer) {
        self.completions.push((argument, completer));
    }
}

impl fmt::Debug for PromptDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PromptDescriptor")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// The arguments of one `prompts/get`.
#[derive(Debug, Clone, Default)]
pub struct PromptArgs {
    pub(crate) map: JsonObject,
}

impl PromptArgs {
    /// An argument's text: a string as-is, any other JSON value as its JSON text.
    pub fn get(&self, name: &str) -> Option<String> {
        self.map.get(name).and_then(|value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    }
}

#[doc(hidden)]
pub enum ViaFromStr {}
#[doc(hidden)]
pub enum ViaOptional {}

/// A type a `#[prompt]` function may take: an argument (any `FromStr` type, required; or
/// `Option` of one, optional), or an injected value ([`FromRequestCx`]).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a prompt parameter",
    label = "neither a prompt argument nor an injected parameter",
    note = "prompt arguments are text: use `String`, a number, or any `FromStr` type (`Option<T>` when optional)",
    note = "an injected parameter implements `mcp_runtime::FromRequestCx`, like `Ctx` and `State<T>`",
    note = "`State<T>` is injected only when `T: Send + Sync + 'static`: wrap state that is not `Sync` in a `Mutex`"
)]
pub trait PromptParam<M>: Sized + Send {
    /// Records the parameter in the prompt's description.
    #[doc(hidden)]
    fn describe(
        descriptor: &mut PromptDescriptor,
        name: &'static str,
        description: Option<&'static str>,
    );
    /// Produces the parameter's value.
    #[doc(hidden)]
    fn extract(cx: &RequestCx, args: &PromptArgs, name: &'static str) -> Result<Self, PromptError>;
}

/// A prompt parameter type's functions, checked against [`PromptParam`] in one place.
#[doc(hidden)]
pub struct PromptParamFns<T> {
    describe: fn(&mut PromptDescriptor, &'static str, Option<&'static str>),
    /// Produces the parameter's value.
    pub extract: fn(&RequestCx, &PromptArgs, &'static str) -> Result<T, PromptError>,
}

impl<T> PromptParamFns<T> {
    /// The functions of `T`.
    #[inline]
    pub fn of<M>() -> Self
    where
        T: PromptParam<M>,
    {
        Self {
            describe: T::describe,
            extract: T::extract,
        }
    }
}

fn argument(
    name: &'static str,
    description: Option<&'static str>,
    required: bool,
) -> PromptArgument {
    let mut argument = PromptArgument::new(name);
    argument.description = description.map(str::to_owned);
    argument.required = Some(required);
    argument
}

fn parse_argument<T>(text: &str, name: &str) -> Result<T, PromptError>
where
    T: FromStr,
    T::Err: fmt::Display,
{
    text.parse().map_err(|error: T::Err| {
        PromptError::invalid_params(format!("argument `{name}` = `{text}` is invalid: {error}"))
    })
}

impl<T> PromptParam<ViaFromStr> for T
where
    T: FromStr + Send,
    T::Err: fmt::Display,
{
    fn describe(
        descriptor: &mut PromptDescriptor,
        name: &'static str,
        description: Option<&'static str>,
    ) {
        descriptor.arguments.push(argument(name, description, true));
    }
    fn extract(
        _cx: &RequestCx,
        args: &PromptArgs,
        name: &'static str,
    ) -> Result<Self, PromptError> {
        let text = args.get(name).ok_or_else(|| {
            PromptError::invalid_params(format!("the required argument `{name}` is missing"))
        })?;
        parse_argument(&text, name)
    }
}

#[diagnostic::do_not_recommend]
impl<T> PromptParam<ViaOptional> for Option<T>
where
    T: FromStr + Send,
    T::Err: fmt::Display,
{
    fn describe(
        descriptor: &mut PromptDescriptor,
        name: &'static str,
        description: Option<&'static str>,
    ) {
        descriptor
            .arguments
            .push(argument(name, description, false));
    }
    fn extract(
        _cx: &RequestCx,
        args: &PromptArgs,
        name: &'static str,
    ) -> Result<Self, PromptError> {
        args.get(name)
            .map(|text| parse_argument(&text, name))
            .transpose()
    }
}

impl<T: FromRequestCx> PromptParam<ViaInjection> for T {
    fn describe(
        descriptor: &mut PromptDescriptor,
        _name: &'static str,
        _description: Option<&'static str>,
    ) {
        T::requirements(&mut descriptor.requirements);
    }
    fn extract(
        cx: &RequestCx,
        _args: &PromptArgs,
        _name: &'static str,
    ) -> Result<Self, PromptError> {
        T::from_request_cx(cx).map_err(|error| PromptError::new(error.to_string()))
    }
}

/// An error type a prompt may return in `Result<T, E>`.
///
/// The marker `M` keeps the implementations apart; you never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned as a prompt error",
    label = "this error type does not convert into `PromptError`",
    note = "return `PromptError` (`PromptError::invalid_params(…)`, `PromptError::new(…)`), any `std::error::Error + Send + Sync + 'static`, `Box<dyn Error + Send + Sync>` or `anyhow::Error` (logged, shown as `internal error`)"
)]
pub trait IntoPromptError<M> {
    /// Converts the error.
    fn into_prompt_error(self) -> PromptError;
}
impl<E: Into<PromptError>> IntoPromptError<ViaInto> for E {
    fn into_prompt_error(self) -> PromptError {
        self.into()
    }
}

impl<E: DynError> IntoPromptError<ViaDynError> for E {
    fn into_prompt_error(self) -> PromptError {
        PromptError {
            failure: Failure::from_error(self.into()),
        }
    }
}

impl<T, E> ResultRoute<T, E> {
    /// Splits a prompt's result.
    pub fn split_prompt<M>(self, value: Result<T, E>) -> Result<T, PromptError>
    where
        E: IntoPromptError<M>,
    {
        value.map_err(IntoPromptError::into_prompt_error)
    }
}

impl<T> PlainRoute<T> {
    /// The value, always a success.
    pub fn split_prompt(self, value: T) -> Result<T, PromptError> {
        Ok(value)
    }
}

/// What a prompt may return: a `String` (one user message), a [`PromptMessage`], a `Vec` of
/// them, or a whole [`GetPromptResult`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    label = "not prompt messages",
    note = "return a `String` (one user message), `PromptMessage`, `Vec<PromptMessage>`, `GetPromptResult`, or a `Result` of one of these"
)]
pub trait IntoPromptResult {
    /// Converts into the prompt's result.
    fn into_prompt_result(self) -> GetPromptResult;
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> GetPromptResult {
        self
    }
}
impl IntoPromptResult for Vec<PromptMessage> {
    fn into_prompt_result(self) -> GetPromptResult {
        GetPromptResult::new(self)
    }
}
impl IntoPromptResult for PromptMessage {
    fn into_prompt_result(self) -> GetPromptResult {
        GetPromptResult::new(vec![self])
    }
}
impl IntoPromptResult for String {
    fn into_prompt_result(self) -> GetPromptResult {
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, self)])
    }
}
impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> GetPromptResult {
        self.to_owned().into_prompt_result()
    }
}

/// Finishes a prompt call (used by generated code).
#[doc(hidden)]
pub fn finish_prompt<T: IntoPromptResult>(value: T) -> GetPromptResult {
    value.into_prompt_result()
}

/// One registered prompt.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub struct PromptEntry {
    pub(crate) name: &'static str,
    pub(crate) descriptor: fn() -> PromptDescriptor,
    pub(crate) get:
        fn(RequestCx, PromptArgs) -> BoxFuture<'static, Result<GetPromptResult, PromptError>>,
}

impl PromptEntry {
    /// The entry of a `#[prompt]`.
    pub fn of<T: PromptDef>() -> Self {
        Self {
            name: T::NAME,
            descriptor: T::descriptor,
            get: T::get,
        }
    }
}

crate::tool::component_set! {
    /// A list of prompts, as built by [`prompts!`](crate::prompts).
    PromptSet of PromptEntry by name;
    /// The names of the prompts, in the order they were listed.
    fn names;
    "prompts"
}
