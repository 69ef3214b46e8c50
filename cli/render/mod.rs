//! Renderers: pure functions of the report model. They never touch git.

#![allow(dead_code)] // until the renderers use it (issue 2)
pub mod style;
