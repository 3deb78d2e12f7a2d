//! Parsing the command line of [`Server::run`](crate::Server::run), by hand: five commands and
//! five flags do not need clap, which cost a lean server a quarter of its build time.
//!
//! What it accepts: `--flag value` and `--flag=value`, flags before or after the positional
//! arguments, `--` to end the flags, `-h`/`--help` anywhere and `help [command]`. What it
//! refuses, with a message naming the argument and the usage: an unknown command or flag (with
//! the nearest known one), a missing or extra argument, a value that does not parse, a flag
//! given twice, arguments that are not UTF-8.

use std::ffi::OsString;

use crate::config::Transport;

/// The command the line names.
#[derive(Debug, PartialEq)]
pub(super) enum Command {
    Serve {
        transport: Option<Transport>,
        host: Option<String>,
        port: Option<u16>,
        path: Option<String>,
        stateless: bool,
    },
    Inspect,
    Call {
        tool: String,
        arguments: String,
    },
    Read {
        uri: String,
    },
    Prompt {
        name: String,
        arguments: String,
    },
}

impl Command {
    /// `serve` with nothing overridden: what no arguments at all mean.
    pub(super) fn serve() -> Self {
        Self::Serve {
            transport: None,
            host: None,
            port: None,
            path: None,
            stateless: false,
        }
    }
}

/// What the line asks for.
#[derive(Debug, PartialEq)]
pub(super) enum Parsed {
    Run(Command),
    /// `--help` or `help`: this text goes to stdout and the program ends successfully.
    Help(String),
}

/// A line that names no valid command: the message, and the usage to print after it.
#[derive(Debug, PartialEq)]
pub(super) struct Usage {
    pub(super) message: String,
    pub(super) usage: String,
}

/// The commands, with what each says in the overview and its usage line's arguments.
const COMMANDS: [(&str, &str, &str); 5] = [
    (
        "serve",
        "Serve MCP (the default): over stdio, which is what an MCP client spawns, or over \
         streamable HTTP with `--transport http`",
        "[--transport stdio|http] [--host HOST] [--port PORT] [--path PATH] [--stateless]",
    ),
    (
        "inspect",
        "Print the server's identity and its components, with their schemas, as JSON",
        "",
    ),
    (
        "call",
        "Call one tool in memory and print the result as JSON",
        "<TOOL> [ARGUMENTS]",
    ),
    (
        "read",
        "Read one resource in memory and print its contents as JSON",
        "<URI>",
    ),
    (
        "prompt",
        "Get one prompt in memory and print its messages as JSON",
        "<NAME> [ARGUMENTS]",
    ),
];

/// `serve`'s flags: name, takes a value, help.
const SERVE_FLAGS: [(&str, bool, &str); 5] = [
    (
        "--transport",
        true,
        "The transport to serve on (`stdio` or `http`); the `transport` setting \
         (`MCP_TRANSPORT`) by default, which is `stdio`",
    ),
    (
        "--host",
        true,
        "http: the address to listen on (`MCP_HOST`, default 127.0.0.1)",
    ),
    (
        "--port",
        true,
        "http: the port (`MCP_PORT`, default 8000; 0 picks a free one)",
    ),
    (
        "--path",
        true,
        "http: the MCP endpoint's path (`MCP_PATH`, default /mcp)",
    ),
    (
        "--stateless",
        false,
        "http: no sessions, so any replica can serve any request (`MCP_HTTP__STATELESS`)",
    ),
];

