//! `fetch::Fetcher`: a corpus of URLs that must be refused before any connection (proved by
//! listeners that see no connection, a trusted proxy that sees no request, and a resolver
//! that is asked about names only), an internal server reached only through the allow list
//! and whose redirects to metadata and loopback addresses are refused, DNS rebinding, the
//! size cap, timeouts, redirect limits, the per-host rate limit, the proxy, settings, and a
//! tool whose refusals reach the model as text.
//!
//! No test needs the internet: public addresses appear only as resolver answers and policy
//! checks, and every connection goes to a listener on loopback.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_runtime::fetch::{FetchError, FetchPolicy, Fetcher, Method, Resolve, Resolving};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// --- A resolver whose answers the test sets, and which records every lookup ------------

/// Test DNS: fixed answers per name, or a sequence that moves on at each lookup (the last
/// answer repeats); every lookup is recorded.
#[derive(Clone, Default)]
struct Dns(Arc<DnsInner>);

#[derive(Default)]
struct DnsInner {
    answers: Mutex<HashMap<String, Vec<Vec<IpAddr>>>>,
    lookups: Mutex<Vec<String>>,
}

impl Dns {
    fn answer(self, host: &str, addrs: &[&str]) -> Self {
        self.answers(host, &[addrs])
    }

    fn answers(self, host: &str, sequence: &[&[&str]]) -> Self {
        let sequence = sequence
            .iter()
            .map(|addrs| addrs.iter().map(|addr| addr.parse().unwrap()).collect())
            .collect();
        self.0
            .answers
            .lock()
            .unwrap()
            .insert(host.to_owned(), sequence);
        self
    }

    fn lookups(&self) -> Vec<String> {
        self.0.lookups.lock().unwrap().clone()
    }
}

impl Resolve for Dns {
    fn resolve<'a>(&'a self, host: &'a str) -> Resolving<'a> {
        let answer = {
            let mut lookups = self.0.lookups.lock().unwrap();
            let nth = lookups.iter().filter(|name| *name == host).count();
            lookups.push(host.to_owned());
            let answers = self.0.answers.lock().unwrap();
            answers
                .get(host)
                .map(|sequence| sequence[nth.min(sequence.len() - 1)].clone())
        };
        Box::pin(async move {
            answer.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "NXDOMAIN"))
        })
    }
}

// --- A raw HTTP/1.1 site on loopback that counts connections --------------------------

/// A request as the server read it.
#[derive(Debug, Clone)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn request_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    fn path(&self) -> &str {
        self.request_line().split(' ').nth(1).unwrap_or_default()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// What the server does with a request.
