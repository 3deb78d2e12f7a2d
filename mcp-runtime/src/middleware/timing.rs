//! Built-in middleware: `timing` (being written).
