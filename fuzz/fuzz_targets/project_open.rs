//! Any bytes as a project file: opening either fails with a message or gives a project
//! whose tags, checklist and report can all be read, without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| errata_fuzz::project(data));
