//! Tools: what `#[tool]` generates ([`ToolDef`]), what `tools![…]` collects ([`ToolSet`]), and
//! how parameters become arguments or injected values ([`ToolParam`]).

use std::fmt;

use rmcp::model::{CallToolResult, JsonObject, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::component::ComponentMeta;
use crate::error::ToolError;
use crate::extract::{FromRequestCx, RequestCx};
use crate::output::OutputSpec;
use crate::schema::{InputSpec, from_missing};

pub use crate::extract::Requirements;
pub use crate::util::BoxFuture;

/// A tool, as `#[tool]` generates it: a zero-sized type beside the function, with the same name.
///
/// You do not implement this by hand; put `#[tool]` on an `async fn` and register it with
/// [`tools!`](crate::tools).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tool",
    label = "not a `#[tool]`",
    note = "put `#[tool]` on an `async fn` to make it a tool, then list the function in `tools![…]`"
)]
pub trait ToolDef: Send + Sync + 'static {
    /// The tool's name, as clients call it. A constant, so `tools![…]` can reject duplicates
    /// at compile time.
    const NAME: &'static str;

    /// The tool's description: name, docs, annotations, parameters and output. Schemas are
    /// generated from it once, when the server is built.
    fn descriptor() -> ToolDescriptor;

    /// Runs one call with validated arguments.
    fn call(
        cx: RequestCx,
        args: ToolArgs,
    ) -> BoxFuture<'static, Result<CallToolResult, rmcp::ErrorData>>;
}

/// What a tool declares about itself; the server builder turns it into schemas.
#[doc(hidden)]
pub struct ToolDescriptor {
    pub(crate) meta: ComponentMeta,
    pub(crate) annotations: Option<ToolAnnotations>,
    pub(crate) input: InputSpec,
    pub(crate) output: OutputSpec,
    pub(crate) sensitive: bool,
    pub(crate) task: crate::tasks::TaskSupport,
}

impl ToolDescriptor {
    /// A descriptor with no description, parameters or output.
    pub fn new(name: &'static str) -> Self {
        Self {
            meta: ComponentMeta::new(name),
            annotations: None,
            input: InputSpec::default(),
            output: OutputSpec::unstructured(),
            sensitive: false,
            task: crate::tasks::TaskSupport::Forbidden,
        }
    }

    /// What every component kind declares: title, description, icons, tags, scopes,
    /// middleware, timeout, `_meta`.
    pub fn meta(&mut self) -> &mut ComponentMeta {
        &mut self.meta
    }

    /// Sets the behaviour hints; `None` leaves a hint unset.
    pub fn annotations(
        &mut self,
        read_only: Option<bool>,
        destructive: Option<bool>,
        idempotent: Option<bool>,
        open_world: Option<bool>,
    ) {
        self.annotations = Some(ToolAnnotations::from_raw(
            None,
            read_only,
            destructive,
            idempotent,
            open_world,
        ));
    }

    /// Records one parameter (an argument, or an injected value's requirements).
    pub fn param<T>(
        &mut self,
        param: ParamFns<T>,
        name: &'static str,
        description: Option<&'static str>,
    ) {
        (param.describe)(&mut self.input, name, description);
    }

    /// Marks the tool sensitive (`#[tool(sensitive)]`): audited, arguments redacted in logs.
    pub fn sensitive(&mut self) {
        self.sensitive = true;
    }

    /// Runs the tool's calls as tasks (`#[tool(task = "optional" | "required")]`).
    pub fn task(&mut self, support: crate::tasks::TaskSupport) {
        self.task = support;
        if support != crate::tasks::TaskSupport::Forbidden {
            // rmcp's `Tool` has no `execution` field: the listing says it in `_meta`.
            self.meta.meta_entry(
                rmcp::model::TASKS_EXTENSION_ID,
                serde_json::json!({ "taskSupport": support.as_str() }),
            );
        }
    }

    /// Sets how the return value becomes a result.
    pub fn output(&mut self, output: OutputSpec) {
        self.output = output;
    }
}

impl fmt::Debug for ToolDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolDescriptor")
            .field("meta", &self.meta)
            .field("sensitive", &self.sensitive)
            .field("task", &self.task)
            .finish_non_exhaustive()
    }
}

/// The arguments of one call, after validation.
#[doc(hidden)]
pub struct ToolArgs {
    pub(crate) map: JsonObject,
    pub(crate) whole_object: bool,
}

/// Marker for parameters that are arguments (`Deserialize + JsonSchema`).
#[doc(hidden)]
pub enum ViaArgument {}
/// Marker for parameters that are injected ([`FromRequestCx`]).
#[doc(hidden)]
pub enum ViaInjection {}

/// A type a `#[tool]` function may take as a parameter: either an argument the client sends
/// (any `serde::Deserialize + schemars::JsonSchema` type), or a value the runtime injects (any
/// [`FromRequestCx`] type, such as [`Ctx`](crate::Ctx) and [`State<T>`](crate::State)).
///
/// The marker `M` keeps the two blanket implementations apart; you never name it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool parameter",
    label = "neither an argument type nor an injected parameter",
    note = "an argument type implements `serde::Deserialize` and `schemars::JsonSchema`: add `#[derive(serde::Deserialize, schemars::JsonSchema)]` to it",
    note = "an injected parameter implements `mcp_runtime::FromRequestCx`, like `Ctx` and `State<T>`",
    note = "`State<T>` is injected only when `T: Send + Sync + 'static`: wrap state that is not `Sync` in a `Mutex`"
)]
pub trait ToolParam<M>: Sized + Send {
    /// Records the parameter in the tool's input description.
    #[doc(hidden)]
    fn describe(spec: &mut InputSpec, name: &'static str, description: Option<&'static str>);

