import Testing
@testable import QuotaConfig

@Suite struct FlagSetTests {
    var flags: FlagSet {
        var flags = FlagSet()
        flags.bool("help", short: "h", help: "Show this help and exit.")
        flags.bool("version", help: "Show version information and exit.")
        flags.string("config.file", default: "quota_exporter.json", help: "Path to the configuration file.")
        flags.repeatable("web.listen-address", default: [":9185"], help: "Address to listen on.")
        flags.duration("scrape.timeout", default: .seconds(10), help: "Upstream request timeout.")
        flags.string("log.level", default: "info", help: "Minimum log level.")
        flags.bool("web.systemd-socket", default: true, help: "Use systemd socket activation.")
        flags.string("web.config.file", help: "TLS and authentication configuration.")
        return flags
    }

    func flagError(_ arguments: [String]) -> String? {
        do {
            _ = try flags.parse(arguments)
            Issue.record("expected a FlagError for \(arguments)")
            return nil
        } catch {
            return error.message
        }
    }

    @Test func defaultsApplyWhenNothingIsGiven() throws {
        let parsed = try flags.parse([])
        #expect(parsed.bool("help") == false)
        #expect(parsed.string("config.file") == "quota_exporter.json")
        #expect(parsed.strings("web.listen-address") == [":9185"])
        #expect(parsed.duration("scrape.timeout") == .seconds(10))
        #expect(parsed.bool("web.systemd-socket") == true)
        #expect(parsed.string("web.config.file") == nil)
        #expect(!parsed.isSet("config.file"))
    }

    @Test func equalsAndSeparateValueForms() throws {
        let parsed = try flags.parse(["--config.file=/etc/q.json", "--log.level", "debug", "--scrape.timeout=1m30s", "--web.config.file="])
        #expect(parsed.string("config.file") == "/etc/q.json")
        #expect(parsed.string("log.level") == "debug")
        #expect(parsed.duration("scrape.timeout") == .seconds(90))
        #expect(parsed.string("web.config.file") == "")
        #expect(parsed.isSet("config.file"))
    }

    @Test func valueMayContainEqualsSigns() throws {
        #expect(try flags.parse(["--config.file=a=b"]).string("config.file") == "a=b")
    }

    @Test func booleanForms() throws {
        #expect(try flags.parse(["--help"]).bool("help"))
        #expect(try flags.parse(["-h"]).bool("help"))
        #expect(try flags.parse(["--help=true"]).bool("help"))
        #expect(try !flags.parse(["--help=false"]).bool("help"))
        #expect(try !flags.parse(["--no-web.systemd-socket"]).bool("web.systemd-socket"))
        #expect(try flags.parse(["--version"]).bool("version"))
    }

    @Test func aBooleanDoesNotConsumeTheNextArgument() {
        #expect(flagError(["--help", "true"]) == "unexpected argument \"true\" (this program takes only flags)")
    }

    @Test func repeatableCollectsInOrderAndReplacesTheDefault() throws {
        let parsed = try flags.parse(["--web.listen-address=:9001", "--web.listen-address", "[::1]:9002"])
        #expect(parsed.strings("web.listen-address") == [":9001", "[::1]:9002"])
    }

    @Test func doubleDashEndsFlags() throws {
        #expect(try flags.parse(["--help", "--"]).bool("help"))
        #expect(flagError(["--", "file.json"]) == "unexpected argument \"file.json\" (this program takes only flags)")
    }

    @Test func unknownFlagSuggestsTheClosest() {
        #expect(flagError(["--web.listen-adress=:1"]) == "unknown flag --web.listen-adress, did you mean --web.listen-address?")
        #expect(flagError(["--verison"]) == "unknown flag --verison, did you mean --version?")
        #expect(flagError(["--no-web.systemd-sockt"]) == "unknown flag --no-web.systemd-sockt, did you mean --no-web.systemd-socket?")
        #expect(flagError(["-help"]) == "unknown flag -help, did you mean --help?")
    }

    @Test func unknownFlagWithoutACloseMatch() {
        #expect(flagError(["--collector.everything"]) == "unknown flag --collector.everything")
        #expect(flagError(["-x"]) == "unknown flag -x")
    }

    @Test func missingValue() {
        #expect(flagError(["--config.file"]) == "missing value for --config.file (use --config.file=FILE)")
        #expect(flagError(["--log.level", "--help"]) == "missing value for --log.level (use --log.level=LEVEL)")
        #expect(flagError(["--web.listen-address", "-h"]) == "missing value for --web.listen-address (use --web.listen-address=ADDRESS)")
    }

    @Test func dashAloneIsAValue() throws {
        #expect(try flags.parse(["--config.file", "-"]).string("config.file") == "-")
    }

    @Test func positionalArgumentsAreRejected() {
        #expect(flagError(["serve"]) == "unexpected argument \"serve\" (this program takes only flags)")
        #expect(flagError(["-"]) == "unexpected argument \"-\" (this program takes only flags)")
    }

    @Test func invalidValues() {
        #expect(flagError(["--help=yes"]) == "invalid value \"yes\" for --help: expected true or false")
        #expect(flagError(["--scrape.timeout=10"]) == "invalid duration \"10\" for --scrape.timeout (expected e.g. 30s, 5m, 1h30m)")
        #expect(flagError(["--no-help=true"]) == "--no-help does not take a value")
        #expect(flagError(["--no-config.file"]) == "--no-config.file: --config.file is not a boolean flag")
    }

    @Test func nonRepeatableFlagsMayAppearOnce() {
        #expect(flagError(["--log.level=info", "--log.level=debug"]) == "flag --log.level was given more than once")
        #expect(flagError(["--help", "--no-help"]) == "flag --help was given more than once")
    }
}

@Suite struct FlagUsageTests {
    @Test func rendersAlignedHelpWithDefaults() {
        var flags = FlagSet()
        flags.bool("help", short: "h", help: "Show this help and exit.")
        flags.string("config.file", default: "quota_exporter.json", help: "Path to the configuration file.")
        flags.repeatable("web.listen-address", default: [":9185"], help: "Address to listen on.")
        flags.duration("scrape.timeout", default: .seconds(90), placeholder: "DURATION", help: "Upstream request timeout.")
        flags.bool("web.systemd-socket", default: true, help: "Use systemd socket activation.")
        flags.string("web.config.file", help: "")
        flags.string("a.very.long.flag.name.that.does.not.fit.in.the.column", help: "Wraps to the next line.")
        let expected = """
            usage: quota_exporter [<flags>]

            Prometheus exporter for cloud provider quotas.

            Flags:
              -h, --[no-]help                       Show this help and exit.
                  --config.file=FILE                Path to the configuration file. (default: quota_exporter.json)
                  --web.listen-address=ADDRESS ...  Address to listen on. (default: :9185)
                  --scrape.timeout=DURATION         Upstream request timeout. (default: 1m30s)
                  --[no-]web.systemd-socket         Use systemd socket activation. (default: true)
                  --web.config.file=FILE
                  --a.very.long.flag.name.that.does.not.fit.in.the.column=COLUMN
                                                    Wraps to the next line.

            """
        #expect(flags.usage(programName: "quota_exporter", summary: "Prometheus exporter for cloud provider quotas.") == expected)
    }

    @Test func withoutSummary() {
        var flags = FlagSet()
        flags.bool("version", help: "Show version.")
        #expect(flags.usage(programName: "q") == "usage: q [<flags>]\n\nFlags:\n      --[no-]version  Show version.\n")
    }
}
