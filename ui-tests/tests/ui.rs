//! The macros' UI tests: every mistake in `fail/` must be a compile error with a reviewed
//! message (`.stderr` beside each case), and everything in `pass/` must compile.
//!
//! Regenerate the messages with `TRYBUILD=overwrite cargo test -p ui-tests`, then read the
//! diff: a message is part of the API.
#![forbid(unsafe_code)]

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/tool/*.rs");
    cases.compile_fail("fail/tools/*.rs");
    cases.compile_fail("fail/resource/*.rs");
    cases.compile_fail("fail/resources/*.rs");
    cases.compile_fail("fail/prompt/*.rs");
    cases.compile_fail("fail/prompts/*.rs");
    cases.compile_fail("fail/middleware/*.rs");
    cases.pass("pass/*.rs");
}
