#if canImport(Glibc)
import Glibc
#endif
import QuotaExporter

// Everything lives in the QuotaExporter library so tests can run it; this
// file only hands over the arguments and the exit code.
let status = await Exporter.main(arguments: Array(CommandLine.arguments.dropFirst()))
exit(status)
