//! Composition through the public API: `.mount(prefix, server)` exposes a child's tools, prompts
//! and resources under the prefix, with the child's own state; separators; and the build errors
//! of collisions and duplicates.

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::testing::{Notification, TestClient};
use serde_json::json;

/// JSON-RPC `invalid params`.
const INVALID_PARAMS: i32 = -32602;
/// MCP's resource-not-found on the protocol version `TestClient` negotiates.
const RESOURCE_NOT_FOUND: i32 = -32002;

/// The child's state: only the child server has one.
struct Forecasts {
    unit: &'static str,
    cities: Vec<&'static str>,
}

mod weather {
    use super::Forecasts;
    use mcp_runtime::completion::Completion;
    use mcp_runtime::prelude::*;

    /// The forecast for a city.
    #[tool]
    pub async fn forecast(forecasts: State<Forecasts>, city: String) -> String {
        format!("{city}: 21{}", forecasts.unit)
    }

    /// Reset the station (admins only).
    #[tool(tags = ["admin"])]
    pub async fn reset() -> String {
        "reset".to_owned()
    }

    /// Tell subscribers the current weather changed, by the URI the child knows.
    #[tool]
    pub async fn refresh(server: Server) -> usize {
        server.notify_resource_updated("weather://current").await
    }

    /// The current weather.
    #[resource("weather://current", mime_type = "text/plain")]
    pub async fn current(forecasts: State<Forecasts>) -> String {
        format!("sunny, 21{}", forecasts.unit)
    }

    /// The weather of one city.
    #[resource("weather://city/{name}", complete(name = cities))]
    pub async fn city(name: String, forecasts: State<Forecasts>) -> Result<String, ResourceError> {
        if forecasts.cities.contains(&name.as_str()) {
            Ok(format!("{name}: 21{}", forecasts.unit))
        } else {
            Err(ResourceError::not_found(format!("weather://city/{name}")))
        }
    }

    /// A day's weather, by number.
    #[resource("weather://day/{n}")]
    pub async fn day(n: u8) -> String {
        format!("day {n}")
    }

