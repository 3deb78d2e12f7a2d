//! The fixture server for the official MCP conformance suite
//! (`@modelcontextprotocol/conformance`): every tool, resource and prompt that its server
//! scenarios call, written with `mcp-runtime` the way any server would be.
//!
//! ```text
//! cargo run -p conformance-server -- serve --transport http --port 3939   # for the suite
//! cargo run -p conformance-server -- serve                                # stdio
//! cargo run -p conformance-server -- inspect
//! .ci/conformance                                                         # the whole suite, HTTP and stdio
//! ```
#![forbid(unsafe_code)]

use std::time::Duration;

use mcp_runtime::context::ElicitAction;
use mcp_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// A 1×1 red PNG, base64.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A minimal WAV file, base64.
const WAV: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

// ---- tools ---------------------------------------------------------------------------------

/// Returns a simple text response.
#[tool]
async fn test_simple_text() -> String {
    "This is a simple text response for testing.".to_owned()
}

/// Returns an image (a 1×1 red PNG).
#[tool]
async fn test_image_content() -> Content {
    Content::image(PNG, "image/png")
}

/// Returns audio (a minimal WAV file).
#[tool]
async fn test_audio_content() -> Content {
    Content::audio(WAV, "audio/wav")
}

/// Returns an embedded text resource.
#[tool]
async fn test_embedded_resource() -> Content {
    Content::resource(
        ResourceContents::text(
            "This is an embedded resource content.",
            "test://embedded-resource",
        )
        .with_mime_type("text/plain"),
    )
}

/// Returns text, an image and an embedded resource in one result.
#[tool]
async fn test_multiple_content_types() -> Vec<Content> {
    vec![
        Content::text("Multiple content types test:"),
        Content::image(PNG, "image/png"),
        Content::resource(
            ResourceContents::text(
                r#"{"test":"data","value":123}"#,
                "test://mixed-content-resource",
            )
            .with_mime_type("application/json"),
        ),
    ]
}

/// Sends three log messages to the client while it runs.
#[tool]
async fn test_tool_with_logging(ctx: Ctx) -> String {
    ctx.info("Tool execution started").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool processing data").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    ctx.info("Tool execution completed").await;
    "Tool with logging executed successfully".to_owned()
}

/// Reports progress (0, 50 and 100 of 100) while it runs.
#[tool]
async fn test_tool_with_progress(ctx: Ctx) -> String {
    for (i, step) in [0u32, 50, 100].into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        ctx.progress_with_message(
            f64::from(step),
            Some(100.0),
            format!("Completed step {step} of 100"),
        )
        .await;
    }
    match ctx.progress_token() {
        Some(token) => format!(
            "Progress reported for token {}",
            serde_json::to_string(&token).unwrap_or_default()
        ),
        None => "Progress test completed (no progress token was sent)".to_owned(),
    }
}

/// Always fails, with an error result (`isError: true`) for the caller.
#[tool]
async fn test_error_handling() -> Result<String, ToolError> {
    Err(ToolError::new(
        "This tool intentionally returns an error for testing",
    ))
}

/// Asks the client's model to answer a prompt (sampling).
#[tool]
async fn test_sampling(
    ctx: Ctx,
    /// The prompt to send to the model
    prompt: String,
) -> Result<String, ToolError> {
    let answer = ctx.sample(prompt, 100).await?;
    Ok(format!("LLM response: {answer}"))
}

/// What `test_elicitation` asks the user for.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
struct UserInfo {
    /// User's response
    username: String,
    /// User's email address
    email: String,
}

/// Asks the user for their name and email address (elicitation).
#[tool]
async fn test_elicitation(
    ctx: Ctx,
    /// The message to show the user
    message: String,
) -> Result<String, ToolError> {
    Ok(match ctx.elicit_as::<UserInfo>(message).await? {
        Some(info) => format!(
            "User response: action=accept, content={}",
            serde_json::to_string(&info).unwrap_or_default()
        ),
        None => "User response: declined or cancelled".to_owned(),
    })
}

