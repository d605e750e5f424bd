//! errata: error analysis and auditing of machine-learning evaluation sets.
//!
//! Layers, bottom up: [`model`] (pure metrics and domain types), [`data`] (files: tables,
//! media paths, project files and the one path for edits), [`report`] (the report and how
//! figures are written), [`app`] (state, commands, background jobs) and the [`cli`] beside
//! it, then [`ui`] (the window, which draws the app and sends it commands).

pub mod app;
pub mod cli;
pub mod data;
pub mod model;
pub mod report;
pub mod ui;
