#ifndef QUOTA_EXPORTER_CLIBFUZZER_H
#define QUOTA_EXPORTER_CLIBFUZZER_H

/// Runs libFuzzer's driver (command line, corpus, mutations) on the
/// harness's `LLVMFuzzerTestOneInput`. SwiftPM points an executable's
/// `main` at the module's own entry point, so libFuzzer's `main` is never
/// linked in; each harness's `main.swift` calls this instead.
int quota_fuzz_main(int argc, char **argv);

#endif
