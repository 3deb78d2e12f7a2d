//! A mutation fuzzer over the byte-stream transport (`Server::serve`, the codec stdio uses),
//! on the stable toolchain: valid messages are mutated (bytes flipped, cut, repeated, JSON
//! tokens spliced in) and sent one at a time, each followed by a `ping` that marks where its
//! answers end. For every mutated line:
//!
//! - a request whose `id` is readable (a JSON object with a `method` and a string or number
//!   `id`) gets exactly one answer, with that `id`;
//! - a line that is not JSON gets exactly one answer: `-32700` with `id: null`;
//! - anything else (a notification, a response, a batch) gets at most one answer, and never
//!   one with another message's id;
//!
//! and the server never stops answering (the `ping` after the last line is answered).
//!
//! The test suite runs a bounded number of cases; a long run is one command:
//!
//! ```text
//! FUZZ_CASES=200000 cargo test -p integration-tests --release fuzz -- --nocapture
//! FUZZ_SEED=42 FUZZ_CASES=5000 cargo test -p integration-tests fuzz    # another seed
//! ```

use std::time::{Duration, Instant};

use mcp_runtime::prelude::*;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Add two integers.
#[tool]
pub(crate) async fn add(a: i64, b: i64) -> Result<i64, ToolError> {
    a.checked_add(b)
        .ok_or_else(|| ToolError::new("the sum overflows"))
}

/// Echo the text back.
#[tool]
pub(crate) async fn echo(text: String) -> String {
    text
}

/// A note by id.
#[resource("notes://{id}")]
pub(crate) async fn note(id: u32) -> String {
    format!("note {id}")
}

/// Greets someone.
#[prompt]
pub(crate) async fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

/// The valid messages the mutations start from.
pub(crate) const CORPUS: &[&str] = &[
    r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}"#,
    r#"{"jsonrpc":"2.0","id":"s-1","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"progressToken":7}}}"#,
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    r#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"x"}}"#,
    r#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"notes://12"}}"#,
    r#"{"jsonrpc":"2.0","id":5,"method":"resources/templates/list","params":{}}"#,
    r#"{"jsonrpc":"2.0","id":6,"method":"prompts/get","params":{"name":"greet","arguments":{"name":"Ada"}}}"#,
    r#"{"jsonrpc":"2.0","id":7,"method":"logging/setLevel","params":{"level":"debug"}}"#,
    r#"{"jsonrpc":"2.0","id":8,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"greet"},"argument":{"name":"name","value":"A"}}}"#,
    r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#,
    r#"{"jsonrpc":"2.0","id":10,"method":"resources/subscribe","params":{"uri":"notes://1"}}"#,
    r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}}"#,
    r#"{"jsonrpc":"2.0","id":11,"result":{}}"#,
    r#"[{"jsonrpc":"2.0","id":12,"method":"ping"}]"#,
];

/// Tokens spliced into messages: what breaks parsers.
const TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "-",
    "0",
    "1e400",
    "NaN",
    "-0",
    "\\ud800",
    "\\u0000",
    "\"id\"",
    "\"method\"",
    "\"params\"",
    "1.5",
    "18446744073709551616",
    "\u{0}",
    "\u{7f}",
    "é",
    "\u{1F600}",
    "\t",
    " ",
    "\\",
    "\"jsonrpc\":\"1.0\"",
];

/// xorshift64*: deterministic, so a failing seed can be replayed.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One to four mutations of a corpus message; never a newline (that would be two lines).
pub(crate) fn mutate(rng: &mut Rng) -> Vec<u8> {
    let mut line = CORPUS[rng.below(CORPUS.len())].as_bytes().to_vec();
    // Mostly one mutation, so that many lines stay JSON and reach the methods.
    let mutations = if rng.below(2) == 0 {
        1
    } else {
        1 + rng.below(4)
    };
    for _ in 0..mutations {
        let at = rng.below(line.len() + 1);
        match rng.below(7) {
            0 if !line.is_empty() => {
                let at = at.min(line.len() - 1);
                line[at] = (rng.next() & 0xff) as u8;
            }
            1 => {
                let end = (at + rng.below(8)).min(line.len());
                line.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(16)).min(line.len());
                let copy = line[at..end].to_vec();
                line.splice(at..at, copy);
            }
            3 => line.truncate(at),
            // A digit changed: ids, numbers and lengths stay JSON but move.
            4 => {
                if let Some(digit) = line.iter().skip(at).position(u8::is_ascii_digit) {
                    line[at + digit] = b'0' + rng.below(10) as u8;
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                line.splice(at..at, token.iter().copied());
            }
        }
    }
    line.retain(|&byte| byte != b'\n');
    line
}

