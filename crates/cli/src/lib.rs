//! The `custodian` command: one module per subcommand, with the shared parts (settings,
//! opening the database, exit codes) beside them. `main.rs` only calls [`run`].
//!
//! Everything that reaches the person at the keyboard is a plain sentence: no panics, no
//! backtraces, and never a database password. Exit status 0 means it worked, 1 that something
//! failed, 2 that what was typed was not right (and nothing was changed).
#![forbid(unsafe_code)]

pub mod assets;
pub mod audit;
pub mod cli;
pub mod config;
pub mod database;
pub mod demo;
pub mod demo_devices;
pub mod demo_equipment;
pub mod demo_monitoring;
pub mod demo_monitoring_traffic;
pub mod demo_policy;
pub mod demo_routines;
pub mod demo_vault;
pub mod init;
pub mod migrate;
pub mod monitor;
pub mod monitor_ingest;
pub mod policy;
pub mod serve;
pub mod transfer;
pub mod vault;
pub mod vault_key;

use clap::Parser;
use cli::{AssetsCommand, AuditCommand, Cli, Command, PolicyCommand};
use config::Layer;
use std::fmt;
use std::process::ExitCode;

/// Threads for blocking work (see `run`).
const MAX_BLOCKING_THREADS: usize = 16;

/// Exit status for "done".
pub const EXIT_OK: u8 = 0;
/// Exit status for "something failed" (including a broken audit log).
pub const EXIT_FAILURE: u8 = 1;
/// Exit status for "what you typed was not right; nothing was changed".
pub const EXIT_BAD_INPUT: u8 = 2;

/// An error in what the person typed or supplied. Reaches them as its message, with exit
/// status 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

impl From<config::ConfigError> for BadInput {
    fn from(error: config::ConfigError) -> Self {
        BadInput(error.to_string())
    }
}

/// Parses the command line, runs the command and turns the outcome into an exit status.
pub fn run() -> ExitCode {
    // clap prints help, the version or a usage error itself (usage errors exit with 2).
    let cli = Cli::parse();
    init_logging(&cli.command);
    // Summarising a log needs no database, settings or async runtime: it runs on this thread
    // alone, and without the runtime's threads it needs less memory (the benchmark
    // measures it).
    let cli = match cli.command {
        Command::Monitor(cli::MonitorArgs {
            command: cli::MonitorCommand::Summarize(args),
        }) => {
            return match monitor::run_summarize(&args) {
                Ok(code) => code,
                Err(error) => {
                    eprintln!("{}", describe(&error));
                    ExitCode::from(exit_code_for(&error))
                }
            };
        }
        command => Cli { command, ..cli },
    };
    // Blocking work is SQLite reads of audit pages and password hashing; more threads than the
    // read connections and cores can use only add memory (each keeps its own allocator arena),
    // so the pool stays small instead of tokio's default of 512.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Custodian could not start: {error}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let outcome = runtime.block_on(dispatch(cli));
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{}", describe(&error));
            ExitCode::from(exit_code_for(&error))
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let global = Layer {
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        public_url: None,
        bind: None,
        vault_key_file: cli.vault_key_file.clone(),
    };
    match cli.command {
        Command::Serve(args) => {
            let flags = Layer {
                public_url: args.public_url,
                bind: args.bind,
                ..global
            };
            serve::run(config::load(flags, cli.config).map_err(BadInput::from)?).await
        }
        // The demo reads only its own flags, never the environment or the settings file, so
        // it cannot seed made-up people into a real installation by accident.
        Command::Demo(args) => demo::run(cli.data_dir, cli.database_url, args).await,
        Command::Migrate => {
            migrate::run(config::load(global, cli.config).map_err(BadInput::from)?).await
        }
        Command::Init(args) => {
            let flags = Layer {
                public_url: args.public_url.clone(),
                ..global
            };
            init::run(
                config::load(flags, cli.config).map_err(BadInput::from)?,
                args,
            )
            .await
        }
        Command::Audit(command) => {
            let settings = config::load(global, cli.config).map_err(BadInput::from)?;
            match command {
                AuditCommand::Verify => audit::run_verify(settings).await,
                AuditCommand::Head { json } => audit::run_head(settings, json).await,
            }
        }
        Command::Export(args) => {
            transfer::run_export(
                config::load(global, cli.config).map_err(BadInput::from)?,
                args,
            )
            .await
        }
        // Reading a document needs no database or settings.
        Command::Policy(PolicyCommand::Import { file, json }) => policy::run_import(&file, json),
        Command::Import(args) => {
            transfer::run_import(
                config::load(global, cli.config).map_err(BadInput::from)?,
                args,
            )
            .await
        }
        Command::Assets(command) => {
            let settings = config::load(global, cli.config).map_err(BadInput::from)?;
            match command {
                AssetsCommand::Import { file, council } => {
                    assets::run_import(settings, &file, council.council.as_deref()).await
                }
                AssetsCommand::Export { council } => {
                    assets::run_export(settings, council.council.as_deref()).await
                }
            }
        }
        Command::Vault(command) => vault::run(command, global, cli.config).await,
        Command::Monitor(args) => match args.command {
            cli::MonitorCommand::Ingest(args) => {
                let settings = config::load(global, cli.config).map_err(BadInput::from)?;
                monitor_ingest::run_ingest(settings, args).await
            }
            // Run before the runtime is built (see `run`).
            cli::MonitorCommand::Summarize(args) => monitor::run_summarize(&args),
        },
    }
}

/// Writes to standard output. A reader that stops early (`custodian policy import F | head`)
/// is not an error worth a message; any other failure is reported.
pub fn print_out(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The exit status for an error: 2 when the person's input was at fault, else 1.
pub fn exit_code_for(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<BadInput>().is_some() {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}

/// The error as the person sees it: the message and then each cause it does not already
/// include (many library errors repeat their cause in their own message).
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Logs go to standard error, filtered by `CUSTODIAN_LOG` (for example `debug` or
/// `custodian_web=debug`). The server logs its progress by default; one-off commands only
/// warnings, so their own output stays readable.
fn init_logging(command: &Command) {
    use tracing_subscriber::EnvFilter;
    let default = match command {
        Command::Serve(_) => "info,sqlx=warn",
        // The demo's terminal is for the sign-in table, not a request log.
        Command::Demo(_) => "warn",
        _ => "warn",
    };
    let requested = std::env::var(config::ENV_LOG)
        .ok()
        .filter(|v| !v.trim().is_empty());
    let filter = match requested.as_deref().map(EnvFilter::try_new) {
        Some(Ok(filter)) => filter,
        Some(Err(error)) => {
            eprintln!(
                "{} is not a log setting Custodian understands ({error}); using {default:?}",
                config::ENV_LOG
            );
            EnvFilter::new(default)
        }
        None => EnvFilter::new(default),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
