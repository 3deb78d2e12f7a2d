//! `#[tool]`: what a tool adds to the shared component layer: its keys ([`parse`]), its checks
//! ([`validate`]) and its `ToolDef` ([`expand`]).

mod expand;
mod parse;
mod validate;

use darling::error::Accumulator;
use proc_macro2::{Span, TokenStream};

use crate::component::shared::SharedAttr;
use crate::component::{Component, Kind, Parsed};

/// The `#[tool]` kind.
pub struct Tool;

impl Component for Tool {
    const KIND: Kind = Kind::Tool;
    type Attr = parse::ToolAttr;
    type Checked = ();

    fn shared(attr: &parse::ToolAttr) -> &SharedAttr {
        &attr.shared
    }

    fn blocking(attr: &parse::ToolAttr) -> Option<Span> {
        attr.blocking.map(|blocking| blocking.span)
    }

    fn validate(tool: &Parsed<Self>, errors: &mut Accumulator) -> Option<()> {
        validate::validate(&tool.attr, errors);
        Some(())
    }

    fn expand(tool: &Parsed<Self>, (): (), shared: TokenStream) -> TokenStream {
        expand::expand(tool, shared)
    }

    fn stub(tool: &Parsed<Self>) -> TokenStream {
        expand::stub(tool)
    }
}
