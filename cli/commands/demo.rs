//! `forkcheck demo`: generate the `typical` fixture scenario and report on it.

use forkcheck_analyzers::error::exit;

use crate::args::DemoArgs;
use crate::failure::Failure;

pub fn run(_args: &DemoArgs) -> anyhow::Result<u8> {
    Err(Failure::new(
        exit::INTERNAL,
        "the demo needs the fixture generator, which is being built",
    )
    .into())
}
