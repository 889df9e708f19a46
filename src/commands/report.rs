//! `warroom report --incident DIR`: the after-action report, from the
//! journal alone (see `warroom::after_action`).

use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};
use warroom::cli::{GlobalArgs, ReportArgs};

pub fn run(global: &GlobalArgs, args: ReportArgs) -> Result<ExitCode> {
    let Some(dir) = &global.incident else {
        return Err(eyre!(
            "warroom report needs --incident DIR: the report is written from that incident's journal"
        ));
    };
    if !dir.join("journal.jsonl").exists() {
        return Err(eyre!("{} holds no incident journal", dir.display()));
    }
    let playbook = match &global.playbook {
        Some(path) => warroom::playbook::Playbook::load(path)?,
        None => warroom::playbook::Playbook::builtin()?,
    };
    let verified = warroom::incident::verify::verify(dir)?;
    let report = warroom::after_action::build(&dir.display().to_string(), &verified, &playbook);
    if args.format == "json" {
        let mut out = std::io::stdout().lock();
        warroom::report::write_json_line(&report, &mut out)?;
    } else {
        print!("{}", warroom::after_action::markdown(&report));
    }
    Ok(if report.journal_verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
