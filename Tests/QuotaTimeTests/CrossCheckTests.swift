import Foundation
import LoopbackSupport
import Testing

@testable import QuotaTime

/// Thousands of random instants checked against Python's `datetime`, an
/// implementation that shares nothing with ours.
@Suite struct CrossCheckTests {
    struct Sample {
        var rfc3339: String
        var seconds: Double
        var utcText: String
        var httpDate: String
        var rfc850: String
        var asctime: String
        var year: Int
    }

    /// Python picks random instants in years 1-9999 (its range) with random
    /// offsets and fractions, and prints each with its own formatting.
    static func samples() async throws -> [Sample] {
        let script = #"""
import datetime, random, sys
random.seed(10)
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
lo = int((datetime.datetime(1, 1, 2, tzinfo=datetime.timezone.utc) - epoch).total_seconds())
hi = int((datetime.datetime(9999, 12, 30, tzinfo=datetime.timezone.utc) - epoch).total_seconds())
for i in range(4000):
    whole = random.randint(lo, hi) if i % 2 else random.randint(-2**31, 2**33)
    micro = random.randint(0, 999999) if i % 3 else 0
    offset = random.randint(-1439, 1439) if i % 5 else 0
    t = epoch + datetime.timedelta(seconds=whole, microseconds=micro)
    local = t.astimezone(datetime.timezone(datetime.timedelta(minutes=offset)))
    # strftime's %Y does not pad years below 1000 on glibc: pad by hand.
    text = '%04d-%02d-%02dT%02d:%02d:%02d' % (local.year, local.month, local.day, local.hour, local.minute, local.second)
    if micro:
        text += '.%06d' % micro
    if offset == 0 and i % 7:
        text += 'Z'
    else:
        text += '%s%02d:%02d' % ('-' if offset < 0 else '+', abs(offset) // 60, abs(offset) % 60)
    u = t.replace(microsecond=0)
    year = '%04d' % u.year
    print(text, whole, micro, year + u.strftime('-%m-%dT%H:%M:%SZ'),
          u.strftime('%a, %d %b ') + year + u.strftime(' %H:%M:%S GMT'),
          u.strftime('%A, %d-%b-%y %H:%M:%S GMT'),
          u.strftime('%a %b %d %H:%M:%S ') + year, u.year, sep='|')
"""#
        let python = try await ChildCommand(["python3", "-c", script], environment: .adding(["LC_ALL": "C"]), niceness: ChildCommand.toolNiceness).run()
        #expect(python.status == 0, "\(python.stderrText)")
        return python.stdoutText.split(separator: "\n").map { line in
            let fields = line.split(separator: "|").map(String.init)
            let whole = Double(fields[1])!, micro = Double(fields[2])!
            // asctime pads the day with a space, not a zero.
            var asctime = fields[6]
            let dayStart = asctime.index(asctime.startIndex, offsetBy: 8)
            if asctime[dayStart] == "0" { asctime.replaceSubrange(dayStart...dayStart, with: " ") }
            return Sample(
                rfc3339: fields[0], seconds: whole + micro / 1_000_000, utcText: fields[3],
                httpDate: fields[4], rfc850: fields[5], asctime: asctime, year: Int(fields[7])!
            )
        }
    }

    @Test func randomInstantsMatchPython() async throws {
        let samples = try await Self.samples()
        #expect(samples.count == 4000)
        for sample in samples {
            let whole = sample.seconds.rounded(.down)
            #expect(try RFC3339.parse(sample.rfc3339) == sample.seconds, "\(sample.rfc3339)")
            #expect(RFC3339.format(unixSeconds: sample.seconds) == sample.utcText)
            #expect(HTTPDate.format(unixSeconds: sample.seconds) == sample.httpDate)
            #expect(try HTTPDate.parse(sample.httpDate) == whole)
            #expect(try HTTPDate.parse(sample.asctime) == whole, "\(sample.asctime)")
            #expect(try HTTPDate.parse(sample.rfc850, currentYear: sample.year + 20) == whole, "\(sample.rfc850)")
        }
    }

    /// Foundation agrees on the instants around now, where providers' dates are.
    @Test func recentInstantsMatchFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let seconds = Double(Int64.random(in: 0...4_102_444_800, using: &generator))
            let text = formatter.string(from: Date(timeIntervalSince1970: seconds))
            #expect(RFC3339.format(unixSeconds: seconds) == text)
            #expect(try RFC3339.parse(text) == seconds)
        }
    }
}
