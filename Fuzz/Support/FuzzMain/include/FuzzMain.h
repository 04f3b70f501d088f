#ifndef SWIFT_DHT_FUZZ_MAIN_H
#define SWIFT_DHT_FUZZ_MAIN_H

/// Runs libFuzzer's driver on the harness's `LLVMFuzzerTestOneInput`, with the process's command line.
///
/// SwiftPM renames a Swift executable's entry point to `<Module>_main` and points `main` at it, so libFuzzer's own
/// `main` is never linked; each harness's `@main` calls this instead (see `LLVMFuzzerRunDriver` in libFuzzer's
/// documentation).
int swift_dht_fuzz_main(int argc, char **argv);

#endif
