//! Resident memory of this process, for the memory benchmarks, and running
//! each variant in a fresh process so one's freed memory does not flatter
//! the next.

/// A `/proc/self/status` field in kB ("VmRSS:", "VmHWM:").
pub fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Run as `variant` when this process was started with one of `names` as
/// its argument (and return true); otherwise re-execute this binary once
/// per name, printing each run's output (and return false).
pub fn each_in_own_process(names: &[&str], variant: impl Fn(&str)) -> bool {
    if let Some(name) = std::env::args()
        .skip(1)
        .find(|a| names.contains(&a.as_str()))
    {
        variant(&name);
        return true;
    }
    let me = std::env::current_exe().expect("own path");
    for name in names {
        let out = std::process::Command::new(&me)
            .arg(name)
            .output()
            .expect("run variant");
        print!("{}", String::from_utf8_lossy(&out.stdout));
    }
    false
}