/// What the codec must answer to `line`.
pub(crate) enum Expect {
    /// A request with a readable id: exactly one answer, with it.
    One(Value),
    /// Not JSON: exactly one `-32700` with `id: null`.
    ParseError,
    /// Anything else: at most one answer, never with another message's id.
    AtMostOne(Option<Value>),
    /// A blank line: nothing.
    Nothing,
}

pub(crate) fn expect(line: &[u8]) -> Expect {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Expect::Nothing;
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err() {
        return Expect::ParseError;
    }
    // JSON, but not text serde can hold (a lone surrogate escape such as `\ud800`): the id
    // may or may not be readable.
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return Expect::AtMostOne(None);
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned();
    match (&value, id) {
        (Value::Object(object), Some(id)) if object.contains_key("method") => Expect::One(id),
        (_, id) => Expect::AtMostOne(id),
    }
}

/// The number of cases (`FUZZ_CASES`, else `default`) and the seed (`FUZZ_SEED`).
pub(crate) fn cases_and_seed(default: usize) -> (usize, u64) {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(0x5eed_f00d);
    (cases, seed)
}

/// The server the fuzzers talk to.
pub(crate) fn server() -> Server {
    Server::builder("fuzz")
        .tools(tools![add, echo])
        .resources(resources![note])
        .prompts(prompts![greet])
        .build()
        .expect("a valid server")
}

#[tokio::test]
async fn mutated_messages_are_answered_by_id_and_the_server_keeps_serving() {
    let (cases, seed) = cases_and_seed(3_000);
    let server = server();
    let (client, io) = tokio::io::duplex(1 << 20);
    let serving = tokio::spawn(server.serve(io));
    let (read, mut write) = tokio::io::split(client);
    let mut answers = BufReader::new(read).lines();

    let initialize = r#"{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"0"}}}"#;
    write
        .write_all(
            format!(
                "{initialize}\n{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}}\n"
            )
            .as_bytes(),
        )
        .await
        .expect("writable");
    let first = answers
        .next_line()
        .await
        .expect("readable")
        .expect("an answer");
    assert!(first.contains("\"init\""), "{first}");

    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let (mut requests, mut parse_errors) = (0, 0);
    for case in 0..cases {
        let line = mutate(&mut rng);
        let barrier = format!("barrier-{case}");
        let mut input = line.clone();
        input.extend_from_slice(
            format!("\n{{\"jsonrpc\":\"2.0\",\"id\":\"{barrier}\",\"method\":\"ping\"}}\n")
                .as_bytes(),
        );
        write.write_all(&input).await.expect("writable");
        let mut got: Vec<Value> = Vec::new();
        loop {
            let answer = tokio::time::timeout(Duration::from_secs(10), answers.next_line())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "case {case} (seed {seed}): no answer to the barrier after {}",
                        String::from_utf8_lossy(&line)
                    )
                })
                .expect("readable")
                .unwrap_or_else(|| panic!("case {case}: the server stopped"));
            let answer: Value = serde_json::from_str(&answer).expect("answers are JSON");
            if answer["id"] == barrier.as_str() {
                break;
            }
            got.push(answer);
        }
        let shown = String::from_utf8_lossy(&line);
        match expect(&line) {
            Expect::One(id) => {
                requests += 1;
                assert_eq!(got.len(), 1, "case {case}: {shown}\n{got:#?}");
                assert_eq!(got[0]["id"], id, "case {case}: {shown}\n{got:#?}");
            }
            Expect::ParseError => {
                parse_errors += 1;
                assert_eq!(got.len(), 1, "case {case}: {shown}\n{got:#?}");
                assert_eq!(got[0]["id"], Value::Null, "case {case}: {shown}");
                assert_eq!(got[0]["error"]["code"], -32700, "case {case}: {shown}");
            }
            Expect::AtMostOne(id) => {
                assert!(got.len() <= 1, "case {case}: {shown}\n{got:#?}");
                if let (Some(answer), Some(id)) = (got.first(), id) {
                    assert!(
                        [Value::Null, id].contains(&answer["id"]),
                        "case {case}: {shown}\n{answer}"
                    );
                }
            }
            Expect::Nothing => assert!(got.is_empty(), "case {case}: {shown}\n{got:#?}"),
        }
    }
    eprintln!(
        "fuzz: {cases} cases (seed {seed}) in {:.1?}: {requests} requests with a readable id, \
         {parse_errors} lines that were not JSON, every one answered as it should be",
        started.elapsed()
    );
    drop(write);
    drop(answers);
    serving
        .await
        .expect("the server task did not panic")
        .expect("the server ends cleanly when its input closes");
}
