//! Which URLs a webhook may call. [`check_url`] runs when a webhook is created or changed;
//! [`check_ip`] runs again on every address a host name resolves to before each delivery, so a
//! name that later points at a forbidden address is caught too.
//!
//! Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed: receivers on the plant
//! network are the normal case.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// The longest URL accepted, in bytes, before and after normalisation.
pub const MAX_URL_LEN: usize = 2048;

const CLOUD_METADATA_V4: [Ipv4Addr; 2] = [Ipv4Addr::new(169, 254, 169, 254), Ipv4Addr::new(100, 100, 100, 200)];
const CLOUD_METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)];

/// Why a URL or an address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    #[error("a webhook URL may be at most {MAX_URL_LEN} bytes long, this one has {len}")]
    TooLong { len: usize },
    #[error("the webhook URL is not a valid URL: {0}")]
    Malformed(url::ParseError),
    #[error("a webhook URL must use http or https, not `{0}`")]
    UnsupportedScheme(String),
    #[error("a webhook URL must name a host")]
    MissingHost,
    #[error("a webhook URL must not contain a user name or password")]
    Userinfo,
    #[error("{0} is a cloud metadata address, which webhooks may never reach")]
    CloudMetadata(IpAddr),
    #[error("{0} is a link-local address, which webhooks may never reach")]
    LinkLocal(IpAddr),
    #[error("{0} is an unspecified address, which webhooks may never reach")]
    Unspecified(IpAddr),
    #[error("{0} is a multicast address, which webhooks may never reach")]
    Multicast(IpAddr),
    #[error("{0} is the broadcast address, which webhooks may never reach")]
    Broadcast(IpAddr),
    #[error(
        "{0} is a loopback address, which webhooks may reach only when the server runs with --webhook-allow-loopback"
    )]
    Loopback(IpAddr),
}

/// A URL that passed [`check_url`], in the `url` crate's normalised form (lowercase scheme and
/// host, IDNA host names, `/` path when none was given).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebhookUrl(Url);

impl WebhookUrl {
    /// The normalised URL, which is what to store and to call.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL, for HTTP clients that take a `url::Url`.
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    /// The host without IPv6 brackets, and the port (explicit or the scheme's default), ready for
    /// name resolution.
    pub fn host_and_port(&self) -> (String, u16) {
        let host = match self.0.host() {
            Some(Host::Domain(name)) => name.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => String::new(),
        };
        (host, self.0.port_or_known_default().unwrap_or(0))
    }

