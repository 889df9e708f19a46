//! `warroom ledger --file LOGS… [--incident DIR]`: the exposure ledger
//! from CloudTrail log files — every object an unauthorised principal read,
//! wrote or deleted, with first and last access, counts, bytes out, who,
//! from where and how; per principal; as text, JSON or spreadsheet-safe
//! CSV. The incident's journal names its principals (the keys marked or
//! revoked, the roles whose sessions were revoked) and its account.

use std::collections::BTreeSet;
use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};
use serde_json::json;
use warroom::cli::{GlobalArgs, LedgerArgs};
use warroom::model::ledger::{Ledger, Unauthorised, objects_csv};
use warroom::sanitize::clean;

/// Who counts as unauthorised: the incident journal's principals and
/// account (when --incident is given), --account, and --mark-ip.
fn unauthorised(global: &GlobalArgs, args: &LedgerArgs) -> Result<Unauthorised> {
    let mut who = Unauthorised {
        addresses: args.mark_ip.iter().cloned().collect(),
        ..Default::default()
    };
    who.incident.own_account = args.account.clone();
    if let Some(dir) = &global.incident {
        if !dir.join("journal.jsonl").exists() {
            return Err(eyre!("{} holds no incident journal", dir.display()));
        }
        let entries = warroom::incident::verify::verify(dir)?.entries;
        if who.incident.own_account.is_none() {
            who.incident.own_account = entries
                .iter()
                .filter(|e| e.kind == "session_start")
                .find_map(|e| e.data["caller"]["account"].as_str().map(str::to_string));
        }
        let suspects =
            warroom::changes::suspects_from_journal(&entries, who.incident.own_account.clone());
        who.incident.access_keys = suspects.keys.iter().cloned().collect();
        if let Some(acct) = &who.incident.own_account {
            who.incident.role_arns = suspects
                .roles
                .iter()
                .map(|r| format!("arn:aws:iam::{acct}:role/{r}"))
                .collect();
        }
    }
    Ok(who)
}

/// The files the ledger reads: those named, else every CloudTrail file
/// preserved in the incident's evidence (`trail_preserved`, `E`).
fn sources(global: &GlobalArgs, args: &LedgerArgs) -> Result<Vec<std::path::PathBuf>> {
    if !args.files.is_empty() {
        return Ok(args.files.clone());
    }
    let Some(dir) = &global.incident else {
        return Err(eyre!(
            "warroom ledger needs log files (--file PATH…) or an incident whose trail events were preserved (--incident DIR)"
        ));
    };
    let entries = warroom::incident::verify::verify(dir)?.entries;
    let files: Vec<std::path::PathBuf> = entries
        .iter()
        .filter(|e| e.kind == "trail_preserved")
        .filter_map(|e| e.data["evidence"]["file"].as_str())
        .map(|f| dir.join(f))
        .collect();
    if files.is_empty() {
        return Err(eyre!(
            "{} has no preserved trail events yet (E in the console's CloudTrail pane); or name log files with --file",
            dir.display()
        ));
    }
    Ok(files)
}

pub fn run(global: &GlobalArgs, args: LedgerArgs) -> Result<ExitCode> {
    let who = unauthorised(global, &args)?;
    let files = sources(global, &args)?;
    if who.incident.own_account.is_none() {
        eprintln!(
            "warroom: the account is not known (give --incident DIR or --account ID): callers of other accounts cannot be told apart"
        );
    }
    let mut ledger = Ledger::default();
    let (bad, digests) = super::trail::read_log_files(&files, |e| {
        if args
            .since
            .is_none_or(|s| warroom::time::parse_time(&e.time).is_some_and(|t| t >= s))
        {
            ledger.add(&e, &who);
        }
    });
    if bad > 0 && bad + digests == files.len() {
        return Err(eyre!("no log file could be read"));
    }
    if args.csv {
        print!("{}", objects_csv(&ledger));
        return Ok(ExitCode::SUCCESS);
    }
    if args.json {
        let out = json!({
            "objects": ledger.objects.values().collect::<Vec<_>>(),
            "principals": ledger.principals.values().collect::<Vec<_>>(),
            "denied": ledger.denied,
            "data_events": ledger.events,
            "logged_buckets": ledger.logged_buckets,
        });
        warroom::report::write_json_line(&out, &mut std::io::stdout().lock())?;
        return Ok(ExitCode::SUCCESS);
    }
    for r in ledger.objects.values() {
        println!(
            "s3://{}/{}  {} read(s) {} write(s) {} delete(s)  {} B out  {} .. {}  by {}  from {}",
            clean(&r.bucket),
            clean(&r.key),
            r.reads,
            r.writes,
            r.deletes,
            r.bytes_out,
            clean(&r.first),
            clean(&r.last),
            clean(&r.principals.iter().cloned().collect::<Vec<_>>().join(", ")),
            clean(&r.addresses.iter().cloned().collect::<Vec<_>>().join(", ")),
        );
    }
    let bytes: u64 = ledger.objects.values().map(|r| r.bytes_out).sum();
    for p in ledger.principals.values() {
        eprintln!(
            "warroom: {} ({}): {} object(s), {} call(s), {} B out, {} .. {}",
            clean(&p.principal),
            p.class.map_or("?", |c| c.label()),
            p.objects.len(),
            p.calls,
            p.bytes_out,
            clean(&p.first),
            clean(&p.last)
        );
    }
    let logged: BTreeSet<&str> = ledger.logged_buckets.iter().map(String::as_str).collect();
    eprintln!(
        "warroom: {} object(s) touched by unauthorised principals, {bytes} B out, {} refused call(s) by them; {} data event(s) read; buckets with data events in these files: {}. A bucket not listed was not logged here: unknown, not zero.",
        ledger.objects.len(),
        ledger.denied,
        ledger.events,
        if logged.is_empty() {
            "none".to_string()
        } else {
            clean(&logged.into_iter().collect::<Vec<_>>().join(", ")).into_owned()
        }
    );
    Ok(ExitCode::SUCCESS)
}
