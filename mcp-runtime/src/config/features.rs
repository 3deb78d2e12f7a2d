//! Settings that ask for what this build of mcp-runtime left out: each is refused with the
//! cargo feature to turn on, rather than ignored.

use super::{ConfigError, Origin, Problem, Settings, env_var_name};

/// `expected` for a setting that needs `feature`.
#[allow(dead_code)] // Every feature on (the default), nothing is missing.
fn needs(feature: &str) -> String {
    format!(
        "a build with mcp-runtime's `{feature}` cargo feature (this one was compiled without it: \
         add `features = [\"{feature}\"]` to the mcp-runtime dependency)"
    )
}

impl Settings {
    /// Refuses settings that need a cargo feature this build does not have: what
    /// [`ServerBuilder::build`](crate::ServerBuilder::build) checks of the settings it was
    /// given, so that a rate limit or a cache set in code is never silently dropped.
    pub(crate) fn require_features(&self) -> Result<(), ConfigError> {
        match self.missing_feature() {
            None => Ok(()),
            Some(problem) => Err(ConfigError::invalid(
                problem.path.join("."),
                env_var_name(&problem.path),
                Origin::Code,
                problem.value.clone(),
                problem.expected(),
            )),
        }
    }

    /// The first setting that needs a cargo feature this build does not have.
    pub(super) fn missing_feature(&self) -> Option<Problem> {
        #[cfg(not(feature = "http"))]
        if self.transport == super::Transport::Http {
            return Some(Problem::new(&["transport"], "http").expecting(&needs("http")));
        }
        #[cfg(not(feature = "json-logs"))]
        if self.log.format == Some(super::LogFormat::Json) {
            return Some(Problem::new(&["log", "format"], "json").expecting(&needs("json-logs")));
        }
        #[cfg(not(feature = "rate-limit"))]
        for (name, spec) in [
            ("per_client", &self.rate_limit.per_client),
            ("global", &self.rate_limit.global),
        ] {
            if let Some(spec) = spec {
                return Some(
                    Problem::new(
                        &["rate_limit", name, "per_second"],
                        spec.per_second.to_string(),
                    )
                    .expecting(&needs("rate-limit")),
                );
            }
        }
        #[cfg(not(feature = "files"))]
        if let Some(root) = &self.files.root {
            return Some(
                Problem::new(
                    &["files", "root"],
                    format!("{:?}", root.display().to_string()),
                )
                .expecting(&needs("files")),
            );
        }
        #[cfg(not(feature = "fetch"))]
        if let Some((key, value)) = self.fetch.first_set() {
            let path: Vec<&str> = std::iter::once("fetch")
                .chain(key.iter().copied())
                .collect();
            return Some(Problem::new(&path, value).expecting(&needs("fetch")));
        }
        #[cfg(not(feature = "sandbox"))]
        if self.sandbox.enabled {
            return Some(
                Problem::new(&["sandbox", "enabled"], "true").expecting(&needs("sandbox")),
            );
        }
        #[cfg(not(feature = "cache"))]
        if self.cache.enabled {
            return Some(Problem::new(&["cache", "enabled"], "true").expecting(&needs("cache")));
        }
        #[cfg(not(feature = "metrics"))]
        {
            if let Some(addr) = &self.http.metrics_addr {
                return Some(
                    Problem::new(&["http", "metrics_addr"], super::error::quoted(addr))
                        .expecting(&needs("metrics")),
                );
            }
            if self.http.metrics_token.is_some() {
                return Some(
                    Problem::new(&["http", "metrics_token"], super::REDACTED)
                        .expecting(&needs("metrics")),
                );
            }
            if self.metrics.show_restricted {
                return Some(
                    Problem::new(&["metrics", "show_restricted"], "true")
                        .expecting(&needs("metrics")),
                );
            }
        }
        #[cfg(not(feature = "auth"))]
        if let Some(auth) = &self.auth {
            if let Some(uri) = &auth.jwks_uri {
                return Some(
                    Problem::new(&["auth", "jwks_uri"], super::error::quoted(uri))
                        .expecting(&needs("auth")),
                );
            }
            if !auth.static_tokens.is_empty() {
                return Some(
                    Problem::new(&["auth", "static_tokens"], super::REDACTED)
                        .expecting(&needs("auth")),
                );
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default settings never need a feature.
    #[test]
    fn defaults_need_nothing() {
        assert!(Settings::default().missing_feature().is_none());
    }

    #[cfg(not(feature = "rate-limit"))]
    #[test]
    fn a_rate_limit_without_the_feature_names_it() {
        let mut settings = Settings::default();
        settings.rate_limit.per_client = Some(super::super::RateSpec::new(5.0, 10));
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.contains("`rate-limit` cargo feature"), "{error}");
        assert!(
            error.starts_with("setting `rate_limit.per_client.per_second` = 5"),
            "{error}"
        );
    }

    #[cfg(not(feature = "metrics"))]
    #[test]
    fn a_metrics_address_without_the_feature_names_it() {
        let mut settings = Settings::default();
        settings.http.metrics_addr = Some("127.0.0.1:9090".to_owned());
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.contains("`metrics` cargo feature"), "{error}");
        assert!(error.starts_with("setting `http.metrics_addr`"), "{error}");
    }

    #[cfg(not(feature = "fetch"))]
    #[test]
    fn fetch_settings_without_the_feature_name_it() {
        let mut settings = Settings::default();
        settings.fetch.allow_hosts = vec!["10.0.0.0/8".to_owned()];
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.contains("`fetch` cargo feature"), "{error}");
        assert!(error.starts_with("setting `fetch.allow_hosts`"), "{error}");
    }

    #[cfg(not(feature = "http"))]
    #[test]
    fn http_without_the_feature_names_it() {
        let settings = Settings {
            transport: super::super::Transport::Http,
            ..Settings::default()
        };
        let error = settings.validate().unwrap_err().to_string();
        assert!(error.contains("`http` cargo feature"), "{error}");
    }
}
