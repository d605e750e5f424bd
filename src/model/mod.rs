//! Pure domain types and metrics. Nothing in here touches files, threads or the UI:
//! everything is a function of arrays of integer codes, so it is easy to test against
//! independent oracles and fast enough to recompute at a million rows.

pub mod agreement;
pub mod analysis;
pub mod audit;
pub mod automation;
pub mod calibration;
pub mod classes;
pub mod comparison;
pub mod counts;
pub mod dataset;
pub mod drift;
pub mod edit_distance;
pub mod filter;
pub mod group;
pub mod hlp;
pub mod ids;
pub mod label_issues;
pub mod labels;
pub mod order;
pub mod priorities;
pub mod slice_finder;
pub mod slices;
pub mod stats;
pub mod tags;
pub mod text;

pub use analysis::Analysis;
pub use dataset::{
    Annotators, ClassProbabilities, EvalSet, EvalSetParts, MISSING, SliceCodes, SliceCodesIter,
    SliceColumn, SliceKind, Task,
};
pub use ids::Ids;
pub use tags::TagBook;
