//! Arguments are validated against the input schema before the tool runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::connect;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::{TestClient, ToolResult};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

/// How many times a tool body ran.
#[derive(Default)]
struct Runs(AtomicUsize);

impl Runs {
    fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A travel class.
#[derive(Debug, Deserialize, JsonSchema)]
enum Class {
    Economy,
    Business,
}

/// A booking, with constraints.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Booking {
    #[schemars(range(min = 1, max = 10))]
    seats: u32,
    #[schemars(length(min = 3))]
    name: String,
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    airport: String,
    class: Class,
    note: Option<String>,
    #[schemars(length(max = 2))]
    tags: Option<Vec<String>>,
}

/// Books seats (the whole-object form).
#[tool]
async fn book(runs: State<Arc<Runs>>, booking: Booking) -> u32 {
    runs.bump();
    booking.seats
}

/// Loose parameters, with a nested constrained struct.
#[tool]
async fn loose(
    runs: State<Arc<Runs>>,
    count: u8,
    label: Option<String>,
    booking: Option<Booking>,
    class: Option<Class>,
) -> String {
    runs.bump();
    let _ = class;
    format!("{count}:{label:?}:{}", booking.is_some())
}

async fn setup() -> (TestClient, Arc<Runs>) {
    let runs = Arc::new(Runs::default());
    let server = Server::builder("validation")
        .state(runs.clone())
        .tools(tools![book, loose])
        .build()
        .unwrap();
    (connect(server).await, runs)
}

fn valid_booking() -> Value {
    json!({"seats": 2, "name": "Ada", "airport": "LHR", "class": "Economy"})
}

fn with(field: &str, value: Value) -> Value {
    let mut booking = valid_booking();
    booking[field] = value;
    booking
}

fn without(field: &str) -> Value {
    let mut booking = valid_booking();
    booking.as_object_mut().unwrap().remove(field);
    booking
}

/// Asserts an error result whose message mentions every `needle`.
fn assert_rejected(result: &ToolResult, needles: &[&str]) {
    assert!(result.is_error(), "expected an error result: {result:?}");
    assert_eq!(result.structured(), None, "{result:?}");
    let text = result.text();
    assert!(text.starts_with("invalid arguments: "), "{text}");
    for needle in needles {
        assert!(text.contains(needle), "`{needle}` not in: {text}");
    }
}

#[tokio::test]
async fn a_valid_call_runs_the_tool_once() {
    let (client, runs) = setup().await;
    let result = client.call_tool("book", valid_booking()).await.unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<u32>().unwrap(), 2);
    assert_eq!(runs.get(), 1);
}

#[tokio::test]
async fn wrong_type_is_rejected_naming_the_field() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("book", with("seats", json!("two")))
        .await
        .unwrap();
    assert_rejected(&result, &["`seats`", "\"two\" is not of type \"integer\""]);
    let result = client
        .call_tool("loose", json!({"count": true}))
        .await
        .unwrap();
    assert_rejected(&result, &["`count`", "not of type \"integer\""]);
    assert_eq!(runs.get(), 0, "the tool ran despite invalid arguments");
}

#[tokio::test]
async fn missing_required_field_is_rejected() {
    let (client, runs) = setup().await;
    let result = client.call_tool("book", without("name")).await.unwrap();
    assert_rejected(&result, &["\"name\" is a required property"]);
    let result = client
        .call_tool("loose", json!({"label": "x"}))
        .await
        .unwrap();
    assert_rejected(&result, &["\"count\" is a required property"]);
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn range_constraints_are_enforced() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("book", with("seats", json!(0)))
        .await
        .unwrap();
    assert_rejected(&result, &["`seats`", "0 is less than the minimum of 1"]);
    let result = client
        .call_tool("book", with("seats", json!(11)))
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`seats`", "11 is greater than the maximum of 10"],
    );
    // Integer types carry their own range: a `u8` refuses 256 and -1.
    let result = client
        .call_tool("loose", json!({"count": 256}))
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`count`", "256 is greater than the maximum of 255"],
    );
    let result = client
        .call_tool("loose", json!({"count": -1}))
        .await
        .unwrap();
    assert_rejected(&result, &["`count`", "-1 is less than the minimum of 0"]);
    assert_eq!(runs.get(), 0);
    // The bounds themselves are accepted.
    for seats in [1, 10] {
        let result = client
            .call_tool("book", with("seats", json!(seats)))
            .await
            .unwrap();
        assert!(!result.is_error(), "{result:?}");
    }
    assert_eq!(runs.get(), 2);
}

