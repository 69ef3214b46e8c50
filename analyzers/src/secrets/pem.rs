//! PEM private-key blocks (`-----BEGIN … PRIVATE KEY-----`): found for findings, removed from
//! any text that is kept.

/// A PEM private-key block found in text: the line (1-based) of its BEGIN marker and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    pub line: u32,
    pub label: String,
}

/// Every `-----BEGIN … PRIVATE KEY-----` marker in `text` (also inside JSON strings with `\n`).
pub fn pem_private_keys(text: &str) -> Vec<PemBlock> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(pos) = rest.find("-----BEGIN ") {
            let after = &rest[pos + "-----BEGIN ".len()..];
            let Some(end) = after.find("-----") else {
                break;
            };
            let label = &after[..end];
            if label.ends_with("PRIVATE KEY") && label.len() < 64 {
                out.push(PemBlock {
                    line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    label: label.to_string(),
                });
            }
            rest = &after[end..];
        }
    }
    out
}

/// Remove PEM private-key blocks (whole block, BEGIN to END) from `text`.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find("-----BEGIN ") {
        let after = &rest[pos..];
        let is_private = after
            .get(11..)
            .and_then(|a| a.find("-----").map(|e| a[..e].ends_with("PRIVATE KEY")))
            .unwrap_or(false);
        if !is_private {
            out.push_str(&rest[..pos + 11]);
            rest = &rest[pos + 11..];
            continue;
        }
        out.push_str(&rest[..pos]);
        out.push_str("<redacted private key>");
        // Skip to the END marker's closing dashes, or to the end of the text.
        match after.find("-----END ") {
            Some(end) => {
                let tail = &after[end + 9..];
                let close = tail.find("-----").map(|c| c + 5).unwrap_or(tail.len());
                rest = &tail[close..];
            }
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// The body of every private-key block in `text` (between the markers), for the secret set.
pub fn bodies(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("PRIVATE KEY-----") {
        let after = &rest[pos + "PRIVATE KEY-----".len()..];
        let end = after.find("-----END ").unwrap_or(after.len());
        let body = &after[..end];
        for chunk in body.split(|c: char| c.is_whitespace() || c == '\\') {
            // `\n` escapes inside JSON strings leave an `n` glued to each line: drop it.
            let chunk = chunk.strip_prefix('n').unwrap_or(chunk);
            if chunk.len() >= 16 {
                out.push(chunk.to_string());
            }
        }
        rest = &after[end..];
        // Skip the whole END marker (`-----END … PRIVATE KEY-----`): its own "PRIVATE KEY-----"
        // must not start another block.
        match rest.get(9..).and_then(|t| t.find("-----")) {
            Some(close) => rest = &rest[9 + close + 5..],
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_found_and_scrubbed() {
        let text =
            "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIFAKE\n-----END RSA PRIVATE KEY-----\nb\n\
                    -----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
        let found = pem_private_keys(text);
        assert_eq!(
            found,
            vec![PemBlock {
                line: 2,
                label: "RSA PRIVATE KEY".into()
            }]
        );
        let s = scrub(text);
        assert!(!s.contains("MIIFAKE"), "{s}");
        assert!(s.contains("MIIC"), "certificates are public: {s}");
        let json = r#"{"K": "-----BEGIN PRIVATE KEY-----\nMIIFAKE\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(pem_private_keys(json).len(), 1);
        assert!(!scrub(json).contains("MIIFAKE"));
        assert!(!scrub("-----BEGIN EC PRIVATE KEY-----\nMIIFAKE").contains("MIIFAKE"));
    }

    #[test]
    fn text_after_a_block_is_no_key_material() {
        let t = "K: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEvQIBADANBgkqhkiG9w0\n  -----END RSA PRIVATE KEY-----\nLMS_HOST: learn.acme.example.long\n";
        assert_eq!(bodies(t), vec!["MIIEvQIBADANBgkqhkiG9w0"]);
    }

    #[test]
    fn bodies_are_collected_line_by_line() {
        let json = r#"{"K": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG\nAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(
            bodies(json),
            vec!["MIIEvQIBADANBgkqhkiG", "AoIBAQC7VJTUt9Us8cKj"]
        );
    }
}
