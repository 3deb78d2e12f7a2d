//! The Landlock ruleset: what the program may read, execute and write.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, PathBeneath, PathFd,
    Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetError, Scope,
};

use crate::sandbox::SandboxError;

/// What every interpreter needs to read: the system's programs and libraries. Not `/etc`
/// (only the loader's cache from it), not `/home`, not `/root`.
const SYSTEM_READ_ONLY: &[&str] = &["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"];

/// Files read-only: the dynamic loader's cache, the kernel's randomness.
const FILES_READ_ONLY: &[&str] = &[
    "/etc/ld.so.cache",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
];

/// The newest ABI whose rights this ruleset names (the crate drops what the kernel lacks).
const ABI_USED: ABI = ABI::V6;

/// What the feature is called in an error.
const FEATURE: &str =
    "Landlock (Linux 5.13 or later, with `landlock` among the kernel's enabled LSMs)";

/// A ruleset allowing `read_only` (read and execute), `scratch` (everything), `/dev/null`
/// (read and write), and no TCP. Landlock ABI 1 is required unless `require` is false, in
/// which case `None` means the kernel has no Landlock; newer rights (truncation, device
/// ioctls, TCP, signals and abstract sockets out of the sandbox) are handled where the kernel
/// has them.
pub(super) fn ruleset(
    read_only: &[PathBuf],
    scratch: &Path,
    require: bool,
) -> Result<Option<OwnedFd>, SandboxError> {
    let unsupported = |_: RulesetError| SandboxError::Unsupported {
        feature: FEATURE.to_owned(),
        opt_out: Some("require_landlock"),
    };
    let level = if require {
        CompatLevel::HardRequirement
    } else {
        CompatLevel::BestEffort
    };
    let ruleset = Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(ABI::V1))
        .map_err(unsupported)?
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(ABI_USED))
        .and_then(|ruleset| ruleset.handle_access(AccessNet::from_all(ABI_USED)))
        .and_then(|ruleset| ruleset.scope(Scope::from_all(ABI_USED)))
        .map_err(setup)?;
    let mut created = ruleset.create().map_err(unsupported)?;
    let read = AccessFs::from_read(ABI_USED);
    let file_read = read & AccessFs::from_file(ABI_USED);
    let system = SYSTEM_READ_ONLY.iter().map(Path::new);
    for dir in system.chain(read_only.iter().map(PathBuf::as_path)) {
        created = allow(created, dir, read)?;
    }
    for file in FILES_READ_ONLY {
        created = allow(created, Path::new(file), file_read)?;
    }
    // Truncation too: a shell's `> /dev/null` opens it with `O_TRUNC`.
    created = allow(
        created,
        Path::new("/dev/null"),
        AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate,
    )?;
    created = allow(created, scratch, AccessFs::from_all(ABI_USED))?;
    Ok(created.into())
}

/// Adds a rule for `path` (nothing when it does not exist). A file gets only the rights that
/// apply to files.
fn allow(
    ruleset: landlock::RulesetCreated,
    path: &Path,
    access: BitFlags<AccessFs>,
) -> Result<landlock::RulesetCreated, SandboxError> {
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(ruleset);
    };
    let access = if metadata.is_dir() {
        access
    } else {
        access & AccessFs::from_file(ABI_USED)
    };
    let Ok(fd) = PathFd::new(path) else {
        return Ok(ruleset);
    };
    ruleset
        .add_rule(PathBeneath::new(fd, access))
        .map_err(setup)
}

fn setup(error: RulesetError) -> SandboxError {
    SandboxError::Setup {
        step: "building the Landlock ruleset",
        source: std::io::Error::other(error),
    }
}
