//! Built-in middleware: `circuit` (being written).
