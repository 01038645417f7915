// libFuzzer's driver, for programs that keep their own main (SwiftPM renames an executable's
// main, so libFuzzer's cannot be used). Linked only in `make fuzz` builds (-sanitize=fuzzer).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
