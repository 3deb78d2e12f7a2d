//! Mounting: a mounted server is a child, not a copy. Its components join the parent's
//! catalog under a prefix (`weather_forecast`, `weather://weather/…`) around its own
//! middleware; they see its state first, then the parent's; settings it did not set come from
//! the parent; its startup and shutdown hooks run with the parent's; and the `Server` its
//! components receive speaks its own names ([`MountPath`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::catalog::{Catalog, Common, Components, Kind, Registered};
use super::{Chain, Server};
use crate::error::Error;
use crate::extract::Shared;
use crate::tool::is_valid_tool_name;

/// Where a mounted server's names live in its parent: its prefix and separator, and (for a
/// server mounted inside a mounted server) the mount around it.
pub(crate) struct MountPath {
    prefix: String,
    separator: String,
    /// What the mounted server's components share (its state over the parent's).
    pub(crate) shared: Arc<Shared>,
    outer: Option<Arc<MountPath>>,
}

impl MountPath {
    /// A component's own name, as the outermost server knows it.
    pub(crate) fn name(&self, own: &str) -> String {
        let name = format!("{}{}{own}", self.prefix, self.separator);
        match &self.outer {
            Some(outer) => outer.name(&name),
            None => name,
        }
    }

    /// A resource's own URI, as the outermost server knows it.
    pub(crate) fn uri(&self, own: &str) -> String {
        let uri = with_path_prefix(own, &self.prefix);
        match &self.outer {
            Some(outer) => outer.uri(&uri),
            None => uri,
        }
    }

    /// This path, inside a server mounted at `outer`.
    fn under(&self, outer: &Arc<MountPath>, shared: Arc<Shared>) -> Arc<MountPath> {
        Arc::new(MountPath {
            prefix: self.prefix.clone(),
            separator: self.separator.clone(),
            shared,
            outer: Some(match &self.outer {
                Some(mine) => mine.under(outer, mine.shared.clone()),
                None => outer.clone(),
            }),
        })
    }
}

/// `scheme://rest` → `scheme://prefix/rest` (as a template's mount prefix does).
fn with_path_prefix(uri: &str, prefix: &str) -> String {
    let (scheme, rest) = match uri.find("://") {
        Some(i) => uri.split_at(i + 3),
        None => match uri.find(':') {
            Some(i) => uri.split_at(i + 1),
            None => ("", uri),
        },
    };
    format!("{scheme}{prefix}/{rest}")
}

/// What a mounted server's components share once mounted: its state over the parent's, and
/// the parent's masking and default timeout where it set none (a child's explicit
/// [`TimeLimit::Off`](crate::config::TimeLimit::Off) is a choice, and stays).
fn rebase(child: &Shared, parent: &Shared) -> Shared {
    Shared {
        state: child.state.layered_over(&parent.state),
        mask_internal_errors: if child.mask_set {
            child.mask_internal_errors
        } else {
            parent.mask_internal_errors
        },
        mask_set: child.mask_set || parent.mask_set,
        default_timeout: child.default_timeout.or(parent.default_timeout),
    }
}

/// Adds the components of `child`, mounted under `prefix`, to `catalog`.
pub(crate) fn mount(
    catalog: &mut Catalog,
    prefix: &str,
    separator: &str,
    child: &Server,
    parent: &Arc<Shared>,
) -> Result<(), Error> {
    let path = Arc::new(MountPath {
        prefix: prefix.to_owned(),
        separator: separator.to_owned(),
        shared: Arc::new(rebase(&child.inner.shared, parent)),
        outer: None,
    });
    // Every `Shared` of the child (its own, and those of servers mounted in it) once.
    let mut rebased: HashMap<*const Shared, Arc<Shared>> = HashMap::new();
    rebased.insert(Arc::as_ptr(&child.inner.shared), path.shared.clone());
    let mut paths: HashMap<*const MountPath, Arc<MountPath>> = HashMap::new();
    let mut adopt = |common: &Common| -> Common {
        let mut common = common.clone();
        common.chain = chain_around(&child.inner.middleware, &common.chain);
        common.rename(format!("{prefix}{separator}{}", common.name));
        common.shared = rebased
            .entry(Arc::as_ptr(&common.shared))
            .or_insert_with(|| Arc::new(rebase(&common.shared, parent)))
            .clone();
        common.mount = Some(match &common.mount {
            None => path.clone(),
            Some(inner) => paths
                .entry(Arc::as_ptr(inner))
                .or_insert_with(|| inner.under(&path, common.shared.clone()))
                .clone(),
        });
        common
    };
    let catalog_child = &child.inner.catalog;
    for tool in &catalog_child.tools.items {
        let common = adopt(&tool.common);
        if !is_valid_tool_name(&common.name) {
            return Err(Error::InvalidTool {
                tool: common.name.to_string(),
                message: format!(
                    "mounting under `{prefix}` gives an invalid tool name; use a prefix and separator of `A-Z a-z 0-9 _ - .`"
                ),
            });
        }
        add(&mut catalog.tools, common, &tool.kind, prefix)?;
    }
    for resource in &catalog_child.resources.items {
        let common = adopt(&resource.common);
        add(&mut catalog.resources, common, &resource.kind, prefix)?;
    }
    for prompt in &catalog_child.prompts.items {
        let common = adopt(&prompt.common);
        add(&mut catalog.prompts, common, &prompt.kind, prefix)?;
    }
    Ok(())
}

fn add<K: Kind>(
    components: &mut Components<K>,
    common: Common,
    kind: &K,
    prefix: &str,
) -> Result<(), Error> {
    let mut kind = kind.clone();
    kind.relist(&common, Some(prefix));
    components.add(Registered { common, kind }, Some(prefix))
}

/// `outer` then `inner`: a mounted server's middleware around its components' own.
fn chain_around(outer: &Chain, inner: &Chain) -> Chain {
    outer.iter().chain(inner.iter()).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_get_the_prefix_after_the_scheme() {
        assert_eq!(
            with_path_prefix("weather://current", "w"),
            "weather://w/current"
        );
        assert_eq!(with_path_prefix("urn:x", "w"), "urn:w/x");
        assert_eq!(with_path_prefix("plain", "w"), "w/plain");
    }
}
