//! A tool's schemas, its listing and its argument validator, generated when first needed.
//!
//! Generating a tool's input and output schemas with schemars is most of what building a
//! server costs (about 25k instructions a tool: a server with 1,000 tools spent ~10 ms on it
//! before answering `initialize`). A release build therefore generates them on first use: the
//! first `tools/list` for all the listed tools, the first call for that tool. A debug build
//! generates them when the server is built, so a schema that cannot work (a root that is not
//! an object, a schema that does not compile) fails `build()` in every test run; a release
//! build that meets one logs it, leaves the tool out of lists and answers its calls with an
//! internal error.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use rmcp::model::Tool;
use serde_json::Value;

use crate::extract::OutputMode;
use crate::schema::{ArgumentValidator, SchemaCx, SchemaProfile};
use crate::tool::ToolDescriptor;

/// What a tool's schemas give it.
pub(crate) struct ToolSchemas {
    /// The tool as `tools/list` shows it.
    pub(crate) listed: Tool,
    pub(crate) validator: ArgumentValidator,
    /// A single struct parameter is the whole argument object.
    pub(crate) whole_object: bool,
    pub(crate) output: OutputMode,
}

/// A tool's schemas, generated once, when first asked for.
#[derive(Clone)]
pub(crate) struct LazySchemas {
    descriptor: fn() -> ToolDescriptor,
    profile: SchemaProfile,
    /// The name it is listed under (a mounted tool's has its prefix).
    name: Arc<str>,
    cell: Arc<OnceLock<Result<ToolSchemas, String>>>,
}

impl LazySchemas {
    pub(crate) fn new(
        descriptor: fn() -> ToolDescriptor,
        profile: SchemaProfile,
        name: Arc<str>,
    ) -> Self {
        Self {
            descriptor,
            profile,
            name,
            cell: Arc::new(OnceLock::new()),
        }
    }

    /// The schemas, generated now if they were not yet; the error is the server's (its
    /// author's), logged once.
    pub(crate) fn get(&self) -> Result<&ToolSchemas, &str> {
        self.cell
            .get_or_init(|| {
                let built = generate((self.descriptor)(), self.profile, &self.name);
                if let Err(error) = &built {
                    tracing::error!(tool = %self.name, "the tool cannot be served: {error}");
                }
                built
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// Whether they were generated already.
    #[cfg(test)]
    pub(crate) fn is_generated(&self) -> bool {
        self.cell.get().is_some()
    }

    /// The same tool listed as `name` (mounted under a prefix).
    pub(crate) fn renamed(&self, name: Arc<str>) -> Self {
        Self::new(self.descriptor, self.profile, name)
    }
}

fn generate(
    descriptor: ToolDescriptor,
    profile: SchemaProfile,
    name: &str,
) -> Result<ToolSchemas, String> {
    let cx = SchemaCx::new(profile);
    let input = cx.input(&descriptor.input);
    if input.advertised.get("type").and_then(Value::as_str) != Some("object") {
        return Err(
            "the input schema's root must be an object (`\"type\": \"object\"`)".to_owned(),
        );
    }
    let validator = ArgumentValidator::new(input.validation)?;
    let (output_schema, output) = (descriptor.output.schema)(&cx);
    let meta = &descriptor.meta;
    let listed_name: Cow<'static, str> = if name == meta.name {
        Cow::Borrowed(meta.name)
    } else {
        Cow::Owned(name.to_owned())
    };
    let mut listed = Tool::new_with_raw(
        listed_name,
        meta.description.map(Into::into),
        input.advertised,
    );
    listed.title = meta.title.map(str::to_owned);
    listed.icons = meta.listed_icons();
    listed.meta = meta.meta.clone();
    listed.output_schema = output_schema.map(Arc::new);
    listed.annotations = descriptor.annotations.clone();
    Ok(ToolSchemas {
        listed,
        validator,
        whole_object: input.whole_object,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Add two integers.
    #[crate::tool]
    async fn add(
        /// Left operand
        a: i64,
        /// Right operand
        b: i64,
    ) -> i64 {
        a + b
    }

    fn lazy(name: &str) -> LazySchemas {
        let set = crate::tools![add];
        LazySchemas::new(
            set.entries[0].descriptor,
            SchemaProfile::default(),
            name.into(),
        )
    }

    #[test]
    fn generated_on_first_use_once_and_shared_by_clones() {
        let schemas = lazy("add");
        let clone = schemas.clone();
        assert!(
            !schemas.is_generated(),
            "nothing is generated before it is needed"
        );
        let listed = &schemas.get().expect("valid schemas").listed;
        assert_eq!(listed.name, "add");
        assert_eq!(listed.description.as_deref(), Some("Add two integers."));
        assert_eq!(
            listed.input_schema["properties"]["a"]["description"],
            "Left operand"
        );
        assert_eq!(
            listed.input_schema["required"],
            serde_json::json!(["a", "b"])
        );
        assert!(listed.output_schema.is_some());
        assert!(clone.is_generated(), "clones share what was generated");
        assert!(std::ptr::eq(
            schemas.get().expect("valid"),
            clone.get().expect("valid")
        ));
    }

    #[test]
    fn a_renamed_tool_is_listed_under_its_new_name() {
        let schemas = lazy("add");
        schemas.get().expect("valid schemas");
        let mounted = schemas.renamed("math_add".into());
        assert!(!mounted.is_generated());
        let listed = &mounted.get().expect("valid schemas").listed;
        assert_eq!(listed.name, "math_add");
        assert_eq!(
            listed.input_schema,
            schemas.get().expect("valid").listed.input_schema
        );
        assert_eq!(schemas.get().expect("valid").listed.name, "add");
    }

    #[test]
    fn a_tool_registered_lazily_generates_nothing_until_listed() {
        let set = crate::tools![add];
        let shared = Arc::new(crate::extract::Shared {
            state: crate::extract::StateMap::default(),
            mask_internal_errors: false,
            default_timeout: None,
            mask_set: false,
        });
        let registered = super::super::catalog::Registered::tool(
            &set.entries[0],
            &SchemaCx::new(SchemaProfile::default()),
            &shared,
            &crate::extract::StateMap::default(),
            false,
        )
        .expect("registers");
        assert!(!registered.kind.schemas.is_generated());
        let listed = super::super::catalog::Listed::listing(&registered.kind).expect("listed");
        assert_eq!(listed.name, "add");
        assert!(registered.kind.schemas.is_generated());
    }
}
