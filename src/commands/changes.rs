//! `warroom changes`: what the incident's principals changed, as a table
//! or NDJSON on stdout; what could not be read goes to stderr.

use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};
use warroom::cli::{ChangesArgs, GlobalArgs};
use warroom::incident::Incident;
use warroom::model::changes::{Found, Standing};
use warroom::report::write_json_line;
use warroom::sanitize::clean;

use super::clients;

pub async fn run(global: &GlobalArgs, args: ChangesArgs) -> Result<ExitCode> {
    let Some(dir) = global.incident.as_deref() else {
        return Err(eyre!(
            "warroom changes needs --incident DIR: the incident says whose changes to look for"
        ));
    };
    if !dir.join("journal.jsonl").exists() {
        return Err(eyre!(
            "{}: no incident journal here (start the console or `warroom act` with --incident first)",
            dir.display()
        ));
    }
    let incident = Incident::open(Some(dir))?;
    let entries = incident.all_entries()?;
    let clients = clients(global).await?;
    let account = clients.account_id().await.ok();
    let mut suspects = warroom::changes::suspects_from_journal(&entries, account);
    suspects.keys.extend(args.key.iter().cloned());
    for arn in &args.principal {
        let name = arn.rsplit('/').next().unwrap_or(arn).to_string();
        if arn.contains(":role/") {
            suspects.roles.insert(name);
        } else if arn.contains(":user/") {
            suspects.users.insert(name);
        }
        suspects.principals.insert(arn.clone());
    }
    let now = warroom::time::now_secs();
    let since = match args.since {
        Some(age) => now - age,
        None => warroom::changes::window_opened(&entries).unwrap_or(now - 86_400),
    };
    eprintln!(
        "warroom: changes since {} by {} key(s), {} user(s), {} role(s), anonymous callers and other accounts",
        warroom::time::iso_time(since),
        suspects.keys.len(),
        suspects.users.len(),
        suspects.roles.len()
    );
    let mut regions = args.regions.clone();
    regions.extend(global.ec2_regions.iter().cloned());
    let gathered = match warroom::changes::gather(&clients, &suspects, since, &regions).await {
        Ok(g) => g,
        Err(e) => {
            eprintln!("warroom: {}", clean(&e.said()));
            return Ok(ExitCode::from(2));
        }
    };
    for p in &gathered.problems {
        eprintln!("warroom: {}", clean(p));
    }
    let mut out = std::io::stdout().lock();
    for c in &gathered.changes {
        if args.json {
            write_json_line(c, &mut out)?;
        } else {
            use std::io::Write;
            let found = match c.found {
                Found::Trail => "",
                Found::Sweep => " (sweep only: no record seen)",
                Found::Both => "",
            };
            writeln!(
                out,
                "{:<20}  {:<10}  {}{}\n{:<20}  by {} {}from {}",
                clean(&c.when),
                c.standing.label(),
                clean(&c.what.describe()),
                found,
                "",
                clean(if c.who.is_empty() { "?" } else { &c.who }),
                c.with_key
                    .as_deref()
                    .map(|k| format!("with {} ", clean(k)))
                    .unwrap_or_default(),
                clean(c.from.as_deref().unwrap_or("?")),
            )?;
        }
    }
    eprintln!(
        "warroom: {} change(s) from {} record(s); {} still in place",
        gathered.changes.len(),
        gathered.events_read,
        gathered
            .changes
            .iter()
            .filter(|c| c.standing == Standing::InPlace)
            .count()
    );
    Ok(
        if gathered
            .changes
            .iter()
            .any(|c| c.standing == Standing::InPlace)
        {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}
