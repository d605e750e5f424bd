//! Any text as a tag CSV for `import-tags`: parsing either fails naming a line, or gives
//! assignments that survive `export-tags` and reading back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| errata_fuzz::tag_csv(data));
