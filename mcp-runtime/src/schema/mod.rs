//! JSON Schemas for tool inputs and outputs: generation from `schemars`, the profile that real
//! clients accept, and validation of arguments before a tool runs.
//!
//! Schemas are generated once per component when the server is built, never per request.
//!
//! # Profiles
//! [`SchemaProfile::Compatible`] (the default) produces what MCP clients in the wild accept: an
//! object root, every `$ref` inlined (no `$defs`, except for recursive types, which cannot be
//! inlined), no `$schema` key, and `Option<T>` as an optional property of type `T` rather than
//! `["T", "null"]`. [`SchemaProfile::Draft2020_12`] is plain JSON Schema draft 2020-12 as
//! `schemars` generates it, with `$defs` and a `$schema` key.
//!
//! Validation always uses the schema *with* nulls, so an explicit `null` for an optional
//! argument is accepted, exactly as serde accepts it.

use crate::extract::OutputMode;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde_json::{Map, Value};

/// The JSON Schema dialect a server advertises for its components.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SchemaProfile {
    /// What real clients accept: object root, `$ref`s inlined, no `$schema`, `Option<T>` as an
    /// optional property of type `T`.
    #[default]
    Compatible,
    /// Plain JSON Schema draft 2020-12, with `$defs` and `$schema`.
    Draft2020_12,
}

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

impl SchemaProfile {
    fn generator(self) -> SchemaGenerator {
        let mut settings = SchemaSettings::draft2020_12();
        settings.meta_schema = None;
        settings.inline_subschemas = self == SchemaProfile::Compatible;
        settings.into_generator()
    }
}

/// Generates the schemas of one component. Created by the server builder; generated code only
/// passes it along.
#[doc(hidden)]
pub struct SchemaCx {
    profile: SchemaProfile,
}

impl SchemaCx {
    pub(crate) fn new(profile: SchemaProfile) -> Self {
        Self { profile }
    }

    /// The dialect the schemas are generated in.
    pub(crate) fn profile(&self) -> SchemaProfile {
        self.profile
    }
}

/// A function producing the schema of one Rust type.
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn subschema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// One argument of a tool, as recorded by [`ToolParam`](crate::tool::ToolParam).
struct Argument {
    name: &'static str,
    description: Option<&'static str>,
    optional: bool,
    schema: SchemaFn,
}

/// The input side of a tool: its arguments and the injected parameters' requirements.
#[doc(hidden)]
#[derive(Default)]
pub struct InputSpec {
    arguments: Vec<Argument>,
    pub(crate) requirements: crate::extract::Requirements,
}

impl InputSpec {
    /// Records one argument of type `T`.
    pub(crate) fn argument<T>(&mut self, name: &'static str, description: Option<&'static str>)
    where
        T: JsonSchema + for<'de> serde::Deserialize<'de>,
    {
        self.arguments.push(Argument {
            name,
            description,
            optional: accepts_missing::<T>(),
            schema: subschema::<T>,
        });
    }
}

/// The schemas of a tool's input, built once.
pub(crate) struct InputSchemas {
    /// What the server advertises in `tools/list`.
    pub advertised: Map<String, Value>,
    /// What arguments are validated against (nulls kept for optional values).
    pub validation: Value,
    /// A single struct parameter is the whole argument object.
    pub whole_object: bool,
}

impl SchemaCx {
    pub(crate) fn input(&self, spec: &InputSpec) -> InputSchemas {
        // Validation always uses the inlined schema with nulls: its errors name the field and
        // the rule even inside optional structs (a `$ref` wrapped in `anyOf` would not), and it
        // accepts an explicit `null` wherever serde does.
        let (validation, whole_object) = Self::input_root(spec, SchemaProfile::Compatible);
        let mut advertised = match self.profile {
            SchemaProfile::Compatible => validation.clone(),
            SchemaProfile::Draft2020_12 => Self::input_root(spec, SchemaProfile::Draft2020_12).0,
        };
        match self.profile {
            SchemaProfile::Compatible => {
                let mut value = Value::Object(advertised);
                strip_nulls(&mut value);
                advertised = match value {
                    Value::Object(map) => map,
                    // `strip_nulls` keeps an object an object.
                    _ => Map::new(),
                };
            }
            SchemaProfile::Draft2020_12 => {
                advertised.insert("$schema".into(), DRAFT_2020_12.into());
            }
        }
        InputSchemas {
            advertised,
            validation: Value::Object(validation),
            whole_object,
        }
    }

