//! `#[prompt]`: what a prompt adds to the shared component layer: its keys ([`parse`]), its
//! checks ([`validate`]) and its `PromptDef` ([`expand`]).

mod expand;
mod parse;
mod validate;

use darling::error::Accumulator;
use proc_macro2::TokenStream;

use crate::component::shared::SharedAttr;
use crate::component::{Component, Kind, Parsed};

/// The `#[prompt]` kind.
pub struct Prompt;

impl Component for Prompt {
    const KIND: Kind = Kind::Prompt;
    type Attr = parse::PromptAttr;
    type Checked = ();

    fn shared(attr: &parse::PromptAttr) -> &SharedAttr {
        &attr.shared
    }

    fn validate(prompt: &Parsed<Self>, errors: &mut Accumulator) -> Option<()> {
        validate::validate(prompt, errors);
        Some(())
    }

    fn expand(prompt: &Parsed<Self>, (): (), shared: TokenStream) -> TokenStream {
        expand::expand(prompt, shared)
    }

    fn stub(prompt: &Parsed<Self>) -> TokenStream {
        expand::stub(prompt)
    }
}
