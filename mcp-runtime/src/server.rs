//! The server: [`Server::builder`], startup validation in [`ServerBuilder::build`], and the one
//! `rmcp::ServerHandler` implementation that serves every server.

use std::collections::HashMap;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::Value;

use crate::context::{RequestCx, StateMap};
use crate::error::{Error, ToolError};
use crate::schema::{ArgumentValidator, OutputMode, SchemaCx, SchemaProfile};
use crate::tool::{BoxFuture, ToolArgs, ToolEntry, ToolSet, is_valid_tool_name};

/// Builds a [`Server`]. Start with [`Server::builder`].
#[must_use = "a builder does nothing until `.build()`"]
pub struct ServerBuilder {
    name: String,
    version: String,
    title: Option<String>,
    instructions: Option<String>,
    tools: Vec<ToolEntry>,
    state: StateMap,
    profile: SchemaProfile,
    mask_internal_errors: bool,
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

    /// Instructions sent to the client at initialization: how to use this server's tools.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Shared state, injected into tools that take [`State<T>`](crate::State). One value per
    /// type; a second value of the same type replaces the first.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(value);
        self
    }

    /// Registers tools, as listed by [`tools!`](crate::tools). May be called more than once.
    pub fn tools(mut self, tools: ToolSet) -> Self {
        self.tools.extend(tools.entries);
        self
    }

    /// The JSON Schema dialect of advertised schemas; [`SchemaProfile::Compatible`] by default.
    pub fn schema_profile(mut self, profile: SchemaProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Whether internal errors (any `std::error::Error` a tool returns, and panics) reach the
    /// caller as `internal error` (the default) or with their message. They are logged either way.
    pub fn mask_internal_errors(mut self, mask: bool) -> Self {
        self.mask_internal_errors = mask;
        self
    }

    /// Validates every component and builds the routes and schemas, once.
    ///
    /// Fails, naming the component, on an invalid or duplicate tool name, a schema whose root
    /// is not an object, or a `State<T>` the builder was not given.
    pub fn build(self) -> Result<Server, Error> {
        let cx = SchemaCx::new(self.profile);
        let mut tools = Vec::with_capacity(self.tools.len());
        let mut index = HashMap::with_capacity(self.tools.len());
        for entry in &self.tools {
            let tool = RegisteredTool::new(entry, &cx, &self.state)?;
            if index.insert(tool.name.clone(), tools.len()).is_some() {
                return Err(Error::DuplicateTool(entry.name.to_owned()));
            }
            tools.push(tool);
        }
        let listed = tools.iter().map(|tool| tool.listed.clone()).collect();

        let mut implementation = Implementation::new(self.name, self.version);
        if let Some(title) = self.title {
            implementation = implementation.with_title(title);
        }
        let capabilities = ServerCapabilities::builder().enable_tools().build();
        let mut info = ServerConfig::new(capabilities).with_server_info(implementation);
        if let Some(instructions) = self.instructions {
            info = info.with_instructions(instructions);
        }
        Ok(Server {
            inner: Arc::new(Inner {
                info,
                tools,
                index,
                listed,
                shared: Arc::new(Shared {
                    state: self.state,
                    mask_internal_errors: self.mask_internal_errors,
                }),
            }),
        })
    }
}

/// What every request of a server shares.
pub(crate) struct Shared {
    pub(crate) state: StateMap,
    pub(crate) mask_internal_errors: bool,
}

/// One tool, ready to serve: its listing, its validator and its entry points.
struct RegisteredTool {
    name: Arc<str>,
    listed: Tool,
    validator: ArgumentValidator,
    whole_object: bool,
    output: OutputMode,
    call: fn(RequestCx, ToolArgs) -> BoxFuture<'static, Result<CallToolResult, McpError>>,
}

impl RegisteredTool {
    fn new(entry: &ToolEntry, cx: &SchemaCx, state: &StateMap) -> Result<Self, Error> {
        let descriptor = (entry.descriptor)();
        let invalid = |message: String| Error::InvalidTool {
            tool: descriptor.name.to_owned(),
            message,
        };
        if !is_valid_tool_name(descriptor.name) {
            return Err(invalid(
                "a tool name is 1 to 128 characters of `A-Z a-z 0-9 _ - .`".to_owned(),
            ));
        }
        for (type_id, type_name) in &descriptor.input.requirements.states {
            if !state.contains(*type_id) {
                return Err(Error::MissingState {
                    tool: descriptor.name.to_owned(),
                    type_name,
                });
            }
        }
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
            descriptor.name,
            descriptor.description.map(Into::into),
            input.advertised,
        );
        listed.title = descriptor.title.map(str::to_owned);
        listed.output_schema = output_schema.map(Arc::new);
        listed.annotations = descriptor.annotations;
        Ok(Self {
            name: Arc::from(descriptor.name),
            listed,
            validator,
            whole_object: input.whole_object,
            output,
            call: entry.call,
        })
    }
}

/// A built MCP server: its tools with their schemas, its state and its options. Cheap to clone
/// (one `Arc`).
///
/// It implements `rmcp::ServerHandler`, so it also plugs into anything that serves an rmcp
/// handler.
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

struct Inner {
    info: ServerConfig,
    tools: Vec<RegisteredTool>,
    index: HashMap<Arc<str>, usize>,
    listed: Vec<Tool>,
    shared: Arc<Shared>,
}

impl Server {
    /// Starts building a server named `name` (the name clients see).
    pub fn builder(name: impl Into<String>) -> ServerBuilder {
        ServerBuilder {
            name: name.into(),
            version: "0.0.0".to_owned(),
            title: None,
            instructions: None,
            tools: Vec::new(),
            state: StateMap::default(),
            profile: SchemaProfile::default(),
            mask_internal_errors: true,
        }
    }

    /// The server's name.
    pub fn name(&self) -> &str {
        &self.inner.info.server_info.name
    }

    /// The server's tools as clients list them, with their schemas.
    pub fn tools(&self) -> &[Tool] {
        &self.inner.listed
    }

    /// What the server sends in its `initialize` response.
    pub fn info(&self) -> &ServerConfig {
        &self.inner.info
    }

    async fn call(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let Some(&position) = self.inner.index.get(request.name.as_ref()) else {
            return Err(McpError::invalid_params(
                format!("unknown tool `{}`", request.name),
                Some(serde_json::json!({ "tool": request.name })),
            ));
        };
        let tool = &self.inner.tools[position];
        let mask = self.inner.shared.mask_internal_errors;
        let arguments = Value::Object(request.arguments.unwrap_or_default());
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
        let cx = RequestCx {
            request: Arc::new(context),
            shared: self.inner.shared.clone(),
            component: tool.name.clone(),
            output: tool.output,
        };
        let args = ToolArgs {
            map,
            whole_object: tool.whole_object,
        };
        match AssertUnwindSafe((tool.call)(cx, args)).catch_unwind().await {
            Ok(result) => result,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                Ok(ToolError::panic(message).into_call_result(&tool.name, mask))
            }
        }
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
        f.debug_struct("Server")
            .field("name", &self.name())
            .field(
                "tools",
                &self
                    .inner
                    .tools
                    .iter()
                    .map(|t| &*t.name)
                    .collect::<Vec<_>>(),
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
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.inner.listed.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        self.call(request, context)
            .await
            .map(CallToolResponse::from)
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let position = *self.inner.index.get(name)?;
        Some(self.inner.tools[position].listed.clone())
    }
}
