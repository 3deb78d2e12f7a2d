//! Resources and resource templates through the public API: listing, routing, typed and
//! query variables, return types, errors, masking, path safety and percent-decoding.

use std::sync::atomic::{AtomicUsize, Ordering};

use mcp_runtime::prelude::*;
use mcp_runtime::testing::{ClientError, TestClient};
use serde::Serialize;
use serde_json::{Value, json};

use crate::support::{INTERNAL_ERROR, INVALID_PARAMS, RESOURCE_NOT_FOUND, assert_rpc, read_json};

/// Counts how many times the file resources ran.
#[derive(Default)]
struct Calls(AtomicUsize);

impl Calls {
    fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

// ---- listing and routing ------------------------------------------------------------------

/// The index of all files.
#[resource(
    "files://index",
    title = "File index",
    mime_type = "text/markdown",
    annotations(audience = ["user", "assistant"], priority = 0.8)
)]
async fn index() -> String {
    "# Files".to_owned()
}

/// One note, by id.
#[resource("notes://{id}", title = "A note", mime_type = "text/markdown")]
async fn note(id: u64) -> Result<String, ResourceError> {
    match id {
        1 => Ok("# First note".to_owned()),
        _ => Err(ResourceError::not_found(format!("notes://{id}"))),
    }
}

/// Any file, by its relative path.
#[resource("files://{+path}")]
async fn any_file(path: String, calls: State<Calls>) -> String {
    calls.bump();
    format!("file:{path}")
}

/// A file of the special folder.
#[resource("files://special/{name}", name = "special_file")]
async fn special(name: String, calls: State<Calls>) -> String {
    calls.bump();
    format!("special:{name}")
}

/// Any path, unchecked: `..` and absolute paths reach the function.
#[resource("raw://{+path}", unchecked(path))]
async fn raw(path: String) -> String {
    format!("raw:{path}")
}

/// A search, with optional query variables.
#[resource("search://{index}{?q,limit}")]
async fn search(index: String, q: Option<String>, limit: Option<u32>) -> String {
    format!("index={index} q={q:?} limit={limit:?}")
}

/// Echoes its (decoded) variable.
#[resource("echo://{text}")]
async fn echo(text: String) -> String {
    text
}

/// A required query variable.
#[resource("find://{?q}")]
async fn find(q: String) -> String {
    format!("find {q}")
}

/// Two variables in one expression.
#[resource("map://{x,y}")]
async fn point(x: i32, y: i32) -> String {
    format!("({x}, {y})")
}

/// Path segments.
#[resource("seg://root{/a,b}")]
async fn segments(a: String, b: u8) -> String {
    format!("a={a} b={b}")
}

/// A label (file extension).
#[resource("label://report{.ext}")]
async fn label(ext: String) -> String {
    format!("ext={ext}")
}

/// A fragment, which keeps reserved characters.
#[resource("frag://page{#section}")]
async fn fragment(section: String) -> String {
    format!("section={section}")
}

// ---- return types ------------------------------------------------------------------------

/// Plain text, no declared MIME type.
#[resource("out://plain")]
async fn plain() -> String {
    "just text".to_owned()
}

/// A static string with a declared MIME type.
#[resource("out://markdown", mime_type = "text/markdown")]
async fn markdown() -> &'static str {
    "# Title"
}

/// Bytes.
#[resource("out://bytes")]
async fn bytes() -> Vec<u8> {
    vec![0, 1, 2, 255]
}

/// Bytes with a declared MIME type.
#[resource("out://png", mime_type = "image/png")]
async fn png() -> Vec<u8> {
    b"PNG".to_vec()
}

/// A status report.
#[derive(Serialize)]
struct Status {
    ok: bool,
    count: u32,
    name: String,
}

/// A serializable struct.
#[resource("out://status")]
async fn status() -> Status {
    Status {
        ok: true,
        count: 3,
        name: "disk".to_owned(),
    }
}

/// A value that cannot be serialized.
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "secret detail: this value refuses",
        ))
    }
}

/// A resource whose value fails to serialize.
#[resource("out://unserializable")]
async fn unserializable() -> Unserializable {
    Unserializable
}

// ---- errors ------------------------------------------------------------------------------

/// Always missing.
#[resource("err://missing")]
async fn missing() -> Result<String, ResourceError> {
    Err(ResourceError::not_found("err://missing"))
}

