//! One module per command; `dispatch` is the only entry point. Commands return the process exit
//! code on success; errors carry theirs (see `main`).

mod baseline;
mod check;
mod completions;
mod demo;
mod init;
mod man;
mod open;
mod plan;
mod releases;
mod replace;
mod report;
mod rules;
mod triage;

use crate::args::{Cli, ColorWhen, Command};

pub fn dispatch(cli: Cli) -> anyhow::Result<u8> {
    crate::render::style::set_color(match cli.color {
        ColorWhen::Auto => None,
        ColorWhen::Always => Some(true),
        ColorWhen::Never => Some(false),
    });
    match cli.command {
        Command::Report(args) => report::run(&args),
        Command::Releases(args) => releases::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Replace(args) => replace::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Triage(args) => triage::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
    }
}
