//! Built-in middleware: `errors` (being written).
