//! A short fuzz pass on the stable toolchain, inside `cargo test`: every fuzz target
//! (`forkcheck_analyzers::fuzzing`, the same entry points `fuzz/` drives with cargo-fuzz) runs
//! on its committed corpus (`fuzz/corpus/<target>/`), then on inputs mutated from it by a seeded
//! generator (byte flips, inserted syntax tokens, splices, truncations). Deterministic: a
//! failure names the seed and iteration to replay. `FORKCHECK_FUZZ_ITERS` sets the number of
//! mutated inputs per target (default 2000).

use std::path::{Path, PathBuf};

use forkcheck_analyzers::fuzzing::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let bytes = std::fs::read(&path).expect("corpus file");
            (path.display().to_string(), bytes)
        })
        .collect();
    out.sort();
    out
}

/// xorshift64*: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens worth inserting: the syntax of every input language, odd characters, big numbers.
const TOKENS: &[&str] = &[
    "\n",
    "\r\n",
    "\t",
    " ",
    "\0",
    "\u{7f}",
    "\u{85}",
    "\u{feff}",
    "\u{2028}",
    "é",
    "𝄞",
    "\\",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    ".",
    "=",
    "+=",
    "*",
    "**",
    "#",
    "%",
    "${",
    "<%",
    "%>",
    "<%!",
    "<%def name=\"f()\">",
    "</%def>",
    "<%block>",
    "## ",
    "% if x:",
    "% endif",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{% if x %}",
    "{% endif %}",
    "{% for a in b %}",
    "{% endfor %}",
    "|",
    "|safe",
    "&a",
    "*a",
    "!!str",
    "---",
    "...",
    "- ",
    "? ",
    "[x]",
    "[a.b]",
    "= 1e308",
    "= -1",
    "= nan",
    "= inf",
    "= \"x\"",
    "per_conflict_hunk",
    "FEATURES",
    "FEATURES[\"X\"]",
    "INSTALLED_APPS",
    "def f(",
    "class A:",
    "lambda:",
    "print ",
    "except E, e:",
    "exec ",
    "del ",
    "import ",
    "from x import ",
    "if ",
    "else:",
    "try:",
    "99999999999999999999",
    "-0",
    "0x",
    "1_000",
    "true",
    "null",
    "~",
];

fn mutate(rng: &mut Rng, input: &[u8], corpus: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 | 2 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            3 if !data.is_empty() => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            4 => {
                let (_, other) = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(64)).min(other.len());
                data.splice(at..at, other[from..to].iter().copied());
            }
            _ => {
                // Repeat a slice: deep nesting and long lines.
                let end = (at + rng.below(8)).min(data.len());
                let chunk = data[at..end].to_vec();
                for _ in 0..rng.below(64) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
        }
    }
    data.truncate(64 * 1024);
    data
}

#[test]
fn every_target_has_a_corpus_and_survives_it() {
    for (name, target) in TARGETS {
        let corpus = corpus(name);
        assert!(!corpus.is_empty(), "no corpus for {name}");
        for (path, bytes) in &corpus {
            let result = std::panic::catch_unwind(|| target(bytes));
            assert!(result.is_ok(), "{name} panicked on {path}");
        }
    }
}

#[test]
fn short_fuzz_pass() {
    let iters: usize = std::env::var("FORKCHECK_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    for (t, (name, target)) in TARGETS.iter().enumerate() {
        let corpus = corpus(name);
        let seed = 0x5eed_0000_u64 + t as u64;
        let mut rng = Rng(seed);
        for i in 0..iters {
            let (_, base) = &corpus[rng.below(corpus.len())];
            let input = mutate(&mut rng, base, &corpus);
            let result = std::panic::catch_unwind(|| target(&input));
            assert!(
                result.is_ok(),
                "{name} panicked (seed {seed:#x}, iteration {i}) on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}
