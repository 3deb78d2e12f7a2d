//! Asking the client across rounds: SEP-2322's multi-round-trip requests, what
//! [`Ctx::elicit`](crate::Ctx::elicit) and [`Ctx::sample`](crate::Ctx::sample) do on protocol
//! `2026-07-28` and later, where a server may no longer send the client a request.
//!
//! A tool that asks on such a request is stopped at the question: the server answers the
//! `tools/call` (or `prompts/get`, `resources/read`) with an `InputRequiredResult`, whose
//! `inputRequests` hold every question the run asked and could not answer (`q0`, `q1`, … in
//! the order asked) and whose `requestState` carries the answers so far. The client answers
//! and sends the same request again with its `inputResponses` and the `requestState`; the tool
//! **runs again from the start**, and each question already answered returns its answer at
//! once, until the run asks nothing new and completes.
//!
//! The `requestState` is opaque to the client and sealed with HMAC-SHA-256 under a key of the
//! server (rmcp's [`RequestStateCodec`]; readable but not alterable). It is bound to the
//! method, the component, the arguments and the caller's identity, it expires (10 minutes by
//! default), and it is capped in size (64 KiB). Each answered question is kept with a digest of
//! the question, so a run that asks a different question at the same place gets a clear error
//! rather than someone else's answer.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rmcp::ErrorData as McpError;
use rmcp::model::{InputRequest, InputRequests, InputRequiredResult, InputResponses};
use rmcp::model::{JsonObject, RequestStateCodec};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::request_state::{DEFAULT_MAX_SIZE, DEFAULT_TTL, MIN_KEY_LENGTH};

// The settings' minimum is the codec's.
const _: () = assert!(MIN_KEY_LENGTH == RequestStateCodec::MIN_KEY_LENGTH);

/// The version of the sealed payload.
const VERSION: u8 = 1;

/// Seals and opens request states with a server's key, time to live and size cap.
pub(crate) struct Sealer {
    codec: RequestStateCodec,
    ttl: Duration,
    max_size: usize,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("ttl", &self.ttl)
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// A sealer with `key` (at least [`MIN_KEY_LENGTH`] bytes), or a random key of this process
    /// when `None`: then a state opens only on the server that sealed it.
    pub(crate) fn new(
        key: Option<&[u8]>,
        ttl: Option<Duration>,
        max_size: Option<usize>,
    ) -> Result<Self, String> {
        let codec = match key {
            Some(key) => RequestStateCodec::try_new(key.to_vec()).map_err(|_| {
                format!(
                    "the request state key must have at least {MIN_KEY_LENGTH} bytes, not {}",
                    key.len()
                )
            })?,
            None => RequestStateCodec::new_unchecked(random_key().to_vec()),
        };
        Ok(Sealer {
            codec,
            ttl: ttl.unwrap_or(DEFAULT_TTL),
            max_size: max_size.unwrap_or(DEFAULT_MAX_SIZE),
        })
    }

    /// The sealer `[request_state]` describes.
    pub(crate) fn from_settings(
        settings: &crate::config::RequestStateSettings,
    ) -> Result<Self, String> {
        let key = settings.key.as_ref().map(|key| key.expose().as_bytes());
        Self::new(key, Some(settings.ttl), Some(settings.max_size))
    }

    /// A sealer with a random key of this process and the default time to live and cap.
    pub(crate) fn random() -> Self {
        Sealer {
            codec: RequestStateCodec::new_unchecked(random_key().to_vec()),
            ttl: DEFAULT_TTL,
            max_size: DEFAULT_MAX_SIZE,
        }
    }

