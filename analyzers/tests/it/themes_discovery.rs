//! Theme discovery and mapping beyond the default layout, on a temporary clone of the fixture
//! upstream: a theme root named only by `COMPREHENSIVE_THEME_DIRS` in the fork's settings (as an
//! absolute deployment path), a root from `forkcheck.toml`, overrides of a `common/templates`
//! Django template from a CMS theme and of a djangoapp template, and in-place edits of a
//! djangoapp template and an Underscore template.

use crate::support;

use forkcheck_analyzers::themes;
use forkcheck_analyzers::{Context, NoProgress, OpenOptions};

const ACE_BODY: &str =
    "openedx/core/djangoapps/ace_common/templates/ace_common/edx_ace/common/base_body.html";
const ACTIVATION: &str = "common/templates/student/edx_ace/accountactivation/email/body.html";

#[test]
fn roots_from_settings_and_config_all_template_roots_and_in_place_edits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (fork, repo) = support::clone_at_redwood(tmp.path());
    let read = |p: &str| std::fs::read(fork.join(p)).expect("upstream file");
    let edit = |p: &str, extra: &str| {
        let mut b = read(p);
        b.extend_from_slice(extra.as_bytes());
        b
    };
    let mut production = read("lms/envs/production.py");
    production.extend_from_slice(
        b"\nCOMPREHENSIVE_THEME_DIRS = [\n    \"/edx/app/edxapp/edx-platform/acme-themes\",\n]\n",
    );
    let files: Vec<(String, Vec<u8>)> = vec![
        ("lms/envs/production.py".into(), production),
        (
            "forkcheck.toml".into(),
            b"[themes]\nroots = [\"themes\", \"more-themes\"]\n".to_vec(),
        ),
        (
            "acme-themes/custom/lms/templates/footer.html".into(),
            edit("lms/templates/footer.html", "<p>Acme</p>\n"),
        ),
        (
            "acme-themes/custom/lms/templates/ace_common/edx_ace/common/base_body.html".into(),
            edit(ACE_BODY, "{# acme #}\n<p>{{ acme_footer }}</p>\n"),
        ),
        (
            "acme-themes/custom/cms/templates/student/edx_ace/accountactivation/email/body.html"
                .into(),
            edit(ACTIVATION, "<p>{% trans \"Acme\" %}</p>\n"),
        ),
        (
            "more-themes/studio/cms/templates/base.html".into(),
            read("cms/templates/base.html"),
        ),
        (ACE_BODY.into(), edit(ACE_BODY, "<p>in place</p>\n")),
        (
            "lms/templates/discovery/course_card.underscore".into(),
            edit(
                "lms/templates/discovery/course_card.underscore",
                "<span><%- acme %></span>\n",
            ),
        ),
    ];
    support::commit_files(&repo, &files, "Acme themes outside themes/");

    let ctx = Context::open(&OpenOptions::new(&fork)).expect("context");
    let mut findings = Vec::new();
    let section = themes::analyze(&ctx, &NoProgress, &mut findings)
        .expect("analysis")
        .expect("section");

    assert_eq!(section.roots, vec!["themes", "more-themes", "acme-themes"]);
    let names: Vec<&str> = section.themes.iter().map(|t| t.path.as_str()).collect();
    assert!(names.contains(&"acme-themes/custom"), "{names:?}");
    assert!(names.contains(&"more-themes/studio"), "{names:?}");
    let entry = |p: &str| {
        section
            .overrides
            .iter()
            .find(|o| o.path == p)
            .unwrap_or_else(|| panic!("{p} not in {:?}", section.overrides))
    };
    let footer = entry("acme-themes/custom/lms/templates/footer.html");
    assert_eq!(
        footer.original.as_deref(),
        Some("lms/templates/footer.html")
    );
    assert_eq!(footer.status, "diverged");
    let ace = entry("acme-themes/custom/lms/templates/ace_common/edx_ace/common/base_body.html");
    assert_eq!(ace.original.as_deref(), Some(ACE_BODY));
    assert_eq!(ace.language.as_deref(), Some("django"));
    let activation =
        entry("acme-themes/custom/cms/templates/student/edx_ace/accountactivation/email/body.html");
    assert_eq!(activation.original.as_deref(), Some(ACTIVATION));
    assert_eq!(activation.service, "cms");
    let studio = entry("more-themes/studio/cms/templates/base.html");
    assert_eq!(
        (studio.original.as_deref(), studio.status.as_str()),
        (Some("cms/templates/base.html"), "redundant")
    );

    // In-place edits map to the fork's main theme (the one with most fork files).
    let in_place: Vec<(&str, &str, &str)> = section
        .in_place
        .iter()
        .map(|e| (e.path.as_str(), e.change.as_str(), e.theme_path.as_str()))
        .collect();
    assert_eq!(
        in_place,
        vec![
            (
                "lms/templates/discovery/course_card.underscore",
                "edited",
                "acme-themes/custom/lms/templates/discovery/course_card.underscore"
            ),
            (
                ACE_BODY,
                "edited",
                "acme-themes/custom/lms/templates/ace_common/edx_ace/common/base_body.html"
            ),
        ]
    );
    assert!(findings
        .iter()
        .any(|f| f.rule == "FC501" && f.path == ACE_BODY));
    // settings and config files are not templates
    assert!(!section.in_place.iter().any(|e| e.path.ends_with(".py")));
}

