//! Credential files recognised by name and content: `.netrc`, `.pypirc`, `.npmrc`,
//! `.transifexrc`, `.git-credentials`, AWS `credentials`, kubeconfigs, `.env` files, htpasswd
//! files, SSH and TLS private keys, key stores. Each credential found is named by its key (and
//! line), never shown.

use super::text::{assignments, is_placeholder, url_passwords};
use super::values::SecretValues;

/// What kind of credential file a path names (by file name only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialFile {
    Netrc,
    Pypirc,
    Npmrc,
    Transifexrc,
    GitCredentials,
    AwsCredentials,
    Kubeconfig,
    DotEnv,
    Htpasswd,
    SshKey,
    KeyFile,
    KeyStore,
}

impl CredentialFile {
    pub fn of_path(path: &str) -> Option<CredentialFile> {
        let file = path.rsplit('/').next().unwrap_or(path);
        let lower = file.to_ascii_lowercase();
        let parent = path.rsplit('/').nth(1).unwrap_or("");
        Some(match lower.as_str() {
            ".netrc" | "_netrc" => CredentialFile::Netrc,
            ".pypirc" => CredentialFile::Pypirc,
            ".npmrc" | ".yarnrc" | ".yarnrc.yml" => CredentialFile::Npmrc,
            ".transifexrc" => CredentialFile::Transifexrc,
            ".git-credentials" => CredentialFile::GitCredentials,
            "credentials" if parent == ".aws" => CredentialFile::AwsCredentials,
            "kubeconfig" => CredentialFile::Kubeconfig,
            "config" if parent == ".kube" => CredentialFile::Kubeconfig,
            ".htpasswd" | "htpasswd" => CredentialFile::Htpasswd,
            "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" => CredentialFile::SshKey,
            ".env" => CredentialFile::DotEnv,
            l if l.ends_with(".kubeconfig") => CredentialFile::Kubeconfig,
            l if l.ends_with(".htpasswd") => CredentialFile::Htpasswd,
            l if l.starts_with(".env.") && !l.ends_with(".example") && !l.ends_with(".sample") => {
                CredentialFile::DotEnv
            }
            l if l.ends_with(".env") => CredentialFile::DotEnv,
            l if l.ends_with(".key") => CredentialFile::KeyFile,
            l if l.ends_with(".p12")
                || l.ends_with(".pfx")
                || l.ends_with(".jks")
                || l.ends_with(".keystore") =>
            {
                CredentialFile::KeyStore
            }
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialFile::Netrc => ".netrc",
            CredentialFile::Pypirc => ".pypirc",
            CredentialFile::Npmrc => ".npmrc",
            CredentialFile::Transifexrc => ".transifexrc",
            CredentialFile::GitCredentials => ".git-credentials",
            CredentialFile::AwsCredentials => "AWS credentials",
            CredentialFile::Kubeconfig => "kubeconfig",
            CredentialFile::DotEnv => ".env",
            CredentialFile::Htpasswd => "htpasswd",
            CredentialFile::SshKey => "SSH private key",
            CredentialFile::KeyFile => "private key file",
            CredentialFile::KeyStore => "key store",
        }
    }
}

/// One credential in a credential file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The key that holds it (`password`, `_authToken`, `machine example.org password`).
    pub key: String,
    pub line: Option<u32>,
}

fn line_no(i: usize) -> Option<u32> {
    u32::try_from(i + 1).ok()
}

