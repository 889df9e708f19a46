//! `warroom gameday`: stage a scenario, play the attacker, open the console
//! in guided mode, score the response; `warroom gameday teardown` removes
//! what a sandbox run created.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, eyre};
use tokio::sync::Mutex;

use super::{clients, open_incident, start_session};
use warroom::aws::Clients;
use warroom::cli::{GamedayArgs, GamedayCommand, GlobalArgs, TeardownArgs};
use warroom::emulator::Emulator;
use warroom::gameday::attacker::{Attacker, TrailWriter, kind};
use warroom::gameday::scenario::{BUILTIN, Scenario};
use warroom::gameday::score::Score;
use warroom::gameday::{Game, finish, record_start, stage, teardown};

pub async fn run(global: &GlobalArgs, args: GamedayArgs) -> Result<ExitCode> {
    if let Some(GamedayCommand::Teardown(t)) = &args.command {
        return teardown_command(global, t).await;
    }
    if args.list {
        for (id, _) in BUILTIN {
            let s = Scenario::find(id)?;
            println!("{id:<28} {}", s.title);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if global.read_only {
        return Err(eyre!(
            "a Game Day is played by acting: it does not run with --read-only"
        ));
    }
    let scenario = Scenario::find(&args.scenario)?;
    let keymap = crate::load_keymap()?;
    let playbook = crate::load_playbook(global)?;
    let sandbox = global.endpoint_url.is_some() || global.profile.is_some();
    if sandbox && !args.i_understand_this_creates_resources {
        return Err(eyre!(
            "a Game Day against --profile/--endpoint-url creates IAM users with access keys, buckets \
             and an EC2 instance in that account, and plays an attacker with them. Use a sandbox \
             account, and add --i-understand-this-creates-resources to go ahead."
        ));
    }
    let run_id = stage::new_run_id();
    let (emulator, admin) = if sandbox {
        (None, clients(global).await?)
    } else {
        let python = args.python.clone().unwrap_or_else(Emulator::default_python);
        eprintln!(
            "warroom: starting the local emulator ({})…",
            python.display()
        );
        let emulator = Emulator::start(&python, &[])?;
        let admin =
            crate::emulator_clients(&emulator.endpoint(), global.region.as_deref(), false).await?;
        (Some(emulator), admin)
    };
    // Names are global in a real account: suffix them with the run.
    let scenario = if sandbox {
        scenario.with_suffix(&run_id)
    } else {
        scenario
    };
    eprintln!(
        "warroom: Game Day {run_id}: staging \"{}\" (everything tagged warroom:gameday={run_id})…",
        scenario.title
    );
    let staged = stage::stage(&admin, &scenario, &run_id, !sandbox, |what| {
        eprintln!("  + {what}")
    })
    .await
    .map_err(|e| eyre!("staging failed: {}", e.said()))?;
    // S3 keeps time in whole seconds: the attack starts on a later second
    // than the data was written, so a restore can tell them apart.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let leaked = match &staged.leaked {
        Some(k) => Some(leaked_clients(global, &admin, emulator.as_ref(), k).await?),
        None => None,
    };
    let mut incident = open_incident(global)?;
    start_session(&mut incident, global, &admin, "gameday").await?;
    let game = Arc::new(Game { scenario, staged });
    let started = record_start(&mut incident, &game)?;
    let dir = incident.dir().display().to_string();
    let incident = Arc::new(Mutex::new(incident));
    let trail = (!sandbox).then(|| TrailWriter::new(&game.scenario.trail.bucket));
    let mut attacker = Attacker::new(
        game.scenario.clone(),
        game.staged.clone(),
        admin.clone(),
        leaked,
        trail,
        incident.clone(),
    );
    if sandbox {
        // A real account: anonymous readers really are anonymous there.
        attacker = attacker.with_anonymous(
            warroom::aws::anonymous_s3(global.endpoint_url.as_deref(), admin.region()).await,
        );
    }
    eprintln!("warroom: the attacker is at work…");
    attacker.replay_history().await.map_err(|e| {
        eyre!(
            "the attacker's opening moves failed: {}: {}",
            e.code,
            e.message
        )
    })?;
    let every = Duration::from_secs(
        args.attacker_every
            .unwrap_or(game.scenario.attacker.every_secs),
    );
    let code = crate::console_on(
        global,
        &admin,
        keymap,
        args.console,
        incident.clone(),
        playbook.clone(),
        Some(warroom::tui::GameDayOptions {
            game: game.clone(),
            attacker,
            every,
            started,
        }),
    )
    .await;
    // The score: as finished in the console (F), else scored now.
    let entries = incident.lock().await.all_entries()?;
    let scored = entries
        .iter()
        .rev()
        .take_while(|e| e.kind != kind::STARTED)
        .find(|e| e.kind == kind::SCORE)
        .and_then(|e| serde_json::from_value::<Score>(e.data["score"].clone()).ok());
    let score = match scored {
        Some(s) => Ok(s),
        None => finish(&admin, &game, &incident, &playbook).await,
    };
    match score {
        Ok(s) => {
            for line in s.lines() {
                println!("{line}");
            }
        }
        Err(e) => eprintln!("warroom: cannot score the game: {e}"),
    }
    println!("After-action report: warroom report --incident {dir}");
    if sandbox {
        println!(
            "Remove what the game created: warroom gameday teardown --run {run_id}{}",
            global
                .profile
                .as_ref()
                .map(|p| format!(" --profile {p}"))
                .unwrap_or_default()
        );
    }
    drop(emulator);
    code
}

/// Clients signed with the leaked key: the attacker's requests carry it,
/// as the real ones would.
async fn leaked_clients(
    global: &GlobalArgs,
    admin: &Clients,
    emulator: Option<&Emulator>,
    key: &stage::LeakedKey,
) -> Result<Clients> {
    let endpoint = match emulator {
        Some(e) => Some(e.endpoint()),
        None => global.endpoint_url.clone(),
    };
    let sdk = warroom::aws::static_key_sdk_config(
        endpoint.as_deref(),
        admin.region(),
        &key.access_key_id,
        key.secret.expose(),
    )
    .await;
    Clients::from_sdk_config(sdk, false).map_err(|e| eyre!("{}", e.said()))
}

async fn teardown_command(global: &GlobalArgs, t: &TeardownArgs) -> Result<ExitCode> {
    if global.endpoint_url.is_none() && global.profile.is_none() {
        return Err(eyre!(
            "teardown is for a sandbox account: pass --profile P (or --endpoint-url URL). \
             A game in the local emulator vanishes with it."
        ));
    }
    if global.read_only {
        return Err(eyre!(
            "teardown deletes resources: it does not run with --read-only"
        ));
    }
    let c = clients(global).await?;
    let run = t.run.as_deref();
    eprintln!(
        "warroom: removing what {} created (tag warroom:gameday)…",
        run.map_or("every Game Day run".to_string(), |r| format!("run {r}"))
    );
    let removed = teardown::teardown(&c, run, |what| eprintln!("  - {what}"))
        .await
        .map_err(|e| {
            eyre!(
                "teardown stopped: {}: {} (run it again to continue)",
                e.code,
                e.message
            )
        })?;
    println!("removed {} resource(s)", removed.len());
    Ok(ExitCode::SUCCESS)
}