    /// The rounds of a request: the answers its `requestState` carries, and those of its
    /// `inputResponses` that answer a question the state says was asked. A state that was
    /// altered, sealed by another key, bound to another request or expired is refused with
    /// `-32602`.
    pub(crate) fn open(
        &self,
        binding: &Binding,
        state: Option<&str>,
        responses: Option<InputResponses>,
    ) -> Result<Rounds, McpError> {
        let Some(state) = state else {
            // Without a state no question is outstanding: answers to nothing are ignored.
            return Ok(Rounds::default());
        };
        let invalid = || {
            McpError::invalid_params(
                "the requestState is not valid: it was altered, or sealed by another server \
                 (give every replica the same `request_state.key`); call again without it",
                None,
            )
        };
        let bytes = self.codec.open(state).map_err(|_| invalid())?;
        let sealed: Sealed = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if sealed.version != VERSION {
            return Err(invalid());
        }
        if sealed.binding != binding.0 {
            return Err(McpError::invalid_params(
                "the requestState belongs to another request (another component, other \
                 arguments or another caller); call again without it",
                None,
            ));
        }
        if sealed.expires < now() {
            return Err(McpError::invalid_params(
                "the requestState has expired; call again without it",
                None,
            ));
        }
        let mut answers = sealed.answers;
        let mut asked = sealed.asked;
        let mut responses = responses.unwrap_or_default();
        for (key, digest) in sealed.pending {
            if let Some(answer) = responses.remove(&key) {
                answers.insert(key.clone(), answer);
                asked.insert(key, digest);
            }
        }
        Ok(Rounds {
            answers,
            asked,
            asking: Mutex::default(),
        })
    }

    /// The `InputRequiredResult` that asks the questions `rounds` left unanswered, with a state
    /// carrying every answer so far. Fails when that state would exceed the size cap.
    pub(crate) fn seal(
        &self,
        binding: &Binding,
        rounds: &Rounds,
    ) -> Result<InputRequiredResult, String> {
        let asking = rounds.lock();
        let sealed = Sealed {
            version: VERSION,
            binding: binding.0.clone(),
            expires: now().saturating_add(self.ttl.as_secs()),
            answers: rounds.answers.clone(),
            asked: rounds.asked.clone(),
            pending: asking.digests.clone(),
        };
        let payload = serde_json::to_vec(&sealed)
            .map_err(|error| format!("the request state could not be written: {error}"))?;
        let state = self.codec.seal(&payload);
        if state.len() > self.max_size {
            return Err(format!(
                "the answers so far need a request state of {} bytes, more than the cap of {} \
                 (`request_state.max_size`)",
                state.len(),
                self.max_size
            ));
        }
        Ok(InputRequiredResult::new(
            Some(asking.pending.clone()),
            Some(state),
        ))
    }
}

/// 32 random bytes from the OS; should it fail, keys of the standard library's OS-seeded
/// hashers.
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        use std::hash::BuildHasher;
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let word = std::collections::hash_map::RandomState::new().hash_one(i);
            chunk.copy_from_slice(&word.to_le_bytes());
        }
    }
    key
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// What a request state is bound to: the method, the component (its name or URI), the
/// arguments and the caller's subject, as one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Binding(String);

impl Binding {
    pub(crate) fn new(
        method: &str,
        target: &str,
        arguments: Option<&JsonObject>,
        subject: Option<&str>,
    ) -> Self {
        let mut hasher = Sha256::new();
        for part in [method, target, subject.unwrap_or("")] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        if let Some(arguments) = arguments
            && let Ok(bytes) = serde_json::to_vec(arguments)
        {
            hasher.update(&bytes);
        }
        Binding(hex(&hasher.finalize()[..16]))
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// The digest of a question, to tell on a later round that the run asked the same one.
fn digest(request: &InputRequest) -> String {
    let bytes = serde_json::to_vec(request).unwrap_or_default();
    hex(&Sha256::digest(&bytes)[..16])
}

/// What a `requestState` carries.
#[derive(Serialize, Deserialize)]
struct Sealed {
    #[serde(rename = "v")]
    version: u8,
    #[serde(rename = "b")]
    binding: String,
    #[serde(rename = "exp")]
    expires: u64,
    /// The answers so far, by question key.
    answers: BTreeMap<String, Value>,
    /// The digest of each answered question.
    asked: BTreeMap<String, String>,
    /// The digest of each question of the last round, answered by the next `inputResponses`.
    pending: BTreeMap<String, String>,
}

/// One request's questions and answers, in the request's extensions while it runs.
#[derive(Debug, Default)]
pub(crate) struct Rounds {
    answers: BTreeMap<String, Value>,
    asked: BTreeMap<String, String>,
    asking: Mutex<Asking>,
}

/// The questions this run asked.
#[derive(Debug, Default)]
struct Asking {
    next: usize,
    pending: InputRequests,
    digests: BTreeMap<String, String>,
}

/// Why a question has no answer yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unanswered {
    /// It goes to the client with the result of this round.
    Pending,
    /// An earlier round answered a different question at this place (its key).
    Changed(String),
}

impl Rounds {
    /// The answer to the next question of this run, if an earlier round has it.
    pub(crate) fn ask(&self, request: InputRequest) -> Result<Value, Unanswered> {
        let mut asking = self.lock();
        let key = format!("q{}", asking.next);
        asking.next += 1;
        let digest = digest(&request);
        if let Some(answer) = self.answers.get(&key) {
            return match self.asked.get(&key) {
                Some(asked) if *asked == digest => Ok(answer.clone()),
                _ => Err(Unanswered::Changed(key)),
            };
        }
        asking.digests.insert(key.clone(), digest);
        asking.pending.insert(key, request);
        Err(Unanswered::Pending)
    }

