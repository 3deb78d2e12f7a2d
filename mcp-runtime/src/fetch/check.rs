//! What a URL must pass before any connection: its scheme, no user name or password, and its
//! host, by name or literal address here and by every address it resolves to in
//! [`FetchPolicy::check_resolved`] (which the resolver the client connects through calls).

use std::net::IpAddr;

use super::address::{self, Class, classify, is_metadata, mapped_v4, parse_ipv4_loosely};
use super::policy::FetchPolicy;

/// The host of a URL that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Host {
    /// A literal address (in any spelling the URL parser reads as one).
    Ip(IpAddr),
    /// A name: lowercase, `xn--` form, no trailing dot.
    Name(String),
}

impl Host {
    /// The key of the per-host rate limit.
    pub(super) fn key(&self) -> String {
        match self {
            Host::Ip(ip) => ip.to_string(),
            Host::Name(name) => name.clone(),
        }
    }
}

/// Names of this machine, refused before any lookup (a resolver answers them from
/// `/etc/hosts`; `*.localhost` too, RFC 6761).
const LOCAL_NAMES: [&str; 4] = [
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
];

/// Names of cloud metadata services (GCP, AWS), refused before any lookup.
const METADATA_NAMES: [&str; 5] = [
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "instance-data",
    "instance-data.ec2.internal",
];

/// Why an address may not be reached.
enum Why {
    /// It is within a deny-list entry.
    Denied,
    /// It is not globally routable.
    Class(Class),
}

impl FetchPolicy {
    /// Checks what needs no lookup: the scheme, user info, and the host by name or by its
    /// literal address. The reason, in words, if the URL is refused.
    pub(super) fn check_url(&self, url: &reqwest::Url) -> Result<Host, String> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => return Err("the scheme `http` is not allowed: use https".into()),
            other => {
                let allowed = if self.allow_http {
                    "http and https"
                } else {
                    "https"
                };
                return Err(format!(
                    "the scheme `{other}` is not allowed (only {allowed})"
                ));
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("the URL carries a user name or password".into());
        }
        let Some(text) = url.host_str().filter(|host| !host.is_empty()) else {
            return Err("the URL has no host".into());
        };
        let host = parse_host(text);
        match &host {
            Host::Ip(ip) => self.check_ip(*ip, false).map_err(|why| match why {
                Why::Denied => format!("its host {ip} is on the deny list"),
                Why::Class(class) => format!("its host {ip} is {class}"),
            })?,
            Host::Name(name) => self.check_name(name)?,
        }
        Ok(host)
    }

    /// Checks a host name before it is resolved.
    fn check_name(&self, name: &str) -> Result<(), String> {
        if self.deny.iter().any(|rule| rule.matches_name(name)) {
            return Err(format!("its host {name} is on the deny list"));
        }
        if self.allow.iter().any(|rule| rule.matches_name(name)) {
            return Ok(());
        }
        if LOCAL_NAMES.contains(&name) || name.ends_with(".localhost") {
            return Err(format!("its host {name} names this machine"));
        }
        if METADATA_NAMES.contains(&name) {
            return Err(format!("its host {name} is a cloud metadata service"));
        }
        Ok(())
    }

    /// Checks every address `host` resolved to. The reason names the host and the class of
    /// the address, never the address.
    pub(super) fn check_resolved(&self, host: &str, addrs: &[IpAddr]) -> Result<(), String> {
        let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        self.check_name(&name)?;
        let allowed = self.allow.iter().any(|rule| rule.matches_name(&name));
        for ip in addrs {
            self.check_ip(*ip, allowed).map_err(|why| match why {
                Why::Denied => format!("{name} resolves to an address on the deny list"),
                Why::Class(class) => format!("{name} resolves to {}", class.without_address()),
            })?;
        }
        Ok(())
    }

    /// Checks one address: the deny list (the address and any IPv4 address inside it), then
    /// the allow list (the address, or the IPv4 address a mapped one reaches), then whether
    /// it is globally routable. `name_allowed`: it is what an allowed name resolved to, which
    /// passes unless it is a metadata address.
    fn check_ip(&self, ip: IpAddr, name_allowed: bool) -> Result<(), Why> {
        let inside = match ip {
            IpAddr::V6(v6) => address::embedded(v6),
            IpAddr::V4(_) => Vec::new(),
        };
        let denied = std::iter::once(ip)
            .chain(inside.into_iter().map(IpAddr::V4))
            .any(|form| self.deny.iter().any(|rule| rule.contains(form)));
        if denied {
            return Err(Why::Denied);
        }
        let reached = match ip {
            IpAddr::V6(v6) => mapped_v4(v6).map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        if self
            .allow
            .iter()
            .any(|rule| rule.contains(ip) || rule.contains(reached))
        {
            return Ok(());
        }
        if name_allowed && !is_metadata(ip) {
            return Ok(());
        }
        match classify(ip) {
            Some(class) => Err(Why::Class(class)),
            None => Ok(()),
        }
    }
}

