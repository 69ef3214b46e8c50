use serde_json::json;

use super::output::{render, Format};
use super::*;

fn edit(root: &str, path: &[&str], change: Change) -> Edit {
    Edit {
        service: Service::Lms,
        module: ModuleKind::Common,
        root: root.into(),
        path: path.iter().map(|s| s.to_string()).collect(),
        change,
        whole: None,
        python: None,
        secret: false,
        overwritten: None,
    }
}

const REDWOOD: Deployment = Deployment {
    base_index: Some(18),
};

#[test]
fn scalar_with_tutor_config_key() {
    let mut e = edit("PLATFORM_NAME", &[], Change::Set(json!("Acme Learning")));
    e.python = Some("PLATFORM_NAME = \"Acme Learning\"".into());
    let s = decide(&e, "PLATFORM_NAME", REDWOOD).unwrap();
    assert_eq!(s.yaml.as_ref().unwrap().key, "PLATFORM_NAME");
    assert_eq!(s.ansible.as_ref().unwrap().var, "EDXAPP_PLATFORM_NAME");
    assert_eq!(
        s.tutor,
        Some(TutorEntry::Config {
            key: "PLATFORM_NAME".into(),
            value: json!("Acme Learning")
        })
    );
    let r = s.replacement();
    assert_eq!(
        r.tutor.as_deref(),
        Some("tutor config save --set PLATFORM_NAME='Acme Learning'")
    );
    assert_eq!(
        r.yaml.as_deref(),
        Some("PLATFORM_NAME: \"Acme Learning\"  # lms.yml")
    );
}

#[test]
fn feature_flag_mapped_and_catch_all() {
    let e = edit(
        "FEATURES",
        &["ENABLE_SPECIAL_EXAMS"],
        Change::Set(json!(true)),
    );
    let s = decide(&e, "FEATURES[\"ENABLE_SPECIAL_EXAMS\"]", REDWOOD).unwrap();
    assert_eq!(
        s.yaml.as_ref().unwrap().value,
        json!({"ENABLE_SPECIAL_EXAMS": true})
    );
    assert_eq!(
        s.ansible.as_ref().unwrap().var,
        "EDXAPP_ENABLE_SPECIAL_EXAMS"
    );
    assert_eq!(s.ansible.as_ref().unwrap().value, json!(true));
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Yaml { patch, key, .. }) if patch == "lms-env-features" && key == "ENABLE_SPECIAL_EXAMS")
    );

    let e = edit("FEATURES", &["ENABLE_ACME"], Change::Set(json!(true)));
    let s = decide(&e, "FEATURES[\"ENABLE_ACME\"]", REDWOOD).unwrap();
    let a = s.ansible.unwrap();
    assert_eq!(a.var, "EDXAPP_FEATURES_EXTRA");
    assert_eq!(a.value, json!({"ENABLE_ACME": true}));
    assert!(a.merge);
}

#[test]
fn nested_dict_key_uses_whole_value() {
    let mut e = edit(
        "VIDEO_UPLOAD_PIPELINE",
        &["BUCKET"],
        Change::Set(json!("acme-videos")),
    );
    e.whole = Some(json!({"VEM_S3_BUCKET": "", "BUCKET": "acme-videos"}));
    let s = decide(&e, "VIDEO_UPLOAD_PIPELINE[\"BUCKET\"]", REDWOOD).unwrap();
    assert_eq!(s.yaml.as_ref().unwrap().value, e.whole.clone().unwrap());
    assert_eq!(
        s.ansible.as_ref().unwrap().var,
        "EDXAPP_VIDEO_UPLOAD_PIPELINE"
    );
    assert!(matches!(&s.tutor, Some(TutorEntry::Yaml { patch, .. }) if patch == "lms-env"));
}

#[test]
fn overwritten_after_yaml_uses_alias_and_python_patch() {
    let mut e = edit("TIME_ZONE", &[], Change::Set(json!("Europe/Paris")));
    e.python = Some("TIME_ZONE = \"Europe/Paris\"".into());
    e.overwritten = Some(Some("CELERY_TIMEZONE".into()));
    let s = decide(&e, "TIME_ZONE", REDWOOD).unwrap();
    assert_eq!(s.yaml.as_ref().unwrap().key, "CELERY_TIMEZONE");
    assert_eq!(s.ansible.as_ref().unwrap().var, "EDXAPP_CELERY_TIMEZONE");
    assert_eq!(
        s.tutor,
        Some(TutorEntry::Python {
            patch: "openedx-lms-common-settings".into(),
            code: "TIME_ZONE = \"Europe/Paris\"".into()
        })
    );
}

