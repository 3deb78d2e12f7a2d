//! The seccomp filter: system calls the program may not make.
//!
//! Everything not listed is allowed: the namespaces, Landlock and the rlimits do the
//! confining, and the filter takes away what would reach around them (the kernel's attack
//! surface, tracing, new namespaces, other processes' memory, network sockets). A call on
//! another architecture's ABI (32-bit `int 0x80` on x86-64) kills the process; x32 calls are
//! refused.

// `c_long` and `c_ulong` are 64 bits here, 32 on 32-bit targets: the conversions
// that are no-ops here are not everywhere.
#![allow(clippy::useless_conversion, clippy::unnecessary_cast)]

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use crate::sandbox::SandboxError;

/// Refused with `EPERM`, whatever their arguments.
const DENIED: &[libc::c_long] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_pidfd_getfd,
    libc::SYS_kcmp,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_move_mount,
    libc::SYS_open_tree,
    libc::SYS_mount_setattr,
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    libc::SYS_open_by_handle_at,
    libc::SYS_name_to_handle_at,
    libc::SYS_fanotify_init,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_acct,
    libc::SYS_quotactl,
    libc::SYS_syslog,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_clock_adjtime,
    libc::SYS_adjtimex,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    libc::SYS_vhangup,
    // A path's truncation is not Landlock's before ABI 3; a descriptor's (`ftruncate`) is
    // checked when the file is opened for writing.
    libc::SYS_truncate,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_iopl,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_ioperm,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_modify_ldt,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_uselib,
];

/// The namespace flags `clone` may not carry (`CLONE_NEWTIME` shares its bit with the exit
/// signal in `clone`'s flags, and only `clone3` and `unshare` take it).
const NEW_NAMESPACES: &[libc::c_int] = &[
    libc::CLONE_NEWNS,
    libc::CLONE_NEWCGROUP,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
];

/// The architecture the filters are compiled for, or why there is none.
fn target() -> Result<TargetArch, SandboxError> {
    if cfg!(target_arch = "x86_64") {
        Ok(TargetArch::x86_64)
    } else if cfg!(target_arch = "aarch64") {
        Ok(TargetArch::aarch64)
    } else if cfg!(target_arch = "riscv64") {
        Ok(TargetArch::riscv64)
    } else {
        Err(SandboxError::Unsupported {
            feature: format!(
                "a seccomp filter for this architecture ({})",
                std::env::consts::ARCH
            ),
            opt_out: Some("require_seccomp"),
        })
    }
}

/// The filters to install, in order. With `no_processes`, starting a process (not a thread)
/// fails with `EAGAIN`, as it does at the process limit.
pub(super) fn programs(no_processes: bool) -> Result<Vec<BpfProgram>, SandboxError> {
    let arch = target()?;
    let mut programs = Vec::new();
    #[cfg(target_arch = "x86_64")]
    programs.push(no_x32());

    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = DENIED
        .iter()
        .map(|&call| (i64::from(call), Vec::new()))
        .collect();
    // Sockets: Unix ones only (the network namespace has no network anyway).
    denied.insert(
        i64::from(libc::SYS_socket),
        vec![rule(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Ne,
            libc::AF_UNIX as u64,
        )?],
    );
    // `clone` into new namespaces.
    let mut clone = Vec::new();
    for &flag in NEW_NAMESPACES {
        let flag = flag as u64;
        clone.push(rule(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(flag),
            flag,
        )?);
    }
    denied.insert(i64::from(libc::SYS_clone), clone);
    // Typing into a terminal's input (if one were reachable). The kernel reads the request
    // as 32 bits: so does the rule.
    denied.insert(
        i64::from(libc::SYS_ioctl),
        vec![rule(
            1,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            libc::TIOCSTI as u64,
        )?],
    );
    programs.push(compile(denied, libc::EPERM, arch)?);

    // `clone3` takes its flags in memory, where a filter cannot look: `ENOSYS` makes the C
    // library fall back to `clone`.
    let clone3 = BTreeMap::from([(i64::from(libc::SYS_clone3), Vec::new())]);
    programs.push(compile(clone3, libc::ENOSYS, arch)?);

    if no_processes {
        let mut processes = BTreeMap::new();
        #[cfg(target_arch = "x86_64")]
        {
            processes.insert(i64::from(libc::SYS_fork), Vec::new());
            processes.insert(i64::from(libc::SYS_vfork), Vec::new());
        }
        let thread = libc::CLONE_THREAD as u64;
        processes.insert(
            i64::from(libc::SYS_clone),
            vec![rule(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(thread),
                0,
            )?],
        );
        programs.push(compile(processes, libc::EAGAIN, arch)?);
    }
    Ok(programs)
}

/// A rule on argument `index`.
fn rule(
    index: u8,
    width: SeccompCmpArgLen,
    op: SeccompCmpOp,
    value: u64,
) -> Result<SeccompRule, SandboxError> {
    SeccompCondition::new(index, width, op, value)
        .and_then(|condition| SeccompRule::new(vec![condition]))
        .map_err(invalid)
}

/// A filter refusing `rules` with `errno` and allowing everything else.
fn compile(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    errno: libc::c_int,
    arch: TargetArch,
) -> Result<BpfProgram, SandboxError> {
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(errno as u32),
        arch,
    )
    .map_err(invalid)?;
    filter.try_into().map_err(invalid)
}

fn invalid(error: impl std::error::Error + Send + Sync + 'static) -> SandboxError {
    SandboxError::Setup {
        step: "compiling the seccomp filter",
        source: std::io::Error::other(error),
    }
}

/// Refuses x32 system calls (numbers with bit 30 set on x86-64), which a filter listing
/// x86-64 numbers would not see.
#[cfg(target_arch = "x86_64")]
fn no_x32() -> BpfProgram {
    use seccompiler::sock_filter;
    const LOAD_WORD: u16 = 0x20; // BPF_LD (0) | BPF_W (0) | BPF_ABS (0x20)
    const JUMP_GE: u16 = 0x35; // BPF_JMP (5) | BPF_JGE (0x30) | BPF_K (0)
    const RETURN: u16 = 0x06; // BPF_RET (6) | BPF_K (0)
    const NR_OFFSET: u32 = 0; // seccomp_data.nr
    const X32_SYSCALL_BIT: u32 = 0x4000_0000;
    let statement = |code, k| sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    };
    vec![
        statement(LOAD_WORD, NR_OFFSET),
        sock_filter {
            code: JUMP_GE,
            jt: 0,
            jf: 1,
            k: X32_SYSCALL_BIT,
        },
        statement(RETURN, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32),
        statement(RETURN, libc::SECCOMP_RET_ALLOW),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_compile() {
        let programs = programs(true).unwrap();
        assert!(programs.len() >= 3);
        assert!(programs.iter().all(|program| !program.is_empty()));
    }
}
