//! Built-in middleware: `timeout` (being written).
