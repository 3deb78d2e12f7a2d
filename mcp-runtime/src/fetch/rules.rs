//! The entries of the allow and deny lists: a host name, every name below a domain
//! (`*.corp.example`), an address, or a network (`10.0.0.0/8`, `fd00::/8`).

use std::fmt;
use std::net::IpAddr;

use super::address::parse_ipv4_loosely;

/// One entry of an allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HostRule {
    /// Exactly this name (lowercase, no trailing dot).
    Name(String),
    /// Any name below this domain (`*.corp.example` holds `.corp.example`), not the domain
    /// itself.
    Below(String),
    /// An address within this network (a single address is a `/32` or `/128`).
    Net(IpAddr, u8),
}

impl HostRule {
    /// Reads an entry: `wiki.corp.example`, `*.corp.example`, `10.1.2.3`, `10.0.0.0/8`,
    /// `fd00::/8`, `[::1]`.
    pub(super) fn parse(text: &str) -> Result<HostRule, String> {
        let text = text.trim();
        let invalid = |why: &str| format!("`{text}` is not a host, address or network: {why}");
        if text.is_empty() {
            return Err(invalid("it is empty"));
        }
        if let Some((addr, prefix)) = text.split_once('/') {
            let addr = parse_ip(addr).ok_or_else(|| invalid("no address before the `/`"))?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix: u8 = prefix
                .parse()
                .ok()
                .filter(|prefix| *prefix <= max)
                .ok_or_else(|| invalid(&format!("the prefix length is not 0-{max}")))?;
            return Ok(HostRule::Net(addr, prefix));
        }
        if let Some(addr) = parse_ip(text) {
            let prefix = if addr.is_ipv4() { 32 } else { 128 };
            return Ok(HostRule::Net(addr, prefix));
        }
        if let Some(domain) = text.strip_prefix("*.") {
            return match normalise_name(domain) {
                Some(domain) => Ok(HostRule::Below(format!(".{domain}"))),
                None => Err(invalid("no domain name after `*.`")),
            };
        }
        normalise_name(text)
            .map(HostRule::Name)
            .ok_or_else(|| invalid("not a valid host name"))
    }

    /// Whether `host` (a normalised name) matches a name entry.
    pub(super) fn matches_name(&self, host: &str) -> bool {
        match self {
            HostRule::Name(name) => name == host,
            HostRule::Below(suffix) => host.ends_with(suffix.as_str()),
            HostRule::Net(..) => false,
        }
    }

    /// Whether `ip` is within a network entry.
    pub(super) fn contains(&self, ip: IpAddr) -> bool {
        let HostRule::Net(net, prefix) = self else {
            return false;
        };
        let prefix = u32::from(*prefix);
        match (net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
                u32::from(*net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
                u128::from(*net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for HostRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostRule::Name(name) => f.write_str(name),
            HostRule::Below(suffix) => write!(f, "*{suffix}"),
            HostRule::Net(addr, prefix) => write!(f, "{addr}/{prefix}"),
        }
    }
}

/// An address as an entry writes it: IPv4 in any numeric spelling, IPv6 bare or bracketed.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return inner.parse().ok();
    }
    if let Ok(v6) = text.parse() {
        return Some(IpAddr::V6(v6));
    }
    parse_ipv4_loosely(text).map(IpAddr::V4)
}

/// A host name as URLs hold it: lowercase, international names in their `xn--` form, no
/// trailing dot. `None` if it is not a name a URL could hold.
pub(super) fn normalise_name(name: &str) -> Option<String> {
    // A port, a path, user info or an IPv6 address is no name (the URL parser would take
    // `host:80` for `host`, 80 being http's port).
    if name.contains([':', '/', '?', '#', '@', '[', ']', '\\']) {
        return None;
    }
    // The URL parser does what a URL's host gets: IDNA mapping, lowercase, percent-decoding.
    let url = reqwest::Url::parse(&format!("http://{name}/")).ok()?;
    let host = url.host_str()?;
    let host = host.strip_suffix('.').unwrap_or(host);
    (!host.is_empty()).then(|| host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn entries_parse() {
        assert_eq!(
            HostRule::parse("Wiki.Corp.Example.").unwrap(),
            HostRule::Name("wiki.corp.example".into())
        );
        assert_eq!(
            HostRule::parse("*.corp.example").unwrap(),
            HostRule::Below(".corp.example".into())
        );
        assert_eq!(
            HostRule::parse("10.0.0.0/8").unwrap(),
            HostRule::Net(ip("10.0.0.0"), 8)
        );
        assert_eq!(
            HostRule::parse("127.1").unwrap(),
            HostRule::Net(ip("127.0.0.1"), 32)
        );
        assert_eq!(
            HostRule::parse("[::1]").unwrap(),
            HostRule::Net(ip("::1"), 128)
        );
        assert_eq!(
            HostRule::parse("fd00::/8").unwrap(),
            HostRule::Net(ip("fd00::"), 8)
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "x/8",
            "*.",
            "host:80",
            "a b",
            "http://x/",
        ] {
            assert!(HostRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn entries_match() {
        let net = HostRule::parse("10.0.0.0/8").unwrap();
        assert!(net.contains(ip("10.255.0.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::ffff:10.0.0.1")));
        let all = HostRule::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("8.8.8.8")));
        let below = HostRule::parse("*.corp.example").unwrap();
        assert!(below.matches_name("wiki.corp.example"));
        assert!(below.matches_name("a.b.corp.example"));
        assert!(!below.matches_name("corp.example"));
        assert!(!below.matches_name("evilcorp.example"));
        let name = HostRule::parse("corp.example").unwrap();
        assert!(name.matches_name("corp.example"));
        assert!(!name.matches_name("wiki.corp.example"));
    }
}