/// Fails with a message the client sees.
#[resource("err://message")]
async fn message() -> Result<String, ResourceError> {
    Err(ResourceError::new("the disk is on fire"))
}

/// Fails with an I/O error (internal).
#[resource("err://io")]
async fn io_failure() -> Result<String, std::io::Error> {
    Err(std::io::Error::other("cannot open /srv/secret/db"))
}

/// Fails with an I/O error through `?` into `ResourceError`.
#[resource("err://question-mark")]
async fn question_mark() -> Result<String, ResourceError> {
    let text = std::fs::read_to_string("/this/path/does/not/exist/at/all")?;
    Ok(text)
}

/// How many times the file functions ran.
#[resource("count://calls")]
async fn call_count(calls: State<Calls>) -> String {
    calls.get().to_string()
}

/// Panics.
#[resource("err://panic")]
async fn panics() -> String {
    panic!("boom in a resource")
}

fn builder() -> mcp_runtime::ServerBuilder {
    Server::builder("resources")
        .state(Calls::default())
        .resources(resources![
            index, note, any_file, special, raw, search, echo
        ])
        .resources(resources![find, point, segments, label, fragment])
        .resources(resources![
            plain,
            markdown,
            bytes,
            png,
            status,
            unserializable
        ])
        .resources(resources![
            missing,
            message,
            io_failure,
            question_mark,
            panics,
            call_count
        ])
}

async fn client() -> TestClient {
    TestClient::new(builder().build().expect("the server builds")).await
}

