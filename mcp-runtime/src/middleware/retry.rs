//! Built-in middleware: `retry` (being written).
