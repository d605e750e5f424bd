//! errata: error analysis and auditing of machine-learning evaluation sets.
//!
//! Layers, bottom up: [`model`] (pure metrics and domain types), [`data`] (files: tables,
//! media paths, project files), [`app`] (review session state and commands), then
//! [`report`] writers and the [`cli`] on top.

pub mod app;
pub mod cli;
pub mod data;
pub mod model;
pub mod report;
pub mod ui;
