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
        renamed_to: None,
    }
}

fn redwood() -> Deployment {
    Deployment::named(18).unwrap()
}

#[test]
fn scalar_with_tutor_config_key() {
    let mut e = edit("PLATFORM_NAME", &[], Change::Set(json!("Acme Learning")));
    e.python = Some("PLATFORM_NAME = \"Acme Learning\"".into());
    let s = decide(&e, "PLATFORM_NAME", &redwood()).unwrap();
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
    let s = decide(&e, "FEATURES[\"ENABLE_SPECIAL_EXAMS\"]", &redwood()).unwrap();
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
    let s = decide(&e, "FEATURES[\"ENABLE_ACME\"]", &redwood()).unwrap();
    let a = s.ansible.unwrap();
    assert_eq!(a.var, "EDXAPP_FEATURES_EXTRA");
    assert_eq!(a.value, json!({"ENABLE_ACME": true}));
    assert!(a.merge);
}

#[test]
fn nested_dict_key_is_a_python_patch_not_a_frozen_copy() {
    let mut e = edit(
        "VIDEO_UPLOAD_PIPELINE",
        &["BUCKET"],
        Change::Set(json!("acme-videos")),
    );
    e.whole = Some(json!({"VEM_S3_BUCKET": "", "BUCKET": "acme-videos"}));
    e.python = Some("VIDEO_UPLOAD_PIPELINE[\"BUCKET\"] = \"acme-videos\"".into());
    let s = decide(&e, "VIDEO_UPLOAD_PIPELINE[\"BUCKET\"]", &redwood()).unwrap();
    assert!(s.yaml.is_none() && s.ansible.is_none());
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Python { code, .. }) if code == "VIDEO_UPLOAD_PIPELINE[\"BUCKET\"] = \"acme-videos\"")
    );
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("replaces the whole VIDEO_UPLOAD_PIPELINE")));
    // A merged dict (JWT_AUTH) carries only the changed key.
    let e = edit("JWT_AUTH", &["JWT_ISSUER"], Change::Set(json!("https://x")));
    let s = decide(&e, "JWT_AUTH[\"JWT_ISSUER\"]", &redwood()).unwrap();
    assert_eq!(
        s.yaml.as_ref().unwrap().value,
        json!({"JWT_ISSUER": "https://x"})
    );
}

#[test]
fn overwritten_after_yaml_uses_alias_and_python_patch() {
    let mut e = edit("TIME_ZONE", &[], Change::Set(json!("Europe/Paris")));
    e.python = Some("TIME_ZONE = \"Europe/Paris\"".into());
    e.overwritten = Some(Some("CELERY_TIMEZONE".into()));
    let s = decide(&e, "TIME_ZONE", &redwood()).unwrap();
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
    let s = decide(&e, "INSTALLED_APPS", &redwood()).unwrap();
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
    let s = decide(&e, "PLATFORM_NAME", &redwood()).unwrap();
    assert!(s.yaml.is_none() && s.ansible.is_none());
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Python { patch, .. }) if patch == "openedx-lms-common-settings")
    );

    let mut e = edit("CACHES", &["default", "LOCATION"], Change::Set(json!("x")));
    e.python = Some("CACHES[\"default\"][\"LOCATION\"] = \"x\"".into());
    let s = decide(&e, "CACHES[\"default\"][\"LOCATION\"]", &redwood()).unwrap();
    assert!(matches!(&s.tutor, Some(TutorEntry::Python { .. })));

    let mut e = edit("X", &[], Change::Set(json!(1)));
    e.module = ModuleKind::Devstack;
    e.python = Some("X = 1".into());
    let s = decide(&e, "X", &redwood()).unwrap();
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
    let s = decide(&e, "SECRET_KEY", &redwood()).unwrap();
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
fn era_a_has_no_yaml_file_and_no_tutor() {
    let e = edit("PLATFORM_NAME", &[], Change::Set(json!("x")));
    let s = decide(&e, "PLATFORM_NAME", &Deployment::named(9).unwrap()).unwrap();
    assert!(s.json, "an lms.env.json key, not a YAML one");
    assert!(s.tutor.is_none());
    assert!(s.notes.iter().any(|n| n.contains("Era A")));
}

