//! Which IP addresses a fetch may reach: [`classify`] names the class of every address that is
//! not globally routable, looking through the IPv6 forms that carry an IPv4 address inside;
//! [`parse_ipv4_loosely`] reads every numeric spelling of an IPv4 address that a resolver
//! would accept (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not one a fetch may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A cloud provider's instance metadata service (`169.254.169.254`, `fd00:ec2::254`, …).
    Metadata,
    /// `0.0.0.0`, `::`.
    Unspecified,
    /// `0.0.0.0/8`: "this network".
    ThisNetwork,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16`.
    Private,
    /// `100.64.0.0/10`: carrier-grade NAT.
    SharedCgnat,
    /// `169.254/16`, `fe80::/10`.
    LinkLocal,
    /// `192.0.0.0/24` (IETF protocol assignments), `2001::/23` outside what is listed here.
    ProtocolAssignments,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18.0.0/15`, `2001:2::/48`.
    Benchmarking,
    /// `192.88.99.0/24`: the retired 6to4 relay anycast.
    Relay6to4,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `240/4`.
    Reserved,
    /// `fc00::/7`.
    UniqueLocal,
    /// `fec0::/10`.
    SiteLocal,
    /// `100::/64`.
    DiscardOnly,
    /// `64:ff9b:1::/48`: NAT64 for one network's own use.
    LocalNat64,
    /// `2001::/32`: Teredo tunnels.
    Teredo,
    /// `2001:10::/28`: retired ORCHID identifiers.
    Orchid,
    /// `::a.b.c.d`: the retired IPv4-compatible form.
    Ipv4Compatible,
    /// Any other IPv6 address outside `2000::/3`, the global unicast space.
    NotGlobalUnicast,
    /// An IPv6 address that carries an IPv4 address of this class (mapped, compatible, 6to4,
    /// Teredo, NAT64).
    Embeds(Ipv4Addr, &'static Class),
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Class::Metadata => "a cloud metadata service address",
            Class::Unspecified => "the unspecified address",
            Class::ThisNetwork => "a \"this network\" address (0.0.0.0/8)",
            Class::Loopback => "a loopback address",
            Class::Private => "a private network address",
            Class::SharedCgnat => "a carrier-grade NAT address (100.64.0.0/10)",
            Class::LinkLocal => "a link-local address",
            Class::ProtocolAssignments => "an IETF protocol assignment, not a public address",
            Class::Documentation => "a documentation address",
            Class::Benchmarking => "a benchmarking address",
            Class::Relay6to4 => "a retired 6to4 relay address (192.88.99.0/24)",
            Class::Multicast => "a multicast address",
            Class::Broadcast => "the broadcast address",
            Class::Reserved => "a reserved address (240.0.0.0/4)",
            Class::UniqueLocal => "a unique local IPv6 address (fc00::/7)",
            Class::SiteLocal => "a site-local IPv6 address (fec0::/10)",
            Class::DiscardOnly => "a discard-only IPv6 address (100::/64)",
            Class::LocalNat64 => "a local-use NAT64 address (64:ff9b:1::/48)",
            Class::Teredo => "a Teredo tunnel address (2001::/32)",
            Class::Orchid => "an ORCHID identifier (2001:10::/28), not an address",
            Class::Ipv4Compatible => "a deprecated IPv4-compatible IPv6 address (::/96)",
            Class::NotGlobalUnicast => "outside the global unicast space (2000::/3)",
            Class::Embeds(v4, class) => {
                return write!(f, "an IPv6 form of {v4}, which is {class}");
            }
        };
        f.write_str(text)
    }
}

impl Class {
    /// The class in words without the IPv4 address an IPv6 one carries: for an address a
    /// name resolved to, which the caller is not shown.
    pub(crate) fn without_address(&self) -> String {
        match self {
            Class::Embeds(_, class) => format!("an IPv6 form of {class}"),
            class => class.to_string(),
        }
    }
}

/// The instance metadata services of the cloud providers: AWS, GCP, Azure, DigitalOcean,
/// OpenStack (`169.254.169.254`), AWS ECS and EKS (`169.254.170.2`, `169.254.170.23`),
/// Alibaba (`100.100.100.200`), Oracle's legacy one (`192.0.0.192`).
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(169, 254, 170, 23),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
];

/// AWS's IPv6 metadata service and EKS pod identity agent.
const METADATA_V6: [Ipv6Addr; 2] = [
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254),
    Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23),
];