enum Reply {
    /// A response with these extra headers and body (with `content-length`).
    Send(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// A chunked body of `n` bytes, without `content-length`.
    Chunked(usize),
    /// Headers, then a body that never ends (until the client goes).
    Endless,
    /// Nothing, ever.
    Stall,
}

fn ok(body: &str) -> Reply {
    Reply::Send(200, Vec::new(), body.as_bytes().to_vec())
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::Send(status, vec![("location", location.to_owned())], Vec::new())
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A listening server: its address, the connections it accepted, the requests it read.
struct Site {
    addr: SocketAddr,
    accepts: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Site {
    /// Serves on `bind` (`127.0.0.1:0` for any port); `None` if the address cannot be bound
    /// (no IPv6 on this machine).
    async fn start(
        bind: &str,
        handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Option<Site> {
        let listener = TcpListener::bind(bind).await.ok()?;
        let addr = listener.local_addr().unwrap();
        let accepts = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let task = tokio::spawn({
            let accepts = Arc::clone(&accepts);
            let seen = Arc::clone(&seen);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    accepts.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(connection(stream, Arc::clone(&handler), Arc::clone(&seen)));
                }
            }
        });
        Some(Site {
            addr,
            accepts,
            seen,
            task,
        })
    }

    /// A listener that only counts connections (and closes them).
    async fn counting(bind: &str) -> Option<Site> {
        Site::start(bind, |_| {
            Reply::Send(500, Vec::new(), b"must not be reached".to_vec())
        })
        .await
    }

    fn port(&self) -> u16 {
        self.addr.port()
    }

    fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request, answers it, and closes the connection.
async fn connection(mut stream: TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut request = Seen {
        head,
        body: buf[head_end..].to_vec(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    while request.body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.body.extend_from_slice(&chunk[..n]),
        }
    }
    seen.lock().unwrap().push(request.clone());
    match handler(&request) {
        Reply::Send(status, headers, body) => {
            let mut response = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("\r\n");
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Chunked(size) => {
            let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            let mut left = size;
            while left > 0 {
                let n = left.min(1000);
                let _ = stream.write_all(format!("{n:x}\r\n").as_bytes()).await;
                let _ = stream.write_all(&vec![b'x'; n]).await;
                let _ = stream.write_all(b"\r\n").await;
                left -= n;
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            let piece = format!("4000\r\n{}\r\n", "x".repeat(0x4000));
            while stream.write_all(piece.as_bytes()).await.is_ok() {}
            return;
        }
        Reply::Stall => {
            tokio::time::sleep(Duration::from_secs(600)).await;
        }
    }
    let _ = stream.shutdown().await;
}

fn blocked_reason(
    result: Result<mcp_runtime::fetch::FetchResponse, FetchError>,
    url: &str,
) -> String {
    match result {
        Err(FetchError::Blocked { reason, .. }) => reason,
        Err(other) => panic!("{url}: not blocked but {other:?}"),
        Ok(response) => panic!("{url}: fetched, status {}", response.status()),
    }
}

// --- The corpus ---------------------------------------------------------------------

/// URLs refused before any connection, with a word of the reason. `{P}` is the port of the
/// loopback listeners; `lookup` says whether refusing it takes a lookup (of a `.test` name).
const CORPUS: &[(&str, &str, bool)] = &[
    // Loopback, in every spelling.
    ("http://127.0.0.1:{P}/", "loopback", false),
    ("http://127.0.0.2:{P}/", "loopback", false),
    ("http://127.255.255.254:{P}/", "loopback", false),
    ("http://2130706433:{P}/", "loopback", false),
    ("http://0177.0.0.1:{P}/", "loopback", false),
    ("http://0177.0000.0000.0001:{P}/", "loopback", false),
    ("http://0x7f.1:{P}/", "loopback", false),
    ("http://0x7f000001:{P}/", "loopback", false),
    ("http://0x7F.0.0.1:{P}/", "loopback", false),
    ("http://127.1:{P}/", "loopback", false),
    ("http://127.0.1:{P}/", "loopback", false),
    ("http://017700000001:{P}/", "loopback", false),
    ("http://%31%32%37.0.0.1:{P}/", "loopback", false),
    (
        "http://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}:{P}/",
        "loopback",
        false,
    ),
    ("https://127.0.0.1:{P}/", "loopback", false),
    ("http://[::1]:{P}/", "loopback", false),
    ("http://[0:0:0:0:0:0:0:1]:{P}/", "loopback", false),
    // IPv4 hidden in IPv6: mapped, compatible, NAT64, 6to4, Teredo.
    (
        "http://[::ffff:127.0.0.1]:{P}/",
        "IPv6 form of 127.0.0.1, which is a loopback",
        false,
    ),
    ("http://[::ffff:7f00:1]:{P}/", "loopback", false),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]:{P}/", "loopback", false),
    ("http://[::127.0.0.1]:{P}/", "loopback", false),
    ("http://[64:ff9b::127.0.0.1]:{P}/", "loopback", false),
    ("http://[2002:7f00:1::]:{P}/", "loopback", false),
    ("http://[2001:0:7f00:1::]:{P}/", "loopback", false),
    ("http://[::ffff:192.168.1.1]/", "private", false),
    ("http://[::ffff:c0a8:101]/", "private", false),
    ("http://[2002:a00:1::]/", "private", false),
    ("http://[2001:0:a00:1::]/", "private", false),
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata", false),
    ("http://[64:ff9b:1::a00:1]/", "local-use NAT64", false),
    // Unspecified and "this network".
    ("http://0.0.0.0:{P}/", "unspecified", false),
    ("http://0:{P}/", "unspecified", false),
    ("http://[::]:{P}/", "unspecified", false),
    ("http://0.1.2.3/", "this network", false),
    // Private networks.
    ("http://10.0.0.1/", "private", false),
    ("http://10.255.255.255/", "private", false),
    ("http://172.16.0.1/", "private", false),
    ("http://172.31.255.254/", "private", false),
    ("http://192.168.0.1/", "private", false),
    ("http://192.168.1.1:8080/admin", "private", false),
    ("http://0xa000001/", "private", false),
    ("http://012.0.0.1/", "private", false),
    ("http://3232235777/", "private", false),
    // Carrier-grade NAT, link-local, IETF protocol assignments.
    ("http://100.64.0.1/", "carrier-grade NAT", false),
    ("http://100.127.255.254/", "carrier-grade NAT", false),
    ("http://169.254.0.1/", "link-local", false),
    ("http://[fe80::1]/", "link-local", false),
    ("http://192.0.0.1/", "IETF protocol assignment", false),
    // Cloud metadata, by address in every spelling and by name.
    (
        "http://169.254.169.254/latest/meta-data/",
        "metadata",
        false,
    ),
    ("http://2852039166/", "metadata", false),
    ("http://0xa9fea9fe/", "metadata", false),
    ("http://0251.0376.0251.0376/", "metadata", false),
    ("http://169.254.43518/", "metadata", false),
    ("http://[::ffff:169.254.169.254]/", "metadata", false),
    (
        "http://[fd00:ec2::254]/latest/meta-data/",
        "metadata",
        false,
    ),
    (
        "http://100.100.100.200/latest/meta-data/",
        "metadata",
        false,
    ),
    ("http://169.254.170.2/v2/credentials", "metadata", false),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        "metadata",
        false,
    ),
    // Multicast, broadcast, reserved.
    ("http://224.0.0.1/", "multicast", false),
    ("http://239.255.255.250:1900/", "multicast", false),
    ("http://[ff02::1]/", "multicast", false),
    ("http://255.255.255.255/", "broadcast", false),
    ("http://240.0.0.1/", "reserved", false),
    // Documentation and benchmarking.
    ("http://192.0.2.1/", "documentation", false),
    ("http://198.51.100.1/", "documentation", false),
    ("http://203.0.113.1/", "documentation", false),
    ("http://[2001:db8::1]/", "documentation", false),
    ("http://198.18.0.1/", "benchmarking", false),
    ("http://198.19.255.255/", "benchmarking", false),
    // IPv6 unique local and site-local.
    ("http://[fc00::1]/", "unique local", false),
    ("http://[fd12:3456:789a::1]/", "unique local", false),
    ("http://[fec0::1]/", "site-local", false),
    // Names of this machine, refused without a lookup.
    ("http://localhost:{P}/", "names this machine", false),
    ("http://LOCALHOST:{P}/", "names this machine", false),
    ("http://localhost.:{P}/", "names this machine", false),
    ("http://api.localhost:{P}/", "names this machine", false),
    ("http://\u{24db}ocalhost:{P}/", "names this machine", false),
    ("http://ip6-localhost:{P}/", "names this machine", false),
    // Names that resolve (through the test's DNS) to what may not be reached.
    (
        "http://evil.test:{P}/",
        "evil.test resolves to a loopback address",
        true,
    ),
    (
        "http://private.test/",
        "private.test resolves to a private network address",
        true,
    ),
    (
        "http://mixed.test:{P}/",
        "mixed.test resolves to a loopback address",
        true,
    ),
    (
        "http://meta.test/",
        "meta.test resolves to a cloud metadata",
        true,
    ),
    (
        "http://mapped.test:{P}/",
        "mapped.test resolves to an IPv6 form of a loopback",
        true,
    ),
    (
        "http://six.test:{P}/",
        "six.test resolves to a loopback address",
        true,
    ),
    (
        "http://ula.test/",
        "ula.test resolves to a unique local",
        true,
    ),
    // User names and passwords.
    (
        "http://user:pass@example.com/",
        "user name or password",
        false,
    ),
    ("http://user@example.com/", "user name or password", false),
    ("https://:pass@example.com/", "user name or password", false),
    (
        "http://evil.test@127.0.0.1:{P}/",
        "user name or password",
        false,
    ),
    // Schemes other than http(s).
    ("ftp://example.com/file", "scheme `ftp`", false),
    ("file:///etc/passwd", "scheme `file`", false),
    ("gopher://127.0.0.1:{P}/_GET%20/", "scheme `gopher`", false),
    ("dict://127.0.0.1:{P}/info", "scheme `dict`", false),
    ("ws://example.com/", "scheme `ws`", false),
];

/// URLs refused by the strict default policy (https only) alone.
const HTTP_CORPUS: &[&str] = &[
    "http://example.com/",
    "http://93.184.216.34/",
    "http://public.test/",
];

fn corpus_dns() -> Dns {
    Dns::default()
        .answer("evil.test", &["127.0.0.1"])
        .answer("private.test", &["10.0.0.1"])
        .answer("mixed.test", &["93.184.216.34", "127.0.0.1"])
        .answer("meta.test", &["169.254.169.254"])
        .answer("mapped.test", &["::ffff:127.0.0.1"])
        .answer("six.test", &["::1"])
        .answer("ula.test", &["fd00::1"])
        .answer("public.test", &["93.184.216.34"])
}

#[tokio::test]
async fn the_corpus_is_refused_before_any_connection() {
    assert!(CORPUS.len() + HTTP_CORPUS.len() >= 60, "{}", CORPUS.len());
    // Listeners where a connection to any loopback spelling of the corpus would land.
    let v4 = Site::counting("127.0.0.1:0").await.unwrap();
    let port = v4.port();
    let v6 = Site::counting(&format!("[::1]:{port}")).await;
    let also = Site::counting(&format!("127.0.0.2:{port}")).await;
    // A trusted proxy: every request the second fetcher sends at all goes there first.
    let proxy = Site::counting("127.0.0.1:0").await.unwrap();

    let dns = corpus_dns();
    let direct = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .resolver(dns.clone()),
    );
    let proxied = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .resolver(dns.clone())
            .proxy(format!("http://127.0.0.1:{}", proxy.port())),
    );
    for (url, reason, lookup) in CORPUS {
        let url = url.replace("{P}", &port.to_string());
        for fetcher in [&direct, &proxied] {
            let before = dns.lookups().len();
            let why = blocked_reason(fetcher.get(&url).await, &url);
            assert!(
                why.contains(reason),
                "{url}: {why:?} does not say {reason:?}"
            );
            let looked_up = dns.lookups()[before..].to_vec();
            if *lookup {
                assert_eq!(looked_up.len(), 1, "{url}: {looked_up:?}");
                // The reason never shows what the name resolved to.
                assert!(
                    !why.contains("127.0.0.1") && !why.contains("10.0.0.1"),
                    "{url}: {why}"
                );
            } else {
                assert!(looked_up.is_empty(), "{url} was looked up: {looked_up:?}");
            }
        }
    }
    let strict = Fetcher::new(FetchPolicy::default().resolver(dns.clone()));
    for url in HTTP_CORPUS {
        let why = blocked_reason(strict.get(url).await, url);
        assert!(why.contains("scheme `http`"), "{url}: {why}");
    }
    // The other methods are checked the same way.
    let why = blocked_reason(
        direct
            .request(Method::POST, "http://169.254.169.254/")
            .body("x")
            .send()
            .await,
        "POST",
    );
    assert!(why.contains("metadata"), "{why}");

    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(v4.accepts(), 0, "a connection reached 127.0.0.1");
    assert_eq!(v6.map_or(0, |s| s.accepts()), 0, "a connection reached ::1");
    assert_eq!(
        also.map_or(0, |s| s.accepts()),
        0,
        "a connection reached 127.0.0.2"
    );
    assert_eq!(proxy.accepts(), 0, "a request went out through the proxy");
    assert!(
        dns.lookups().iter().all(|name| name.ends_with(".test")),
        "{:?}",
        dns.lookups()
    );
}

// --- An internal server, reachable through the allow list only ------------------------

#[tokio::test]
async fn an_internal_server_is_reached_through_the_allow_list_alone() {
    let other = Site::counting("127.0.0.1:0").await.unwrap();
    let other_port = other.port();
    let server = Site::start("127.0.0.1:0", move |seen| match seen.path() {
        "/" => ok("hello"),
        "/meta" => redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "/loopback" => redirect(302, &format!("http://127.0.0.1:{other_port}/")),
        "/mapped" => redirect(307, &format!("http://[::ffff:127.0.0.1]:{other_port}/")),
        "/localhost" => redirect(301, &format!("http://localhost:{other_port}/")),
        "/relative" => redirect(302, "/"),
        _ => Reply::Send(404, Vec::new(), Vec::new()),
    })
    .await
    .unwrap();
    let port = server.port();
    let dns = Dns::default().answer("allowed.test", &["127.0.0.1"]);
    let url = |path: &str| format!("http://allowed.test:{port}{path}");

    // Without the allow list, the name resolves to loopback: refused.
    let closed = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .resolver(dns.clone()),
    );
    let why = blocked_reason(closed.get(&url("/")).await, "closed");
    assert_eq!(why, "allowed.test resolves to a loopback address");
    assert_eq!(server.accepts(), 0);

