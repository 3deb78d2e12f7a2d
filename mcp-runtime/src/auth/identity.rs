//! The verified caller of a request, and the [`Auth`] extractor that hands it to a tool.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::AuthError;
use crate::error::ToolError;
use crate::extract::{FromRequestCx, RequestCx};

/// A verified caller: the token's subject, its scopes and all of its claims. Cheap to clone.
#[derive(Clone, PartialEq)]
pub struct Identity {
    inner: Arc<IdentityInner>,
}

#[derive(Clone, PartialEq)]
struct IdentityInner {
    subject: String,
    scopes: Vec<String>,
    claims: Map<String, Value>,
}

impl Identity {
    /// An identity with this subject, no scopes and no other claims.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(IdentityInner {
                subject: subject.into(),
                scopes: Vec::new(),
                claims: Map::new(),
            }),
        }
    }

    /// The same identity with these scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.inner).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The same identity with these claims (a token's whole payload).
    pub fn with_claims(mut self, claims: Map<String, Value>) -> Self {
        Arc::make_mut(&mut self.inner).claims = claims;
        self
    }

    /// The subject (`sub` claim): who the caller is.
    pub fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The granted scopes (the `scope` claim, space-separated, or `scp`).
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Whether the caller was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.inner.scopes.iter().any(|granted| granted == scope)
    }

    /// The scopes of `required` that the caller lacks.
    pub fn missing_scopes<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required
            .iter()
            .copied()
            .filter(|scope| !self.has_scope(scope))
            .collect()
    }

    /// Every claim of the token (empty for identities not built from a JWT).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.inner.claims
    }

    /// One claim of the token.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.inner.claims.get(name)
    }

    /// An identity from a token's claims: `sub`, and `scope` (a space-separated string) or
    /// `scp` (a list or a string).
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, AuthError> {
        let subject = match claims.get("sub") {
            Some(Value::String(subject)) if !subject.is_empty() => subject.clone(),
            _ => return Err(AuthError::invalid("the token has no `sub` claim")),
        };
        let scopes = match claims.get("scope").or_else(|| claims.get("scp")) {
            Some(Value::String(scopes)) => scopes.split_whitespace().map(str::to_owned).collect(),
            Some(Value::Array(scopes)) => scopes
                .iter()
                .filter_map(|scope| scope.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            inner: Arc::new(IdentityInner {
                subject,
                scopes,
                claims,
            }),
        })
    }

    /// The identity a request carries: attached by the HTTP auth layer (in the HTTP request's
    /// parts), or directly (the in-memory [`TestClient`](crate::testing::TestClient) and
    /// middleware do that).
    pub fn of(extensions: &rmcp::model::Extensions) -> Option<&Identity> {
        let direct = extensions.get::<Identity>();
        #[cfg(feature = "http")]
        let direct = direct.or_else(|| {
            extensions
                .get::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Identity>())
        });
        direct
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims can hold personal data; the subject and scopes are what debugging needs.
        f.debug_struct("Identity")
            .field("subject", &self.inner.subject)
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive()
    }
}

/// The verified caller, as an injected parameter: `async fn whoami(auth: Auth) -> String`.
///
/// A call without an identity (auth is off and no identity was attached) fails with a clear
/// error; take `Option<Auth>` to accept both.
#[derive(Debug, Clone)]
pub struct Auth(pub Identity);

impl Deref for Auth {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.0
    }
}

impl FromRequestCx for Auth {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Identity::of(&cx.request().extensions)
            .cloned()
            .map(Auth)
            .ok_or_else(|| {
                ToolError::new(format!(
                    "`{}` needs an authenticated caller, and this request has none",
                    cx.component()
                ))
            })
    }
}

impl FromRequestCx for Option<Auth> {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(Identity::of(&cx.request().extensions).cloned().map(Auth))
    }
}
