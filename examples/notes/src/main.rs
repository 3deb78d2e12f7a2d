//! A notes server: tools to add, list and search notes, a long-running `export_notes` tool that
//! runs as a task when the client supports tasks, a `notes://index` resource, a
//! `notes://{id}` template, a `notes://attachments/{+path}` template serving files from a
//! directory (a `FileRoot`), a `summarize` prompt that completes note ids, and a `stats`
//! sub-server mounted under `stats`.
//!
//! The attachments live in the `[files] root` directory of the settings (`MCP_FILES__ROOT`);
//! without one, in a fresh `mcp-notes-<pid>/attachments` under the system's temp directory,
//! holding a `welcome.md`, removed when the server stops.
//!
//! ```text
//! cargo run -p notes -- call add_note '{"title": "Groceries", "body": "milk, eggs"}'
//! cargo run -p notes -- read notes://attachments/welcome.md
//! cargo run -p notes -- inspect
//! cargo run -p notes                      # serve over stdio
//! ```
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::RwLock;

use mcp_runtime::files::{FileRoot, RelativePath};
use mcp_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// One note.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
struct Note {
    /// The note's id, as in `notes://{id}`.
    id: u64,
    /// A short title.
    title: String,
    /// The text.
    body: String,
}

/// The notes, shared by every component.
#[derive(Default)]
struct Notes(RwLock<Vec<Note>>);

impl Notes {
    fn all(&self) -> Vec<Note> {
        self.0.read().map(|notes| notes.clone()).unwrap_or_default()
    }

    fn get(&self, id: u64) -> Option<Note> {
        self.all().into_iter().find(|note| note.id == id)
    }
}

/// What `add_note` takes: the whole arguments object.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct NewNote {
    /// A short title.
    #[schemars(length(min = 1, max = 200))]
    title: String,
    /// The text.
    body: String,
}

/// Add a note; returns it with its id.
#[tool(annotations(destructive = false, open_world = false))]
async fn add_note(notes: State<Notes>, server: Server, note: NewNote) -> Result<Note, ToolError> {
    let note = {
        let mut all = notes
            .0
            .write()
            .map_err(|_| ToolError::internal("the notes lock is poisoned"))?;
        let note = Note {
            id: all.iter().map(|n| n.id).max().unwrap_or(0) + 1,
            title: note.title,
            body: note.body,
        };
        all.push(note.clone());
        note
    };
    // Clients reading the index (and subscribed to it) learn that it changed.
    server.notify_resource_updated("notes://index").await;
    Ok(note)
}

/// List every note's id and title.
#[tool(annotations(read_only, open_world = false))]
async fn list_notes(notes: State<Notes>) -> Vec<(u64, String)> {
    notes.all().into_iter().map(|n| (n.id, n.title)).collect()
}

/// Search notes for a text, in titles and bodies.
#[tool(annotations(read_only, open_world = false))]
async fn search_notes(
    notes: State<Notes>,
    /// The text to look for (case-insensitive)
    query: String,
    /// At most this many notes (10 by default)
    limit: Option<u32>,
) -> Vec<Note> {
    let query = query.to_lowercase();
    notes
        .all()
        .into_iter()
        .filter(|n| {
            n.title.to_lowercase().contains(&query) || n.body.to_lowercase().contains(&query)
        })
        .take(limit.unwrap_or(10) as usize)
        .collect()
}

/// Export every note as one markdown document. A long job (a moment per note): with a client
/// that supports tasks it answers at once with a task to poll, reports progress per note, and
/// stops when the task is cancelled.
#[tool(task = "optional", annotations(read_only, open_world = false))]
async fn export_notes(
    ctx: Ctx,
    notes: State<Notes>,
    /// How long each note takes, in milliseconds (200 by default)
    pace_ms: Option<u64>,
) -> Result<String, ToolError> {
    let all = notes.all();
    let pace = std::time::Duration::from_millis(pace_ms.unwrap_or(200));
    let mut document = String::from("# Notes\n");
    for (done, note) in all.iter().enumerate() {
        if ctx.is_cancelled() {
            return Err(ToolError::new("the export was cancelled"));
        }
        tokio::time::sleep(pace).await;
        document.push_str(&format!("\n## {}\n\n{}\n", note.title, note.body));
        ctx.progress((done + 1) as f64, Some(all.len() as f64))
            .await;
    }
    Ok(document)
}

/// The index of every note, as markdown links.
#[resource("notes://index", mime_type = "text/markdown", annotations(audience = ["user", "assistant"], priority = 0.8))]
async fn index(notes: State<Notes>) -> String {
    let mut text = String::from("# Notes\n");
    for note in notes.all() {
        text.push_str(&format!("- [{}](notes://{})\n", note.title, note.id));
    }
    text
}

/// One note, as markdown.
#[resource("notes://{id}", mime_type = "text/markdown", complete(id = note_ids))]
async fn note(id: u64, notes: State<Notes>) -> Result<String, ResourceError> {
    let note = notes
        .get(id)
        .ok_or_else(|| ResourceError::not_found(format!("notes://{id}")))?;
    Ok(format!("# {}\n\n{}\n", note.title, note.body))
}