    let open = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .allow_hosts(["allowed.test"])
            .resolver(dns.clone()),
    );
    let response = open.get(&url("/")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text(), "hello");
    assert_eq!(response.url(), url("/"));
    // The connection went to the checked address, with the name kept for `Host`.
    assert_eq!(
        server.seen()[0].header("host").as_deref(),
        Some(format!("allowed.test:{port}").as_str())
    );

    // The same address spelled as a literal is not what was allowed.
    let why = blocked_reason(
        open.get(&format!("http://127.0.0.1:{port}/")).await,
        "literal",
    );
    assert_eq!(why, "its host 127.0.0.1 is a loopback address");

    // Redirects out of the allowed server are checked like any URL.
    let accepted = server.accepts();
    for (path, reason) in [
        (
            "/meta",
            "its host 169.254.169.254 is a cloud metadata service address",
        ),
        ("/loopback", "its host 127.0.0.1 is a loopback address"),
        (
            "/mapped",
            "its host ::ffff:127.0.0.1 is an IPv6 form of 127.0.0.1, which is a loopback address",
        ),
        ("/localhost", "its host localhost names this machine"),
    ] {
        match open.get(&url(path)).await {
            Err(FetchError::Blocked { url, reason: why }) => {
                assert_eq!(why, reason, "{path}");
                assert!(!url.contains("allowed.test"), "the hop is named: {url}");
            }
            other => panic!("{path}: {other:?}"),
        }
    }
    assert_eq!(
        server.accepts(),
        accepted + 4,
        "one request per redirecting page"
    );
    assert_eq!(other.accepts(), 0, "a redirect target was contacted");

    // A redirect within the allowed host is followed.
    let response = open.get(&url("/relative")).await.unwrap();
    assert_eq!(response.text(), "hello");
    assert_eq!(response.url(), url("/"));
}