#[test]
fn plugin_merges_entries() {
    let a = decide(
        &edit("FEATURES", &["A"], Change::Set(json!(true))),
        "FEATURES[\"A\"]",
        &redwood(),
    )
    .unwrap();
    let b = decide(
        &edit("FEATURES", &["B"], Change::Set(json!(false))),
        "FEATURES[\"B\"]",
        &redwood(),
    )
    .unwrap();
    let c = decide(
        &edit("INSTALLED_APPS", &[], Change::Append(vec![json!("x")])),
        "INSTALLED_APPS",
        &redwood(),
    )
    .unwrap();
    let d = decide(
        &edit("INSTALLED_APPS", &[], Change::Append(vec![json!("y")])),
        "INSTALLED_APPS",
        &redwood(),
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
        let s = decide(&e, "FEATURES", &redwood()).unwrap();
        assert!(
            !matches!(&s.tutor, Some(TutorEntry::Yaml { patch, .. }) if patch.ends_with("-features"))
        );
    }
}

fn dogwood() -> Deployment {
    let mut d = Deployment::named(4).unwrap();
    d.range = Some((4, 7));
    d.base_index = None;
    d.rules.read_keys.insert(
        "lms".into(),
        ["TIME_ZONE", "FEATURES", "ADDL_INSTALLED_APPS"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    );
    d
}

#[test]
fn list_delta_append_insert_remove_and_comment() {
    let base = vec![json!("a"), json!("b"), json!("c"), json!("d")];
    let fork = vec![json!("a"), json!("x"), json!("b"), json!("d"), json!("y")];
    let source = "[\n  \"a\",\n  \"x\",\n  \"b\",\n  # \"c\",\n  \"d\",\n  \"y\",\n]";
    let d = ListDelta::of(&base, &fork, source).unwrap();
    assert_eq!(d.append, [json!("y")]);
    assert_eq!(d.insert, [(json!("x"), json!("b"))]);
    assert_eq!(d.commented, [json!("c")]);
    assert!(d.remove.is_empty());
    assert_eq!(
        d.describe(),
        "removes \"c\" (commented out), inserts \"x\" before \"b\", appends \"y\""
    );
    let d2 = ListDelta::of(&base, &fork, "[\"a\", \"x\", \"b\", \"d\", \"y\"]").unwrap();
    assert_eq!(d2.remove, [json!("c")]);
    // Reordering only: no delta (the whole list is the honest replacement).
    assert!(ListDelta::of(&base, &[json!("b"), json!("a"), json!("c"), json!("d")], "").is_none());
    assert!(ListDelta::of(&base, &base, "").is_none());
}

#[test]
fn list_delta_becomes_the_eras_append_key_and_a_python_patch() {
    let d = ListDelta {
        append: vec![json!("acme.app")],
        ..ListDelta::default()
    };
    let s = decide(
        &edit("INSTALLED_APPS", &[], Change::List(d)),
        "INSTALLED_APPS",
        &redwood(),
    )
    .unwrap();
    let y = s.yaml.as_ref().unwrap();
    assert_eq!(
        (y.key.as_str(), &y.value, &y.mode),
        ("ADDL_INSTALLED_APPS", &json!(["acme.app"]), &Mode::Append)
    );
    assert!(
        matches!(&s.tutor, Some(TutorEntry::Yaml { key, mode: Mode::Append, .. }) if key == "ADDL_INSTALLED_APPS")
    );
    assert!(s.notes.iter().any(|n| n.contains("Django app plugin")));

    let d = ListDelta {
        append: vec![json!("acme.Middleware")],
        commented: vec![json!("django.middleware.csrf.CsrfViewMiddleware")],
        ..ListDelta::default()
    };
    let s = decide(
        &edit("MIDDLEWARE", &[], Change::List(d)),
        "MIDDLEWARE",
        &redwood(),
    )
    .unwrap();
    assert_eq!(s.yaml.as_ref().unwrap().key, "EXTRA_MIDDLEWARE_CLASSES");
    assert_eq!(
        s.ansible.as_ref().unwrap().var,
        "EDXAPP_EXTRA_MIDDLEWARE_CLASSES"
    );
    let Some(TutorEntry::Python { code, .. }) = &s.tutor else {
        panic!("{:?}", s.tutor)
    };
    assert_eq!(
        code,
        "if \"django.middleware.csrf.CsrfViewMiddleware\" in MIDDLEWARE:\n    MIDDLEWARE.remove(\"django.middleware.csrf.CsrfViewMiddleware\")\nMIDDLEWARE.append(\"acme.Middleware\")"
    );
    assert!(s.notes.iter().any(|n| n.contains("(commented out)")));
    // Never the whole list anywhere.
    let text = serde_json::to_string(&s).unwrap();
    assert!(!text.contains("SessionMiddleware"), "{text}");
}

#[test]
fn era_a_reads_only_keys_aws_py_reads_and_writes_env_json() {
    let dw = dogwood();
    let s = decide(
        &edit("TIME_ZONE", &[], Change::Set(json!("Europe/Madrid"))),
        "TIME_ZONE",
        &dw,
    )
    .unwrap();
    let y = s.yaml.as_ref().unwrap();
    assert_eq!(
        (y.key.as_str(), &y.value),
        ("TIME_ZONE", &json!("Europe/Madrid"))
    );
    assert!(s.json && s.tutor.is_none());
    assert_eq!(s.ansible.as_ref().unwrap().var, "EDXAPP_TIME_ZONE");
    assert!(s.replacement().yaml.unwrap().contains("lms.env.json"));
    let s = decide(
        &edit("LMS_SEGMENT_KEY", &[], Change::Set(json!("k"))),
        "LMS_SEGMENT_KEY",
        &dw,
    )
    .unwrap();
    assert!(s.yaml.is_none() && s.ansible.is_none() && s.tutor.is_none());
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("does not read LMS_SEGMENT_KEY")));
    let s = decide(
        &edit("FEATURES", &["ENABLE_X"], Change::Set(json!(true))),
        "FEATURES[\"ENABLE_X\"]",
        &dw,
    )
    .unwrap();
    assert_eq!(s.ansible.as_ref().unwrap().var, "EDXAPP_FEATURES");
    let files = render(&[s], Format::Yaml, "forkcheck", "h");
    assert_eq!(files[0].0, "lms.env.json");
    let v: serde_json::Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(v, json!({"FEATURES": {"ENABLE_X": true}}));
}

