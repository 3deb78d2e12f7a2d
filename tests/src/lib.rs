//! Integration tests live in `tests/it/`: one test binary, a module per concern.
#![forbid(unsafe_code)]
