//! How `#[tool]` and `tools![…]` fit into ordinary Rust code.

use std::collections::BTreeMap;

use crate::support::{connect, input_schema, property_names};
use mcp_runtime::prelude::*;
use serde_json::json;

mod math {
    use mcp_runtime::prelude::*;

    /// Multiplies.
    #[tool]
    pub async fn mul(a: i64, b: i64) -> i64 {
        a * b
    }

    pub mod deeper {
        use mcp_runtime::prelude::*;

        /// Negates.
        #[tool]
        pub async fn neg(x: i64) -> i64 {
            -x
        }
    }
}

/// Adds.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tokio::test]
async fn a_tool_stays_an_ordinary_async_fn() {
    assert_eq!(add(2, 3).await, 5);
    assert_eq!(math::mul(4, 5).await, 20);
}

#[tokio::test]
async fn tools_can_be_listed_by_path() {
    let set = tools![add, math::mul, math::deeper::neg];
    assert_eq!(set.names().collect::<Vec<_>>(), ["add", "mul", "neg"]);
    let client = connect(Server::builder("s").tools(set).build().unwrap()).await;
    let result = client
        .call_tool("mul", json!({"a": 6, "b": 7}))
        .await
        .unwrap();
    assert_eq!(result.json::<i64>().unwrap(), 42);
    let result = client.call_tool("neg", json!({"x": 1})).await.unwrap();
    assert_eq!(result.json::<i64>().unwrap(), -1);
}

/// A single map parameter.
#[tool]
async fn set_labels(labels: BTreeMap<String, String>) -> usize {
    labels.len()
}

/// The whole-object form is documented for a struct; a map parameter is an object schema too,
/// and is currently taken as the whole argument object, so `labels` is not a property.
#[tokio::test]
async fn a_single_map_param_is_a_named_property() {
    let client = connect(
        Server::builder("s")
            .tools(tools![set_labels])
            .build()
            .unwrap(),
    )
    .await;
    let schema = input_schema(&client, "set_labels").await;
    assert_eq!(property_names(&schema), ["labels"], "{schema}");
    let result = client
        .call_tool("set_labels", json!({"labels": {"a": "1", "b": "2"}}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<usize>().unwrap(), 2);
}