    /// Produces the parameter's value for one call.
    #[doc(hidden)]
    fn extract(cx: &RequestCx, args: &mut ToolArgs, name: &'static str) -> Result<Self, ToolError>;
}

impl<T> ToolParam<ViaArgument> for T
where
    T: DeserializeOwned + JsonSchema + Send,
{
    fn describe(spec: &mut InputSpec, name: &'static str, description: Option<&'static str>) {
        spec.argument::<T>(name, description);
    }

    fn extract(
        _cx: &RequestCx,
        args: &mut ToolArgs,
        name: &'static str,
    ) -> Result<Self, ToolError> {
        if args.whole_object {
            let object = Value::Object(std::mem::take(&mut args.map));
            // Name the field that failed, as the loose form does.
            return serde_path_to_error::deserialize(object).map_err(|error| {
                let path = error.path().to_string();
                let error = error.into_inner();
                if path == "." {
                    ToolError::invalid_arguments(error.to_string())
                } else {
                    ToolError::invalid_arguments(format!("`{path}`: {error}"))
                }
            });
        }
        match args.map.remove(name) {
            Some(value) => serde_json::from_value(value)
                .map_err(|error| ToolError::invalid_arguments(format!("`{name}`: {error}"))),
            None => from_missing::<T>().ok_or_else(|| {
                ToolError::invalid_arguments(format!("`{name}` is a required property"))
            }),
        }
    }
}

impl<T> ToolParam<ViaInjection> for T
where
    T: FromRequestCx,
{
    fn describe(spec: &mut InputSpec, _name: &'static str, _description: Option<&'static str>) {
        T::requirements(&mut spec.requirements);
    }

    fn extract(
        cx: &RequestCx,
        _args: &mut ToolArgs,
        _name: &'static str,
    ) -> Result<Self, ToolError> {
        T::from_request_cx(cx)
    }
}

/// A parameter type's functions, checked against [`ToolParam`] in one place so that a bad
/// parameter type is one error, not one per use.
#[doc(hidden)]
pub struct ParamFns<T> {
    pub(crate) describe: fn(&mut InputSpec, &'static str, Option<&'static str>),
    /// Produces the parameter's value for one call.
    pub extract: fn(&RequestCx, &mut ToolArgs, &'static str) -> Result<T, ToolError>,
}

impl<T> ParamFns<T> {
    /// The functions of `T`.
    #[inline]
    pub fn of<M>() -> Self
    where
        T: ToolParam<M>,
    {
        Self {
            describe: T::describe,
            extract: T::extract,
        }
    }
}

/// Defines the list type a `tools![…]`-like macro builds, and `Debug` for its entries.
macro_rules! component_set {
    (
        $(#[$doc:meta])*
        $set:ident of $entry:ident by $key:ident;
        $(#[$keys_doc:meta])*
        fn $keys:ident;
        $noun:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default)]
        pub struct $set {
            pub(crate) entries: Vec<$entry>,
        }

        impl $set {
            #[doc(hidden)]
            pub fn __from_entries(entries: Vec<$entry>) -> Self {
                Self { entries }
            }

            $(#[$keys_doc])*
            pub fn $keys(&self) -> impl Iterator<Item = &'static str> + '_ {
                self.entries.iter().map(|entry| entry.$key)
            }

            #[doc = concat!("How many ", $noun, " the set holds.")]
            pub fn len(&self) -> usize {
                self.entries.len()
            }

            /// Whether the set is empty.
            pub fn is_empty(&self) -> bool {
                self.entries.is_empty()
            }
        }

        impl std::fmt::Debug for $entry {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($entry)).field(&self.$key).finish()
            }
        }
    };
}
pub(crate) use component_set;

/// One registered tool: its name and its generated functions.
#[derive(Clone, Copy)]
#[doc(hidden)]
pub struct ToolEntry {
    pub(crate) name: &'static str,
    pub(crate) descriptor: fn() -> ToolDescriptor,
    pub(crate) call:
        fn(RequestCx, ToolArgs) -> BoxFuture<'static, Result<CallToolResult, rmcp::ErrorData>>,
}

impl ToolEntry {
    /// The entry of a `#[tool]`.
    pub fn of<T: ToolDef>() -> Self {
        Self {
            name: T::NAME,
            descriptor: T::descriptor,
            call: T::call,
        }
    }
}

component_set! {
    /// A list of tools, as built by [`tools!`](crate::tools), for
    /// [`ServerBuilder::tools`](crate::ServerBuilder::tools).
    ToolSet of ToolEntry by name;
    /// The names of the tools, in the order they were listed.
    fn names;
    "tools"
}

impl Extend<ToolSet> for ToolSet {
    fn extend<I: IntoIterator<Item = ToolSet>>(&mut self, iter: I) {
        for set in iter {
            self.entries.extend(set.entries);
        }
    }
}

/// Whether `name` follows MCP's tool-name rule: 1 to 128 characters of `A-Z a-z 0-9 _ - .`.
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}