/// The JSON-RPC error of a read that must fail.
async fn read_error(client: &TestClient, uri: &str) -> ClientError {
    match client.read_resource(uri).await {
        Ok(result) => panic!("reading `{uri}` succeeded: {result:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn static_resource_is_listed_with_its_metadata() {
    let client = client().await;
    let resources = client.list_resources().await.unwrap();
    let listed: Vec<Value> = resources
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    let index = listed
        .iter()
        .find(|r| r["uri"] == "files://index")
        .unwrap_or_else(|| panic!("files://index is not listed: {listed:#?}"));
    assert_eq!(index["name"], "index");
    assert_eq!(index["title"], "File index");
    assert_eq!(index["description"], "The index of all files.");
    assert_eq!(index["mimeType"], "text/markdown");
    assert_eq!(
        index["annotations"]["audience"],
        json!(["user", "assistant"])
    );
    let priority = index["annotations"]["priority"].as_f64().unwrap();
    assert!((priority - 0.8).abs() < 1e-6, "priority = {priority}");
    // Only static resources are in resources/list.
    for resource in &listed {
        let uri = resource["uri"].as_str().unwrap();
        assert!(!uri.contains('{'), "a template is in resources/list: {uri}");
    }
    assert!(
        listed.iter().any(|r| r["uri"] == "out://plain"),
        "resources from a second `.resources()` call are listed"
    );
}

#[tokio::test]
async fn templates_are_listed_only_in_templates_list() {
    let client = client().await;
    let templates: Vec<Value> = client
        .list_resource_templates()
        .await
        .unwrap()
        .iter()
        .map(|t| serde_json::to_value(t).unwrap())
        .collect();
    let note = templates
        .iter()
        .find(|t| t["uriTemplate"] == "notes://{id}")
        .unwrap_or_else(|| panic!("notes://{{id}} is not listed: {templates:#?}"));
    assert_eq!(note["name"], "note");
    assert_eq!(note["title"], "A note");
    assert_eq!(note["description"], "One note, by id.");
    assert_eq!(note["mimeType"], "text/markdown");
    let uris: Vec<&str> = templates
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    for expected in [
        "files://special/{name}",
        "search://{index}{?q,limit}",
        "echo://{text}",
    ] {
        assert!(uris.contains(&expected), "{expected} missing from {uris:?}");
    }
    assert!(
        !uris.contains(&"files://index"),
        "a static resource is in templates/list"
    );
    let special = templates
        .iter()
        .find(|t| t["uriTemplate"] == "files://special/{name}")
        .unwrap();
    assert_eq!(special["name"], "special_file", "`name = …` overrides");
    let resources = client.list_resources().await.unwrap();
    assert!(
        !resources.iter().any(|r| r.uri == "notes://{id}"),
        "a template is in resources/list"
    );
}

#[tokio::test]
async fn reserved_expansion_keeps_its_operator_in_templates_list() {
    let client = client().await;
    let uris: Vec<String> = client
        .list_resource_templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.uri_template.clone())
        .collect();
    assert!(
        uris.iter().any(|u| u == "files://{+path}"),
        "`files://{{+path}}` is not listed as written: {uris:?}"
    );
    assert!(
        uris.iter().any(|u| u == "raw://{+path}"),
        "`raw://{{+path}}` is not listed as written: {uris:?}"
    );
}

#[tokio::test]
async fn reading_a_static_resource() {
    let client = client().await;
    let contents = read_json(&client, "files://index").await;
    assert_eq!(
        contents,
        [json!({"uri": "files://index", "mimeType": "text/markdown", "text": "# Files"})]
    );
    assert_eq!(client.read_text("files://index").await.unwrap(), "# Files");
}

#[tokio::test]
async fn template_binds_a_typed_variable() {
    let client = client().await;
    let contents = read_json(&client, "notes://1").await;
    assert_eq!(
        contents,
        [json!({"uri": "notes://1", "mimeType": "text/markdown", "text": "# First note"})]
    );
    // The function's own not-found error.
    let error = read_error(&client, "notes://2").await;
    assert_rpc(&error, RESOURCE_NOT_FOUND, &["notes://2"]);
}

#[tokio::test]
async fn a_bad_typed_variable_is_invalid_params_naming_it() {
    let client = client().await;
    let error = read_error(&client, "notes://abc").await;
    assert_rpc(&error, INVALID_PARAMS, &["`id`", "abc"]);
    let error = read_error(&client, "notes://-1").await;
    assert_rpc(&error, INVALID_PARAMS, &["`id`"]);
}

#[tokio::test]
async fn an_unknown_uri_is_resource_not_found() {
    let client = client().await;
    let error = read_error(&client, "nothing://here").await;
    assert_rpc(&error, RESOURCE_NOT_FOUND, &["nothing://here"]);
    // A known scheme whose URI fits no template.
    let error = read_error(&client, "out://nope").await;
    assert_rpc(&error, RESOURCE_NOT_FOUND, &["out://nope"]);
    // `{id}` does not span a slash.
    let error = read_error(&client, "notes://1/2").await;
    assert_rpc(&error, RESOURCE_NOT_FOUND, &[]);
}

#[tokio::test]
async fn the_most_specific_template_wins() {
    let client = client().await;
    assert_eq!(
        client.read_text("files://special/report").await.unwrap(),
        "special:report"
    );
    assert_eq!(
        client.read_text("files://other/report").await.unwrap(),
        "file:other/report"
    );
    // `{name}` does not span slashes, so the general template takes deeper paths.
    assert_eq!(
        client.read_text("files://special/a/b").await.unwrap(),
        "file:special/a/b"
    );
    // An exact static URI beats every template.
    assert_eq!(client.read_text("files://index").await.unwrap(), "# Files");
}

#[tokio::test]
async fn reserved_expansion_spans_slashes() {
    let client = client().await;
    assert_eq!(
        client
            .read_text("files://docs/guide/intro.md")
            .await
            .unwrap(),
        "file:docs/guide/intro.md"
    );
}

#[tokio::test]
async fn query_variables_are_optional() {
    let client = client().await;
    assert_eq!(
        client
            .read_text("search://docs?q=rust&limit=5")
            .await
            .unwrap(),
        r#"index=docs q=Some("rust") limit=Some(5)"#
    );
    assert_eq!(
        client
            .read_text("search://docs?limit=7&q=tokio")
            .await
            .unwrap(),
        r#"index=docs q=Some("tokio") limit=Some(7)"#,
        "query order does not matter"
    );
    assert_eq!(
        client.read_text("search://docs").await.unwrap(),
        "index=docs q=None limit=None"
    );
    assert_eq!(
        client.read_text("search://docs?limit=2").await.unwrap(),
        "index=docs q=None limit=Some(2)"
    );
    assert_eq!(
        client.read_text("search://docs?q=a%20b").await.unwrap(),
        r#"index=docs q=Some("a b") limit=None"#,
        "query values are percent-decoded"
    );
    let error = read_error(&client, "search://docs?limit=lots").await;
    assert_rpc(&error, INVALID_PARAMS, &["`limit`", "lots"]);
}

#[tokio::test]
async fn a_required_query_variable_must_be_present() {
    let client = client().await;
    assert_eq!(client.read_text("find://?q=x").await.unwrap(), "find x");
    let error = read_error(&client, "find://").await;
    assert_rpc(&error, INVALID_PARAMS, &["`q`"]);
}

#[tokio::test]
async fn level_three_operators_bind_their_variables() {
    let client = client().await;
    assert_eq!(client.read_text("map://3,-4").await.unwrap(), "(3, -4)");
    let error = read_error(&client, "map://3,four").await;
    assert_rpc(&error, INVALID_PARAMS, &["`y`"]);
    assert_eq!(
        client.read_text("seg://root/docs/7").await.unwrap(),
        "a=docs b=7"
    );
    assert_eq!(
        client.read_text("label://report.pdf").await.unwrap(),
        "ext=pdf"
    );
    assert_eq!(
        client.read_text("frag://page#intro/part-1").await.unwrap(),
        "section=intro/part-1"
    );
    let templates: Vec<String> = client
        .list_resource_templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.uri_template.clone())
        .collect();
    for expected in [
        "find://{?q}",
        "map://{x,y}",
        "seg://root{/a,b}",
        "label://report{.ext}",
        "frag://page{#section}",
    ] {
        assert!(
            templates.iter().any(|t| t == expected),
            "{expected} is not listed as written: {templates:?}"
        );
    }
}

