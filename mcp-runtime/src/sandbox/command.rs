//! [`SandboxCommand`]: what to run, with what input and files.

use std::ffi::{OsStr, OsString};

/// A program to run in a [`Sandbox`](super::Sandbox): an interpreter and its arguments, the
/// bytes on its stdin, and files to place in its scratch directory (its working directory).
///
/// ```
/// use mcp_runtime::sandbox::SandboxCommand;
///
/// let command = SandboxCommand::new("python3")
///     .arg("main.py")
///     .file("main.py", "import sys\nprint(sys.stdin.read().upper())")
///     .stdin("hello");
/// assert_eq!(command.get_program(), "python3");
/// ```
///
/// The program is looked up on the server's `PATH` (or taken as a path) and resolved to the
/// real executable: for Python, the interpreter itself says where it lives, so a pyenv shim or
/// a virtual environment's `python3` works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCommand {
    program: OsString,
    args: Vec<OsString>,
    stdin: Vec<u8>,
    files: Vec<(String, Vec<u8>)>,
}

impl SandboxCommand {
    /// Runs `program` (`python3`, `node`, a path…).
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            stdin: Vec::new(),
            files: Vec::new(),
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets what the program reads on stdin (nothing by default: stdin is at its end).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }

    /// Places a file in the scratch directory, at `name` relative to it (`main.py`,
    /// `data/input.csv`). A name with `..`, an absolute path or a NUL byte makes the run fail
    /// with [`SandboxError::InvalidFile`](super::SandboxError::InvalidFile).
    pub fn file(mut self, name: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        self.files.push((name.into(), contents.into()));
        self
    }

    /// The program.
    pub fn get_program(&self) -> &OsStr {
        &self.program
    }

    /// The arguments.
    pub fn get_args(&self) -> impl Iterator<Item = &OsStr> {
        self.args.iter().map(OsString::as_os_str)
    }

    /// The bytes for stdin.
    pub fn get_stdin(&self) -> &[u8] {
        &self.stdin
    }

    /// The files for the scratch directory: names and contents.
    pub fn get_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(name, contents)| (name.as_str(), contents.as_slice()))
    }
}