/// The class of `ip` if a fetch may not reach it, `None` if it is globally routable.
pub(crate) fn classify(ip: IpAddr) -> Option<Class> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4).copied(),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// Whether `ip` is a cloud metadata address, in any of its IPv6 forms too.
pub(crate) fn is_metadata(ip: IpAddr) -> bool {
    match classify(ip) {
        Some(Class::Metadata) => true,
        Some(Class::Embeds(_, class)) => *class == Class::Metadata,
        _ => false,
    }
}

/// `true` for `a.b.c.d` within `net/prefix`.
fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

/// `true` for `ip` within `net/prefix`.
fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The class of a non-global IPv4 address (a `'static` so that [`Class::Embeds`] can point at
/// it without boxing).
fn classify_v4(ip: Ipv4Addr) -> Option<&'static Class> {
    static RANGES: [([u8; 4], u32, Class); 17] = [
        ([0, 0, 0, 0], 32, Class::Unspecified),
        ([0, 0, 0, 0], 8, Class::ThisNetwork),
        ([10, 0, 0, 0], 8, Class::Private),
        ([100, 64, 0, 0], 10, Class::SharedCgnat),
        ([127, 0, 0, 0], 8, Class::Loopback),
        ([169, 254, 0, 0], 16, Class::LinkLocal),
        ([172, 16, 0, 0], 12, Class::Private),
        ([192, 0, 0, 0], 24, Class::ProtocolAssignments),
        ([192, 0, 2, 0], 24, Class::Documentation),
        ([192, 88, 99, 0], 24, Class::Relay6to4),
        ([192, 168, 0, 0], 16, Class::Private),
        ([198, 18, 0, 0], 15, Class::Benchmarking),
        ([198, 51, 100, 0], 24, Class::Documentation),
        ([203, 0, 113, 0], 24, Class::Documentation),
        ([224, 0, 0, 0], 4, Class::Multicast),
        ([255, 255, 255, 255], 32, Class::Broadcast),
        ([240, 0, 0, 0], 4, Class::Reserved),
    ];
    if METADATA_V4.contains(&ip) {
        return Some(&Class::Metadata);
    }
    // In order: the first range that holds the address names its class.
    RANGES
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, class)| class)
}

/// The IPv4 address an IPv6 address carries, where its prefix says it carries one, with
/// whether the IPv6 address stays non-global even when that IPv4 address is global.
fn embedded_v4(ip: Ipv6Addr) -> Option<(Vec<Ipv4Addr>, Option<Class>)> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96) {
        // ::ffff:a.b.c.d: a socket connects to a.b.c.d itself.
        return Some((vec![low32], None));
    }
    if in_v6(ip, [0; 8], 96) {
        return Some((vec![low32], Some(Class::Ipv4Compatible)));
    }
    if in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96) {
        // The well-known NAT64 prefix: a translator connects to a.b.c.d.
        return Some((vec![low32], None));
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        // 6to4: 2002:AABB:CCDD::/48 is the network of AA.BB.CC.DD.
        let v4 = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return Some((vec![v4], None));
    }
    if in_v6(ip, [0x2001, 0, 0, 0, 0, 0, 0, 0], 32) {
        // Teredo: the server's address in bits 32-63, the client's inverted in the last 32.
        let server = Ipv4Addr::from(((bits >> 64) & 0xffff_ffff) as u32);
        let client = Ipv4Addr::from(!((bits & 0xffff_ffff) as u32));
        return Some((vec![server, client], Some(Class::Teredo)));
    }
    None
}

/// The IPv4 addresses `ip` carries (mapped, compatible, NAT64, 6to4, Teredo), for the allow
/// and deny lists to see through them.
pub(crate) fn embedded(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    match ip.segments() {
        // `::` and `::1` are themselves, not 0.0.0.0 and 0.0.0.1.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => Vec::new(),
        _ => embedded_v4(ip).map(|(v4, _)| v4).unwrap_or_default(),
    }
}

/// The IPv4 address a socket actually reaches for `ip`, if it is IPv4-mapped (`::ffff:a.b.c.d`).
pub(crate) fn mapped_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96).then(|| Ipv4Addr::from(ip.to_bits() as u32))
}

