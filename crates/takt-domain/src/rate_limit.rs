//! The token bucket behind per-key rate limits. Pure arithmetic on a bucket's state; where the
//! state lives (process memory or the database) is the store's business.

use chrono::{DateTime, Utc};

/// How many requests a key may make: `capacity` at once, refilled evenly over a minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatePolicy {
    pub per_minute: u32,
}

impl RatePolicy {
    fn refill_per_second(&self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }
}

/// The state of one key's bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenBucket {
    pub tokens: f64,
    pub updated_at: DateTime<Utc>,
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    /// Whole requests left after this one.
    pub remaining: u32,
    /// Unix seconds at which the bucket is full again.
    pub reset_at: i64,
    /// Seconds to wait before a retry can succeed (0 when allowed).
    pub retry_after: u64,
}

impl TokenBucket {
    /// A full bucket.
    pub fn full(policy: RatePolicy, now: DateTime<Utc>) -> TokenBucket {
        TokenBucket { tokens: policy.capacity(), updated_at: now }
    }

    /// Refills the bucket up to `now` and takes one token if there is one.
    pub fn take(self, policy: RatePolicy, now: DateTime<Utc>) -> (TokenBucket, RateDecision) {
        let elapsed = (now - self.updated_at).num_microseconds().unwrap_or(i64::MAX).max(0) as f64 / 1e6;
        let rate = policy.refill_per_second();
        let available = (self.tokens + elapsed * rate).min(policy.capacity());
        let allowed = available >= 1.0;
        let tokens = if allowed { available - 1.0 } else { available };
        let seconds_to_full = if rate > 0.0 { (policy.capacity() - tokens) / rate } else { 0.0 };
        let retry_after = if allowed || rate <= 0.0 { 0 } else { ((1.0 - tokens) / rate).ceil() as u64 };
        let decision = RateDecision {
            allowed,
            limit: policy.per_minute,
            remaining: tokens.floor().max(0.0) as u32,
            reset_at: now.timestamp() + seconds_to_full.ceil() as i64,
            retry_after: retry_after.max(u64::from(!allowed)),
        };
        (TokenBucket { tokens, updated_at: now }, decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn counts_down_refuses_then_refills() {
        let policy = RatePolicy { per_minute: 3 };
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut bucket = TokenBucket::full(policy, t0);
        let mut remaining = vec![];
        for _ in 0..3 {
            let (b, d) = bucket.take(policy, t0);
            assert!(d.allowed);
            remaining.push(d.remaining);
            bucket = b;
        }
        assert_eq!(remaining, [2, 1, 0]);
        let (b, refused) = bucket.take(policy, t0);
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after, 20);
        assert_eq!(refused.reset_at, t0.timestamp() + 60);
        let (_, later) = b.take(policy, t0 + Duration::seconds(20));
        assert!(later.allowed);
    }
}