#[test]
fn non_merged_dict_keys_are_a_python_patch_and_removed_backends_are_for_the_target() {
    let mut e = edit(
        "CACHES",
        &["default", "BACKEND"],
        Change::Set(json!("django.core.cache.backends.memcached.MemcachedCache")),
    );
    e.whole = Some(
        json!({"default": {"BACKEND": "django.core.cache.backends.memcached.MemcachedCache", "LOCATION": "m:11211"}}),
    );
    e.python = Some(
        "CACHES[\"default\"][\"BACKEND\"] = \"django.core.cache.backends.memcached.MemcachedCache\""
            .into(),
    );
    let mut d = redwood();
    d.target_django = Some((4, 2));
    let s = decide(&e, "CACHES[\"default\"][\"BACKEND\"]", &d).unwrap();
    assert!(s.yaml.is_none(), "no frozen copy of the whole dict");
    let Some(TutorEntry::Python { code, .. }) = &s.tutor else {
        panic!("{:?}", s.tutor)
    };
    assert!(
        code.contains("PyMemcacheCache")
            && !code.contains("\"django.core.cache.backends.memcached.MemcachedCache\"")
    );
    assert!(s.notes.iter().any(|n| n.contains("Django 4.1")));
}

#[test]
fn a_database_account_is_not_carried_into_the_tutor_config() {
    // suriya-master-2025: `DATABASES.default.USER: root` in a docker env file.
    let mut e = edit(
        "DATABASES",
        &["default", "USER"],
        Change::Set(json!("root")),
    );
    e.service = Service::Both;
    let s = decide(&e, "DATABASES.default.USER", &redwood()).unwrap();
    assert_eq!(s.tutor, None, "{s:?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("OPENEDX_MYSQL_USERNAME is an account")),
        "{:?}",
        s.notes
    );
    let plugin = &render(&[s], Format::TutorPlugin, "forkcheck", "h")[0].1;
    assert!(!plugin.contains("OPENEDX_MYSQL_USERNAME"), "{plugin}");
    assert!(!plugin.contains("config:"), "{plugin}");
    // A host the operator chose is still carried.
    let e = edit(
        "DATABASES",
        &["default", "HOST"],
        Change::Set(json!("db.acme.example")),
    );
    let s = decide(&e, "DATABASES.default.HOST", &redwood()).unwrap();
    assert!(
        matches!(s.tutor, Some(TutorEntry::Config { ref key, .. }) if key == "MYSQL_HOST"),
        "{s:?}"
    );
}