fn classify_v6(ip: Ipv6Addr) -> Option<Class> {
    if METADATA_V6.contains(&ip) {
        return Some(Class::Metadata);
    }
    if ip.is_unspecified() {
        return Some(Class::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Class::Loopback);
    }
    if let Some((v4s, otherwise)) = embedded_v4(ip) {
        for v4 in v4s {
            if let Some(class) = classify_v4(v4) {
                return Some(Class::Embeds(v4, class));
            }
        }
        return otherwise;
    }
    const RANGES: [([u16; 8], u32, Class); 11] = [
        ([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, Class::LocalNat64),
        ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, Class::DiscardOnly),
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, Class::Documentation),
        ([0x2001, 0x2, 0, 0, 0, 0, 0, 0], 48, Class::Benchmarking),
        ([0x2001, 0x10, 0, 0, 0, 0, 0, 0], 28, Class::Orchid),
        (
            [0x2001, 0, 0, 0, 0, 0, 0, 0],
            23,
            Class::ProtocolAssignments,
        ),
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20, Class::Documentation),
        ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, Class::UniqueLocal),
        ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, Class::LinkLocal),
        ([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, Class::SiteLocal),
        ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, Class::Multicast),
    ];
    for (net, prefix, class) in &RANGES {
        if in_v6(ip, *net, *prefix) {
            return Some(*class);
        }
    }
    // Everything global is in 2000::/3.
    (!in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3)).then_some(Class::NotGlobalUnicast)
}

/// Every spelling of an IPv4 address that `inet_aton` (and so a system resolver) accepts:
/// one to four parts, each decimal, octal (`0` first) or hexadecimal (`0x` first), the last
/// filling the bytes left (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.1`). `None` for a name.
///
/// The `url` crate already turns these into addresses in the hosts of `http` and `https`
/// URLs; this catches one that reaches the fetcher as a name some other way.
pub(crate) fn parse_ipv4_loosely(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        numbers.push(parse_part(part)?);
    }
    let (last, leading) = numbers.split_last()?;
    let mut value: u64 = 0;
    for (i, number) in leading.iter().enumerate() {
        if *number > 255 {
            return None;
        }
        value |= number << (8 * (3 - i));
    }
    let room = 8 * (4 - leading.len() as u32);
    if room < 64 && *last >= 1u64 << room {
        return None;
    }
    value |= last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// One part of a numeric IPv4 spelling: decimal, `0`-prefixed octal or `0x`-prefixed hex.
