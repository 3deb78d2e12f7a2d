// Every supported prompt return type, `FromStr` and `Option` arguments, injected parameters,
// every key of `#[prompt(…)]`, and a server built with tools, resources and prompts.
use mcp_runtime::prelude::*;

struct Style(String);

/// Topics that start with what was typed.
async fn topics(completion: Completion) -> Vec<String> {
    ["rust", "tokio"]
        .into_iter()
        .filter(|topic| topic.starts_with(completion.value()))
        .map(str::to_owned)
        .collect()
}

/// One user message.
#[prompt]
async fn as_string(topic: String) -> String {
    format!("Summarise {topic}.")
}

/// A static message.
#[prompt]
async fn as_static_str() -> &'static str {
    "Say hello."
}

/// One message, from the assistant.
#[prompt]
async fn as_message() -> PromptMessage {
    PromptMessage::new_text(Role::Assistant, "Hello.")
}

/// A conversation.
#[prompt]
async fn as_messages(question: String) -> Vec<PromptMessage> {
    vec![
        PromptMessage::new_text(Role::User, question),
        PromptMessage::new_text(Role::Assistant, "Let me think."),
    ]
}

/// A whole result.
#[prompt]
async fn as_result() -> GetPromptResult {
    GetPromptResult::new(vec![PromptMessage::new_text(Role::User, "Hi.")])
}

/// Messages or an error, with required and optional typed arguments and injected parameters
/// in any position.
#[prompt(
    name = "summarize",
    title = "Summarise",
    description = "Ask the model to summarise a topic.",
    complete(topic = topics, style_name = topics),
    tags = ["writing"],
    crate = ::mcp_runtime
)]
async fn summarize_prompt(
    style: State<Style>,
    /// What to summarise
    topic: String,
    ctx: Ctx,
    /// How many sentences
    sentences: u32,
    /// A named style
    style_name: Option<String>,
    /// How many bullet points, if any
    bullets: Option<u8>,
) -> Result<Vec<PromptMessage>, PromptError> {
    let _ = ctx.is_cancelled();
    if sentences == 0 {
        return Err(PromptError::invalid_params("`sentences` is at least 1"));
    }
    Ok(vec![PromptMessage::new_text(
        Role::User,
        format!(
            "Summarise {topic} in {sentences} sentences, {} style {style_name:?}, {bullets:?} bullets.",
            style.0
        ),
    )])
}

/// A string or an I/O error.
#[prompt]
async fn from_file() -> Result<String, std::io::Error> {
    std::fs::read_to_string("/etc/motd")
}

/// A whole result or an error.
#[prompt]
async fn result_or_error(server: Server) -> Result<GetPromptResult, PromptError> {
    let _ = server;
    Err(PromptError::new("not today"))
}

/// A message or an error.
#[prompt]
async fn message_or_error() -> Result<PromptMessage, PromptError> {
    Ok(PromptMessage::new_text(Role::User, "Hi."))
}

/// The runtime crate as a string, the older form.
#[prompt(crate = "::mcp_runtime")]
async fn crate_str() -> String {
    String::new()
}

/// A tool beside the prompts.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// A resource beside the prompts.
#[resource("notes://index")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {
    let empty: PromptSet = prompts![];
    let prompts: PromptSet = prompts![
        as_string,
        as_static_str,
        as_message,
        as_messages,
        as_result,
        summarize_prompt,
        from_file,
        result_or_error,
        message_or_error,
        crate_str,
    ];
    let _ = (empty.is_empty(), prompts.names().count());
    let server: Result<Server, mcp_runtime::Error> = Server::builder("x")
        .state(Style("plain".to_owned()))
        .tools(tools![add])
        .resources(resources![index])
        .prompts(prompts)
        .build();
    let _ = server;
}
