#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    forkcheck_analyzers::fuzzing::npm_files(data);
});