/// Upstream's example themes are upstream code: a fork that edits `themes/red-theme` more than
/// its own small theme gets those edits as in-place edits (FC501/FC502) to move into its own
/// theme, the move plan never targets the example theme, and no red-theme file is an override.
#[test]
fn example_themes_are_upstream_code_and_never_the_move_target() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (fork, repo) = support::clone_at_redwood(tmp.path());
    let read = |p: &str| std::fs::read(fork.join(p)).expect("upstream file");
    let edit = |p: &str, extra: &str| {
        let mut b = read(p);
        b.extend_from_slice(extra.as_bytes());
        b
    };
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "themes/red-theme/lms/templates/header.html".into(),
            edit(
                "themes/red-theme/lms/templates/header.html",
                "<p>ours</p>\n",
            ),
        ),
        (
            "themes/red-theme/lms/templates/footer.html".into(),
            edit(
                "themes/red-theme/lms/templates/footer.html",
                "<p>ours</p>\n",
            ),
        ),
        (
            "themes/red-theme/lms/templates/extra/notice.html".into(),
            b"<p>a notice of ours</p>\n".to_vec(),
        ),
        (
            "themes/ours/lms/templates/ours/promo.html".into(),
            b"<p>our promo</p>\n".to_vec(),
        ),
        (
            "lms/templates/dashboard.html".into(),
            edit("lms/templates/dashboard.html", "<p>in place</p>\n"),
        ),
    ];
    support::commit_files(&repo, &files, "Edit the red theme, add our own theme");

    let ctx = Context::open(&OpenOptions::new(&fork)).expect("context");
    let mut findings = Vec::new();
    let section = themes::analyze(&ctx, &NoProgress, &mut findings)
        .expect("analysis")
        .expect("section");

    let red = section
        .themes
        .iter()
        .find(|t| t.path == "themes/red-theme")
        .expect("red theme listed");
    assert!(red.upstream);
    let ours = section
        .themes
        .iter()
        .find(|t| t.path == "themes/ours")
        .expect("own theme listed");
    assert!(!ours.upstream);
    assert!(
        section
            .overrides
            .iter()
            .all(|o| !o.path.starts_with("themes/red-theme/")),
        "{:?}",
        section.overrides
    );
    let moves: Vec<(&str, &str, &str)> = section
        .move_plan
        .iter()
        .map(|m| (m.from.as_str(), m.to.as_str(), m.action.as_str()))
        .collect();
    assert_eq!(
        moves,
        vec![
            (
                "lms/templates/dashboard.html",
                "themes/ours/lms/templates/dashboard.html",
                "copy-and-restore"
            ),
            (
                "themes/red-theme/lms/templates/extra/notice.html",
                "themes/ours/lms/templates/extra/notice.html",
                "move"
            ),
            (
                "themes/red-theme/lms/templates/footer.html",
                "themes/ours/lms/templates/footer.html",
                "copy-and-restore"
            ),
            (
                "themes/red-theme/lms/templates/header.html",
                "themes/ours/lms/templates/header.html",
                "copy-and-restore"
            ),
        ]
    );
    let rule_of = |p: &str| {
        findings
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.rule.as_str())
            .unwrap_or("none")
    };
    assert_eq!(
        rule_of("themes/red-theme/lms/templates/header.html"),
        "FC501"
    );
    assert_eq!(
        rule_of("themes/red-theme/lms/templates/extra/notice.html"),
        "FC502"
    );
    let sample: Vec<_> = section
        .in_place
        .iter()
        .filter_map(|e| e.upstream_theme.as_deref())
        .collect();
    assert_eq!(sample, vec!["themes/red-theme"; 3]);
}

/// `[themes] own` makes an example theme the fork's: its edits are overrides again, and it is
/// where in-place edits move.
#[test]
fn an_example_theme_configured_as_own_is_the_forks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (fork, repo) = support::clone_at_redwood(tmp.path());
    let read = |p: &str| std::fs::read(fork.join(p)).expect("upstream file");
    let mut header = read("themes/red-theme/lms/templates/header.html");
    header.extend_from_slice(b"<p>ours</p>\n");
    let mut dashboard = read("lms/templates/dashboard.html");
    dashboard.extend_from_slice(b"<p>in place</p>\n");
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "forkcheck.toml".into(),
            b"[themes]\nown = [\"themes/red-theme\"]\n".to_vec(),
        ),
        ("themes/red-theme/lms/templates/header.html".into(), header),
        ("lms/templates/dashboard.html".into(), dashboard),
    ];
    support::commit_files(&repo, &files, "Take over the red theme");

    let ctx = Context::open(&OpenOptions::new(&fork)).expect("context");
    let mut findings = Vec::new();
    let section = themes::analyze(&ctx, &NoProgress, &mut findings)
        .expect("analysis")
        .expect("section");
    let red = section
        .themes
        .iter()
        .find(|t| t.path == "themes/red-theme")
        .expect("red theme listed");
    assert!(!red.upstream);
    assert!(section
        .overrides
        .iter()
        .any(|o| o.path == "themes/red-theme/lms/templates/header.html"));
    assert!(section.in_place.iter().all(|e| e.upstream_theme.is_none()));
    let moves: Vec<&str> = section.move_plan.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(moves, vec!["themes/red-theme/lms/templates/dashboard.html"]);
}
