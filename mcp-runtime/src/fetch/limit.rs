//! The per-host rate limit: a token bucket for each host.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Above this many hosts, the buckets that are full again (as good as new) are dropped.
const PRUNE_ABOVE: usize = 1024;

/// A token bucket per host: `per_second` tokens come back each second, up to `burst`.
#[derive(Debug)]
pub(super) struct HostLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl HostLimiter {
    pub(super) fn new(per_second: f64, burst: u32) -> Self {
        Self {
            per_second,
            burst: f64::from(burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `host`, or says how long until one is back.
    pub(super) fn take(&self, host: &str) -> Result<(), Duration> {
        self.take_at(host, Instant::now())
    }

    fn take_at(&self, host: &str, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update of plain numbers.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| self.refilled(*bucket, now) < self.burst);
        }
        let bucket = buckets.entry(host.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = self.refilled(*bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            return Ok(());
        }
        *bucket = Bucket { tokens, at: now };
        Err(Duration::from_secs_f64((1.0 - tokens) / self.per_second))
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_per_host() {
        let limiter = HostLimiter::new(2.0, 3);
        let start = Instant::now();
        for _ in 0..3 {
            limiter.take_at("a.example", start).unwrap();
        }
        let wait = limiter.take_at("a.example", start).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        // Another host has its own bucket.
        limiter.take_at("b.example", start).unwrap();
        // Half a second later, one token is back.
        let later = start + Duration::from_millis(500);
        limiter.take_at("a.example", later).unwrap();
        assert!(limiter.take_at("a.example", later).is_err());
    }

    #[test]
    fn full_buckets_are_pruned() {
        let limiter = HostLimiter::new(1000.0, 1);
        let start = Instant::now();
        for n in 0..=PRUNE_ABOVE {
            limiter.take_at(&format!("h{n}"), start).unwrap();
        }
        limiter
            .take_at("late", start + Duration::from_secs(1))
            .unwrap();
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
    }
}
