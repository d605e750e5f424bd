//! Any text as a media path: a path errata accepts never leads outside the dataset folder,
//! whatever the links, separators or dots in it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| errata_fuzz::media_path(data));