fn parse_part(part: &str) -> Option<u64> {
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        // `0x` alone is 0 to inet_aton; an empty part (`1..2`) is no number.
        return (radix == 16).then_some(0);
    }
    if digits.len() > 12 || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Option<Class> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.0.3.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert_eq!(class(ip), None, "{ip}");
        }
    }

    #[test]
    fn every_ipv4_class_is_named() {
        for (ip, expected) in [
            ("0.0.0.0", Class::Unspecified),
            ("0.1.2.3", Class::ThisNetwork),
            ("10.0.0.1", Class::Private),
            ("10.255.255.255", Class::Private),
            ("100.64.0.1", Class::SharedCgnat),
            ("100.127.255.255", Class::SharedCgnat),
            ("127.0.0.1", Class::Loopback),
            ("127.255.255.254", Class::Loopback),
            ("169.254.1.1", Class::LinkLocal),
            ("172.16.0.1", Class::Private),
            ("172.31.255.255", Class::Private),
            ("192.0.0.8", Class::ProtocolAssignments),
            ("192.0.2.1", Class::Documentation),
            ("192.88.99.1", Class::Relay6to4),
            ("192.168.1.1", Class::Private),
            ("198.18.0.1", Class::Benchmarking),
            ("198.19.255.255", Class::Benchmarking),
            ("198.51.100.7", Class::Documentation),
            ("203.0.113.9", Class::Documentation),
            ("224.0.0.1", Class::Multicast),
            ("239.255.255.250", Class::Multicast),
            ("240.0.0.1", Class::Reserved),
            ("255.255.255.254", Class::Reserved),
            ("255.255.255.255", Class::Broadcast),
            ("169.254.169.254", Class::Metadata),
            ("169.254.170.2", Class::Metadata),
            ("100.100.100.200", Class::Metadata),
            ("192.0.0.192", Class::Metadata),
        ] {
            assert_eq!(class(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn every_ipv6_class_is_named() {
        for (ip, expected) in [
            ("::", Class::Unspecified),
            ("::1", Class::Loopback),
            ("fe80::1", Class::LinkLocal),
            ("febf::1", Class::LinkLocal),
            ("fec0::1", Class::SiteLocal),
            ("fc00::1", Class::UniqueLocal),
            ("fd12:3456::1", Class::UniqueLocal),
            ("fd00:ec2::254", Class::Metadata),
            ("ff02::1", Class::Multicast),
            ("2001:db8::1", Class::Documentation),
            ("3fff::1", Class::Documentation),
            ("2001:2::1", Class::Benchmarking),
            ("2001:10::1", Class::Orchid),
            ("2001:100::1", Class::ProtocolAssignments),
            ("100::1", Class::DiscardOnly),
            ("64:ff9b:1::7f00:1", Class::LocalNat64),
            ("64:ff9b:1::808:808", Class::LocalNat64),
            ("::8.8.8.8", Class::Ipv4Compatible),
            ("5f00::1", Class::NotGlobalUnicast),
            ("4000::1", Class::NotGlobalUnicast),
            ("1::1", Class::NotGlobalUnicast),
        ] {
            assert_eq!(class(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn ipv4_inside_ipv6_is_checked() {
        let loopback = Ipv4Addr::new(127, 0, 0, 1);
        for ip in [
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2002:7f00:0001:ffff::1",
        ] {
            assert_eq!(
                class(ip),
                Some(Class::Embeds(loopback, &Class::Loopback)),
                "{ip}"
            );
        }
        assert_eq!(
            class("::ffff:169.254.169.254"),
            Some(Class::Embeds(
                Ipv4Addr::new(169, 254, 169, 254),
                &Class::Metadata
            ))
        );
        assert!(is_metadata("::ffff:a9fe:a9fe".parse().unwrap()));
        assert!(is_metadata("64:ff9b::169.254.169.254".parse().unwrap()));
        assert!(!is_metadata("169.254.1.1".parse().unwrap()));
        assert_eq!(
            class("::ffff:10.0.0.1"),
            Some(Class::Embeds(Ipv4Addr::new(10, 0, 0, 1), &Class::Private))
        );
        // Teredo: the server at bits 32-63, the client inverted in the last 32 bits.
        assert_eq!(
            class("2001:0:7f00:1::"),
            Some(Class::Embeds(loopback, &Class::Loopback))
        );
        // Client 127.0.0.1 inverted is 80ff:fffe.
        assert_eq!(
            class("2001:0:808:808::80ff:fffe"),
            Some(Class::Embeds(loopback, &Class::Loopback))
        );
        // Public on both sides: still a tunnel, not a destination.
        assert_eq!(class("2001:0:808:808::f7f7:f7f7"), Some(Class::Teredo));
        assert!(embedded("::1".parse().unwrap()).is_empty());
        assert_eq!(
            embedded("::ffff:10.1.2.3".parse().unwrap()),
            [Ipv4Addr::new(10, 1, 2, 3)]
        );
        assert_eq!(
            mapped_v4("::ffff:10.1.2.3".parse().unwrap()),
            Some(Ipv4Addr::new(10, 1, 2, 3))
        );
        assert_eq!(mapped_v4("::10.1.2.3".parse().unwrap()), None);
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(
            class("::ffff:127.0.0.1").unwrap().to_string(),
            "an IPv6 form of 127.0.0.1, which is a loopback address"
        );
        assert_eq!(
            class("169.254.169.254").unwrap().to_string(),
            "a cloud metadata service address"
        );
    }

    #[test]
    fn every_numeric_ipv4_spelling_is_read() {
        let loopback = Some(Ipv4Addr::new(127, 0, 0, 1));
        for spelling in [
            "127.0.0.1",
            "127.1",
            "127.0.1",
            "2130706433",
            "0x7f000001",
            "0X7F000001",
            "017700000001",
            "0177.0.0.1",
            "0177.0.0.01",
            "0x7f.0.0.1",
            "0x7f.1",
            "0x7f.0x0.0x0.0x1",
            "127.0.0.1.",
            "0177.1",
        ] {
            assert_eq!(parse_ipv4_loosely(spelling), loopback, "{spelling}");
        }
        assert_eq!(parse_ipv4_loosely("0"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(parse_ipv4_loosely("0x"), Some(Ipv4Addr::UNSPECIFIED));
        assert_eq!(
            parse_ipv4_loosely("169.254.43518"),
            Some(Ipv4Addr::new(169, 254, 169, 254))
        );
        for name in [
            "example.com",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.256",
            "127.16777216",
            "4294967296",
            "08.1.1.1",
            "0x1g",
            "",
            "1..1",
            "a.1",
            "99999999999999999999",
        ] {
            assert_eq!(parse_ipv4_loosely(name), None, "{name}");
        }
    }
}
