//! Dead overrides (FC410) at their edges, on a temporary clone of the fixture upstream at
//! redwood.2: only releases up to the base count (a template sumac adds is no dead override on a
//! redwood base), the removed file must be one the theme file's own service would look up (an
//! LMS-only page overridden from a Studio theme is an addition), and an override of a file
//! removed before the base is dead with the release that removed it.

use crate::support;

use forkcheck_analyzers::themes;
use forkcheck_analyzers::{Context, NoProgress, OpenOptions};

#[test]
fn dead_only_for_files_the_service_had_before_the_base() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (fork, repo) = support::clone_at_redwood(tmp.path());
    let page = b"<%page expression_filter=\"h\"/>\n<h1>Acme</h1>\n".to_vec();
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "themes/acme/lms/templates/static_templates/media-kit.html".into(),
            page.clone(),
        ),
        (
            "themes/acme/cms/templates/static_templates/media-kit.html".into(),
            page.clone(),
        ),
        // Added upstream in sumac, after the base: not dead.
        (
            "themes/acme/lms/templates/header/navbar-banner.html".into(),
            page,
        ),
    ];
    support::commit_files(&repo, &files, "Acme theme");

    let ctx = Context::open(&OpenOptions::new(&fork)).expect("context");
    let mut findings = Vec::new();
    let section = themes::analyze(&ctx, &NoProgress, &mut findings)
        .expect("analysis")
        .expect("section");
    let status = |p: &str| {
        section
            .overrides
            .iter()
            .find(|o| o.path == p)
            .map(|o| (o.status.clone(), o.rule.clone(), o.original.clone()))
            .unwrap_or_else(|| panic!("{p} not in {:?}", section.overrides))
    };
    assert_eq!(
        status("themes/acme/lms/templates/static_templates/media-kit.html"),
        (
            "dead".into(),
            "FC410".into(),
            Some("lms/templates/static_templates/media-kit.html".into())
        )
    );
    assert_eq!(
        status("themes/acme/cms/templates/static_templates/media-kit.html"),
        ("addition".into(), "FC408".into(), None)
    );
    assert_eq!(
        status("themes/acme/lms/templates/header/navbar-banner.html"),
        ("addition".into(), "FC408".into(), None)
    );
    let dead = findings
        .iter()
        .find(|f| f.rule == "FC410")
        .expect("an FC410 finding");
    assert_eq!(
        dead.data.get("last_release").and_then(|v| v.as_str()),
        Some("quince")
    );
    assert_eq!(
        dead.data.get("removed_in").and_then(|v| v.as_str()),
        Some("redwood")
    );
    assert!(dead.data.get("moved_to").is_none(), "{:?}", dead.data);
    assert!(dead.message.ends_with("delete it"), "{}", dead.message);
}
