//! `warroom journal verify|show`: check or print an incident's timeline.

use std::io::Write;
use std::process::ExitCode;

use color_eyre::eyre::Result;
use warroom::cli::JournalCommand;
use warroom::incident;

pub fn run(cmd: JournalCommand) -> Result<ExitCode> {
    match cmd {
        JournalCommand::Verify { dir } => {
            let report = match incident::verify::verify(&dir) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("warroom: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            for w in &report.warnings {
                println!("warning: {w}");
            }
            for p in &report.problems {
                println!("FAIL: {}", warroom::sanitize::clean(p));
            }
            if report.ok() {
                println!(
                    "OK: {} entries chain correctly; {} evidence files match their hashes",
                    report.entries.len(),
                    report.evidence_files
                );
                Ok(ExitCode::SUCCESS)
            } else {
                println!(
                    "journal does NOT verify: {} problem(s)",
                    report.problems.len()
                );
                Ok(ExitCode::from(1))
            }
        }
        JournalCommand::Show { dir, json } => {
            let report = incident::verify::verify(&dir)?;
            let mut out = std::io::stdout().lock();
            for e in &report.entries {
                if json {
                    let mut buf = Vec::new();
                    warroom::report::write_json_line(e, &mut buf)?;
                    out.write_all(&buf)?;
                } else {
                    let summary = e.data["summary"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.data.to_string());
                    writeln!(
                        out,
                        "{:>5}  {}  {:<20} {}",
                        e.seq,
                        e.time,
                        e.kind,
                        warroom::sanitize::clean(&summary)
                    )?;
                }
            }
            for w in report.warnings.iter().chain(&report.problems) {
                eprintln!("warroom: {w}");
            }
            Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