#[tokio::test]
async fn length_constraints_are_enforced() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("book", with("name", json!("Al")))
        .await
        .unwrap();
    assert_rejected(&result, &["`name`", "\"Al\" is shorter than 3 characters"]);
    let result = client
        .call_tool("book", with("tags", json!(["a", "b", "c"])))
        .await
        .unwrap();
    assert_rejected(&result, &["`tags`", "has more than 2 items"]);
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn pattern_constraints_are_enforced() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("book", with("airport", json!("lhr")))
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`airport`", "\"lhr\" does not match \"^[A-Z]{3}$\""],
    );
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn enum_constraints_are_enforced() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("book", with("class", json!("Luxury")))
        .await
        .unwrap();
    assert_rejected(&result, &["`class`", "\"Luxury\""]);
    let text = result.text();
    assert!(
        text.contains("Economy") && text.contains("Business"),
        "the message does not list the allowed values: {text}"
    );
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool(
            "book",
            json!({"seats": 0, "name": "Al", "airport": "LHR", "class": "Economy"}),
        )
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`seats`", "`name`", "minimum of 1", "shorter than 3"],
    );
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn nested_fields_are_named_by_their_path() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool(
            "loose",
            json!({"count": 1, "booking": with("seats", json!(99))}),
        )
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`booking.seats`", "greater than the maximum of 10"],
    );
    let result = client
        .call_tool(
            "loose",
            json!({"count": 1, "booking": with("tags", json!(["ok", 5]))}),
        )
        .await
        .unwrap();
    assert_rejected(&result, &["`booking.tags[1]`", "not of type \"string\""]);
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn explicit_null_for_an_option_is_accepted() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("loose", json!({"count": 3, "label": null, "booking": null}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.text(), "3:None:false");
    let result = client
        .call_tool("book", with("note", Value::Null))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(runs.get(), 2);
}

