//! `forkcheck rules [ID]`: the rule table, one rule's full explanation, or (`--markdown`) the
//! rule reference that `docs/rules.md` holds.

use std::collections::BTreeMap;

use anyhow::Context as _;
use forkcheck_analyzers::error::exit;
use forkcheck_analyzers::rules::{Rule, Rules};

use crate::args::RulesArgs;
use crate::failure::Failure;
use crate::output;
use crate::render::rules as render;
use crate::render::style::Style;

pub fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let rules = Rules::load(&BTreeMap::new()).context("cannot load the built-in rules")?;
    let style = Style::detect();
    let text = if args.markdown {
        render::markdown(&rules)
    } else if let Some(id) = &args.id {
        let rule = find(&rules, id).ok_or_else(|| {
            Failure::new(exit::USAGE, format!("no rule `{id}`"))
                .help("`forkcheck rules` lists every rule id and name")
        })?;
        render::explain(rule, &style)
    } else {
        render::table(&rules, &style)
    };
    output::write_stdout(&text)?;
    Ok(exit::OK)
}

/// A rule by id (any case) or name.
fn find<'a>(rules: &'a Rules, id: &str) -> Option<&'a Rule> {
    rules
        .all()
        .find(|r| r.id.eq_ignore_ascii_case(id) || r.name == id)
}
