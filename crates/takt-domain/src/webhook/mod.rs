//! The pure parts of webhooks: which URLs may be called, how deliveries are signed, and when a
//! failed delivery is tried again. Sending is the server's business.

pub mod record;
pub mod schedule;
pub mod signature;
pub mod url_policy;

pub use record::{ATTEMPT_STATUSES, Attempt, Webhook, WebhookInput, with_secret};
pub use schedule::{DurationError, RetrySchedule, ScheduleError, format_duration, parse_duration};
pub use signature::{SecretError, WebhookSecret};
pub use url_policy::{UrlRefusal, WebhookUrl, check_ip, check_url};
