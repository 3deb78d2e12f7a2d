//! Built-in middleware: `logging` (being written).
