//! `#[resource("scheme://{var}")]`: what a resource adds to the shared component layer: its URI
//! and keys ([`parse`]), the URI template and its checks ([`validate`]) and its `ResourceDef`
//! ([`expand`]).

mod expand;
mod parse;
mod validate;

use darling::ast::NestedMeta;
use darling::error::Accumulator;
use proc_macro2::TokenStream;

use crate::component::shared::SharedAttr;
use crate::component::{Component, Kind, Parsed};

/// The `#[resource]` kind.
pub struct Resource;

impl Component for Resource {
    const KIND: Kind = Kind::Resource;
    type Attr = parse::ResourceAttr;
    type Checked = validate::Checked;

    fn shared(attr: &parse::ResourceAttr) -> &SharedAttr {
        &attr.shared
    }

    fn parse_attr(list: Vec<NestedMeta>, errors: &mut Accumulator) -> parse::ResourceAttr {
        parse::parse_attr(list, errors)
    }

    fn validate(resource: &Parsed<Self>, errors: &mut Accumulator) -> Option<validate::Checked> {
        validate::validate(resource, errors)
    }

    fn expand(
        resource: &Parsed<Self>,
        checked: validate::Checked,
        shared: TokenStream,
    ) -> TokenStream {
        expand::expand(resource, &checked, shared)
    }

    fn stub(resource: &Parsed<Self>) -> TokenStream {
        expand::stub(resource)
    }
}
