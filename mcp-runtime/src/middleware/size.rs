//! Built-in middleware: `size` (being written).