#[test]
fn installed_apps_append_in_production() {
    let mut e = edit(
        "INSTALLED_APPS",
        &[],
        Change::Append(vec![json!("acme_reports")]),
    );
    e.module = ModuleKind::Production;
    e.python = Some("INSTALLED_APPS.append(\"acme_reports\")".into());
    let s = decide(&e, "INSTALLED_APPS", REDWOOD).unwrap();
    let y = s.yaml.as_ref().unwrap();
    assert_eq!(
        (y.key.as_str(), &y.value),
        ("ADDL_INSTALLED_APPS", &json!(["acme_reports"]))
    );
    assert_eq!(s.ansible.as_ref().unwrap().var, "EDXAPP_LMS_ENV_EXTRA");
    assert!(s.notes.iter().any(|n| n.contains("Django app plugin")));
}

#[test]
fn expressions_and_python_assigned_need_python_patches() {
    let mut e = edit("PLATFORM_NAME", &[], Change::Expr);
    e.python = Some("PLATFORM_NAME = _(\"Acme\")".into());
    // A Tutor config key needs a literal; an expression goes to a Python patch.
    let s = decide(&e, "PLATFORM_NAME", REDWOOD).unwrap();
    assert!(s.yaml.is_none() && s.ansible.is_none());
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Python { patch, .. }) if patch == "openedx-lms-common-settings")
    );

    let mut e = edit("CACHES", &["default", "LOCATION"], Change::Set(json!("x")));
    e.python = Some("CACHES[\"default\"][\"LOCATION\"] = \"x\"".into());
    let s = decide(&e, "CACHES[\"default\"][\"LOCATION\"]", REDWOOD).unwrap();
    assert!(matches!(&s.tutor, Some(TutorEntry::Python { .. })));

    let mut e = edit("X", &[], Change::Set(json!(1)));
    e.module = ModuleKind::Devstack;
    e.python = Some("X = 1".into());
    let s = decide(&e, "X", REDWOOD).unwrap();
    assert!(s.yaml.is_none());
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Python { patch, .. }) if patch == "openedx-lms-development-settings")
    );
}

#[test]
fn secrets_get_placeholders_only() {
    let mut e = edit("SECRET_KEY", &[], Change::Set(json!("FAKE-SECRET-123")));
    e.secret = true;
    e.python = Some("SECRET_KEY = \"FAKE-SECRET-123\"".into());
    let s = decide(&e, "SECRET_KEY", REDWOOD).unwrap();
    let text = serde_json::to_string(&s).unwrap();
    assert!(!text.contains("FAKE-SECRET-123"), "{text}");
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Config { key, .. }) if key == "OPENEDX_SECRET_KEY")
    );
    for format in [Format::TutorPlugin, Format::Ansible, Format::Yaml] {
        for (_, content) in render(std::slice::from_ref(&s), format, "acme", "test") {
            assert!(!content.contains("FAKE-SECRET-123"), "{content}");
            assert!(content.contains("SECRET_KEY"), "{content}");
        }
    }
}

#[test]
fn era_a_has_no_yaml() {
    let e = edit("PLATFORM_NAME", &[], Change::Set(json!("x")));
    let s = decide(
        &e,
        "PLATFORM_NAME",
        Deployment {
            base_index: Some(9),
        },
    )
    .unwrap();
    assert!(s.yaml.is_none());
    assert!(s.notes.iter().any(|n| n.contains("Era A")));
}

#[test]
fn plugin_merges_entries() {
    let a = decide(
        &edit("FEATURES", &["A"], Change::Set(json!(true))),
        "FEATURES[\"A\"]",
        REDWOOD,
    )
    .unwrap();
    let b = decide(
        &edit("FEATURES", &["B"], Change::Set(json!(false))),
        "FEATURES[\"B\"]",
        REDWOOD,
    )
    .unwrap();
    let c = decide(
        &edit("INSTALLED_APPS", &[], Change::Append(vec![json!("x")])),
        "INSTALLED_APPS",
        REDWOOD,
    )
    .unwrap();
    let d = decide(
        &edit("INSTALLED_APPS", &[], Change::Append(vec![json!("y")])),
        "INSTALLED_APPS",
        REDWOOD,
    )
    .unwrap();
    let files = render(&[a, b, c, d], Format::TutorPlugin, "acme", "test");
    let text = &files[0].1;
    assert!(
        text.contains("  lms-env-features: |\n    A: true\n    B: false"),
        "{text}"
    );
    assert!(
        text.contains("ADDL_INSTALLED_APPS: [\"x\",\"y\"]"),
        "{text}"
    );
    let files = render(&[], Format::Yaml, "acme", "test");
    assert!(files.is_empty());
}

#[test]
fn odd_feature_edits_do_not_panic() {
    // Whole FEATURES (empty path) and nested FEATURES keys.
    for path in [&[][..], &["A", "B"][..]] {
        let mut e = edit("FEATURES", path, Change::Set(json!({})));
        e.python = Some("FEATURES = {}".into());
        let s = decide(&e, "FEATURES", REDWOOD).unwrap();
        assert!(
            !matches!(&s.tutor, Some(TutorEntry::Yaml { patch, .. }) if patch.ends_with("-features"))
        );
    }
}