    /// The input object of `spec` in `profile`, and whether a single struct parameter is the
    /// whole argument object.
    fn input_root(spec: &InputSpec, profile: SchemaProfile) -> (Map<String, Value>, bool) {
        let mut generator = profile.generator();
        // A single, required struct parameter (an object schema with `properties`; not a map)
        // takes the whole arguments object.
        if let [only] = spec.arguments.as_slice()
            && !only.optional
        {
            let schema = (only.schema)(&mut generator);
            let root = Self::root(schema, &mut generator);
            if root.get("type").and_then(Value::as_str) == Some("object")
                && root.contains_key("properties")
            {
                return (root, true);
            }
            generator = profile.generator();
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        for argument in &spec.arguments {
            let mut schema = (argument.schema)(&mut generator).to_value();
            if let Some(description) = argument.description {
                set_description(&mut schema, description);
            }
            properties.insert(argument.name.to_owned(), schema);
            if !argument.optional {
                required.push(Value::from(argument.name));
            }
        }
        let mut root = Map::new();
        root.insert("type".into(), "object".into());
        root.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            root.insert("required".into(), Value::Array(required));
        }
        let defs = generator.take_definitions(true);
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        (root, false)
    }

    /// A root schema: the given schema with the generator's definitions attached.
    fn root(schema: Schema, generator: &mut SchemaGenerator) -> Map<String, Value> {
        let mut root = match schema.to_value() {
            Value::Object(map) => map,
            Value::Bool(true) => Map::new(),
            other => {
                let mut map = Map::new();
                map.insert("allOf".into(), Value::Array(vec![other]));
                map
            }
        };
        // With `$defs` in use (draft profile), the root itself is a `$ref`: resolve it so the
        // root is the object schema, and keep the definitions beside it; the root's own
        // definition only while something still refers to it (a recursive type).
        let mut defs = generator.take_definitions(true);
        if let Some(Value::String(reference)) = root.get("$ref")
            && root.len() == 1
            && let Some(name) = reference.strip_prefix("#/$defs/").map(str::to_owned)
            && let Some(Value::Object(target)) = defs.get(&name)
        {
            root = target.clone();
            let pointer = format!("#/$defs/{name}");
            let referenced = root.values().any(|value| refers_to(value, &pointer))
                || defs
                    .iter()
                    .any(|(other, value)| *other != name && refers_to(value, &pointer));
            if !referenced {
                defs.remove(&name);
            }
        }
        if !defs.is_empty() {
            root.insert("$defs".into(), Value::Object(defs));
        }
        root
    }

    /// The output schema of a value type, and how values of it are returned.
    pub(crate) fn output<T: JsonSchema>(&self) -> (Option<Map<String, Value>>, OutputMode) {
        let mut generator = self.profile.generator();
        let schema = generator.subschema_for::<T>();
        let mut root = Self::root(schema, &mut generator);
        let is_plain_string = root.get("type").and_then(Value::as_str) == Some("string")
            && !root.contains_key("enum")
            && !root.contains_key("const");
        if is_plain_string {
            return (None, OutputMode::Text);
        }
        let wrap = root.get("type").and_then(Value::as_str) != Some("object");
        if wrap {
            let defs = root.remove("$defs");
            let mut wrapped = Map::new();
            wrapped.insert("type".into(), "object".into());
            let mut properties = Map::new();
            properties.insert("result".into(), Value::Object(root));
            wrapped.insert("properties".into(), Value::Object(properties));
            wrapped.insert("required".into(), Value::Array(vec!["result".into()]));
            if let Some(defs) = defs {
                wrapped.insert("$defs".into(), defs);
            }
            root = wrapped;
        }
        if self.profile == SchemaProfile::Draft2020_12 {
            root.insert("$schema".into(), DRAFT_2020_12.into());
        }
        let mode = if wrap {
            OutputMode::Wrapped
        } else {
            OutputMode::Object
        };
        (Some(root), mode)
    }
}

/// Whether `schema` has a `$ref` to `pointer` anywhere.
fn refers_to(schema: &Value, pointer: &str) -> bool {
    match schema {
        Value::Object(map) => map.iter().any(|(key, value)| {
            (key == "$ref" && value.as_str() == Some(pointer)) || refers_to(value, pointer)
        }),
        Value::Array(items) => items.iter().any(|item| refers_to(item, pointer)),
        _ => false,
    }
}

