//! Any text as an audit spec: parsing either fails with a message naming a line, or gives a
//! spec that survives writing and reading back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| errata_fuzz::audit_spec(data));