/// A file attached to the notes, by its path in the attachments directory (`welcome.md`).
/// A path that leads out of the directory is refused before it is read.
#[resource("notes://attachments/{+path}", mime_type = "text/markdown")]
async fn attachment(root: FileRoot, path: RelativePath) -> Result<String, ResourceError> {
    Ok(root.read_to_string(&path).await?)
}

/// Note ids that start with what was typed.
async fn note_ids(completion: Completion) -> Vec<String> {
    let Some(notes) = completion.state::<Notes>() else {
        return Vec::new();
    };
    notes
        .all()
        .into_iter()
        .map(|n| n.id.to_string())
        .filter(|id| id.starts_with(completion.value()))
        .collect()
}

/// Ask the model to summarise a note.
#[prompt(complete(id = note_ids))]
async fn summarize(
    notes: State<Notes>,
    /// The id of the note to summarise
    id: u64,
    /// How many sentences (3 by default)
    sentences: Option<u8>,
) -> Result<Vec<PromptMessage>, PromptError> {
    let note = notes
        .get(id)
        .ok_or_else(|| PromptError::invalid_params(format!("there is no note {id}")))?;
    Ok(vec![PromptMessage::new_text(
        Role::User,
        format!(
            "Summarise this note in {} sentences:\n\n# {}\n{}",
            sentences.unwrap_or(3),
            note.title,
            note.body
        ),
    )])
}

/// A small sub-server with its own tool, mounted under `stats`.
mod stats {
    use mcp_runtime::prelude::*;

    /// Count the words of a text.
    #[tool(annotations(read_only, idempotent, open_world = false))]
    pub async fn word_count(
        /// The text to count
        text: String,
    ) -> usize {
        text.split_whitespace().count()
    }

    /// The sub-server.
    pub fn server() -> Result<Server, mcp_runtime::Error> {
        Server::builder("stats").tools(tools![word_count]).build()
    }
}

/// Sample attachments: `mcp-notes-<pid>/attachments` under the system's temp directory, with
/// a `welcome.md`, for when the settings name no `[files] root`. Removed when dropped (when
/// `main` returns).
struct SampleAttachments {
    /// `mcp-notes-<pid>`, this process's own.
    dir: PathBuf,
}

impl SampleAttachments {
    fn create() -> Result<Self, mcp_runtime::Error> {
        let dir = std::env::temp_dir().join(format!("mcp-notes-{}", std::process::id()));
        let sample = Self { dir };
        let attachments = sample.attachments();
        std::fs::create_dir_all(&attachments)
            .and_then(|()| {
                std::fs::write(
                    attachments.join("welcome.md"),
                    "# Welcome\n\nRead attachments at notes://attachments/{path}.\n",
                )
            })
            .map_err(|error| {
                mcp_runtime::Error::Startup(format!("creating {}: {error}", attachments.display()))
            })?;
        Ok(sample)
    }

    fn attachments(&self) -> PathBuf {
        self.dir.join("attachments")
    }

    /// The attachments as a read-only root.
    fn root(&self) -> Result<FileRoot, mcp_runtime::Error> {
        let root = FileRoot::open(self.attachments())
            .map_err(|error| mcp_runtime::Error::Startup(error.to_string()))?;
        Ok(root.read_only(true))
    }
}

impl Drop for SampleAttachments {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The notes server, with one sample note; the attachments are those of the `[files]`
/// settings, else `sample`'s.
fn server(
    settings: mcp_runtime::Settings,
    sample: Option<&SampleAttachments>,
) -> Result<Server, mcp_runtime::Error> {
    let notes = Notes::default();
    if let Ok(mut all) = notes.0.write() {
        all.push(Note {
            id: 1,
            title: "Welcome".into(),
            body: "Add notes with `add_note`, read them at notes://{id}.".into(),
        });
    }
    let mut builder = Server::builder("notes")
        .version(env!("CARGO_PKG_VERSION"))
        // Installs the default middleware; with a `[files] root`, gives the server that root.
        .settings(settings)
        .instructions(
            "Notes: add, list and search them with tools; read notes://index, notes://{id} \
             and notes://attachments/{path}.",
        )
        .state(notes)
        .tools(tools![add_note, list_notes, search_notes, export_notes])
        .resources(resources![index, note, attachment])
        .prompts(prompts![summarize])
        .mount("stats", stats::server()?)
        .on_shutdown(|server: Server| async move {
            let count = server.state::<Notes>().map_or(0, |notes| notes.all().len());
            tracing::info!(count, "notes: stopped, holding {count} notes");
        });
    if let Some(sample) = sample {
        builder = builder.state(sample.root()?);
    }
    builder.build()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Before anything can print: `println!` goes to stderr, stdout stays the protocol's.
    mcp_runtime::logging::protect_stdout()?;
    // Defaults, `mcp.toml`, `.env` and `MCP_*` variables.
    let settings = mcp_runtime::Settings::load()?;
    let sample = match settings.files.root {
        Some(_) => None,
        None => Some(SampleAttachments::create()?),
    };
    server(settings, sample.as_ref())?.run().await
}