#[tokio::test]
async fn variables_are_percent_decoded() {
    let client = client().await;
    assert_eq!(
        client.read_text("echo://hello%20world").await.unwrap(),
        "hello world"
    );
    assert_eq!(client.read_text("echo://caf%C3%A9").await.unwrap(), "café");
    assert_eq!(
        client
            .read_text("files://my%20docs/a%2Bb.txt")
            .await
            .unwrap(),
        "file:my docs/a+b.txt"
    );
    // Not UTF-8 once decoded.
    let error = read_error(&client, "echo://%ff").await;
    assert_rpc(&error, INVALID_PARAMS, &["`text`"]);
}

#[tokio::test]
async fn string_is_text_plain_by_default_or_the_declared_mime_type() {
    let client = client().await;
    assert_eq!(
        read_json(&client, "out://plain").await,
        [json!({"uri": "out://plain", "mimeType": "text/plain", "text": "just text"})]
    );
    assert_eq!(
        read_json(&client, "out://markdown").await,
        [json!({"uri": "out://markdown", "mimeType": "text/markdown", "text": "# Title"})]
    );
}

#[tokio::test]
async fn bytes_are_a_base64_blob() {
    let client = client().await;
    assert_eq!(
        read_json(&client, "out://bytes").await,
        [json!({"uri": "out://bytes", "mimeType": "application/octet-stream", "blob": "AAEC/w=="})]
    );
    assert_eq!(
        read_json(&client, "out://png").await,
        [json!({"uri": "out://png", "mimeType": "image/png", "blob": "UE5H"})]
    );
}

#[tokio::test]
async fn a_serializable_struct_is_json_text() {
    let client = client().await;
    let contents = read_json(&client, "out://status").await;
    assert_eq!(contents.len(), 1);
    assert_eq!(contents[0]["uri"], "out://status");
    assert_eq!(contents[0]["mimeType"], "application/json");
    let text = contents[0]["text"].as_str().expect("JSON is sent as text");
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parsed, json!({"ok": true, "count": 3, "name": "disk"}));
}

#[tokio::test]
async fn a_value_that_fails_to_serialize_is_an_internal_error() {
    let client = client().await;
    let error = read_error(&client, "out://unserializable").await;
    assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    assert!(
        !error.message().unwrap().contains("secret detail"),
        "the serializer's message is masked"
    );
}

#[tokio::test]
async fn resource_errors_become_json_rpc_errors() {
    let client = client().await;
    let error = read_error(&client, "err://missing").await;
    assert_rpc(&error, RESOURCE_NOT_FOUND, &["err://missing"]);
    let error = read_error(&client, "err://message").await;
    assert_rpc(&error, INTERNAL_ERROR, &["the disk is on fire"]);
}

#[tokio::test]
async fn internal_errors_are_masked_by_default() {
    let client = client().await;
    for uri in ["err://io", "err://question-mark"] {
        let error = read_error(&client, uri).await;
        assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
        let message = error.message().unwrap();
        assert!(
            !message.contains("/srv/secret") && !message.contains("does/not/exist"),
            "the internal detail leaked: {message}"
        );
    }
}