#[tokio::test]
async fn explicit_null_for_a_required_param_is_rejected() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("loose", json!({"count": null}))
        .await
        .unwrap();
    assert_rejected(&result, &["`count`", "null is not of type \"integer\""]);
    let result = client
        .call_tool("book", with("seats", Value::Null))
        .await
        .unwrap();
    assert_rejected(&result, &["`seats`"]);
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn optional_params_still_check_their_type() {
    let (client, runs) = setup().await;
    let result = client
        .call_tool("loose", json!({"count": 1, "label": 5}))
        .await
        .unwrap();
    assert_rejected(&result, &["`label`", "5 is not of type", "\"string\""]);
    let result = client
        .call_tool("loose", json!({"count": 1, "class": "Luxury"}))
        .await
        .unwrap();
    assert_rejected(&result, &["`class`", "\"Luxury\"", "Economy"]);
    assert_eq!(runs.get(), 0);
    let result = client
        .call_tool("loose", json!({"count": 1, "class": "Business"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(runs.get(), 1);
}

async fn draft_setup() -> (TestClient, Arc<Runs>) {
    let runs = Arc::new(Runs::default());
    let server = Server::builder("draft")
        .schema_profile(SchemaProfile::Draft2020_12)
        .state(runs.clone())
        .tools(tools![book, loose])
        .build()
        .unwrap();
    (connect(server).await, runs)
}

/// An optional struct in the draft profile is `anyOf: [$ref, null]`: a mistake inside it should
/// still be reported by field and rule, as in the compatible profile.
#[tokio::test]
async fn draft_profile_names_the_field_inside_an_optional_struct() {
    let (client, runs) = draft_setup().await;
    let result = client
        .call_tool(
            "loose",
            json!({"count": 1, "booking": with("airport", json!("x"))}),
        )
        .await
        .unwrap();
    assert_rejected(&result, &["`booking.airport`", "does not match"]);
    assert_eq!(runs.get(), 0);
}

/// A struct in the draft profile: validated through `$ref`s into `$defs`.
#[tokio::test]
async fn draft_profile_validates_through_refs() {
    let (client, runs) = draft_setup().await;
    let result = client
        .call_tool(
            "loose",
            json!({"count": 1, "booking": with("airport", json!("x"))}),
        )
        .await
        .unwrap();
    assert_rejected(&result, &["`booking.airport`", "does not match"]);
    let result = client
        .call_tool("book", with("seats", json!(0)))
        .await
        .unwrap();
    assert_rejected(&result, &["`seats`", "minimum of 1"]);
    assert_eq!(runs.get(), 0);
    let result = client.call_tool("book", valid_booking()).await.unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(runs.get(), 1);
}

/// A recursive argument type keeps `$defs` (it cannot be inlined) and is still validated.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Tree {
    #[schemars(length(min = 1))]
    label: String,
    children: Vec<Tree>,
}

/// Counts the nodes of a tree.
#[tool]
async fn count_nodes(tree: Tree, depth: Option<u32>) -> usize {
    fn count(tree: &Tree) -> usize {
        1 + tree.children.iter().map(count).sum::<usize>()
    }
    let _ = depth;
    count(&tree)
}

#[tokio::test]
async fn recursive_types_are_validated_at_depth() {
    let client = connect(
        Server::builder("s")
            .tools(tools![count_nodes])
            .build()
            .unwrap(),
    )
    .await;
    let tree = json!({"label": "a", "children": [{"label": "b", "children": [{"label": "c", "children": []}]}]});
    let result = client
        .call_tool("count_nodes", json!({"tree": tree}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<usize>().unwrap(), 3);
    let tree = json!({"label": "a", "children": [{"label": "", "children": []}]});
    let result = client
        .call_tool("count_nodes", json!({"tree": tree}))
        .await
        .unwrap();
    assert_rejected(
        &result,
        &["`tree.children[0].label`", "shorter than 1 character"],
    );
}

// ---- what the schema cannot say: serde has the last word ------------------------------------

/// A server address.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Endpoint {
    host: std::net::IpAddr,
    port: u16,
}

/// Connects to an address (loose parameter).
#[tool]
async fn ping_ip(runs: State<Arc<Runs>>, addr: std::net::IpAddr) -> String {
    runs.bump();
    addr.to_string()
}

/// Connects to an endpoint (whole-object form).
#[tool]
async fn ping_endpoint(runs: State<Arc<Runs>>, endpoint: Endpoint) -> u16 {
    runs.bump();
    endpoint.port
}

async fn ip_setup() -> (TestClient, Arc<Runs>) {
    let runs = Arc::new(Runs::default());
    let server = Server::builder("ip")
        .state(runs.clone())
        .tools(tools![ping_ip, ping_endpoint])
        .build()
        .unwrap();
    (connect(server).await, runs)
}

#[tokio::test]
async fn deserialization_errors_after_validation_name_the_param() {
    let (client, runs) = ip_setup().await;
    let result = client
        .call_tool("ping_ip", json!({"addr": "not-an-ip"}))
        .await
        .unwrap();
    assert_rejected(&result, &["`addr`", "invalid IP address syntax"]);
    assert_eq!(runs.get(), 0);
    let result = client
        .call_tool("ping_ip", json!({"addr": "127.0.0.1"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "127.0.0.1");
    assert_eq!(runs.get(), 1);
}

#[tokio::test]
async fn deserialization_errors_in_the_whole_object_form_stop_the_call() {
    let (client, runs) = ip_setup().await;
    let result = client
        .call_tool("ping_endpoint", json!({"host": "nope", "port": 80}))
        .await
        .unwrap();
    assert_rejected(&result, &["invalid IP address syntax"]);
    assert_eq!(runs.get(), 0);
}

#[tokio::test]
async fn deserialization_errors_in_the_whole_object_form_name_the_field() {
    let (client, _runs) = ip_setup().await;
    let result = client
        .call_tool("ping_endpoint", json!({"host": "nope", "port": 80}))
        .await
        .unwrap();
    assert_rejected(&result, &["host", "invalid IP address syntax"]);
}
