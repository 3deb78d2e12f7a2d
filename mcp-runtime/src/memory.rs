//! Giving freed memory back to the system.
//!
//! A server's memory follows its load: a flood of HTTP sessions takes about 90 KB each (rmcp's
//! channels), and closing them frees it. With glibc's allocator (and with mimalloc, measured)
//! the freed pages stay in the process, so RSS stays at the flood's peak. With the `jemalloc`
//! cargo feature jemalloc is the allocator, and its background threads return freed pages to
//! the system within seconds (jemalloc's 10 s decay): after 20,000 `initialize`s from 64
//! addresses (idle timeout 5 s), RSS went 84 → 29 MB within 25 s (baseline 11 MB), where with
//! glibc it stayed at 101 MB.

use std::sync::OnceLock;

/// Turns on jemalloc's background purging threads, once per process (serving calls it).
/// Returns whether freed memory is given back: `false` without the `jemalloc` feature, or if
/// jemalloc refused.
pub fn give_back_freed_memory() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(enable)
}

#[cfg(feature = "jemalloc")]
fn enable() -> bool {
    match tikv_jemalloc_ctl::background_thread::write(true) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "cannot start jemalloc's background threads");
            false
        }
    }
}

#[cfg(not(feature = "jemalloc"))]
fn enable() -> bool {
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn freed_memory_is_given_back_exactly_with_jemalloc() {
        assert_eq!(super::give_back_freed_memory(), cfg!(feature = "jemalloc"));
        #[cfg(feature = "jemalloc")]
        assert_eq!(tikv_jemalloc_ctl::background_thread::read(), Ok(true));
    }
}
