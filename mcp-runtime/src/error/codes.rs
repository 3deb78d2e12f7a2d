//! Every JSON-RPC error code the runtime answers with, in one place. Standard JSON-RPC codes
//! come from rmcp's `ErrorCode`; these are the server-defined ones (-32000 to -32099) and the
//! MCP ones.

/// A resource that does not exist (MCP's `resources/read` code).
#[cfg(any(feature = "metrics", test))]
pub(crate) const RESOURCE_NOT_FOUND: i32 = -32002;

/// A caller that lacks the scopes a component needs.
pub(crate) const FORBIDDEN: i32 = -32003;

/// The server refuses this caller for now: a rate limit or an open circuit breaker.
pub(crate) const UNAVAILABLE: i32 = -32000;

/// The `kind` label a JSON-RPC error code gets in metrics.
#[cfg(any(feature = "metrics", test))]
pub(crate) fn kind(code: i32) -> &'static str {
    match code {
        -32602 => "invalid_params",
        RESOURCE_NOT_FOUND | -32601 => "not_found",
        FORBIDDEN => "forbidden",
        UNAVAILABLE => "unavailable",
        -32603 => "internal",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_kind() {
        assert_eq!(kind(-32602), "invalid_params");
        assert_eq!(kind(RESOURCE_NOT_FOUND), "not_found");
        assert_eq!(kind(-32601), "not_found");
        assert_eq!(kind(FORBIDDEN), "forbidden");
        assert_eq!(kind(UNAVAILABLE), "unavailable");
        assert_eq!(kind(-32603), "internal");
        assert_eq!(kind(-32700), "other");
    }
}