/// Parses `args` (the first is the program's name).
pub(super) fn parse(args: Vec<OsString>) -> Result<Parsed, Usage> {
    let mut args = args.into_iter();
    let program = args
        .next()
        .map(|name| {
            let name = std::path::PathBuf::from(name);
            name.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "server".to_owned());
    let mut words = Vec::new();
    for arg in args {
        match arg.into_string() {
            Ok(word) => words.push(word),
            Err(arg) => {
                return Err(Usage {
                    message: format!("the argument `{}` is not UTF-8", arg.to_string_lossy()),
                    usage: overview_usage(&program),
                });
            }
        }
    }
    Parser { program, words }.parse()
}

struct Parser {
    program: String,
    words: Vec<String>,
}

impl Parser {
    fn parse(self) -> Result<Parsed, Usage> {
        let Some(first) = self.words.first() else {
            return Ok(Parsed::Run(Command::serve()));
        };
        match first.as_str() {
            "-h" | "--help" => Ok(Parsed::Help(self.overview())),
            "help" => match self.words.get(1) {
                None => Ok(Parsed::Help(self.overview())),
                Some(name) => match command(name) {
                    Some(index) => Ok(Parsed::Help(self.command_help(index))),
                    None => Err(self.unknown_command(name)),
                },
            },
            name => match command(name) {
                Some(index) => self.command(index),
                None if name.starts_with('-') => Err(Usage {
                    message: format!(
                        "unexpected argument `{name}` before the command{}",
                        suggestion(name, SERVE_FLAGS.iter().map(|flag| flag.0))
                            .map(|flag| format!(" (`serve {flag}`?)"))
                            .unwrap_or_default()
                    ),
                    usage: overview_usage(&self.program),
                }),
                None => Err(self.unknown_command(name)),
            },
        }
    }

    /// The words after the command's name: flags and positional arguments.
    fn command(&self, index: usize) -> Result<Parsed, Usage> {
        let name = COMMANDS[index].0;
        let fail = |message: String| Usage {
            message,
            usage: self.command_usage(index),
        };
        let mut positional = Vec::new();
        let mut flags: Vec<(&'static str, Option<String>)> = Vec::new();
        let mut words = self.words[1..].iter();
        let mut only_positional = false;
        while let Some(word) = words.next() {
            if only_positional || !word.starts_with('-') || word == "-" {
                positional.push(word.clone());
                continue;
            }
            if word == "--" {
                only_positional = true;
                continue;
            }
            if word == "-h" || word == "--help" {
                return Ok(Parsed::Help(self.command_help(index)));
            }
            let (flag, inline) = match word.split_once('=') {
                Some((flag, value)) => (flag, Some(value.to_owned())),
                None => (word.as_str(), None),
            };
            let known = if name == "serve" {
                SERVE_FLAGS.iter().find(|known| known.0 == flag)
            } else {
                None
            };
            let Some(&(flag, takes_value, _)) = known else {
                let hint = if name == "serve" {
                    suggestion(flag, SERVE_FLAGS.iter().map(|flag| flag.0))
                        .map(|flag| format!(" (did you mean `{flag}`?)"))
                        .unwrap_or_default()
                } else {
                    String::new()
                };
                return Err(fail(format!("unexpected argument `{word}`{hint}")));
            };
            if flags.iter().any(|(seen, _)| *seen == flag) {
                return Err(fail(format!("`{flag}` is given more than once")));
            }
            let value = match (takes_value, inline) {
                (true, Some(value)) => Some(value),
                (true, None) => match words.next() {
                    Some(value) if !value.starts_with("--") => Some(value.clone()),
                    _ => return Err(fail(format!("`{flag}` needs a value"))),
                },
                (false, Some(_)) => return Err(fail(format!("`{flag}` takes no value"))),
                (false, None) => None,
            };
            flags.push((flag, value));
        }
        let value = |flag: &str| {
            flags
                .iter()
                .find(|(seen, _)| *seen == flag)
                .and_then(|(_, value)| value.clone())
        };
        if matches!(name, "serve" | "inspect")
            && let Some(extra) = positional.first()
        {
            return Err(fail(format!("unexpected argument `{extra}`")));
        }
        let command = match name {
            "serve" => Command::Serve {
                transport: value("--transport")
                    .map(|text| {
                        text.parse()
                            .map_err(|error| fail(format!("invalid `--transport`: {error}")))
                    })
                    .transpose()?,
                host: value("--host"),
                port: value("--port")
                    .map(|text| {
                        text.parse().map_err(|_| {
                            fail(format!(
                                "invalid `--port` `{text}`: a port is a number from 0 to 65535"
                            ))
                        })
                    })
                    .transpose()?,
                path: value("--path"),
                stateless: flags.iter().any(|(seen, _)| *seen == "--stateless"),
            },
            "inspect" => Command::Inspect,
            "call" | "prompt" => {
                let (what, rest) =
                    take_one(positional, if name == "call" { "TOOL" } else { "NAME" })
                        .map_err(&fail)?;
                let arguments = at_most_one(rest).map_err(&fail)?;
                let arguments = arguments.unwrap_or_else(|| "{}".to_owned());
                if name == "call" {
                    Command::Call {
                        tool: what,
                        arguments,
                    }
                } else {
                    Command::Prompt {
                        name: what,
                        arguments,
                    }
                }
            }
            _ => {
                let (uri, rest) = take_one(positional, "URI").map_err(&fail)?;
                at_most_one(rest)
                    .and_then(|extra| match extra {
                        Some(extra) => Err(format!("unexpected argument `{extra}`")),
                        None => Ok(()),
                    })
                    .map_err(&fail)?;
                Command::Read { uri }
            }
        };
        Ok(Parsed::Run(command))
    }

    fn unknown_command(&self, name: &str) -> Usage {
        let hint = suggestion(name, COMMANDS.iter().map(|command| command.0))
            .map(|command| format!(" (did you mean `{command}`?)"))
            .unwrap_or_default();
        Usage {
            message: format!("unknown command `{name}`{hint}"),
            usage: overview_usage(&self.program),
        }
    }

    fn overview(&self) -> String {
        let mut text = format!("Usage: {} [COMMAND]\n\nCommands:\n", self.program);
        for (name, about, _) in COMMANDS {
            text.push_str(&format!("  {name:<9} {about}\n"));
        }
        text.push_str(&format!(
            "  {:<9} Print this message or the help of the given command\n\n\
             Options:\n  -h, --help  Print help\n",
            "help"
        ));
        text
    }

    fn command_usage(&self, index: usize) -> String {
        let (name, _, arguments) = COMMANDS[index];
        let mut usage = format!("Usage: {} {name}", self.program);
        if !arguments.is_empty() {
            usage.push(' ');
            usage.push_str(arguments);
        }
        usage
    }

    fn command_help(&self, index: usize) -> String {
        let (name, about, _) = COMMANDS[index];
        let mut text = format!("{about}\n\n{}\n", self.command_usage(index));
        match name {
            "serve" => {
                text.push_str("\nOptions:\n");
                for (flag, takes_value, help) in SERVE_FLAGS {
                    let spelled = if takes_value {
                        format!("{flag} <{}>", flag.trim_start_matches('-').to_uppercase())
                    } else {
                        flag.to_owned()
                    };
                    text.push_str(&format!("  {spelled:<24} {help}\n"));
                }
            }
            "call" | "prompt" => text.push_str(
                "\nArguments:\n  ARGUMENTS  The arguments, as a JSON object [default: {}]\n",
            ),
            _ => {}
        }
        text.push_str("  -h, --help               Print help\n");
        text
    }
}

fn overview_usage(program: &str) -> String {
    format!("Usage: {program} [COMMAND]; `{program} --help` lists the commands")
}

fn command(name: &str) -> Option<usize> {
    COMMANDS.iter().position(|command| command.0 == name)
}

fn take_one(mut positional: Vec<String>, what: &str) -> Result<(String, Vec<String>), String> {
    if positional.is_empty() {
        return Err(format!("the required argument <{what}> is missing"));
    }
    let first = positional.remove(0);
    Ok((first, positional))
}

fn at_most_one(mut rest: Vec<String>) -> Result<Option<String>, String> {
    match rest.len() {
        0 => Ok(None),
        1 => Ok(rest.pop()),
        _ => Err(format!("unexpected argument `{}`", rest[1])),
    }
}

/// The candidate closest to `word` when it is a likely typo (edit distance at most 2).
fn suggestion<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|candidate| (distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Parsed, Usage> {
        let args = std::iter::once("/usr/bin/srv")
            .chain(words.iter().copied())
            .map(OsString::from)
            .collect();
        parse(args)
    }

    fn run(words: &[&str]) -> Command {
        match parse_words(words) {
            Ok(Parsed::Run(command)) => command,
            other => panic!("{words:?} should name a command, got {other:?}"),
        }
    }

    fn refused(words: &[&str]) -> Usage {
        match parse_words(words) {
            Err(usage) => usage,
            other => panic!("{words:?} should be refused, got {other:?}"),
        }
    }

    fn help(words: &[&str]) -> String {
        match parse_words(words) {
            Ok(Parsed::Help(text)) => text,
            other => panic!("{words:?} should ask for help, got {other:?}"),
        }
    }

    #[test]
    fn commands_and_their_arguments() {
        assert_eq!(run(&[]), Command::serve());
        assert_eq!(run(&["serve"]), Command::serve());
        assert_eq!(
            run(&[
                "serve",
                "--transport",
                "http",
                "--port=0",
                "--stateless",
                "--host",
                "0.0.0.0",
                "--path",
                "/rpc"
            ]),
            Command::Serve {
                transport: Some(Transport::Http),
                host: Some("0.0.0.0".to_owned()),
                port: Some(0),
                path: Some("/rpc".to_owned()),
                stateless: true,
            }
        );
        assert_eq!(run(&["inspect"]), Command::Inspect);
        assert_eq!(
            run(&["call", "add", r#"{"a":1}"#]),
            Command::Call {
                tool: "add".to_owned(),
                arguments: r#"{"a":1}"#.to_owned()
            }
        );
        // The arguments default to an empty object; `--` lets a name start with `-`.
        assert_eq!(
            run(&["call", "--", "-odd"]),
            Command::Call {
                tool: "-odd".to_owned(),
                arguments: "{}".to_owned()
            }
        );
        assert_eq!(
            run(&["read", "notes://all"]),
            Command::Read {
                uri: "notes://all".to_owned()
            }
        );
        assert_eq!(
            run(&["prompt", "greet", "{}"]),
            Command::Prompt {
                name: "greet".to_owned(),
                arguments: "{}".to_owned()
            }
        );
    }

    #[test]
    fn mistakes_are_named_with_the_usage() {
        let usage = refused(&["sevre"]);
        assert_eq!(
            usage.message,
            "unknown command `sevre` (did you mean `serve`?)"
        );
        assert!(
            usage.usage.starts_with("Usage: srv [COMMAND]"),
            "{}",
            usage.usage
        );

        let usage = refused(&["serve", "--trasnport", "http"]);
        assert_eq!(
            usage.message,
            "unexpected argument `--trasnport` (did you mean `--transport`?)"
        );
        assert!(
            usage.usage.starts_with("Usage: srv serve [--transport"),
            "{}",
            usage.usage
        );

        assert_eq!(
            refused(&["--port", "1"]).message,
            "unexpected argument `--port` before the command (`serve --port`?)"
        );
        assert_eq!(
            refused(&["serve", "--transport", "tcp"]).message,
            "invalid `--transport`: unknown transport `tcp`, expected `stdio` or `http`"
        );
        assert_eq!(
            refused(&["serve", "--port", "70000"]).message,
            "invalid `--port` `70000`: a port is a number from 0 to 65535"
        );
        assert_eq!(
            refused(&["serve", "--port"]).message,
            "`--port` needs a value"
        );
        assert_eq!(
            refused(&["serve", "--host", "--stateless"]).message,
            "`--host` needs a value"
        );
        assert_eq!(
            refused(&["serve", "--stateless=yes"]).message,
            "`--stateless` takes no value"
        );
        assert_eq!(
            refused(&["serve", "--port", "1", "--port=2"]).message,
            "`--port` is given more than once"
        );
        assert_eq!(
            refused(&["serve", "extra"]).message,
            "unexpected argument `extra`"
        );
        assert_eq!(
            refused(&["inspect", "x"]).message,
            "unexpected argument `x`"
        );
        assert_eq!(
            refused(&["call"]).message,
            "the required argument <TOOL> is missing"
        );
        let usage = refused(&["call", "add", "{}", "more"]);
        assert_eq!(usage.message, "unexpected argument `more`");
        assert_eq!(usage.usage, "Usage: srv call <TOOL> [ARGUMENTS]");
        assert_eq!(
            refused(&["call", "add", "--port", "1"]).message,
            "unexpected argument `--port`"
        );
        assert_eq!(
            refused(&["read", "a", "b"]).message,
            "unexpected argument `b`"
        );
        assert_eq!(
            refused(&["prompt"]).message,
            "the required argument <NAME> is missing"
        );
        assert_eq!(refused(&["help", "nope"]).message, "unknown command `nope`");
    }

    #[cfg(unix)]
    #[test]
    fn arguments_that_are_not_utf8_are_refused() {
        use std::os::unix::ffi::OsStringExt;
        let args = vec![
            OsString::from("srv"),
            OsString::from("read"),
            OsString::from_vec(vec![b'a', 0xff]),
        ];
        assert_eq!(
            parse(args).map_err(|usage| usage.message),
            Err("the argument `a\u{fffd}` is not UTF-8".to_owned())
        );
    }

    #[test]
    fn help_lists_the_commands_and_each_command_its_flags() {
        let overview = help(&["--help"]);
        assert_eq!(overview, help(&["-h"]));
        assert_eq!(overview, help(&["help"]));
        assert!(overview.starts_with("Usage: srv [COMMAND]\n"), "{overview}");
        for (name, about, _) in COMMANDS {
            assert!(
                overview.contains(&format!("  {name:<9} {about}\n")),
                "{overview}"
            );
        }

        let serve = help(&["serve", "--help"]);
        assert_eq!(serve, help(&["help", "serve"]));
        assert_eq!(serve, help(&["serve", "--port", "1", "-h"]));
        for (flag, _, text) in SERVE_FLAGS {
            assert!(serve.contains(flag) && serve.contains(text), "{serve}");
        }
        assert!(serve.contains("--transport <TRANSPORT>"), "{serve}");
        let call = help(&["call", "-h"]);
        assert!(
            call.contains("Usage: srv call <TOOL> [ARGUMENTS]"),
            "{call}"
        );
        assert!(call.contains("[default: {}]"), "{call}");
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("serve", "serve"), 0);
        assert_eq!(
            suggestion("inspcet", COMMANDS.iter().map(|c| c.0)),
            Some("inspect")
        );
        assert_eq!(suggestion("deploy", COMMANDS.iter().map(|c| c.0)), None);
    }
}