// --- DNS rebinding ---------------------------------------------------------------------

#[tokio::test]
async fn a_changing_dns_answer_cannot_move_the_connection() {
    // 127.0.0.2 stands for the public address the check sees (allowed by its own /32, since
    // a test cannot connect to the internet); 127.0.0.1 is where a rebinding would lead.
    let Some(checked) = Site::start("127.0.0.2:0", |_| ok("the checked address")).await else {
        eprintln!("127.0.0.2 cannot be bound here; skipping");
        return;
    };
    let port = checked.port();
    let Some(rebound) = Site::counting(&format!("127.0.0.1:{port}")).await else {
        eprintln!("127.0.0.1:{port} is taken; skipping");
        return;
    };
    let dns = Dns::default().answers(
        "rebind.test",
        &[
            &["127.0.0.2"],
            &["127.0.0.1"],
            &["127.0.0.2"],
            &["127.0.0.1"],
        ],
    );
    let policy = FetchPolicy::default()
        .allow_http(true)
        .allow_hosts(["127.0.0.2/32"])
        .resolver(dns.clone());
    let url = format!("http://rebind.test:{port}/");

    // Each fetch resolves once, and connects where that one answer (checked) points.
    let fetcher = Fetcher::new(policy.clone());
    let response = fetcher.get(&url).await.unwrap();
    assert_eq!(response.text(), "the checked address");
    assert_eq!(dns.lookups(), ["rebind.test"]);
    // The next connection asks again: the answer is now loopback, refused before connecting.
    let why = blocked_reason(fetcher.get(&url).await, &url);
    assert_eq!(why, "rebind.test resolves to a loopback address");
    assert_eq!(dns.lookups().len(), 2);
    // A fresh fetcher, the same: the checked answer is reached, the other refused.
    let fresh = Fetcher::new(policy);
    assert_eq!(fresh.get(&url).await.unwrap().text(), "the checked address");
    assert!(fresh.get(&url).await.unwrap_err().is_blocked());
    assert_eq!(dns.lookups().len(), 4, "one lookup per connection");

    assert_eq!(checked.accepts(), 2);
    assert_eq!(rebound.accepts(), 0, "the rebound address was contacted");
}