#[tokio::test]
async fn internal_errors_are_visible_when_masking_is_off() {
    let server = builder().mask_internal_errors(false).build().unwrap();
    let client = TestClient::new(server).await;
    let error = read_error(&client, "err://io").await;
    assert_rpc(&error, INTERNAL_ERROR, &["cannot open /srv/secret/db"]);
    let error = read_error(&client, "err://panic").await;
    assert_rpc(&error, INTERNAL_ERROR, &["boom in a resource"]);
}

#[tokio::test]
async fn a_panicking_resource_is_an_internal_error_and_the_server_keeps_serving() {
    let client = client().await;
    let error = read_error(&client, "err://panic").await;
    assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    assert!(!error.message().unwrap().contains("boom"));
    // Same connection, next requests still work.
    assert_eq!(client.read_text("out://plain").await.unwrap(), "just text");
    let error = read_error(&client, "err://panic").await;
    assert_eq!(error.code(), Some(INTERNAL_ERROR));
    assert_eq!(client.read_text("notes://1").await.unwrap(), "# First note");
}

// ---- path safety -------------------------------------------------------------------------

/// Reads that must be refused for safety before the function runs.
const UNSAFE: &[(&str, &str)] = &[
    ("files://a/../b", "`..` segment"),
    ("files://../etc/passwd", "`..` segment"),
    ("files://docs/..", "`..` segment"),
    ("files:///etc/passwd", "absolute path"),
    ("files://%2e%2e%2fsecret", "`..` segment"),
    ("files://%2E%2E/secret", "`..` segment"),
    ("files://a%2F..%2Fb", "`..` segment"),
    ("files://..%5Cwindows", "`..` segment"),
    ("files://%2Fetc%2Fpasswd", "absolute path"),
    ("files://C:%5Cwindows", "absolute path"),
    ("files://a%00b", "NUL"),
    ("files://special/%2e%2e", "`..` segment"),
    ("files://special/%00", "NUL"),
];

#[tokio::test]
async fn unsafe_paths_are_invalid_params_naming_the_variable_and_problem() {
    let client = client().await;
    for (uri, problem) in UNSAFE {
        let error = read_error(&client, uri).await;
        assert_eq!(
            error.code(),
            Some(INVALID_PARAMS),
            "`{uri}` gave {error} rather than invalid params"
        );
        let message = error.message().unwrap();
        assert!(
            message.contains(problem),
            "`{uri}`: `{message}` does not say `{problem}`"
        );
        assert!(
            message.contains("`path`") || message.contains("`name`"),
            "`{uri}`: `{message}` does not name the variable"
        );
    }
}

#[tokio::test]
async fn refused_reads_never_reach_the_function() {
    let client = client().await;
    for (uri, _) in UNSAFE {
        let error = read_error(&client, uri).await;
        assert_eq!(error.code(), Some(INVALID_PARAMS), "`{uri}`: {error}");
    }
    assert_eq!(client.read_text("count://calls").await.unwrap(), "0");
    // The counter is wired: a safe read runs the function and counts.
    assert_eq!(
        client.read_text("files://docs/ok.txt").await.unwrap(),
        "file:docs/ok.txt"
    );
    assert_eq!(client.read_text("count://calls").await.unwrap(), "1");
}

#[tokio::test]
async fn unchecked_variables_let_unsafe_values_through() {
    let client = client().await;
    assert_eq!(
        client.read_text("raw://a/../b").await.unwrap(),
        "raw:a/../b"
    );
    assert_eq!(
        client.read_text("raw://%2e%2e%2fx").await.unwrap(),
        "raw:../x"
    );
    assert_eq!(
        client.read_text("raw:///etc/passwd").await.unwrap(),
        "raw:/etc/passwd"
    );
    assert_eq!(client.read_text("raw://a%00b").await.unwrap(), "raw:a\0b");
}

#[tokio::test]
async fn dots_inside_a_segment_are_not_a_parent_reference() {
    let client = client().await;
    assert_eq!(
        client.read_text("files://a/b..c/d...txt").await.unwrap(),
        "file:a/b..c/d...txt"
    );
    assert_eq!(
        client.read_text("files://.hidden/x").await.unwrap(),
        "file:.hidden/x"
    );
}