    /// Cities known to the child.
    pub async fn cities(completion: Completion) -> Vec<String> {
        completion
            .state::<Forecasts>()
            .map(|f| {
                f.cities
                    .iter()
                    .filter(|c| c.starts_with(completion.value()))
                    .map(|c| (*c).to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A weather report for a city.
    #[prompt(complete(city = cities))]
    pub async fn report(
        forecasts: State<Forecasts>,
        /// The city
        city: String,
    ) -> String {
        format!("Report the weather of {city} in {}.", forecasts.unit)
    }

    /// The child server, with its own state.
    pub fn server() -> Server {
        Server::builder("weather")
            .state(Forecasts {
                unit: "°C",
                cities: vec!["Paris", "Pau", "Oslo"],
            })
            .tools(tools![forecast, reset, refresh])
            .resources(resources![current, city, day])
            .prompts(prompts![report])
            .build()
            .expect("the weather server builds")
    }
}

/// Say hello.
#[tool]
async fn hello() -> String {
    "hello".to_owned()
}

/// A parent tool whose name a mount can collide with.
#[tool(name = "weather_forecast")]
async fn parent_forecast() -> String {
    "parent".to_owned()
}

/// A parent prompt whose name a mount can collide with.
#[prompt(name = "weather_report")]
async fn parent_report() -> String {
    "parent".to_owned()
}

/// A parent resource at the URI a mounted child's resource gets.
#[resource("weather://weather/current")]
async fn parent_current() -> String {
    "parent".to_owned()
}

/// A parent resource.
#[resource("home://index")]
async fn home() -> String {
    "home".to_owned()
}

/// The same URI, in another `resources!` list.
#[resource("home://index")]
async fn home_again() -> String {
    "again".to_owned()
}

fn parent() -> Server {
    Server::builder("parent")
        .tools(tools![hello])
        .mount("weather", weather::server())
        .build()
        .expect("the parent builds")
}

async fn tool_names(client: &TestClient) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn mounted_tools_are_prefixed_and_keep_the_childs_state() {
    let client = TestClient::new(parent()).await;
    assert_eq!(
        tool_names(&client).await,
        [
            "hello",
            "weather_forecast",
            "weather_refresh",
            "weather_reset"
        ]
    );
    let result = client
        .call_tool("weather_forecast", json!({"city": "Oslo"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.text(), "Oslo: 21°C");
    // The child's own name is not exposed.
    let error = client
        .call_tool("forecast", json!({"city": "Oslo"}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS));
    // The listing keeps the child's description and schema.
    let tools = client.list_tools().await.unwrap();
    let forecast = tools.iter().find(|t| t.name == "weather_forecast").unwrap();
    assert_eq!(
        forecast.description.as_deref(),
        Some("The forecast for a city.")
    );
    assert!(forecast.input_schema["properties"].get("city").is_some());
}

#[tokio::test]
async fn mounted_prompts_are_prefixed_and_complete_with_the_childs_state() {
    let client = TestClient::new(parent()).await;
    let prompts = client.list_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["weather_report"]);
    let result = client
        .get_prompt("weather_report", json!({"city": "Paris"}))
        .await
        .unwrap();
    let text = serde_json::to_value(&result.messages).unwrap()[0]["content"]["text"].clone();
    assert_eq!(text, "Report the weather of Paris in °C.");
    let error = client
        .get_prompt("report", json!({"city": "Paris"}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS));

    let info = client
        .complete_prompt("weather_report", "city", "Pa")
        .await
        .unwrap();
    assert_eq!(info.values, ["Paris", "Pau"]);
    let capabilities = serde_json::to_value(&*client.server_info().unwrap()).unwrap();
    assert!(
        capabilities["capabilities"].get("completions").is_some(),
        "a mounted completer makes the parent advertise completions"
    );
}

#[tokio::test]
async fn mounted_resources_live_under_the_prefix() {
    let client = TestClient::new(parent()).await;
    let resources = client.list_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["weather://weather/current"]);
    assert_eq!(resources[0].mime_type.as_deref(), Some("text/plain"));
    assert_eq!(
        resources[0].description.as_deref(),
        Some("The current weather.")
    );

    let templates = client.list_resource_templates().await.unwrap();
    let mut uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    uris.sort_unstable();
    assert_eq!(
        uris,
        ["weather://weather/city/{name}", "weather://weather/day/{n}"]
    );

    assert_eq!(
        client.read_text("weather://weather/current").await.unwrap(),
        "sunny, 21°C"
    );
    let read = client
        .read_resource("weather://weather/current")
        .await
        .unwrap();
    let contents = serde_json::to_value(&read.contents[0]).unwrap();
    assert_eq!(contents["uri"], "weather://weather/current");

    // Template variables still bind, with the child's state.
    assert_eq!(
        client
            .read_text("weather://weather/city/Oslo")
            .await
            .unwrap(),
        "Oslo: 21°C"
    );
    assert_eq!(
        client.read_text("weather://weather/day/3").await.unwrap(),
        "day 3"
    );
    let error = client
        .read_resource("weather://weather/day/monday")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS));
    assert!(error.message().unwrap().contains("`n`"));
    let error = client
        .read_resource("weather://weather/city/Rome")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND));

    // The child's own URIs are not served by the parent.
    for uri in ["weather://current", "weather://city/Oslo"] {
        let error = client.read_resource(uri).await.unwrap_err();
        assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{uri}: {error}");
    }
}

#[tokio::test]
async fn mounted_template_variables_complete() {
    let client = TestClient::new(parent()).await;
    let info = client
        .complete_resource("weather://weather/city/{name}", "name", "O")
        .await
        .unwrap();
    assert_eq!(info.values, ["Oslo"]);
}