    /// The address when the host is an IP literal rather than a name.
    pub fn ip_literal(&self) -> Option<IpAddr> {
        match self.0.host()? {
            Host::Domain(_) => None,
            Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        }
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// Checks a webhook URL: `http` or `https`, a host, no user name or password, at most 2048
/// bytes, and, when the host is an IP literal, an address [`check_ip`] allows. Host names are
/// accepted without resolving them.
pub fn check_url(url: &str, allow_loopback: bool) -> Result<WebhookUrl, UrlRefusal> {
    if url.len() > MAX_URL_LEN {
        return Err(UrlRefusal::TooLong { len: url.len() });
    }
    let parsed = Url::parse(url).map_err(UrlRefusal::Malformed)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(UrlRefusal::UnsupportedScheme(parsed.scheme().to_owned()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlRefusal::Userinfo);
    }
    if parsed.as_str().len() > MAX_URL_LEN {
        return Err(UrlRefusal::TooLong { len: parsed.as_str().len() });
    }
    let checked = WebhookUrl(parsed);
    match checked.0.host() {
        None => return Err(UrlRefusal::MissingHost),
        Some(Host::Domain("")) => return Err(UrlRefusal::MissingHost),
        _ => {}
    }
    if let Some(ip) = checked.ip_literal() {
        check_ip(ip, allow_loopback)?;
    }
    Ok(checked)
}

/// Checks one address a delivery would connect to. Always refused: cloud metadata
/// (169.254.169.254, 100.100.100.200, fd00:ec2::254), link-local (169.254.0.0/16, fe80::/10),
/// unspecified (0.0.0.0/8, ::), multicast and broadcast. Loopback (127.0.0.0/8, ::1) is refused
/// unless `allow_loopback`. IPv4 addresses embedded in IPv6 (`::ffff:a.b.c.d`, and NAT64's
/// `64:ff9b::a.b.c.d`) are judged as the IPv4 address they reach.
pub fn check_ip(ip: IpAddr, allow_loopback: bool) -> Result<(), UrlRefusal> {
    match ip {
        IpAddr::V4(v4) => check_v4(v4, ip, allow_loopback),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => check_v4(v4, ip, allow_loopback),
            None => check_v6(v6, ip, allow_loopback),
        },
    }
}

fn check_v4(v4: Ipv4Addr, reported: IpAddr, allow_loopback: bool) -> Result<(), UrlRefusal> {
    if CLOUD_METADATA_V4.contains(&v4) {
        Err(UrlRefusal::CloudMetadata(reported))
    } else if v4.is_link_local() {
        Err(UrlRefusal::LinkLocal(reported))
    } else if v4.octets()[0] == 0 {
        Err(UrlRefusal::Unspecified(reported))
    } else if v4.is_multicast() {
        Err(UrlRefusal::Multicast(reported))
    } else if v4.is_broadcast() {
        Err(UrlRefusal::Broadcast(reported))
    } else if v4.is_loopback() && !allow_loopback {
        Err(UrlRefusal::Loopback(reported))
    } else {
        Ok(())
    }
}

fn check_v6(v6: Ipv6Addr, reported: IpAddr, allow_loopback: bool) -> Result<(), UrlRefusal> {
    if CLOUD_METADATA_V6.contains(&v6) {
        Err(UrlRefusal::CloudMetadata(reported))
    } else if v6.segments()[0] & 0xffc0 == 0xfe80 {
        Err(UrlRefusal::LinkLocal(reported))
    } else if v6.is_unspecified() {
        Err(UrlRefusal::Unspecified(reported))
    } else if v6.is_multicast() {
        Err(UrlRefusal::Multicast(reported))
    } else if v6.is_loopback() && !allow_loopback {
        Err(UrlRefusal::Loopback(reported))
    } else {
        Ok(())
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    let [a, b, c, d, e, f, hi, lo] = v6.segments();
    let nat64 = [a, b, c, d, e, f] == [0x64, 0xff9b, 0, 0, 0, 0];
    nat64.then(|| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ordinary_urls_pass_and_are_normalised() {
        let url = check_url("https://Hooks.Example.COM/takt?x=1", false).unwrap();
        assert_eq!(url.as_str(), "https://hooks.example.com/takt?x=1");
        assert_eq!(url.host_and_port(), ("hooks.example.com".to_owned(), 443));
        assert_eq!(url.ip_literal(), None);

        let url = check_url("http://erp.plant.local:8080", false).unwrap();
        assert_eq!(url.as_str(), "http://erp.plant.local:8080/");
        assert_eq!(url.host_and_port(), ("erp.plant.local".to_owned(), 8080));
        assert_eq!(url.to_string(), url.as_str());
        assert_eq!(url.as_url().scheme(), "http");

        assert_eq!(check_url("HTTP://x.example/", false).unwrap().as_str(), "http://x.example/");
        assert_eq!(check_url("http://bücher.example/", false).unwrap().as_str(), "http://xn--bcher-kva.example/");
    }

    #[test]
    fn private_addresses_are_allowed() {
        for url in ["http://10.0.0.5/hook", "http://192.168.1.20:9000/", "http://172.16.0.1/", "http://[fd12::1]/"] {
            assert!(check_url(url, false).is_ok(), "{url}");
        }
        let url = check_url("https://[2001:db8::1]:8443/x", false).unwrap();
        assert_eq!(url.host_and_port(), ("2001:db8::1".to_owned(), 8443));
        assert_eq!(url.ip_literal(), Some(ip("2001:db8::1")));
    }

    #[test]
    fn host_names_are_not_resolved_here() {
        assert!(check_url("http://localhost:3000/", false).is_ok());
        assert!(check_url("http://metadata.google.internal/", false).is_ok());
    }

    #[test]
    fn only_http_and_https() {
        for (url, scheme) in [
            ("ftp://x.example/", "ftp"),
            ("file:///etc/passwd", "file"),
            ("ws://x.example/", "ws"),
            ("mailto:a@b.example", "mailto"),
            ("javascript:alert(1)", "javascript"),
        ] {
            assert_eq!(check_url(url, false), Err(UrlRefusal::UnsupportedScheme(scheme.to_owned())), "{url}");
        }
    }

    #[test]
    fn malformed_and_hostless_urls_are_refused() {
        assert!(matches!(check_url("", false), Err(UrlRefusal::Malformed(_))));
        assert!(matches!(check_url("hooks.example.com/x", false), Err(UrlRefusal::Malformed(_))));
        assert!(matches!(check_url("http://", false), Err(UrlRefusal::Malformed(_))));
        assert!(matches!(check_url("http://exa mple.com/", false), Err(UrlRefusal::Malformed(_))));
        assert!(matches!(check_url("http://[::1/", false), Err(UrlRefusal::Malformed(_))));
        assert!(matches!(check_url("http://x.example:99999/", false), Err(UrlRefusal::Malformed(_))));
    }

    #[test]
    fn userinfo_is_refused() {
        assert_eq!(check_url("https://user@x.example/", false), Err(UrlRefusal::Userinfo));
        assert_eq!(check_url("https://user:pw@x.example/", false), Err(UrlRefusal::Userinfo));
        assert_eq!(check_url("https://:pw@x.example/", false), Err(UrlRefusal::Userinfo));
    }

    #[test]
    fn length_is_bounded() {
        let base = "https://x.example/";
        let longest = format!("{base}{}", "a".repeat(MAX_URL_LEN - base.len()));
        assert!(check_url(&longest, false).is_ok());
        let too_long = format!("{longest}a");
        assert_eq!(check_url(&too_long, false), Err(UrlRefusal::TooLong { len: MAX_URL_LEN + 1 }));
        let grows = format!("{base}{}", "ä".repeat(1000));
        assert!(matches!(check_url(&grows, false), Err(UrlRefusal::TooLong { len }) if len > MAX_URL_LEN));
    }

    #[test]
    fn forbidden_ip_literals_in_urls() {
        let cases = [
            ("http://169.254.169.254/latest/meta-data/", UrlRefusal::CloudMetadata(ip("169.254.169.254"))),
            ("http://100.100.100.200/", UrlRefusal::CloudMetadata(ip("100.100.100.200"))),
            ("http://[fd00:ec2::254]/", UrlRefusal::CloudMetadata(ip("fd00:ec2::254"))),
            ("http://169.254.1.1/", UrlRefusal::LinkLocal(ip("169.254.1.1"))),
            ("http://[fe80::1]/", UrlRefusal::LinkLocal(ip("fe80::1"))),
            ("http://0.0.0.0:8080/", UrlRefusal::Unspecified(ip("0.0.0.0"))),
            ("http://[::]/", UrlRefusal::Unspecified(ip("::"))),
            ("http://224.0.0.1/", UrlRefusal::Multicast(ip("224.0.0.1"))),
            ("http://[ff02::1]/", UrlRefusal::Multicast(ip("ff02::1"))),
            ("http://255.255.255.255/", UrlRefusal::Broadcast(ip("255.255.255.255"))),
            ("http://127.0.0.1:3000/", UrlRefusal::Loopback(ip("127.0.0.1"))),
            ("http://[::1]/", UrlRefusal::Loopback(ip("::1"))),
            ("http://[::ffff:169.254.169.254]/", UrlRefusal::CloudMetadata(ip("::ffff:169.254.169.254"))),
            ("http://[::ffff:127.0.0.1]/", UrlRefusal::Loopback(ip("::ffff:127.0.0.1"))),
        ];
        for (url, refusal) in cases {
            assert_eq!(check_url(url, false), Err(refusal), "{url}");
        }
    }

    #[test]
    fn obfuscated_ipv4_forms_are_normalised_then_checked() {
        for url in ["http://2130706433/", "http://0x7f.0.0.1/", "http://0177.0.0.1/", "http://127.1/"] {
            assert_eq!(check_url(url, false), Err(UrlRefusal::Loopback(ip("127.0.0.1"))), "{url}");
        }
        assert_eq!(check_url("http://0xa9fea9fe/", false), Err(UrlRefusal::CloudMetadata(ip("169.254.169.254"))));
    }

    #[test]
    fn loopback_only_when_allowed() {
        for url in
            ["http://127.0.0.1:3000/hook", "http://127.8.9.10/", "http://[::1]:8080/", "http://[::ffff:127.0.0.1]/"]
        {
            assert!(matches!(check_url(url, false), Err(UrlRefusal::Loopback(_))), "{url}");
            assert!(check_url(url, true).is_ok(), "{url}");
        }
        let url = check_url("http://[::1]:8080/", true).unwrap();
        assert_eq!(url.host_and_port(), ("::1".to_owned(), 8080));
    }

    #[test]
    fn allowing_loopback_allows_nothing_else() {
        for url in ["http://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/", "http://[::ffff:169.254.0.1]/"] {
            assert!(check_url(url, true).is_err(), "{url}");
        }
    }

    #[test]
    fn check_ip_covers_ranges_and_embedded_ipv4() {
        for (text, allow, ok) in [
            ("8.8.8.8", false, true),
            ("10.1.2.3", false, true),
            ("100.64.0.1", false, true),
            ("2001:db8::5", false, true),
            ("fc00::1", false, true),
            ("169.254.0.0", false, false),
            ("169.254.255.255", false, false),
            ("169.255.0.1", false, true),
            ("0.1.2.3", false, false),
            ("239.255.255.250", false, false),
            ("febf:ffff::1", false, false),
            ("fec0::1", false, true),
            ("127.255.255.254", false, false),
            ("127.255.255.254", true, true),
            ("::ffff:0.0.0.0", true, false),
            ("::ffff:224.0.0.251", true, false),
            ("::ffff:255.255.255.255", true, false),
            ("::ffff:10.0.0.1", false, true),
            ("64:ff9b::a9fe:a9fe", true, false),
            ("64:ff9b::7f00:1", false, false),
            ("64:ff9b::7f00:1", true, true),
            ("64:ff9b::808:808", false, true),
        ] {
            assert_eq!(check_ip(ip(text), allow).is_ok(), ok, "{text} allow_loopback={allow}");
        }
        assert_eq!(
            check_ip(ip("::ffff:169.254.169.254"), true),
            Err(UrlRefusal::CloudMetadata(ip("::ffff:169.254.169.254")))
        );
        assert_eq!(check_ip(ip("::ffff:169.254.3.4"), true), Err(UrlRefusal::LinkLocal(ip("::ffff:169.254.3.4"))));
    }

    #[test]
    fn refusals_read_as_api_messages() {
        assert_eq!(
            check_url("http://169.254.169.254/", false).unwrap_err().to_string(),
            "169.254.169.254 is a cloud metadata address, which webhooks may never reach"
        );
        assert_eq!(
            check_url("ftp://x.example/", false).unwrap_err().to_string(),
            "a webhook URL must use http or https, not `ftp`"
        );
        assert_eq!(
            check_url("http://[::1]/", false).unwrap_err().to_string(),
            "::1 is a loopback address, which webhooks may reach only when the server runs with --webhook-allow-loopback"
        );
        assert_eq!(
            check_url("nope", false).unwrap_err().to_string(),
            "the webhook URL is not a valid URL: relative URL without a base"
        );
    }
}