fn set_description(schema: &mut Value, description: &str) {
    match schema {
        Value::Object(map) => {
            map.insert("description".into(), description.into());
        }
        Value::Bool(true) => {
            let mut map = Map::new();
            map.insert("description".into(), description.into());
            *schema = Value::Object(map);
        }
        _ => {}
    }
}

/// Removes `null` as an alternative everywhere in a schema: `["T", "null"]` becomes `"T"`, and a
/// `{"type": "null"}` branch of `anyOf`/`oneOf` disappears.
pub(crate) fn strip_nulls(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for keyword in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = map.get_mut(keyword) else {
                    continue;
                };
                branches.retain(|branch| !is_null_schema(branch));
                if branches.len() == 1
                    && let Some(Value::Object(only)) = branches.pop()
                {
                    map.remove(keyword);
                    for (key, value) in only {
                        map.entry(key).or_insert(value);
                    }
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            for (key, value) in map.iter_mut() {
                // These keywords hold data, not schemas.
                if !matches!(key.as_str(), "default" | "examples" | "const" | "enum") {
                    strip_nulls(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn is_null_schema(schema: &Value) -> bool {
    let Value::Object(map) = schema else {
        return false;
    };
    map.get("type").and_then(Value::as_str) == Some("null")
        || map.get("const").is_some_and(Value::is_null)
        || matches!(map.get("enum"), Some(Value::Array(values)) if values.len() == 1 && values[0].is_null())
}

/// Argument validation for one tool, compiled from its input schema.
///
/// Compiling a schema also checks it against the JSON Schema meta-schema, which costs far more
/// than serving a call; a server with many tools paid it for every tool at every start. Debug
/// builds compile at `build()`, so a schema that does not compile (a bad `pattern`, say) fails
/// there, where its author looks; release builds compile a tool's schema at its first call, so
/// starting stays instant (a schema that does not compile then fails that tool's calls with
/// the same message as an internal error, and the server logs it). Every test of a server
/// (a debug build) therefore checks its schemas against the meta-schema once.
#[cfg(feature = "validation")]
pub(crate) struct ArgumentValidator {
    schema: Value,
    compiled: std::sync::OnceLock<Result<jsonschema::Validator, String>>,
}

#[cfg(feature = "validation")]
impl ArgumentValidator {
    pub(crate) fn new(schema: Value) -> Result<Self, String> {
        let validator = Self {
            schema,
            compiled: std::sync::OnceLock::new(),
        };
        if cfg!(debug_assertions) {
            validator.compiled()?;
        }
        Ok(validator)
    }

    /// Whether the schema compiled (compiling it now if it was not yet): the error is the
    /// server's, not the caller's.
    pub(crate) fn ready(&self) -> Result<(), String> {
        self.compiled().map(drop)
    }

    fn compiled(&self) -> Result<&jsonschema::Validator, String> {
        self.compiled
            .get_or_init(|| {
                jsonschema::validator_for(&self.schema).map_err(|error| {
                    let error = format!("the input schema does not compile: {error}");
                    tracing::error!("{error}");
                    error
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Checks `arguments`; on failure, one line per problem naming the field and the rule.
    pub(crate) fn check(&self, arguments: &Value) -> Result<(), String> {
        let validator = self.compiled()?;
        if validator.is_valid(arguments) {
            return Ok(());
        }
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .map(|error| {
                let path = error.instance_path().as_str();
                if path.is_empty() {
                    error.to_string()
                } else {
                    // `/a/0/b` → `a[0].b`, the way a caller names the field.
                    format!("`{}`: {error}", pointer_to_field(path))
                }
            })
            .collect();
        Err(problems.join("; "))
    }
}

/// Without the `validation` feature, arguments are checked by deserialization alone (types,
/// required fields, enum variants); this remembers which schema keywords then go unchecked.
#[cfg(not(feature = "validation"))]
pub(crate) struct ArgumentValidator {
    unchecked: Vec<&'static str>,
}

#[cfg(not(feature = "validation"))]
impl ArgumentValidator {
    pub(crate) fn new(schema: Value) -> Result<Self, String> {
        let mut unchecked = Vec::new();
        unchecked_keywords(&schema, &mut unchecked);
        Ok(Self { unchecked })
    }

    /// Always ready: there is nothing to compile.
    pub(crate) fn ready(&self) -> Result<(), String> {
        Ok(())
    }

    /// Accepts every argument: deserialization checks what it can.
    pub(crate) fn check(&self, _arguments: &Value) -> Result<(), String> {
        Ok(())
    }

    /// The keywords of the schema that nothing checks without the `validation` feature.
    pub(crate) fn unchecked(&self) -> &[&'static str] {
        &self.unchecked
    }
}

/// Keywords that deserialization does not enforce: values within the type but outside the
/// schema get through without the `validation` feature. The bounds `schemars` writes for an
/// integer type itself (`minimum: 0` on a `u32`) are enforced by the type and not listed.
#[cfg(not(feature = "validation"))]
const UNCHECKED: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "contains",
];

/// Collects the [`UNCHECKED`] keywords used anywhere in `schema`, once each.
#[cfg(not(feature = "validation"))]
fn unchecked_keywords(schema: &Value, found: &mut Vec<&'static str>) {
    match schema {
        Value::Object(map) => {
            let format = map.get("format").and_then(Value::as_str);
            for &keyword in UNCHECKED {
                let Some(value) = map.get(keyword) else {
                    continue;
                };
                let type_bound = matches!(keyword, "minimum" | "maximum")
                    && format
                        .is_some_and(|format| integer_bound(format, keyword) == value.as_f64());
                if !type_bound && !found.contains(&keyword) {
                    found.push(keyword);
                }
            }
            for (key, value) in map {
                // These keywords hold data, not schemas.
                if !matches!(key.as_str(), "default" | "examples" | "const" | "enum") {
                    unchecked_keywords(value, found);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| unchecked_keywords(item, found)),
        _ => {}
    }
}

/// The bound `schemars` writes for an integer `format` (`uint8` → `0` and `255`).
#[cfg(not(feature = "validation"))]
fn integer_bound(format: &str, keyword: &str) -> Option<f64> {
    let (min, max) = match format {
        "uint8" => (0.0, f64::from(u8::MAX)),
        "uint16" => (0.0, f64::from(u16::MAX)),
        "uint32" => (0.0, f64::from(u32::MAX)),
        "uint64" | "uint" | "uint128" => (0.0, u64::MAX as f64),
        "int8" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        "int16" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "int32" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "int64" | "int" | "int128" => (i64::MIN as f64, i64::MAX as f64),
        _ => return None,
    };
    Some(if keyword == "minimum" { min } else { max })
}

/// The warning [`ServerBuilder::build`](crate::ServerBuilder::build) logs when tools declare
/// constraints that nothing checks without the `validation` feature: `(tool, keywords)`.
#[cfg(not(feature = "validation"))]
pub(crate) fn unchecked_warning(tools: &[(String, Vec<&'static str>)]) -> Option<String> {
    if tools.is_empty() {
        return None;
    }
    let named: Vec<String> = tools
        .iter()
        .map(|(tool, keywords)| format!("`{tool}` ({})", keywords.join(", ")))
        .collect();
    Some(format!(
        "mcp-runtime was built without its `validation` cargo feature: arguments are checked by \
         type only, and these tools' schema constraints go unchecked: {}; turn the feature on, or \
         check them in the tool",
        named.join(", ")
    ))
}

#[cfg(feature = "validation")]
fn pointer_to_field(pointer: &str) -> String {
    let mut field = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            field.push('[');
            field.push_str(&segment);
            field.push(']');
        } else {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(&segment);
        }
    }
    field
}

/// Whether `T` deserializes from a missing value, as serde decides for a missing struct field:
/// `Option<T>` (and anything that deserializes through `deserialize_option`) does; a plain type
/// does not. This is how optional arguments are told apart, by behaviour rather than by name.
pub(crate) fn accepts_missing<T: for<'de> serde::Deserialize<'de>>() -> bool {
    T::deserialize(Missing).is_ok()
}

/// Deserializes `T` from a missing value; `Err` for a required type.
pub(crate) fn from_missing<T: for<'de> serde::Deserialize<'de>>() -> Option<T> {
    T::deserialize(Missing).ok()
}

/// A deserializer for an absent value: `None` for options, an error for everything else.
struct Missing;

impl<'de> Deserializer<'de> for Missing {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("missing value"))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_are_told_apart_by_behaviour() {
        assert!(accepts_missing::<Option<i64>>());
        assert!(accepts_missing::<Option<Vec<String>>>());
        assert!(!accepts_missing::<i64>());
        assert!(!accepts_missing::<String>());
        assert!(!accepts_missing::<()>());
        assert_eq!(from_missing::<Option<u8>>(), Some(None));
    }

    #[test]
    fn strip_nulls_handles_type_arrays_any_of_and_enums() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": ["integer", "null"], "format": "int64"},
                "b": {"anyOf": [{"type": "object", "properties": {"x": {"type": "string"}}}, {"type": "null"}], "description": "b"},
                "c": {"type": ["string", "null"], "enum": ["x", "y", null]},
                "d": {"default": {"type": ["keep", "null"]}}
            }
        });
        strip_nulls(&mut schema);
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "a": {"type": "integer", "format": "int64"},
                    "b": {"type": "object", "properties": {"x": {"type": "string"}}, "description": "b"},
                    "c": {"type": "string", "enum": ["x", "y"]},
                    "d": {"default": {"type": ["keep", "null"]}}
                }
            })
        );
    }

    #[cfg(feature = "validation")]
    #[test]
    fn validation_names_the_field_and_the_rule() {
        let validator = ArgumentValidator::new(json!({
            "type": "object",
            "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}}},
            "required": ["items"]
        }))
        .unwrap();
        assert!(validator.check(&json!({"items": [{"n": 2}]})).is_ok());
        let message = validator.check(&json!({"items": [{"n": 0}]})).unwrap_err();
        assert!(message.starts_with("`items[0].n`: "), "{message}");
        assert!(message.contains("minimum of 1"), "{message}");
        let message = validator.check(&json!({})).unwrap_err();
        assert!(
            message.contains("\"items\" is a required property"),
            "{message}"
        );
    }

    #[cfg(not(feature = "validation"))]
    #[test]
    fn without_validation_the_unchecked_keywords_are_named() {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Plain {
            count: u32,
            small: i8,
            ratio: f64,
        }
        let mut spec = InputSpec::default();
        spec.argument::<Plain>("plain", None);
        let plain = SchemaCx::new(SchemaProfile::Compatible).input(&spec);
        let validator = ArgumentValidator::new(plain.validation.clone()).unwrap();
        assert!(
            validator.unchecked().is_empty(),
            "{:?}",
            validator.unchecked()
        );

        let validator = ArgumentValidator::new(json!({
            "type": "object",
            "properties": {
                "n": {"type": "integer", "format": "uint32", "minimum": 1},
                "name": {"type": "string", "pattern": "^[a-z]+$", "default": {"maxLength": 1}}
            }
        }))
        .unwrap();
        assert_eq!(validator.unchecked(), ["minimum", "pattern"]);
        assert!(validator.check(&json!({"n": 0})).is_ok());
        let warning = unchecked_warning(&[("count".to_owned(), vec!["minimum"])]).unwrap();
        assert!(warning.contains("`validation` cargo feature"), "{warning}");
        assert!(warning.contains("`count` (minimum)"), "{warning}");
        assert_eq!(unchecked_warning(&[]), None);
    }

    #[test]
    fn draft_profile_keeps_defs_and_schema_key() {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Inner {
            x: i32,
        }
        let mut spec = InputSpec::default();
        spec.argument::<Inner>("inner", None);
        spec.argument::<Option<Inner>>("maybe", None);
        let draft = SchemaCx::new(SchemaProfile::Draft2020_12).input(&spec);
        assert_eq!(draft.advertised["$schema"], DRAFT_2020_12);
        assert!(draft.advertised.contains_key("$defs"));
        let compatible = SchemaCx::new(SchemaProfile::Compatible).input(&spec);
        let text = Value::Object(compatible.advertised).to_string();
        assert!(
            !text.contains("$ref") && !text.contains("$defs") && !text.contains("null"),
            "{text}"
        );
    }

    #[test]
    fn a_whole_object_root_is_not_also_left_in_defs() {
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Address {
            city: String,
        }
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Args {
            address: Option<Address>,
        }
        /// Recursive: the root's definition stays, for the `$ref` inside it.
        #[derive(serde::Deserialize, schemars::JsonSchema)]
        #[allow(dead_code)]
        struct Tree {
            children: Vec<Tree>,
        }
        let cx = SchemaCx::new(SchemaProfile::Draft2020_12);
        let mut spec = InputSpec::default();
        spec.argument::<Args>("args", None);
        let input = cx.input(&spec);
        assert!(input.whole_object);
        let defs = input.advertised["$defs"].as_object().unwrap();
        assert_eq!(defs.keys().collect::<Vec<_>>(), ["Address"], "{defs:?}");

        let mut spec = InputSpec::default();
        spec.argument::<Tree>("tree", None);
        let input = cx.input(&spec);
        let defs = input.advertised["$defs"].as_object().unwrap();
        assert!(defs.contains_key("Tree"), "{defs:?}");
    }
}
