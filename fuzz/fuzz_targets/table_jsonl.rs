//! Any bytes as a dataset's JSON Lines table: loading either fails with a message or gives a dataset
//! that analyses and reports without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| errata_fuzz::table("metadata.jsonl", data));
