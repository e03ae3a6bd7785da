//! Who is writing a streaming reply. The app and the `megallm` CLI share one
//! history, so "streaming at start-up" no longer means "cut off by a crash":
//! each streaming row names the process writing it, and recovery interrupts
//! only rows whose process is gone.
//!
//! An owner is `"<pid>:<start>:<boot>"`: a pid alone is reused by the kernel,
//! so it is paired with the process's start time (clock ticks since boot,
//! from `/proc/<pid>/stat`) and the boot id. Where `/proc` does not exist
//! (macOS, Windows) the owner is `"<pid>"` and is treated as gone unless it
//! is this very process, which is the behaviour from before owners existed.

use std::sync::LazyLock;

/// This process, as stored in `messages.owner`.
pub fn current() -> &'static str {
    static CURRENT: LazyLock<String> = LazyLock::new(|| {
        let pid = std::process::id();
        match identity_of(pid) {
            Some((start, boot)) => format!("{pid}:{start}:{boot}"),
            None => pid.to_string(),
        }
    });
    &CURRENT
}

/// Whether the process that wrote `owner` is still running. `None` (a row
/// from before owners existed) is gone.
pub fn is_alive(owner: Option<&str>) -> bool {
    let Some(owner) = owner else { return false };
    if owner == current() {
        return true;
    }
    let mut parts = owner.splitn(3, ':');
    let pid = parts.next().and_then(|p| p.parse::<u32>().ok());
    let (Some(pid), Some(start), Some(boot)) = (pid, parts.next(), parts.next()) else {
        return false;
    };
    identity_of(pid).is_some_and(|(s, b)| s == start && b == boot)
}

/// The start time and boot id of a running process, on Linux.
fn identity_of(pid: u32) -> Option<(String, String)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some((start_time(&stat)?.to_owned(), boot.trim().to_owned()))
}

/// Field 22 of `/proc/<pid>/stat`. The command name (field 2) is in
/// parentheses and may itself hold spaces and parentheses, so fields are
/// counted from the last `)`.
fn start_time(stat: &str) -> Option<&str> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // Fields 3, 4, ... follow the name; field 22 is the 20th of them.
    after_name.split_whitespace().nth(19)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_survives_odd_command_names() {
        let stat =
            "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10";
        assert_eq!(start_time(stat), Some("987654"));
        assert_eq!(start_time("garbage"), None);
        assert_eq!(start_time("1 (x) S 1"), None);
    }

    #[test]
    fn this_process_is_alive_and_others_are_told_apart() {
        assert!(is_alive(Some(current())));
        assert!(!is_alive(None));
        assert!(!is_alive(Some("not an owner")));
        if cfg!(target_os = "linux") {
            let (pid, rest) = current().split_once(':').unwrap_or_default();
            assert_eq!(pid, std::process::id().to_string());
            // The same pid that started at another time is another process.
            let (_, boot) = rest.split_once(':').unwrap_or_default();
            assert!(!is_alive(Some(&format!("{pid}:1:{boot}"))));
            // A pid that cannot exist (above the kernel's pid_max limit).
            assert!(!is_alive(Some(&format!("4194305:1:{boot}"))));
        }
    }

    #[test]
    fn a_child_process_is_alive_until_it_exits() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let Ok(mut child) = std::process::Command::new("sleep").arg("30").spawn() else {
            return;
        };
        let (start, boot) = identity_of(child.id()).unwrap_or_default();
        let owner = format!("{}:{start}:{boot}", child.id());
        assert!(is_alive(Some(&owner)));
        let _ = child.kill();
        let _ = child.wait();
        assert!(!is_alive(Some(&owner)));
    }
}
