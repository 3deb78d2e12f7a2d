//! Input and output schemas, as a client lists them.

use std::collections::BTreeMap;

use crate::support::{
    connect, has_key_anywhere, input_schema, listed_tool, mentions_null, output_schema,
    property_names, required,
};
use mcp_runtime::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

// ---- loose parameters, docs, overrides ------------------------------------------------------

/// Scale the sum of two integers.
/// Continued on a second line.
#[tool]
async fn scaled_sum(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
    /// Multiplier, 1 when absent
    scale: Option<i64>,
) -> i64 {
    (a + b) * scale.unwrap_or(1)
}

/// This doc comment is replaced by `description`.
#[tool(
    name = "renamed.tool-1",
    title = "A Friendly Title",
    description = "The overriding description"
)]
async fn original_name() -> i64 {
    1
}

/// First paragraph.
///
/// Second paragraph.
#[tool]
async fn paragraphs() -> i64 {
    1
}

#[tool]
async fn undocumented(x: i64) -> i64 {
    x
}

/// Takes a keyword as a parameter name.
#[tool]
async fn raw_ident(
    /// The kind
    r#type: String,
) -> String {
    r#type
}

/// No parameters at all.
#[tool]
async fn no_params() -> i64 {
    0
}

#[tokio::test]
async fn loose_params_make_an_object_root_with_properties() {
    let client = connect(
        Server::builder("s")
            .tools(tools![scaled_sum])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "scaled_sum").await;
    assert_eq!(schema["type"], "object", "{schema}");
    assert_eq!(property_names(&schema), ["a", "b", "scale"], "{schema}");
    assert_eq!(schema["properties"]["a"]["type"], "integer", "{schema}");
    assert_eq!(schema["properties"]["b"]["type"], "integer", "{schema}");
}

#[tokio::test]
async fn required_lists_only_non_option_params() {
    let client = connect(
        Server::builder("s")
            .tools(tools![scaled_sum])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "scaled_sum").await;
    assert_eq!(required(&schema), ["a", "b"], "{schema}");
}

#[tokio::test]
async fn param_doc_comments_become_property_descriptions() {
    let client = connect(
        Server::builder("s")
            .tools(tools![scaled_sum])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "scaled_sum").await;
    assert_eq!(schema["properties"]["a"]["description"], "Left operand");
    assert_eq!(schema["properties"]["b"]["description"], "Right operand");
    assert_eq!(
        schema["properties"]["scale"]["description"],
        "Multiplier, 1 when absent"
    );
}

#[tokio::test]
async fn fn_doc_comment_becomes_the_tool_description() {
    let client = connect(
        Server::builder("s")
            .tools(tools![scaled_sum])
            .build()
            .unwrap(),
    )
    .await;
    let tool = listed_tool(&client, "scaled_sum").await;
    assert_eq!(
        tool["description"],
        "Scale the sum of two integers.\nContinued on a second line."
    );
    assert!(tool.get("title").is_none(), "{tool}");
}

#[tokio::test]
async fn doc_comment_paragraph_breaks_are_kept() {
    let client = connect(
        Server::builder("s")
            .tools(tools![paragraphs])
            .build()
            .unwrap(),
    )
    .await;
    let tool = listed_tool(&client, "paragraphs").await;
    assert_eq!(tool["description"], "First paragraph.\n\nSecond paragraph.");
}

#[tokio::test]
async fn a_tool_without_docs_has_no_description() {
    let client = connect(
        Server::builder("s")
            .tools(tools![undocumented])
            .build()
            .unwrap(),
    )
    .await;
    let tool = listed_tool(&client, "undocumented").await;
    assert!(tool.get("description").is_none(), "{tool}");
    let schema = &tool["inputSchema"];
    assert!(
        schema["properties"]["x"].get("description").is_none(),
        "{schema}"
    );
}

