//! Terminal styling, the one colour layer of the terminal outputs: `anstyle` styles, applied only
//! when wanted (standard output is a terminal and `NO_COLOR` is unset or empty).

use anstyle::{AnsiColor, Style as Ansi};
use forkcheck_analyzers::report::Severity;

const BOLD: Ansi = Ansi::new().bold();
const DIM: Ansi = Ansi::new().dimmed();
const RED: Ansi = AnsiColor::Red.on_default();
const GREEN: Ansi = AnsiColor::Green.on_default();
const YELLOW: Ansi = AnsiColor::Yellow.on_default();
const CYAN: Ansi = AnsiColor::Cyan.on_default();
const BOLD_RED: Ansi = AnsiColor::Red.on_default().bold();

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

/// `--color`: `None` (auto), `Some(true)` (always), `Some(false)` (never); set once by `main`.
static COLOR: std::sync::OnceLock<Option<bool>> = std::sync::OnceLock::new();

/// Record the `--color` choice (`None`: auto). The first call wins.
pub fn set_color(choice: Option<bool>) {
    let _ = COLOR.set(choice);
}

impl Style {
    /// Colours as `--color` says; with `auto` (the default), on when standard output is a
    /// terminal and `NO_COLOR` is unset or empty.
    pub fn detect() -> Style {
        use std::io::IsTerminal;
        if let Some(&Some(forced)) = COLOR.get() {
            return Style { color: forced };
        }
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    pub fn plain() -> Style {
        Style { color: false }
    }

    fn paint(&self, style: Ansi, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint(BOLD, text)
    }
    pub fn dim(&self, text: &str) -> String {
        self.paint(DIM, text)
    }
    pub fn red(&self, text: &str) -> String {
        self.paint(RED, text)
    }
    pub fn green(&self, text: &str) -> String {
        self.paint(GREEN, text)
    }
    pub fn yellow(&self, text: &str) -> String {
        self.paint(YELLOW, text)
    }
    pub fn cyan(&self, text: &str) -> String {
        self.paint(CYAN, text)
    }

    /// `text` in the colour of `severity`: errors bold red, warnings yellow, info cyan.
    pub fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.paint(BOLD_RED, text),
            Severity::Warning => self.yellow(text),
            Severity::Info => self.cyan(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_plain_and_colour_resets() {
        assert_eq!(Style::plain().red("x"), "x");
        let red = Style { color: true }.red("x");
        assert!(
            red.starts_with("\x1b[31m") && red.ends_with("\x1b[0m"),
            "{red:?}"
        );
        let err = Style { color: true }.severity(Severity::Error, "e");
        assert!(
            err.contains("\x1b[31m") && err.contains("\x1b[1m"),
            "{err:?}"
        );
    }
}
