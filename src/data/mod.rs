//! Data access: finding and reading evaluation-set tables (polars), column roles, media paths.
//! Everything here may touch the disk; nothing here draws.

pub mod audit_spec;
pub mod comparison;
pub mod contain;
pub mod encode;
pub mod error;
pub mod files;
pub mod load;
pub mod mapping;
pub mod media;
pub mod media_metrics;
pub mod progress;
pub mod project;
pub mod slice_plan;
pub mod slicing;
pub mod store;
pub mod table;

pub use error::LoadError;
pub use load::{
    CountedDataset, Dataset, PART_ROWS, PARTS_FROM_ROWS, Preview, ReferenceSource, count_in_parts,
    load, load_current, load_reference, load_with, parts_for, preview,
};
pub use mapping::{ColumnRoles, MappingRequest};
pub use progress::Progress;
