//! Built-in middleware: `audit` (being written).
