//! Aligned columns for the terminal, the one table layer (`tabled`, ANSI-aware: styled cells
//! keep their columns aligned). No borders: columns are separated by two spaces, numbers
//! right-aligned, trailing blanks trimmed, every line indented.
//!
//! Cells are display strings the caller has already escaped for the terminal (`escape::term`)
//! and styled; nothing here escapes or styles except the optional dimmed header.

use tabled::builder::Builder;
use tabled::settings::object::{Columns, Segment};
use tabled::settings::{Alignment, Padding, Style as Borders};

use super::style::Style;

/// A table to lay out.
#[derive(Debug, Default)]
pub struct Grid {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Grid {
    pub fn new() -> Grid {
        Grid::default()
    }

    /// A header row, shown dimmed.
    pub fn header(mut self, cells: Vec<String>) -> Grid {
        self.header = Some(cells);
        self
    }

    /// Right-align column `i` (numbers).
    pub fn right(mut self, i: usize) -> Grid {
        self.right.push(i);
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The laid-out lines, each indented by `indent` spaces and ending in a newline.
    pub fn render(self, indent: usize, style: &Style) -> String {
        let has_header = self.header.is_some();
        let mut builder = Builder::default();
        if let Some(h) = self.header {
            builder.push_record(h);
        }
        for r in self.rows {
            builder.push_record(r);
        }
        let mut table = builder.build();
        let columns = table.count_columns();
        table
            .with(Borders::empty())
            .modify(Segment::all(), Padding::new(0, 2, 0, 0))
            .modify(Segment::all(), Alignment::left());
        for &i in &self.right {
            table.modify(Columns::one(i), Alignment::right());
        }
        if columns > 0 {
            table.modify(Columns::one(columns - 1), Padding::new(0, 0, 0, 0));
        }
        let pad = " ".repeat(indent);
        let mut out = String::new();
        for (k, line) in table.to_string().lines().enumerate() {
            let line = line.trim_end();
            if k == 0 && has_header {
                out.push_str(&format!("{pad}{}\n", style.dim(line)));
            } else {
                out.push_str(&format!("{pad}{line}\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_numbers_right_and_ignore_colours() {
        let mut g = Grid::new()
            .header(vec!["area".into(), "files".into()])
            .right(1);
        g.row(vec!["settings".into(), "2".into()]);
        g.row(vec![Style { color: true }.red("themes"), "40".into()]);
        let out = g.render(4, &Style::plain());
        let plain: String = out.replace("\x1b[31m", "").replace("\x1b[0m", "");
        assert_eq!(
            plain,
            "    area      files\n    settings      2\n    themes       40\n"
        );
    }
}
