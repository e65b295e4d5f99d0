import CLibFuzzer
import Glibc

exit(quota_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
