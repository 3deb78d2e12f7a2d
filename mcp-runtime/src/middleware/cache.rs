//! Built-in middleware: `cache` (being written).
