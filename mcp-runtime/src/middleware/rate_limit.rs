//! Built-in middleware: `rate_limit` (being written).
