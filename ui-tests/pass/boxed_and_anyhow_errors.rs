// `Box<dyn Error + Send + Sync>` and `anyhow::Error` are not `std::error::Error` themselves, yet
// tools, resources and prompts may return them (as internal errors), `?` included.
use mcp_runtime::prelude::*;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A boxed error, through `?`.
#[tool]
async fn boxed(text: String) -> Result<i64, BoxError> {
    Ok(text.parse::<i64>()?)
}

/// The same box, spelled with `'static`.
#[tool]
async fn boxed_static() -> Result<(), Box<dyn std::error::Error + Send + Sync + 'static>> {
    Err("no".into())
}

/// `anyhow::Result`.
#[tool]
async fn with_anyhow(text: String) -> anyhow::Result<i64> {
    Ok(text.parse::<i64>()?)
}

/// `Result<T, anyhow::Error>`.
#[tool]
async fn bare_anyhow() -> Result<String, anyhow::Error> {
    anyhow::bail!("no")
}

/// A resource with `anyhow::Result`.
#[resource("reports://{id}")]
async fn report(id: u64) -> anyhow::Result<String> {
    Ok(format!("report {id}"))
}

/// A resource with a boxed error.
#[resource("blobs://{id}")]
async fn blob(id: u64) -> Result<String, BoxError> {
    Ok(format!("blob {id}"))
}

/// A prompt with `anyhow::Result`.
#[prompt]
async fn brief(topic: String) -> anyhow::Result<String> {
    Ok(format!("Brief me on {topic}."))
}

/// A prompt with a boxed error.
#[prompt]
async fn outline(topic: String) -> Result<String, BoxError> {
    Ok(format!("Outline {topic}."))
}

fn main() {
    let _ = Server::builder("errors")
        .tools(tools![boxed, boxed_static, with_anyhow, bare_anyhow])
        .resources(resources![report, blob])
        .prompts(prompts![brief, outline])
        .build();
}