#[tokio::test]
async fn the_parent_needs_no_state_of_the_childs_type() {
    // `parent()` has no `Forecasts`; a parent component asking for it fails to build, which
    // shows the state mounted components use is the child's.
    #[tool]
    async fn needs_forecasts(forecasts: State<Forecasts>) -> String {
        forecasts.unit.to_owned()
    }
    let error = Server::builder("parent")
        .tools(tools![needs_forecasts])
        .mount("weather", weather::server())
        .build()
        .expect_err("the parent has no Forecasts");
    assert!(error.to_string().contains("Forecasts"), "{error}");
    // And the parent's own state does not replace the child's.
    let server = Server::builder("parent")
        .state(Forecasts {
            unit: "°F",
            cities: vec![],
        })
        .mount("weather", weather::server())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client
        .call_tool("weather_forecast", json!({"city": "Oslo"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "Oslo: 21°C");
}

#[tokio::test]
async fn a_custom_separator() {
    let server = Server::builder("parent")
        .mount("weather", weather::server())
        .mount_separator("-")
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(
        tool_names(&client).await,
        ["weather-forecast", "weather-refresh", "weather-reset"]
    );
    let result = client
        .call_tool("weather-forecast", json!({"city": "Pau"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "Pau: 21°C");
    let prompts = client.list_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "weather-report");
    // Resource URIs use the path, whatever the separator.
    assert_eq!(
        client.read_text("weather://weather/current").await.unwrap(),
        "sunny, 21°C"
    );
}

#[tokio::test]
async fn a_separator_that_makes_invalid_tool_names_is_a_build_error() {
    let error = Server::builder("parent")
        .mount("weather", weather::server())
        .mount_separator("/")
        .build()
        .expect_err("`weather/forecast` is not a valid tool name");
    let message = error.to_string();
    assert!(message.contains("weather/forecast"), "{message}");
    assert!(message.contains("weather"), "{message}");
}

#[tokio::test]
async fn the_same_child_under_two_prefixes() {
    let server = Server::builder("parent")
        .mount("north", weather::server())
        .mount("south", weather::server())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let names = tool_names(&client).await;
    assert!(names.contains(&"north_forecast".to_owned()), "{names:?}");
    assert!(names.contains(&"south_forecast".to_owned()), "{names:?}");
    assert_eq!(
        client.read_text("weather://north/current").await.unwrap(),
        "sunny, 21°C"
    );
    assert_eq!(
        client
            .read_text("weather://south/city/Paris")
            .await
            .unwrap(),
        "Paris: 21°C"
    );
}

#[tokio::test]
async fn nested_mounts_compose_prefixes() {
    let middle = Server::builder("middle")
        .mount("weather", weather::server())
        .build()
        .unwrap();
    let server = Server::builder("top").mount("eu", middle).build().unwrap();
    let client = TestClient::new(server).await;
    let result = client
        .call_tool("eu_weather_forecast", json!({"city": "Oslo"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "Oslo: 21°C");
    assert_eq!(
        client
            .read_text("weather://eu/weather/city/Oslo")
            .await
            .unwrap(),
        "Oslo: 21°C"
    );
}

#[tokio::test]
async fn a_tool_colliding_with_a_mounted_tool_is_a_build_error_naming_both_sides() {
    let error = Server::builder("parent")
        .tools(tools![parent_forecast])
        .mount("weather", weather::server())
        .build()
        .expect_err("`weather_forecast` is defined twice");
    let message = error.to_string();
    assert!(message.contains("`weather_forecast`"), "{message}");
    assert!(message.contains("this server"), "{message}");
    assert!(
        message.contains("the server mounted as `weather`"),
        "{message}"
    );
}

#[tokio::test]
async fn a_prompt_colliding_with_a_mounted_prompt_is_a_build_error() {
    let error = Server::builder("parent")
        .prompts(prompts![parent_report])
        .mount("weather", weather::server())
        .build()
        .expect_err("`weather_report` is defined twice");
    let message = error.to_string();
    assert!(message.contains("prompt `weather_report`"), "{message}");
    assert!(message.contains("this server"), "{message}");
    assert!(message.contains("mounted as `weather`"), "{message}");
}

#[tokio::test]
async fn a_resource_colliding_with_a_mounted_resource_is_a_build_error() {
    let error = Server::builder("parent")
        .resources(resources![parent_current])
        .mount("weather", weather::server())
        .build()
        .expect_err("`weather://weather/current` is defined twice");
    let message = error.to_string();
    assert!(message.contains("weather://weather/current"), "{message}");
    assert!(message.contains("mounted as `weather`"), "{message}");
}

#[tokio::test]
async fn two_mounts_under_one_prefix_collide() {
    let error = Server::builder("parent")
        .mount("weather", weather::server())
        .mount("weather", weather::server())
        .build()
        .expect_err("the same prefix twice");
    let message = error.to_string();
    assert!(message.contains("weather_forecast"), "{message}");
    assert_eq!(
        message.matches("the server mounted as `weather`").count(),
        2,
        "{message}"
    );
}

#[tokio::test]
async fn duplicate_resource_uris_across_resources_calls_are_a_build_error() {
    let error = Server::builder("dupes")
        .resources(resources![home])
        .resources(resources![home_again])
        .build()
        .expect_err("`home://index` twice");
    let message = error.to_string();
    assert!(message.contains("home://index"), "{message}");
    assert!(message.contains("twice"), "{message}");
}

#[tokio::test]
async fn mounted_components_are_enabled_and_disabled_by_their_mounted_names_and_tags() {
    let server = parent();
    let client = TestClient::new(server.clone()).await;
    client.list_tools().await.unwrap();
    assert_eq!(server.disable("weather_forecast").await, 1);
    assert!(
        !tool_names(&client)
            .await
            .contains(&"weather_forecast".to_owned())
    );
    assert_eq!(server.disable_tag("admin").await, 1);
    assert!(
        !tool_names(&client)
            .await
            .contains(&"weather_reset".to_owned())
    );
    assert_eq!(server.disable("weather_current").await, 1);
    let error = client
        .read_resource("weather://weather/current")
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND));
    assert!(
        client
            .wait_for_notification(Duration::from_secs(5), |n| {
                *n == Notification::ResourceListChanged
            })
            .await
            .is_some()
    );
}

#[tokio::test]
async fn subscribers_of_a_mounted_resource_are_notified_by_the_parent() {
    let server = parent();
    let client = TestClient::new(server.clone()).await;
    client.subscribe("weather://weather/current").await.unwrap();
    assert_eq!(
        server
            .notify_resource_updated("weather://weather/current")
            .await,
        1
    );
    assert!(
        client
            .wait_for_notification(Duration::from_secs(5), |n| {
                *n == Notification::ResourceUpdated("weather://weather/current".to_owned())
            })
            .await
            .is_some()
    );
}

#[tokio::test]
async fn a_mounted_tool_notifying_its_own_resource_reaches_subscribers() {
    let server = parent();
    let client = TestClient::new(server).await;
    client.subscribe("weather://weather/current").await.unwrap();
    let result = client
        .call_tool("weather_refresh", json!({}))
        .await
        .unwrap();
    assert_eq!(
        result.json::<usize>().unwrap(),
        1,
        "the subscriber of the mounted URI was not notified"
    );
}

#[tokio::test]
async fn simple_and_reserved_templates_do_not_collide() {
    /// Simple.
    #[resource("x://{path}")]
    async fn simple(path: String) -> String {
        path
    }
    /// Reserved.
    #[resource("x://r/{+path}")]
    async fn reserved(path: String) -> String {
        path
    }
    /// Reserved, at the simple one's spot.
    #[resource("x://{+path}")]
    async fn reserved_root(path: String) -> String {
        path
    }
    let _ = Server::builder("ok")
        .resources(resources![simple, reserved])
        .build()
        .expect("distinct templates build");
    let server = Server::builder("templates")
        .resources(resources![simple, reserved_root])
        .build();
    assert!(
        server.is_ok(),
        "`x://{{path}}` and `x://{{+path}}` are different templates: {:?}",
        server.err()
    );
}

/// A mounted server is a child: its lifespan, state, settings and names.
mod child {
    use std::sync::{Arc, Mutex};

    use mcp_runtime::prelude::*;
    use mcp_runtime::testing::TestClient;
    use serde_json::json;

    /// A connection the child's startup hook opens.
    struct Pool(&'static str);
    /// What only the parent has.
    struct Parent(&'static str);
    /// What both have: the child's wins inside the child.
    struct Both(&'static str);

    /// The events hooks record, in order.
    type Log = Arc<Mutex<Vec<String>>>;

    /// Uses the pool the child's startup hook made.
    #[tool]
    async fn query(pool: State<Pool>) -> String {
        pool.0.to_owned()
    }

    /// Reads state of the parent's and of both, from inside the child.
    #[tool]
    async fn layered(parent: State<Parent>, both: State<Both>, server: Server) -> String {
        let through_server = server.state::<Both>().map(|b| b.0).unwrap_or("none");
        format!("{} {} {}", parent.0, both.0, through_server)
    }

    /// Fails with an internal error.
    #[tool]
    async fn broken() -> Result<String, ToolError> {
        Err(ToolError::internal(std::io::Error::other("disk on fire")))
    }

    /// Sleeps longer than any default timeout here.
    #[tool]
    async fn slow() -> String {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        "done".to_owned()
    }

    /// Disables a component of its own server by its own name.
    #[tool]
    async fn hide_query(server: Server) -> usize {
        server.disable("query").await
    }

    fn hooked(name: &'static str, log: &Log) -> mcp_runtime::ServerBuilder {
        let (up, down) = (log.clone(), log.clone());
        Server::builder(name)
            .on_startup(move || async move {
                up.lock().unwrap().push(format!("{name} up"));
                Ok::<_, std::io::Error>(Pool(name))
            })
            .on_shutdown(move |_server: Server| async move {
                down.lock().unwrap().push(format!("{name} down"));
            })
    }

    #[tokio::test]
    async fn a_mounted_servers_hooks_run_with_the_parents_in_order() {
        let log = Log::default();
        let first = hooked("first", &log).tools(tools![query]).build().unwrap();
        let second = hooked("second", &log).build().unwrap();
        let (up, down) = (log.clone(), log.clone());
        let parent = Server::builder("parent")
            .on_startup(move || async move {
                up.lock().unwrap().push("parent up".to_owned());
                Ok::<_, std::io::Error>(Parent("p"))
            })
            .on_shutdown(move |_server: Server| async move {
                down.lock().unwrap().push("parent down".to_owned());
            })
            .mount("a", first)
            .mount("b", second)
            .build()
            .unwrap();
        parent.start().await.unwrap();
        let client = TestClient::new(parent.clone()).await;
        let result = client.call_tool("a_query", json!({})).await.unwrap();
        assert_eq!(
            result.text(),
            "first",
            "the child's startup state reached its tool"
        );
        parent.shutdown().await;
        assert_eq!(
            *log.lock().unwrap(),
            [
                "parent up",
                "first up",
                "second up",
                "second down",
                "first down",
                "parent down"
            ]
        );
    }

    #[tokio::test]
    async fn a_failing_child_hook_fails_the_parents_start_naming_the_mount() {
        let child = Server::builder("weather-child")
            .on_startup(|| async { Err::<Pool, _>("no route to host") })
            .tools(tools![query])
            .build()
            .unwrap();
        let parent = Server::builder("parent")
            .mount("weather", child)
            .build()
            .unwrap();
        let error = parent.start().await.unwrap_err().to_string();
        assert!(error.contains("`weather`"), "{error}");
        assert!(error.contains("weather-child"), "{error}");
        assert!(error.contains("no route to host"), "{error}");
        assert!(!parent.is_ready());
    }

    #[tokio::test]
    async fn a_mounted_builder_sees_the_parents_state_under_its_own() {
        let child = Server::builder("child")
            .state(Both("child's"))
            .tools(tools![layered]);
        let parent = Server::builder("parent")
            .state(Parent("parent's"))
            .state(Both("parent's"))
            .mount("c", child)
            .build()
            .unwrap();
        let client = TestClient::new(parent).await;
        let result = client.call_tool("c_layered", json!({})).await.unwrap();
        assert_eq!(result.text(), "parent's child's child's");
    }

    #[test]
    fn a_mounted_builder_still_needs_its_state_from_someone() {
        let child = Server::builder("child").tools(tools![layered]);
        let error = Server::builder("parent")
            .state(Both("parent's"))
            .mount("c", child)
            .build()
            .unwrap_err()
            .to_string();
        assert!(error.contains("Parent"), "{error}");
    }

    #[tokio::test]
    async fn settings_a_child_did_not_set_come_from_the_parent() {
        let quiet_child = Server::builder("quiet")
            .tools(tools![broken, slow])
            .build()
            .unwrap();
        let loud_child = Server::builder("loud")
            .mask_internal_errors(true)
            .tools(tools![broken])
            .build()
            .unwrap();
        let parent = Server::builder("parent")
            .mask_internal_errors(false)
            .default_timeout(std::time::Duration::from_millis(50))
            .mount("q", quiet_child)
            .mount("l", loud_child)
            .build()
            .unwrap();
        let client = TestClient::new(parent).await;
        let inherited = client.call_tool("q_broken", json!({})).await.unwrap();
        assert!(inherited.is_error());
        assert!(
            inherited.text().contains("disk on fire"),
            "{}",
            inherited.text()
        );
        let own = client.call_tool("l_broken", json!({})).await.unwrap();
        assert!(own.is_error());
        assert!(!own.text().contains("disk on fire"), "{}", own.text());
        let slow = client.call_tool("q_slow", json!({})).await.unwrap();
        assert!(slow.is_error());
        assert!(slow.text().contains("timed out"), "{}", slow.text());
    }

    #[tokio::test]
    async fn a_mounted_component_disables_its_siblings_by_their_own_names() {
        let log = Log::default();
        let child = hooked("child", &log)
            .tools(tools![query, hide_query])
            .build()
            .unwrap();
        let parent = Server::builder("parent").mount("c", child).build().unwrap();
        parent.start().await.unwrap();
        let client = TestClient::new(parent).await;
        let hidden = client.call_tool("c_hide_query", json!({})).await.unwrap();
        assert_eq!(hidden.json::<usize>().unwrap(), 1);
        let names: Vec<String> = client
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(names, ["c_hide_query"]);
    }
}
