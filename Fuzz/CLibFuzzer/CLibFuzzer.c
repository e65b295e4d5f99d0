#include "CLibFuzzer.h"

#include <stddef.h>
#include <stdint.h>

// Provided by libclang_rt.fuzzer (linked by -sanitize=fuzzer) and by the
// harness (`@_cdecl("LLVMFuzzerTestOneInput")`).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int quota_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
