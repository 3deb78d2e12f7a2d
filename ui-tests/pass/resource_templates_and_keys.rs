// URI templates of every RFC 6570 level 1–3 operator, typed variables (`FromStr` types,
// `Option` for query variables), injected parameters in any position, and every key of
// `#[resource(…)]` (`priority` as a float or an integer literal).
use mcp_runtime::RequestCx;
use mcp_runtime::prelude::*;

struct Library {
    root: String,
}

/// The name of the component being read, injected through a user type.
struct ComponentName(String);

impl FromRequestCx for ComponentName {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(ComponentName(cx.component().to_owned()))
    }
}

/// File names that start with what was typed.
async fn paths(completion: Completion) -> Vec<String> {
    ["a.md", "b.md"]
        .into_iter()
        .filter(|path| path.starts_with(completion.value()))
        .map(str::to_owned)
        .collect()
}

/// A file under the library, by path (`{+path}` keeps its slashes).
#[resource(
    "file:///{+path}",
    name = "library_file",
    title = "Library file",
    description = "A file of the library, by path.",
    mime_type = "text/markdown",
    annotations(audience = ["user", "assistant"], priority = 0.5),
    complete(path = paths),
    unchecked(path),
    tags = ["files", "read"],
    crate = ::mcp_runtime
)]
async fn file(library: State<Library>, path: String) -> String {
    format!("{}/{path}", library.root)
}

/// A search, with optional query variables (`{?q,limit}`).
#[resource("notes://search{?q,limit}")]
async fn search(q: Option<String>, limit: Option<u32>, ctx: Ctx) -> String {
    let _ = ctx.is_cancelled();
    format!("{q:?} {limit:?}")
}

/// Two path segments (`{/a,b}`), typed.
#[resource("notes://by{/year,month}")]
async fn by_month(year: u16, month: u8) -> String {
    format!("{year}-{month}")
}

/// The other operators: label, path parameter, query continuation, fragment.
#[resource("notes://x{.ext}{;lang}?v=1{&page}{#section}")]
async fn other_operators(
    ext: String,
    lang: String,
    page: Option<u32>,
    section: Option<String>,
    name: ComponentName,
) -> String {
    format!("{ext} {lang} {page:?} {section:?} {}", name.0)
}

/// Only injected parameters (`Server` included), on a static URI; priority at the top.
#[resource("notes://library", annotations(audience = ["assistant"], priority = 1.0))]
async fn library(ctx: Ctx, library: State<Library>, server: Server) -> String {
    let _ = (ctx.request_id(), server);
    library.root.clone()
}

/// Priority alone, at the bottom of the range.
#[resource("notes://low", annotations(priority = 0.0))]
async fn low() -> &'static str {
    "low"
}

/// An integer priority (`1` reads as `1.0`).
#[resource("notes://top", annotations(priority = 1))]
async fn top() -> &'static str {
    "top"
}

/// The runtime crate as a string, the older form.
#[resource("notes://crate-str", crate = "::mcp_runtime")]
async fn crate_str() -> &'static str {
    ""
}

fn main() {
    let empty: ResourceSet = resources![];
    let one: ResourceSet = resources![low];
    let all = resources![
        file,
        search,
        by_month,
        other_operators,
        library,
        low,
        top,
        crate_str,
    ];
    let _ = (empty.is_empty(), one.len(), all.len());
    let server: Result<Server, mcp_runtime::Error> = Server::builder("x")
        .state(Library {
            root: "/srv".to_owned(),
        })
        .resources(all)
        .build();
    let _ = server;
}
