//! The `forkcheck` binary: a thin layer over `forkcheck_analyzers`. It parses arguments, builds
//! the analysis context, renders the report and maps the outcome to an exit code.

mod args;
mod commands;
mod render;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            print_error(&err);
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The library error somewhere in the chain decides the exit code; anything else is internal.
fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<forkcheck_analyzers::Error>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return 0;
            }
        }
    }
    forkcheck_analyzers::error::exit::INTERNAL
}

/// cargo-shaped: `error: <what>`, then `Caused by:` lines, then `help: <next step>`.
fn print_error(err: &anyhow::Error) {
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    for cause in chain {
        eprintln!(
            "\nCaused by:\n  {}",
            cause.to_string().replace('\n', "\n  ")
        );
    }
    if let Some(help) = err
        .chain()
        .find_map(|c| c.downcast_ref::<forkcheck_analyzers::Error>())
        .and_then(|e| e.help())
    {
        eprintln!("\nhelp: {help}");
    }
}