// --- Caps: size, time, redirects, rate ------------------------------------------------

#[tokio::test]
async fn response_bodies_are_capped() {
    const CAP: usize = 4096;
    let server = Site::start("127.0.0.1:0", |seen| match seen.path() {
        "/exact" => Reply::Send(200, Vec::new(), vec![b'x'; CAP]),
        "/over" => Reply::Send(200, Vec::new(), vec![b'x'; CAP + 1]),
        "/chunked-exact" => Reply::Chunked(CAP),
        "/chunked-over" => Reply::Chunked(CAP + 1),
        _ => Reply::Endless,
    })
    .await
    .unwrap();
    let dns = Dns::default().answer("files.test", &["127.0.0.1"]);
    let fetcher = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .allow_hosts(["files.test"])
            .resolver(dns)
            .max_response_size(CAP as u64),
    );
    let url = |path: &str| format!("http://files.test:{}{path}", server.port());

    assert_eq!(fetcher.get(&url("/exact")).await.unwrap().body().len(), CAP);
    assert_eq!(
        fetcher
            .get(&url("/chunked-exact"))
            .await
            .unwrap()
            .into_body()
            .len(),
        CAP
    );
    for path in ["/over", "/chunked-over"] {
        let error = fetcher.get(&url(path)).await.unwrap_err();
        assert!(error.is_too_large(), "{path}: {error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "the response from {} is larger than the limit of 4096 bytes",
                url(path)
            )
        );
    }
    // A body that never ends is cut at the cap, not read to the timeout.
    let started = Instant::now();
    let error = fetcher.get(&url("/endless")).await.unwrap_err();
    assert!(error.is_too_large(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn stalls_time_out() {
    let server = Site::start("127.0.0.1:0", |seen| match seen.path() {
        "/headers-then-nothing" => Reply::Endless,
        _ => Reply::Stall,
    })
    .await
    .unwrap();
    let dns = Dns::default().answer("slow.test", &["127.0.0.1"]);
    let policy = FetchPolicy::default()
        .allow_http(true)
        .allow_hosts(["slow.test"])
        .resolver(dns)
        .timeout(Duration::from_millis(300));
    let fetcher = Fetcher::new(policy.clone());
    let url = format!("http://slow.test:{}/stall", server.port());
    let started = Instant::now();
    let error = fetcher.get(&url).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        error.to_string(),
        format!("fetching {url} timed out: the request took longer than 300ms")
    );

    // A body that keeps coming, under a cap it never reaches in time.
    let fetcher = Fetcher::new(policy.max_response_size(u64::MAX));
    let started = Instant::now();
    let url = format!("http://slow.test:{}/headers-then-nothing", server.port());
    assert!(fetcher.get(&url).await.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_secs(3));

    // Connecting (resolution included) has its own limit; this name never resolves in time.
    struct SlowDns;
    impl Resolve for SlowDns {
        fn resolve<'a>(&'a self, _: &'a str) -> Resolving<'a> {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                Ok(vec!["93.184.216.34".parse().unwrap()])
            })
        }
    }
    let fetcher = Fetcher::new(
        FetchPolicy::default()
            .resolver(SlowDns)
            .connect_timeout(Duration::from_millis(200)),
    );
    let started = Instant::now();
    let error = fetcher.get("https://slow-dns.test/").await.unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Timeout {
                what: "connecting",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let server = Site::start("127.0.0.1:0", |seen| {
        let path = seen.path();
        match path
            .strip_prefix("/chain/")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(0) => ok("end"),
            Some(n) => redirect(302, &format!("/chain/{}", n - 1)),
            None => Reply::Send(404, Vec::new(), Vec::new()),
        }
    })
    .await
    .unwrap();
    let dns = Dns::default().answer("hops.test", &["127.0.0.1"]);
    let policy = FetchPolicy::default()
        .allow_http(true)
        .allow_hosts(["hops.test"])
        .resolver(dns);
    let url = |n: u32| format!("http://hops.test:{}/chain/{n}", server.port());

    let three = Fetcher::new(policy.clone().max_redirects(3));
    let response = three.get(&url(3)).await.unwrap();
    assert_eq!(response.text(), "end");
    assert_eq!(response.url(), url(0));
    let error = three.get(&url(4)).await.unwrap_err();
    assert!(
        matches!(error, FetchError::TooManyRedirects { limit: 3, .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("{} redirects more than 3 times", url(4))
    );

    let default = Fetcher::new(policy.clone());
    assert_eq!(default.get(&url(5)).await.unwrap().text(), "end");
    assert!(default.get(&url(6)).await.is_err());

    let none = Fetcher::new(policy.max_redirects(0));
    assert_eq!(none.get(&url(0)).await.unwrap().text(), "end");
    assert!(matches!(
        none.get(&url(1)).await.unwrap_err(),
        FetchError::TooManyRedirects { limit: 0, .. }
    ));
}

#[tokio::test]
async fn redirects_change_the_method_and_drop_credentials_as_browsers_do() {
    let server = Site::start("127.0.0.1:0", |seen| match seen.path() {
        "/see-other" => redirect(303, "/echo"),
        "/temporary" => redirect(307, "/echo"),
        "/elsewhere" => {
            let port = seen
                .header("host")
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .to_owned();
            redirect(307, &format!("http://other.test:{port}/echo"))
        }
        _ => ok("echo"),
    })
    .await
    .unwrap();
    let dns = Dns::default()
        .answer("api.test", &["127.0.0.1"])
        .answer("other.test", &["127.0.0.1"]);
    let fetcher = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .allow_hosts(["api.test", "other.test"])
            .resolver(dns),
    );
    let url = |path: &str| format!("http://api.test:{}{path}", server.port());
    let post = |path: &str| {
        fetcher
            .request(Method::POST, url(path))
            .header("authorization", "Bearer secret")
            .json(&json!({"note": "milk"}))
            .send()
    };

    post("/see-other").await.unwrap();
    post("/temporary").await.unwrap();
    post("/elsewhere").await.unwrap();
    let seen = server.seen();
    let lines: Vec<&str> = seen.iter().map(Seen::request_line).collect();
    assert_eq!(
        lines,
        [
            "POST /see-other HTTP/1.1",
            "GET /echo HTTP/1.1",
            "POST /temporary HTTP/1.1",
            "POST /echo HTTP/1.1",
            "POST /elsewhere HTTP/1.1",
            "POST /echo HTTP/1.1",
        ]
    );
    // 303 drops the body; 307 sends it again.
    assert!(seen[1].body.is_empty() && seen[1].header("content-type").is_none());
    assert_eq!(seen[3].body, br#"{"note":"milk"}"#);
    assert_eq!(
        seen[3].header("content-type").as_deref(),
        Some("application/json")
    );
    // Credentials stay with their origin.
    assert_eq!(
        seen[3].header("authorization").as_deref(),
        Some("Bearer secret")
    );
    assert!(seen[5].header("host").unwrap().starts_with("other.test:"));
    assert_eq!(seen[5].header("authorization"), None);

    // A header the code got wrong fails the request, not silently.
    let error = fetcher
        .request(Method::GET, url("/echo"))
        .header("bad header", "x")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, FetchError::InvalidRequest { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn each_host_has_its_own_rate_limit() {
    let server = Site::start("127.0.0.1:0", |_| ok("fine")).await.unwrap();
    let dns = Dns::default()
        .answer("a.test", &["127.0.0.1"])
        .answer("b.test", &["127.0.0.1"]);
    let fetcher = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .allow_hosts(["a.test", "b.test"])
            .resolver(dns)
            .rate_limit_per_host(0.5, 2),
    );
    let url = |host: &str| format!("http://{host}:{}/", server.port());
    fetcher.get(&url("a.test")).await.unwrap();
    fetcher.get(&url("a.test")).await.unwrap();
    let error = fetcher.get(&url("a.test")).await.unwrap_err();
    let FetchError::RateLimited { host, retry_after } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(host, "a.test");
    assert!(*retry_after > Duration::from_secs(1) && *retry_after <= Duration::from_secs(2));
    assert!(error.is_rate_limited());
    assert!(
        error
            .to_string()
            .starts_with("too many requests to a.test; try again in")
    );
    // Another host, and clones of the fetcher, share nothing and everything respectively.
    fetcher.get(&url("b.test")).await.unwrap();
    assert!(
        fetcher
            .clone()
            .get(&url("a.test"))
            .await
            .unwrap_err()
            .is_rate_limited()
    );
    assert_eq!(server.accepts(), 3, "a limited request is not sent");
}

// --- A trusted egress proxy ----------------------------------------------------------

#[tokio::test]
async fn a_trusted_proxy_carries_requests_whose_targets_were_checked() {
    let proxy = Site::start("127.0.0.1:0", |_| ok("via the proxy"))
        .await
        .unwrap();
    let dns = corpus_dns().answer("proxy.test", &["127.0.0.1"]);
    for proxy_url in [
        format!("http://127.0.0.1:{}", proxy.port()),
        // By name: the proxy's own name resolves to loopback, and is trusted.
        format!("http://proxy.test:{}", proxy.port()),
    ] {
        let fetcher = Fetcher::new(
            FetchPolicy::default()
                .allow_http(true)
                .resolver(dns.clone())
                .proxy(&proxy_url),
        );
        let before = proxy.accepts();
        // public.test resolves (here, for the check) to a public address: sent to the proxy,
        // which connects to the target itself.
        let response = fetcher.get("http://public.test/page").await.unwrap();
        assert_eq!(response.text(), "via the proxy");
        let seen = proxy.seen();
        assert_eq!(
            seen.last().unwrap().request_line(),
            "GET http://public.test/page HTTP/1.1"
        );
        assert_eq!(proxy.accepts(), before + 1);
        // A target that resolves to a private address is refused, and the proxy sees nothing.
        let why = blocked_reason(fetcher.get("http://private.test/").await, "private");
        assert_eq!(why, "private.test resolves to a private network address");
        assert_eq!(proxy.accepts(), before + 1);
    }
    assert!(dns.lookups().iter().any(|name| name == "proxy.test"));
}

// --- Settings, invalid policies, tools ---------------------------------------------

#[tokio::test]
async fn an_invalid_policy_refuses_everything() {
    for policy in [
        FetchPolicy::default().deny_hosts(["10.0.0.0/33"]),
        FetchPolicy::default().allow_hosts(["host:80"]),
        FetchPolicy::default().proxy("socks5://127.0.0.1:1080"),
        FetchPolicy::default().proxy("not a url"),
        FetchPolicy::default().timeout(Duration::ZERO),
        FetchPolicy::default().rate_limit_per_host(0.0, 1),
    ] {
        let error = Fetcher::try_new(policy.clone()).unwrap_err();
        assert!(matches!(error, FetchError::Config { .. }), "{error:?}");
        let fetcher = Fetcher::new(policy);
        let error = fetcher.get("https://example.com/").await.unwrap_err();
        assert!(matches!(error, FetchError::Config { .. }), "{error:?}");
    }
    let error = Fetcher::try_new(FetchPolicy::default().deny_hosts(["10.0.0.0/33"])).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the fetch policy is invalid: deny_hosts: `10.0.0.0/33` is not a host, address or \
         network: the prefix length is not 0-32"
    );
    // The proxy's credentials never show.
    let policy = FetchPolicy::default().proxy("http://user:hunter2@proxy.example:3128");
    assert!(!format!("{policy:?}").contains("hunter2"), "{policy:?}");
    let error =
        Fetcher::try_new(FetchPolicy::default().proxy("socks5://u:hunter2@p:1")).unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

/// Fetch a page as text.
#[tool]
async fn fetch_page(fetcher: Fetcher, url: String) -> Result<String, ToolError> {
    Ok(fetcher.get(&url).await?.text())
}

#[tokio::test]
async fn a_tool_reads_refusals_as_text() {
    let server = Site::start("127.0.0.1:0", |_| ok("internal wiki"))
        .await
        .unwrap();
    let dns = corpus_dns().answer("wiki.test", &["127.0.0.1"]);
    let fetcher = Fetcher::new(
        FetchPolicy::default()
            .allow_http(true)
            .allow_hosts(["wiki.test"])
            .resolver(dns),
    );
    let built = Server::builder("web")
        .state(fetcher)
        .tools(tools![fetch_page])
        .build()
        .unwrap();
    let client = TestClient::new(built).await;
    let call = |url: String| {
        let client = &client;
        async move {
            client
                .call_tool("fetch_page", json!({ "url": url }))
                .await
                .unwrap()
        }
    };

    let page = call(format!("http://wiki.test:{}/", server.port())).await;
    assert!(!page.is_error());
    assert_eq!(page.text(), "internal wiki");

    for (url, text) in [
        (
            "http://169.254.169.254/latest/meta-data/iam/",
            "refused to fetch http://169.254.169.254/latest/meta-data/iam/: its host \
             169.254.169.254 is a cloud metadata service address",
        ),
        (
            "http://localhost:6379/",
            "refused to fetch http://localhost:6379/: its host localhost names this machine",
        ),
        (
            "http://private.test/admin",
            "refused to fetch http://private.test/admin: private.test resolves to a private \
             network address",
        ),
        (
            "http://admin:secret@example.com/",
            "refused to fetch http://example.com/: the URL carries a user name or password",
        ),
        (
            "file:///etc/passwd",
            "refused to fetch file:///etc/passwd: the scheme `file` is not allowed (only http \
             and https)",
        ),
        (
            "not a url",
            "\"not a url\" is not a URL that can be fetched: relative URL without a base",
        ),
    ] {
        let result = call(url.to_owned()).await;
        assert!(result.is_error(), "{url}");
        assert_eq!(result.text(), text, "{url}");
    }
}

#[tokio::test]
async fn the_fetch_settings_give_the_server_its_fetcher() {
    let server = Site::start("127.0.0.1:0", |_| ok("from settings"))
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{}/", server.port());
    let mut settings = mcp_runtime::Settings::default();
    settings.fetch.allow_http = true;
    settings.fetch.allow_hosts = vec!["127.0.0.1/32".to_owned()];
    let built = Server::builder("web")
        .tools(tools![fetch_page])
        .settings(settings.clone())
        .build()
        .expect("the settings give the fetcher the tool needs");
    let client = TestClient::new(built).await;
    let page = client
        .call_tool("fetch_page", json!({ "url": url }))
        .await
        .unwrap();
    assert_eq!(page.text(), "from settings");

    // The default section is the strict policy.
    let strict = Server::builder("web")
        .tools(tools![fetch_page])
        .settings(mcp_runtime::Settings::default())
        .build()
        .unwrap();
    let client = TestClient::new(strict).await;
    let page = client
        .call_tool("fetch_page", json!({ "url": url }))
        .await
        .unwrap();
    assert!(page.is_error());
    assert!(
        page.text().contains("scheme `http` is not allowed"),
        "{}",
        page.text()
    );

    // A fetcher given as state wins over the settings.
    let given = Server::builder("web")
        .tools(tools![fetch_page])
        .state(Fetcher::default())
        .settings(settings.clone())
        .build()
        .unwrap();
    let client = TestClient::new(given).await;
    let page = client
        .call_tool("fetch_page", json!({ "url": url }))
        .await
        .unwrap();
    assert!(page.is_error());
    assert_eq!(server.accepts(), 1);

    // An invalid entry stops the build, naming the section.
    settings.fetch.deny_hosts = vec!["10.0.0.0/99".to_owned()];
    let error = Server::builder("web")
        .tools(tools![fetch_page])
        .settings(settings)
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("[fetch]"), "{error}");
    assert!(error.to_string().contains("10.0.0.0/99"), "{error}");

    // Without settings or state, a tool that takes a fetcher cannot be built.
    let error = Server::builder("web")
        .tools(tools![fetch_page])
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("Fetcher"), "{error}");
}