#[tokio::test]
async fn name_title_and_description_keys_override() {
    let client = connect(
        Server::builder("s")
            .tools(tools![original_name])
            .build()
            .unwrap(),
    )
    .await;
    let tools = client.list_tools().await.unwrap();
    assert_eq!(tools.len(), 1);
    let tool = serde_json::to_value(&tools[0]).unwrap();
    assert_eq!(tool["name"], "renamed.tool-1");
    assert_eq!(tool["title"], "A Friendly Title");
    assert_eq!(tool["description"], "The overriding description");
    // Callable under the new name only.
    let result = client.call_tool("renamed.tool-1", json!({})).await.unwrap();
    assert_eq!(result.json::<i64>().unwrap(), 1);
    let error = client
        .call_tool("original_name", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(-32602));
}

#[tokio::test]
async fn raw_identifier_params_are_named_without_r_hash() {
    let client = connect(
        Server::builder("s")
            .tools(tools![raw_ident])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "raw_ident").await;
    assert_eq!(property_names(&schema), ["type"], "{schema}");
    assert_eq!(required(&schema), ["type"], "{schema}");
    let result = client
        .call_tool("raw_ident", json!({"type": "kind"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "kind");
}

#[tokio::test]
async fn a_tool_without_params_has_an_empty_object_schema() {
    let client = connect(
        Server::builder("s")
            .tools(tools![no_params])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "no_params").await;
    assert_eq!(schema["type"], "object", "{schema}");
    assert_eq!(property_names(&schema), Vec::<String>::new(), "{schema}");
    assert!(required(&schema).is_empty(), "{schema}");
}

// ---- annotations ----------------------------------------------------------------------------

/// All four hints.
#[tool(annotations(read_only, destructive = false, idempotent, open_world = false))]
async fn hinted() -> i64 {
    1
}

/// One hint only.
#[tool(annotations(destructive))]
async fn destroys() -> i64 {
    1
}

/// Explicit `= true` flags.
#[tool(annotations(read_only = true, idempotent = false, open_world = true))]
async fn explicit_flags() -> i64 {
    1
}

#[tokio::test]
async fn annotations_become_hints_including_false_values() {
    let client = connect(Server::builder("s").tools(tools![hinted]).build().unwrap()).await;
    let tool = listed_tool(&client, "hinted").await;
    let annotations = &tool["annotations"];
    assert_eq!(annotations["readOnlyHint"], true, "{tool}");
    assert_eq!(annotations["destructiveHint"], false, "{tool}");
    assert_eq!(annotations["idempotentHint"], true, "{tool}");
    assert_eq!(annotations["openWorldHint"], false, "{tool}");
}

#[tokio::test]
async fn unset_hints_are_absent() {
    let client = connect(
        Server::builder("s")
            .tools(tools![destroys, explicit_flags, no_params])
            .build()
            .unwrap(),
    )
    .await;
    let tool = listed_tool(&client, "destroys").await;
    let annotations = tool["annotations"].as_object().expect("annotations object");
    assert_eq!(
        annotations.get("destructiveHint"),
        Some(&json!(true)),
        "{tool}"
    );
    for absent in ["readOnlyHint", "idempotentHint", "openWorldHint"] {
        assert!(!annotations.contains_key(absent), "{absent} in {tool}");
    }

    let tool = listed_tool(&client, "explicit_flags").await;
    assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
    assert_eq!(tool["annotations"]["idempotentHint"], false, "{tool}");
    assert_eq!(tool["annotations"]["openWorldHint"], true, "{tool}");
    assert!(
        tool["annotations"].get("destructiveHint").is_none(),
        "{tool}"
    );

    let tool = listed_tool(&client, "no_params").await;
    assert!(tool.get("annotations").is_none(), "{tool}");
}

// ---- Option, nested structs, profiles -------------------------------------------------------

/// A postal address.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
struct Address {
    /// The city
    city: String,
    zip: Option<String>,
}

/// An order.
#[derive(Debug, Deserialize, Serialize, JsonSchema)]
struct Order {
    item: String,
    quantity: u32,
    address: Address,
    gift_wrap: Option<Address>,
}

/// Places an order.
#[tool]
async fn place(
    /// The order to place
    order: Order,
    /// An optional count
    limit: Option<u32>,
    /// An optional nested struct
    billing: Option<Address>,
) -> u32 {
    order.quantity + limit.unwrap_or(0) + u32::from(billing.is_some())
}

#[tokio::test]
async fn option_param_is_an_optional_property_of_its_inner_type() {
    let client = connect(Server::builder("s").tools(tools![place]).build().unwrap()).await;
    let schema = input_schema(&client, "place").await;
    assert_eq!(schema["properties"]["limit"]["type"], "integer", "{schema}");
    assert_eq!(
        schema["properties"]["billing"]["type"], "object",
        "{schema}"
    );
    assert_eq!(
        schema["properties"]["billing"]["properties"]["city"]["type"], "string",
        "{schema}"
    );
    assert_eq!(required(&schema), ["order"], "{schema}");
    assert!(
        !mentions_null(&schema),
        "null in the compatible schema: {schema}"
    );
}

/// Optional enums and lists.
#[tool]
async fn paint(
    /// The colour
    color: Option<Color>,
    tags: Option<Vec<String>>,
    tree: Option<Tree>,
) -> String {
    format!("{color:?}{tags:?}{}", tree.is_some())
}

/// A recursive type.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Tree {
    label: String,
    children: Vec<Tree>,
}

#[tokio::test]
async fn optional_enums_lists_and_recursive_types_have_no_null() {
    let client = connect(Server::builder("s").tools(tools![paint]).build().unwrap()).await;
    let schema = input_schema(&client, "paint").await;
    assert!(
        !mentions_null(&schema),
        "null in the compatible schema: {schema}"
    );
    assert_eq!(
        schema["properties"]["color"]["enum"],
        json!(["Red", "Green"]),
        "{schema}"
    );
    assert_eq!(
        schema["properties"]["color"]["description"], "The colour",
        "{schema}"
    );
    assert_eq!(schema["properties"]["tags"]["type"], "array", "{schema}");
    assert!(required(&schema).is_empty(), "{schema}");
    // A recursive type cannot be inlined: its definition stays, and is referenced.
    assert!(schema["$defs"]["Tree"].is_object(), "{schema}");
    let result = client
        .call_tool(
            "paint",
            json!({"color": "Red", "tags": ["a"], "tree": {"label": "x", "children": []}}),
        )
        .await
        .unwrap();
    assert_eq!(result.text(), r#"Some(Red)Some(["a"])true"#);
}

#[tokio::test]
async fn nested_structs_are_inlined_without_refs_defs_or_schema_key() {
    let client = connect(Server::builder("s").tools(tools![place]).build().unwrap()).await;
    let schema = input_schema(&client, "place").await;
    for key in ["$ref", "$defs", "definitions", "$schema"] {
        assert!(!has_key_anywhere(&schema, key), "`{key}` in {schema}");
    }
    let order = &schema["properties"]["order"];
    assert_eq!(order["type"], "object", "{schema}");
    assert_eq!(order["description"], "The order to place", "{schema}");
    assert_eq!(order["properties"]["address"]["type"], "object", "{schema}");
    assert_eq!(
        order["properties"]["address"]["properties"]["city"]["type"], "string",
        "{schema}"
    );
    assert_eq!(required(order), ["address", "item", "quantity"], "{schema}");
    // The nested optional struct is an object too, with no null branch.
    assert_eq!(
        order["properties"]["gift_wrap"]["type"], "object",
        "{schema}"
    );
}

#[tokio::test]
async fn draft_2020_12_profile_keeps_schema_key_nulls_and_defs() {
    let client = connect(
        Server::builder("s")
            .schema_profile(SchemaProfile::Draft2020_12)
            .tools(tools![place])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "place").await;
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{schema}"
    );
    assert_eq!(schema["type"], "object", "{schema}");
    let defs = schema["$defs"]
        .as_object()
        .expect("$defs in the draft profile");
    assert!(
        defs.contains_key("Order") && defs.contains_key("Address"),
        "{schema}"
    );
    assert!(has_key_anywhere(&schema, "$ref"), "{schema}");
    // `Option<u32>` as schemars generates it: a type array with null.
    assert_eq!(
        schema["properties"]["limit"]["type"],
        json!(["integer", "null"]),
        "{schema}"
    );
    assert!(mentions_null(&schema["properties"]["billing"]), "{schema}");
    assert_eq!(required(&schema), ["order"], "{schema}");
}

#[tokio::test]
async fn draft_profile_output_schema_has_schema_key() {
    let client = connect(
        Server::builder("s")
            .schema_profile(SchemaProfile::Draft2020_12)
            .tools(tools![returns_i64, returns_struct])
            .build()
            .unwrap(),
    )
    .await;
    let output = output_schema(&client, "returns_i64").await;
    assert_eq!(
        output["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{output}"
    );
    assert_eq!(
        output["properties"]["result"]["type"], "integer",
        "{output}"
    );
    let output = output_schema(&client, "returns_struct").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(
        property_names(&output),
        ["count", "label", "point"],
        "{output}"
    );
}

// ---- the whole-object form --------------------------------------------------------------------

/// A new note.
#[derive(Debug, Deserialize, JsonSchema)]
struct NewNote {
    /// The note's title
    title: String,
    /// The note's body
    body: Option<String>,
}

/// Creates a note from the whole argument object.
#[tool]
async fn create_note(note: NewNote) -> String {
    format!("{}|{}", note.title, note.body.unwrap_or_default())
}

/// An optional struct is a property, not the whole object.
#[tool]
async fn maybe_note(note: Option<NewNote>) -> String {
    note.map(|note| note.title).unwrap_or_default()
}

/// A struct beside an injected parameter.
#[tool]
async fn with_ctx_and_struct(ctx: Ctx, note: NewNote) -> String {
    let _ = ctx.request_id();
    note.title
}

#[tokio::test]
async fn a_single_struct_param_is_the_whole_argument_object() {
    let client = connect(
        Server::builder("s")
            .tools(tools![create_note])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "create_note").await;
    assert_eq!(schema["type"], "object", "{schema}");
    assert_eq!(property_names(&schema), ["body", "title"], "{schema}");
    assert_eq!(required(&schema), ["title"], "{schema}");
    assert_eq!(
        schema["properties"]["title"]["description"],
        "The note's title"
    );
    assert!(!mentions_null(&schema), "{schema}");
    assert!(!has_key_anywhere(&schema, "$schema"), "{schema}");

    let result = client
        .call_tool("create_note", json!({"title": "t", "body": "b"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.text(), "t|b");
    // The struct is not nested under the parameter's name.
    let result = client
        .call_tool("create_note", json!({"note": {"title": "t"}}))
        .await
        .unwrap();
    assert!(result.is_error(), "{result:?}");
    assert!(result.text().contains("title"), "{}", result.text());
}

#[tokio::test]
async fn injected_params_do_not_stop_the_whole_object_form() {
    let client = connect(
        Server::builder("s")
            .tools(tools![with_ctx_and_struct])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "with_ctx_and_struct").await;
    assert_eq!(property_names(&schema), ["body", "title"], "{schema}");
    let result = client
        .call_tool("with_ctx_and_struct", json!({"title": "hello"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "hello");
}

#[tokio::test]
async fn a_single_optional_struct_is_a_property() {
    let client = connect(
        Server::builder("s")
            .tools(tools![maybe_note])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "maybe_note").await;
    assert_eq!(property_names(&schema), ["note"], "{schema}");
    assert!(required(&schema).is_empty(), "{schema}");
    let result = client
        .call_tool("maybe_note", json!({"note": {"title": "x"}}))
        .await
        .unwrap();
    assert_eq!(result.text(), "x");
    let result = client.call_tool("maybe_note", json!({})).await.unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.text(), "");
}

// ---- injected parameters --------------------------------------------------------------------

struct Db;

/// The name of the tool being called: a user-defined extractor.
struct ToolName(String);

impl FromRequestCx for ToolName {
    fn from_request_cx(cx: &mcp_runtime::RequestCx) -> Result<Self, ToolError> {
        Ok(ToolName(cx.component().to_owned()))
    }
}

/// Injected and real parameters, mixed.
#[tool]
async fn mixed(
    ctx: Ctx,
    /// A real argument
    query: String,
    db: State<Db>,
    name: ToolName,
    limit: Option<u32>,
) -> String {
    let _ = (ctx, db);
    format!("{}:{query}:{limit:?}", name.0)
}

#[tokio::test]
async fn injected_params_never_appear_in_the_schema() {
    let client = connect(
        Server::builder("s")
            .state(Db)
            .tools(tools![mixed])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "mixed").await;
    assert_eq!(property_names(&schema), ["limit", "query"], "{schema}");
    assert_eq!(required(&schema), ["query"], "{schema}");
    let text = schema.to_string();
    for injected in ["ctx", "db", "name", "Ctx", "State", "ToolName"] {
        assert!(
            !text.contains(&format!("\"{injected}\"")),
            "{injected} in {text}"
        );
    }
    let result = client
        .call_tool("mixed", json!({"query": "q"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "mixed:q:None");
}

// ---- output schemas -------------------------------------------------------------------------

/// A point.
#[derive(Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

/// A structured result with a nested struct.
#[derive(Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
struct Summary {
    /// How many
    count: u32,
    label: String,
    point: Point,
}

/// A unit enum.
#[derive(Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
enum Color {
    Red,
    Green,
}

/// Returns an i64.
#[tool]
async fn returns_i64() -> i64 {
    1
}

/// Returns a Result of an i64.
#[tool]
async fn returns_result_i64() -> Result<i64, ToolError> {
    Ok(1)
}

/// Returns a bool.
#[tool]
async fn returns_bool() -> bool {
    true
}

/// Returns a list.
#[tool]
async fn returns_vec() -> Vec<String> {
    vec!["a".into()]
}

/// Returns a struct.
#[tool]
async fn returns_struct() -> Summary {
    Summary {
        count: 1,
        label: "l".into(),
        point: Point { x: 1, y: 2 },
    }
}

/// Returns a map.
#[tool]
async fn returns_map() -> BTreeMap<String, i64> {
    BTreeMap::from([("a".to_owned(), 1)])
}

/// Returns a unit enum.
#[tool]
async fn returns_enum() -> Color {
    Color::Green
}

/// Returns a String.
#[tool]
async fn returns_string() -> String {
    "s".into()
}

/// Returns a Result of a String.
#[tool]
async fn returns_result_string() -> Result<String, ToolError> {
    Ok("s".into())
}

/// Returns a static str.
#[tool]
async fn returns_str() -> &'static str {
    "s"
}

/// Returns content.
#[tool]
async fn returns_content() -> Content {
    Content::text("c")
}

/// Returns nothing.
#[tool]
async fn returns_unit() {}

/// Returns a raw result.
#[tool]
async fn returns_call_result() -> CallToolResult {
    CallToolResult::success(vec![Content::text("raw")])
}

fn output_server() -> Server {
    Server::builder("s")
        .tools(tools![
            returns_i64,
            returns_result_i64,
            returns_bool,
            returns_vec,
            returns_struct,
            returns_map,
            returns_enum,
            returns_string,
            returns_result_string,
            returns_str,
            returns_content,
            returns_unit,
            returns_call_result,
        ])
        .build()
        .unwrap()
}

#[tokio::test]
async fn scalar_returns_have_a_wrapped_result_schema() {
    let client = connect(output_server()).await;
    for tool in ["returns_i64", "returns_result_i64"] {
        let output = output_schema(&client, tool).await;
        assert_eq!(
            output,
            json!({
                "type": "object",
                "properties": {"result": {"type": "integer", "format": "int64"}},
                "required": ["result"]
            }),
            "{tool}"
        );
    }
    let output = output_schema(&client, "returns_bool").await;
    assert_eq!(
        output,
        json!({
            "type": "object",
            "properties": {"result": {"type": "boolean"}},
            "required": ["result"]
        })
    );
    let output = output_schema(&client, "returns_vec").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(output["required"], json!(["result"]), "{output}");
    assert_eq!(output["properties"]["result"]["type"], "array", "{output}");
    assert_eq!(
        output["properties"]["result"]["items"]["type"], "string",
        "{output}"
    );
}

#[tokio::test]
async fn string_enums_are_structured_not_text() {
    let client = connect(output_server()).await;
    let output = output_schema(&client, "returns_enum").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(output["required"], json!(["result"]), "{output}");
    assert_eq!(
        output["properties"]["result"]["enum"],
        json!(["Red", "Green"]),
        "{output}"
    );
    let result = client.call_tool("returns_enum", json!({})).await.unwrap();
    assert_eq!(result.structured(), Some(&json!({"result": "Green"})));
    assert_eq!(result.json::<Color>().unwrap(), Color::Green);
}

#[tokio::test]
async fn struct_returns_have_the_struct_object_schema() {
    let client = connect(output_server()).await;
    let output = output_schema(&client, "returns_struct").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(
        property_names(&output),
        ["count", "label", "point"],
        "{output}"
    );
    assert_eq!(required(&output), ["count", "label", "point"], "{output}");
    assert_eq!(output["properties"]["count"]["description"], "How many");
    assert_eq!(output["properties"]["point"]["type"], "object", "{output}");
    assert_eq!(
        output["properties"]["point"]["properties"]["x"]["type"], "integer",
        "{output}"
    );
    for key in ["$ref", "$defs", "$schema", "result"] {
        assert!(!has_key_anywhere(&output, key), "`{key}` in {output}");
    }
}

#[tokio::test]
async fn map_returns_are_objects_and_not_wrapped() {
    let client = connect(output_server()).await;
    let output = output_schema(&client, "returns_map").await;
    assert_eq!(output["type"], "object", "{output}");
    assert!(output.get("required").is_none(), "{output}");
    let result = client.call_tool("returns_map", json!({})).await.unwrap();
    assert_eq!(result.structured(), Some(&json!({"a": 1})));
}

#[tokio::test]
async fn string_and_unstructured_returns_have_no_output_schema() {
    let client = connect(output_server()).await;
    for tool in [
        "returns_string",
        "returns_result_string",
        "returns_str",
        "returns_content",
        "returns_unit",
        "returns_call_result",
    ] {
        let listed = listed_tool(&client, tool).await;
        assert!(
            listed.get("outputSchema").is_none(),
            "{tool} has an output schema: {listed}"
        );
    }
    // And every other tool has one.
    for tool in [
        "returns_i64",
        "returns_struct",
        "returns_vec",
        "returns_map",
    ] {
        assert!(output_schema(&client, tool).await.is_object(), "{tool}");
    }
}

#[tokio::test]
async fn every_listed_schema_has_an_object_root() {
    let client = connect(output_server()).await;
    for tool in client.list_tools().await.unwrap() {
        let value = serde_json::to_value(&tool).unwrap();
        assert_eq!(value["inputSchema"]["type"], "object", "{value}");
        if let Some(output) = value.get("outputSchema") {
            assert_eq!(output["type"], "object", "{value}");
        }
    }
}