/// The text a tool reports for an elicitation's answer.
fn describe(answer: &mcp_runtime::context::Elicitation) -> String {
    let action = match answer.action {
        ElicitAction::Accept => "accept",
        ElicitAction::Decline => "decline",
        _ => "cancel",
    };
    let content = answer
        .content
        .as_ref()
        .map_or_else(|| "{}".to_owned(), ToString::to_string);
    format!("Elicitation completed: action={action}, content={content}")
}

/// Elicits a form whose fields all have defaults (SEP-1034).
#[tool]
async fn test_elicitation_sep1034_defaults(ctx: Ctx) -> Result<String, ToolError> {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": {"type": "boolean", "description": "Verification status", "default": true}
        },
        "required": []
    });
    let answer = ctx
        .elicit(
            "Please review and update the form fields with defaults",
            schema,
        )
        .await?;
    Ok(describe(&answer))
}

/// Elicits every kind of enum field: untitled, titled and legacy single-select, untitled and
/// titled multi-select (SEP-1330).
#[tool]
async fn test_elicitation_sep1330_enums(ctx: Ctx) -> Result<String, ToolError> {
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "Third Option"}
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "string", "enum": ["option1", "option2", "option3"]}
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": {
                    "anyOf": [
                        {"const": "value1", "title": "First Choice"},
                        {"const": "value2", "title": "Second Choice"},
                        {"const": "value3", "title": "Third Choice"}
                    ]
                }
            }
        },
        "required": []
    });
    let answer = ctx
        .elicit("Please select options from the enum fields", schema)
        .await?;
    Ok(describe(&answer))
}

/// A postal address (`$defs.address` in the 2020-12 schema).
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "address")]
#[serde(deny_unknown_fields)]
struct Address {
    /// The street and number
    street: Option<String>,
    /// The city
    city: Option<String>,
}

/// The arguments of `json_schema_2020_12_tool`: no other properties allowed.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SchemaArgs {
    /// A name
    name: Option<String>,
    /// An address
    address: Option<Address>,
}

/// Tool with JSON Schema 2020-12 features: `$schema`, `$defs` and `additionalProperties: false`
/// (SEP-1613).
#[tool]
async fn json_schema_2020_12_tool(args: SchemaArgs) -> String {
    format!(
        "JSON Schema 2020-12 tool called with: {}",
        serde_json::to_string(&args).unwrap_or_default()
    )
}

/// Closes its response stream before answering, so the client must reconnect (with
/// `Last-Event-ID`) to get the result (SEP-1699).
#[tool]
async fn test_reconnection(ctx: Ctx) -> String {
    // Over streamable HTTP: the client is told to come back after 100 ms, and the result is
    // sent well after that, on the stream it reconnects with. Elsewhere this just answers.
    if ctx.close_sse_stream(Duration::from_millis(100)).await {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    "Reconnection test completed successfully. If you received this, the client properly \
     reconnected after stream closure."
        .to_owned()
}

/// A long job that runs as a task when the client declares the tasks extension (protocol
/// 2026-07-28), else as an ordinary call: reports progress per step, stops when cancelled, and
/// asks the user to confirm before finishing (in a task, through `tasks/update`).
#[tool(task = "optional")]
async fn test_task(
    ctx: Ctx,
    /// How many steps of 100 ms
    steps: u32,
) -> Result<String, ToolError> {
    for step in 1..=steps {
        if ctx.is_cancelled() {
            return Err(ToolError::new("cancelled"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        ctx.progress(f64::from(step), Some(f64::from(steps))).await;
    }
    let confirm = ctx
        .elicit(
            "Keep the result?",
            serde_json::json!({"type": "object", "properties": {"keep": {"type": "boolean"}}}),
        )
        .await?;
    Ok(match confirm.action {
        ElicitAction::Accept => format!("Task completed: {steps} steps"),
        _ => "Task result discarded".to_owned(),
    })
}

// ---- resources -----------------------------------------------------------------------------

/// A static text resource for testing.
#[resource(
    "test://static-text",
    name = "static-text",
    title = "Static Text Resource",
    mime_type = "text/plain"
)]
async fn static_text() -> String {
    "This is the content of the static text resource.".to_owned()
}

/// A static binary resource (image) for testing.
#[resource(
    "test://static-binary",
    name = "static-binary",
    title = "Static Binary Resource",
    mime_type = "image/png"
)]
async fn static_binary() -> ResourceContents {
    ResourceContents::blob(PNG, "test://static-binary").with_mime_type("image/png")
}

