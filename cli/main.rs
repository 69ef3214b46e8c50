//! The `forkcheck` binary: a thin layer over `forkcheck_analyzers`. It parses arguments, builds
//! the analysis context, renders the report and maps the outcome to an exit code.

mod args;
mod commands;
mod failure;
mod output;
mod progress;
mod render;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    forkcheck_analyzers::repo::tune_object_cache();
    // `--color` also decides clap's own output (help, usage errors), which is written while the
    // arguments are parsed: read it first.
    let matches = args::Cli::command()
        .color(color_from_args(std::env::args_os().skip(1)))
        .get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A panic is a bug: say so in forkcheck's error shape and exit with the internal-error code
    // instead of Rust's 101.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("\nnote: this is a bug in forkcheck; please report it with the command you ran");
    }));
    let outcome = std::panic::catch_unwind(move || commands::dispatch(cli));
    let Ok(result) = outcome else {
        return ExitCode::from(forkcheck_analyzers::error::exit::INTERNAL);
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if !is_broken_pipe(&err) {
                print_error(&err);
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

/// The last `--color WHEN` / `--color=WHEN` before `--` (auto when absent or invalid: clap then
/// reports the invalid value itself).
fn color_from_args(args: impl Iterator<Item = std::ffi::OsString>) -> clap::ColorChoice {
    let mut choice = clap::ColorChoice::Auto;
    let mut args = args.map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = if arg == "--color" {
            args.next()
        } else {
            arg.strip_prefix("--color=").map(str::to_string)
        };
        match value.as_deref() {
            Some("always") => choice = clap::ColorChoice::Always,
            Some("never") => choice = clap::ColorChoice::Never,
            Some(_) => choice = clap::ColorChoice::Auto,
            None => {}
        }
    }
    choice
}

/// A closed pipe (`forkcheck report | head`) ends quietly with 0; otherwise the first
/// forkcheck error in the chain (the binary's or the library's) decides; anything else is
/// internal.
fn exit_code(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        return forkcheck_analyzers::error::exit::OK;
    }
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<failure::Failure>() {
            return e.code;
        }
        if let Some(e) = cause.downcast_ref::<forkcheck_analyzers::Error>() {
            return e.exit_code();
        }
    }
    forkcheck_analyzers::error::exit::INTERNAL
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// cargo-shaped: `error: <what>`, then `Caused by:` lines, then `help: <next step>`. Messages
/// can quote the repository (a ref, a path, a config key): control characters are shown
/// escaped, as in every terminal output.
fn print_error(err: &anyhow::Error) {
    use render::escape::term_lines;
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {}", term_lines(&top.to_string()));
    }
    for cause in chain {
        eprintln!(
            "\nCaused by:\n  {}",
            term_lines(&cause.to_string()).replace('\n', "\n  ")
        );
    }
    let help = err.chain().find_map(|c| {
        if let Some(f) = c.downcast_ref::<failure::Failure>() {
            return f.help.clone();
        }
        c.downcast_ref::<forkcheck_analyzers::Error>()
            .and_then(|e| e.help())
    });
    if let Some(help) = help {
        eprintln!("\nhelp: {}", term_lines(&help));
    }
}
