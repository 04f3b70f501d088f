#include "FuzzMain.h"

#include <stddef.h>
#include <stdint.h>

// Defined by the harness, in Swift, with @_cdecl("LLVMFuzzerTestOneInput").
extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// libFuzzer's entry for programs that have their own main (libclang_rt.fuzzer, linked by -sanitize=fuzzer).
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int swift_dht_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