/// The credentials in a credential file of `kind` (`text` is `None` for binary content), and
/// their values added to `values`. A file whose content holds no credential gives nothing,
/// except binary key stores and `.key` files, which are credentials by nature.
pub fn scan(kind: CredentialFile, text: Option<&str>, values: &mut SecretValues) -> Vec<Found> {
    let Some(text) = text else {
        return match kind {
            CredentialFile::KeyStore | CredentialFile::KeyFile | CredentialFile::SshKey => {
                vec![Found {
                    key: kind.as_str().into(),
                    line: None,
                }]
            }
            _ => Vec::new(),
        };
    };
    let mut out = Vec::new();
    match kind {
        CredentialFile::Netrc => {
            // `machine H login U password P` (tokens may span lines).
            let mut machine = String::new();
            for (i, line) in text.lines().enumerate() {
                let toks: Vec<&str> = line.split_whitespace().collect();
                let mut t = 0;
                while t < toks.len() {
                    match toks[t] {
                        "machine" => machine = toks.get(t + 1).unwrap_or(&"").to_string(),
                        "default" => machine = "default".into(),
                        "password" | "account" => {
                            if let Some(v) = toks.get(t + 1).filter(|v| !is_placeholder(v)) {
                                values.insert(v);
                                out.push(Found {
                                    key: format!("machine {machine} {}", toks[t]),
                                    line: line_no(i),
                                });
                            }
                        }
                        _ => {}
                    }
                    t += 1;
                }
            }
        }
        CredentialFile::GitCredentials => {
            for (i, line) in text.lines().enumerate() {
                for r in url_passwords(line) {
                    values.insert(&line[r]);
                    out.push(Found {
                        key: "password in URL".into(),
                        line: line_no(i),
                    });
                }
            }
        }
        CredentialFile::Htpasswd => {
            for (i, line) in text.lines().enumerate() {
                if let Some((user, hash)) = line.split_once(':') {
                    if !user.trim().is_empty() && !hash.trim().is_empty() {
                        values.insert(hash.trim());
                        out.push(Found {
                            key: format!("password hash of `{}`", user.trim()),
                            line: line_no(i),
                        });
                    }
                }
            }
        }
        CredentialFile::KeyStore => out.push(Found {
            key: kind.as_str().into(),
            line: None,
        }),
        CredentialFile::SshKey | CredentialFile::KeyFile => {
            // PEM private keys get their own finding (FC212); other key material is named here.
            if !text.contains("PRIVATE KEY-----") && !text.trim().is_empty() {
                values.add_text(text);
                out.push(Found {
                    key: kind.as_str().into(),
                    line: None,
                });
            }
        }
        _ => {
            // INI / dotenv / YAML-ish files: credential-like keys with a value.
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                if trimmed.starts_with('#') || trimmed.starts_with(';') {
                    continue;
                }
                for a in assignments(line) {
                    values.insert(&line[a.value.clone()]);
                    out.push(Found {
                        key: a.key.clone(),
                        line: line_no(i),
                    });
                }
                // Kubeconfig members such as `client-key-data:` are credentials too.
                if kind == CredentialFile::Kubeconfig {
                    if let Some((k, v)) = trimmed.split_once(':') {
                        let k = k.trim();
                        let v = v.trim();
                        if matches!(k, "client-key-data" | "client-certificate-data" | "token")
                            && !v.is_empty()
                            && !out.iter().any(|f| f.line == line_no(i))
                        {
                            values.insert(v);
                            out.push(Found {
                                key: k.into(),
                                line: line_no(i),
                            });
                        }
                    }
                }
                for r in url_passwords(line) {
                    values.insert(&line[r]);
                    out.push(Found {
                        key: "password in URL".into(),
                        line: line_no(i),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_str(path: &str, text: &str) -> (Vec<Found>, SecretValues) {
        let mut v = SecretValues::default();
        let kind = CredentialFile::of_path(path).expect("a credential file");
        (scan(kind, Some(text), &mut v), v)
    }

    #[test]
    fn files_by_name() {
        assert_eq!(
            CredentialFile::of_path("conf/.transifexrc"),
            Some(CredentialFile::Transifexrc)
        );
        assert_eq!(
            CredentialFile::of_path("deploy/.aws/credentials"),
            Some(CredentialFile::AwsCredentials)
        );
        assert_eq!(CredentialFile::of_path("credentials"), None);
        assert_eq!(CredentialFile::of_path(".env.example"), None);
        assert_eq!(
            CredentialFile::of_path("docker/prod.env"),
            Some(CredentialFile::DotEnv)
        );
        assert_eq!(CredentialFile::of_path("lms/envs/common.py"), None);
    }

    #[test]
    fn keys_are_named_and_values_collected() {
        let (found, v) = scan_str(
            ".transifexrc",
            "[https://www.transifex.com]\nhostname = https://www.transifex.com\npassword = tx-s3cret\nusername = api\n",
        );
        assert_eq!(
            found,
            vec![Found {
                key: "password".into(),
                line: Some(3)
            }]
        );
        assert_eq!(v.len(), 1);
        let (found, _) = scan_str(
            ".netrc",
            "machine git.example.org login me password n3trc-pw\n",
        );
        assert_eq!(found[0].key, "machine git.example.org password");
        let (found, _) = scan_str(
            ".npmrc",
            "//registry.npmjs.org/:_authToken=npm_0123456789\n",
        );
        assert_eq!(found[0].key, "_authToken");
        let (found, _) = scan_str(
            "deploy/.env",
            "# comment password=no\nDEBUG=1\nDB_PASSWORD=envpw123\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "DB_PASSWORD");
        let (found, _) = scan_str(".htpasswd", "admin:$apr1$abc$def\n");
        assert_eq!(found[0].key, "password hash of `admin`");
        let (found, _) = scan_str(".env", "DEBUG=1\nPLATFORM_NAME=x\n");
        assert!(found.is_empty(), "no credential, no finding");
    }
}