/// A resource that can be subscribed to.
#[resource(
    "test://watched-resource",
    name = "watched-resource",
    title = "Watched Resource",
    mime_type = "text/plain"
)]
async fn watched_resource() -> String {
    "Watched resource content".to_owned()
}

/// What `test://template/{id}/data` reads as.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TemplateData {
    id: String,
    template_test: bool,
    data: String,
}

/// A resource template with parameter substitution.
#[resource(
    "test://template/{id}/data",
    name = "template",
    title = "Resource Template",
    mime_type = "application/json"
)]
async fn template(id: String) -> TemplateData {
    TemplateData {
        data: format!("Data for ID: {id}"),
        id,
        template_test: true,
    }
}

// ---- prompts -------------------------------------------------------------------------------

/// A simple prompt without arguments.
#[prompt]
async fn test_simple_prompt() -> String {
    "This is a simple prompt for testing.".to_owned()
}

/// Suggestions for `test_prompt_with_arguments`: what was typed, completed from a few samples.
async fn sample_values(completion: Completion) -> Vec<String> {
    ["testValue1", "testValue2", "test"]
        .into_iter()
        .filter(|value| value.starts_with(completion.value()))
        .map(str::to_owned)
        .collect()
}

/// A prompt with required arguments.
#[prompt(complete(arg1 = sample_values, arg2 = sample_values))]
async fn test_prompt_with_arguments(
    /// First test argument
    arg1: String,
    /// Second test argument
    arg2: String,
) -> String {
    format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
}

/// A prompt that includes an embedded resource.
#[prompt]
#[allow(non_snake_case)] // the suite names the argument `resourceUri`
async fn test_prompt_with_embedded_resource(
    /// URI of the resource to embed
    resourceUri: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(
            Role::User,
            Content::resource(
                ResourceContents::text("Embedded resource content for testing.", resourceUri)
                    .with_mime_type("text/plain"),
            ),
        ),
        PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
    ]
}

/// A prompt that includes image content.
#[prompt]
async fn test_prompt_with_image() -> Vec<PromptMessage> {
    vec![
        PromptMessage::new(Role::User, Content::image(PNG, "image/png")),
        PromptMessage::new_text(Role::User, "Please analyze the image above."),
    ]
}

// ---- the server ----------------------------------------------------------------------------

/// The conformance fixture.
fn server() -> Result<Server, mcp_runtime::Error> {
    Server::builder("mcp-conformance-test-server")
        .version(env!("CARGO_PKG_VERSION"))
        .settings(mcp_runtime::Settings::load()?)
        .instructions("The fixture server of the MCP conformance suite.")
        // `json_schema_2020_12_tool` advertises plain draft 2020-12 (`$schema`, `$defs`).
        .schema_profile(SchemaProfile::Draft2020_12)
        .tools(tools![
            test_simple_text,
            test_image_content,
            test_audio_content,
            test_embedded_resource,
            test_multiple_content_types,
            test_tool_with_logging,
            test_tool_with_progress,
            test_error_handling,
            test_sampling,
            test_elicitation,
            test_elicitation_sep1034_defaults,
            test_elicitation_sep1330_enums,
            json_schema_2020_12_tool,
            test_reconnection,
            test_task,
        ])
        .resources(resources![
            static_text,
            static_binary,
            watched_resource,
            template
        ])
        .prompts(prompts![
            test_simple_prompt,
            test_prompt_with_arguments,
            test_prompt_with_embedded_resource,
            test_prompt_with_image,
        ])
        .build()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Before anything can print: `println!` goes to stderr, stdout stays the protocol's.
    mcp_runtime::logging::protect_stdout()?;
    server()?.run().await
}
