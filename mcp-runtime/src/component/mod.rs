//! Components: tools, resources and prompts. What they share ([`ComponentMeta`], the kind, the
//! [`ComponentInfo`] middleware sees) lives here; each kind's module adds only its own.

pub mod completion;
pub(crate) mod duplicates;
mod failure;
mod meta;
pub mod prompt;
pub mod resource;
pub mod tool;
pub(crate) mod uri;

pub use meta::ComponentMeta;
pub(crate) use meta::icon;