    /// Whether this run asked a question that goes to the client.
    pub(crate) fn has_pending(&self) -> bool {
        !self.lock().pending.is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Asking> {
        // A panic while the lock is held leaves `Asking` whole (each update is one insert).
        self.asking
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
#[allow(deprecated)] // Sampling is deprecated from 2026-07-28 on; it is still a question.
mod tests {
    use super::*;

    fn question(text: &str) -> InputRequest {
        let message = rmcp::model::SamplingMessage::user_text(text);
        let params = rmcp::model::CreateMessageRequestParams::new(vec![message], 10);
        InputRequest::CreateMessage(rmcp::model::CreateMessageRequest::new(params))
    }

    fn binding() -> Binding {
        Binding::new("tools/call", "ask", None, None)
    }

    /// Runs `questions` against the state and responses, as a tool run would.
    fn round(
        sealer: &Sealer,
        state: Option<&str>,
        responses: InputResponses,
        questions: &[&str],
    ) -> (Vec<Result<Value, Unanswered>>, Option<InputRequiredResult>) {
        let rounds = sealer.open(&binding(), state, Some(responses)).unwrap();
        let answers = questions.iter().map(|q| rounds.ask(question(q))).collect();
        let next = rounds
            .has_pending()
            .then(|| sealer.seal(&binding(), &rounds).unwrap());
        (answers, next)
    }

    #[test]
    fn answers_carry_over_rounds_and_the_run_starts_again() {
        let sealer = Sealer::new(None, None, None).unwrap();
        let (answers, next) = round(&sealer, None, InputResponses::new(), &["a", "b"]);
        assert_eq!(answers[0], Err(Unanswered::Pending));
        let next = next.unwrap();
        let asked: Vec<_> = next.input_requests.unwrap().into_keys().collect();
        assert_eq!(asked, ["q0", "q1"]);

        let responses = InputResponses::from([
            ("q0".to_owned(), Value::from("A")),
            ("q1".to_owned(), Value::from("B")),
        ]);
        let state = next.request_state.unwrap();
        let (answers, next) = round(&sealer, Some(&state), responses, &["a", "b", "c"]);
        assert_eq!(answers[0], Ok(Value::from("A")));
        assert_eq!(answers[1], Ok(Value::from("B")));
        assert_eq!(answers[2], Err(Unanswered::Pending));
        let next = next.unwrap();
        let asked: Vec<_> = next.input_requests.unwrap().into_keys().collect();
        assert_eq!(asked, ["q2"], "only the new question is asked again");

        // The third round has all three answers from the state and the last response.
        let responses = InputResponses::from([("q2".to_owned(), Value::from("C"))]);
        let state = next.request_state.unwrap();
        let (answers, next) = round(&sealer, Some(&state), responses, &["a", "b", "c"]);
        assert!(next.is_none());
        assert_eq!(answers[2], Ok(Value::from("C")));
    }

    #[test]
    fn a_different_question_in_the_same_place_is_not_given_the_old_answer() {
        let sealer = Sealer::new(None, None, None).unwrap();
        let (_, next) = round(&sealer, None, InputResponses::new(), &["a"]);
        let state = next.unwrap().request_state.unwrap();
        let responses = InputResponses::from([("q0".to_owned(), Value::from("A"))]);
        let (answers, _) = round(&sealer, Some(&state), responses, &["not a"]);
        assert_eq!(answers[0], Err(Unanswered::Changed("q0".to_owned())));
    }

    #[test]
    fn answers_to_questions_never_asked_are_ignored() {
        let sealer = Sealer::new(None, None, None).unwrap();
        let forged = InputResponses::from([("q0".to_owned(), Value::from("forged"))]);
        let (answers, _) = round(&sealer, None, forged.clone(), &["a"]);
        assert_eq!(answers[0], Err(Unanswered::Pending));
        let (_, next) = round(&sealer, None, InputResponses::new(), &["a"]);
        let state = next.unwrap().request_state.unwrap();
        let responses = InputResponses::from([("q7".to_owned(), Value::from("x"))]);
        let (answers, _) = round(&sealer, Some(&state), responses, &["a"]);
        assert_eq!(
            answers[0],
            Err(Unanswered::Pending),
            "q0 is still unanswered"
        );
    }

    #[test]
    fn states_that_were_altered_or_belong_elsewhere_are_refused() {
        let sealer = Sealer::new(None, None, None).unwrap();
        let (_, next) = round(&sealer, None, InputResponses::new(), &["a"]);
        let state = next.unwrap().request_state.unwrap();

        // A character in the middle of the payload (never a `.` separator, never the last one,
        // whose low bits may be padding).
        let mut altered = state.clone().into_bytes();
        let middle = (altered.len() / 2..)
            .find(|&i| altered[i].is_ascii_alphanumeric())
            .unwrap();
        altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        let error = sealer.open(&binding(), Some(&altered), None).unwrap_err();
        assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert!(error.message.contains("not valid"), "{}", error.message);

        let other_server = Sealer::new(None, None, None).unwrap();
        let error = other_server
            .open(&binding(), Some(&state), None)
            .unwrap_err();
        assert!(
            error.message.contains("another server"),
            "{}",
            error.message
        );

        let other = Binding::new("tools/call", "other", None, None);
        let error = sealer.open(&other, Some(&state), None).unwrap_err();
        assert!(
            error.message.contains("another request"),
            "{}",
            error.message
        );
        let caller = Binding::new("tools/call", "ask", None, Some("mallory"));
        assert!(sealer.open(&caller, Some(&state), None).is_err());
        let args = JsonObject::from_iter([("n".to_owned(), Value::from(1))]);
        let with_args = Binding::new("tools/call", "ask", Some(&args), None);
        assert!(sealer.open(&with_args, Some(&state), None).is_err());
    }

    #[test]
    fn states_expire_and_are_capped() {
        let sealer = Sealer::new(None, Some(Duration::ZERO), None).unwrap();
        let (_, next) = round(&sealer, None, InputResponses::new(), &["a"]);
        let state = next.unwrap().request_state.unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        let error = sealer.open(&binding(), Some(&state), None).unwrap_err();
        assert!(error.message.contains("expired"), "{}", error.message);

        let small = Sealer::new(None, None, Some(400)).unwrap();
        let rounds = small.open(&binding(), None, None).unwrap();
        let _ = rounds.ask(question("a"));
        let sealed = small.seal(&binding(), &rounds).unwrap();
        let responses = InputResponses::from([("q0".to_owned(), Value::from("x".repeat(500)))]);
        let rounds = small
            .open(&binding(), sealed.request_state.as_deref(), Some(responses))
            .unwrap();
        let _ = rounds.ask(question("a"));
        let _ = rounds.ask(question("b"));
        let error = small.seal(&binding(), &rounds).unwrap_err();
        assert!(error.contains("more than the cap of 400"), "{error}");
    }

    #[test]
    fn a_configured_key_is_shared_and_must_be_long_enough() {
        let key = [7u8; 32];
        let one = Sealer::new(Some(&key), None, None).unwrap();
        let two = Sealer::new(Some(&key), None, None).unwrap();
        let (_, next) = round(&one, None, InputResponses::new(), &["a"]);
        let state = next.unwrap().request_state.unwrap();
        assert!(two.open(&binding(), Some(&state), None).is_ok());
        let error = Sealer::new(Some(b"short"), None, None).unwrap_err();
        assert!(error.contains("at least 32 bytes, not 5"), "{error}");
    }
}