/// A URL's host: a literal address (bracketed IPv6, or IPv4 in any numeric spelling) or a
/// normalised name.
fn parse_host(text: &str) -> Host {
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
        && let Ok(v6) = inner.parse()
    {
        return Host::Ip(IpAddr::V6(v6));
    }
    // The URL parser writes every numeric IPv4 host of http(s) as a.b.c.d already; a name
    // that still reads as a number is taken as the address a resolver would make of it.
    if let Some(v4) = parse_ipv4_loosely(text) {
        return Host::Ip(IpAddr::V4(v4));
    }
    let name = text.strip_suffix('.').unwrap_or(text);
    Host::Name(name.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &FetchPolicy, url: &str) -> String {
        policy
            .check_url(&reqwest::Url::parse(url).unwrap())
            .expect_err(url)
    }

    fn passed(policy: &FetchPolicy, url: &str) -> Host {
        policy
            .check_url(&reqwest::Url::parse(url).unwrap())
            .unwrap_or_else(|why| panic!("{url}: {why}"))
    }

    #[test]
    fn schemes_user_info_and_local_names() {
        let strict = FetchPolicy::default();
        assert_eq!(
            refused(&strict, "http://example.com/"),
            "the scheme `http` is not allowed: use https"
        );
        assert_eq!(
            refused(&strict, "ftp://example.com/"),
            "the scheme `ftp` is not allowed (only https)"
        );
        assert_eq!(
            refused(&strict, "https://user:pw@example.com/"),
            "the URL carries a user name or password"
        );
        assert_eq!(
            refused(&strict, "https://LocalHost./"),
            "its host localhost names this machine"
        );
        assert_eq!(
            refused(&strict, "https://a.b.localhost/"),
            "its host a.b.localhost names this machine"
        );
        assert_eq!(
            refused(&strict, "https://metadata.google.internal/"),
            "its host metadata.google.internal is a cloud metadata service"
        );
        assert_eq!(
            passed(&strict, "https://Example.COM./x"),
            Host::Name("example.com".into())
        );
        let http = FetchPolicy::default().allow_http(true);
        passed(&http, "http://example.com/");
        assert_eq!(
            refused(&http, "gopher://example.com/"),
            "the scheme `gopher` is not allowed (only http and https)"
        );
    }

    #[test]
    fn literal_addresses_in_every_spelling() {
        let strict = FetchPolicy::default();
        for url in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0177.0.0.1/",
            "https://0x7f.1/",
            "https://127.1/",
            "https://%31%32%37.0.0.1/",
        ] {
            assert_eq!(
                refused(&strict, url),
                "its host 127.0.0.1 is a loopback address",
                "{url}"
            );
        }
        assert_eq!(
            refused(&strict, "https://[::ffff:7f00:1]/"),
            "its host ::ffff:127.0.0.1 is an IPv6 form of 127.0.0.1, which is a loopback address"
        );
        assert_eq!(
            passed(&strict, "https://8.8.8.8/"),
            Host::Ip("8.8.8.8".parse().unwrap())
        );
    }

    #[test]
    fn allow_and_deny_lists() {
        let policy = FetchPolicy::default()
            .allow_hosts(["10.0.0.0/8", "wiki.corp.example", "*.svc.example"])
            .deny_hosts(["10.9.0.0/16", "8.8.8.8", "bad.example", "*.ads.example"]);
        assert!(policy.invalid.is_empty(), "{:?}", policy.invalid);
        passed(&policy, "https://10.1.2.3/");
        passed(&policy, "https://[::ffff:10.1.2.3]/");
        assert_eq!(
            refused(&policy, "https://10.9.1.1/"),
            "its host 10.9.1.1 is on the deny list"
        );
        assert_eq!(
            refused(&policy, "https://[::ffff:10.9.1.1]/"),
            "its host ::ffff:10.9.1.1 is on the deny list"
        );
        assert_eq!(
            refused(&policy, "https://[64:ff9b::808:808]/"),
            "its host 64:ff9b::808:808 is on the deny list"
        );
        assert_eq!(
            refused(&policy, "https://bad.example/"),
            "its host bad.example is on the deny list"
        );
        assert_eq!(
            refused(&policy, "https://x.ads.example/"),
            "its host x.ads.example is on the deny list"
        );
        assert_eq!(
            refused(&policy, "https://192.168.0.1/"),
            "its host 192.168.0.1 is a private network address"
        );

        let loopback = ["127.0.0.1".parse().unwrap()];
        let metadata = ["169.254.169.254".parse().unwrap()];
        let private = ["10.9.0.1".parse().unwrap()];
        // An allowed name reaches what it resolves to, but not a metadata address…
        policy
            .check_resolved("wiki.corp.example", &loopback)
            .unwrap();
        policy.check_resolved("a.svc.example.", &loopback).unwrap();
        assert_eq!(
            policy
                .check_resolved("wiki.corp.example", &metadata)
                .unwrap_err(),
            "wiki.corp.example resolves to a cloud metadata service address"
        );
        // …nor a denied one; another name reaches public addresses only.
        assert_eq!(
            policy
                .check_resolved("wiki.corp.example", &private)
                .unwrap_err(),
            "wiki.corp.example resolves to an address on the deny list"
        );
        assert_eq!(
            policy
                .check_resolved("evil.example", &loopback)
                .unwrap_err(),
            "evil.example resolves to a loopback address"
        );
        // Every address of an answer counts, and the reason never shows the address.
        let mixed = [
            "8.8.4.4".parse().unwrap(),
            "::ffff:127.0.0.1".parse().unwrap(),
        ];
        assert_eq!(
            policy.check_resolved("evil.example", &mixed).unwrap_err(),
            "evil.example resolves to an IPv6 form of a loopback address"
        );
        policy
            .check_resolved("good.example", &["8.8.4.4".parse().unwrap()])
            .unwrap();
    }
}
