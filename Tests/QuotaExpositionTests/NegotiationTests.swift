import Testing
import QuotaExposition

@Suite("Accept header negotiation")
struct NegotiationTests {
    static let table: [(accept: String?, expected: ExpositionFormat, why: String)] = [
        (
            "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.1",
            .openMetrics, "Prometheus 2"
        ),
        (
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
            .openMetrics, "Prometheus 3 default"
        ),
        (
            "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.4,application/openmetrics-text;version=1.0.0;q=0.3,*/*;q=0.1",
            .text, "Prometheus 3 preferring text"
        ),
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.1",
            .openMetrics, "protobuf first: not offered, OpenMetrics is next"
        ),
        ("*/*", .text, "curl"),
        (nil, .text, "absent"),
        ("", .text, "empty"),
        ("application/openmetrics-text", .openMetrics, "OpenMetrics only"),
        ("application/openmetrics-text; version=1.0.0", .openMetrics, "OpenMetrics 1.0.0 with spaces"),
        ("Application/OpenMetrics-Text;Version=\"1.0.0\"", .openMetrics, "case and quoting"),
        ("application/openmetrics-text;version=0.0.1", .openMetrics, "OpenMetrics 0.0.1"),
        ("application/openmetrics-text;version=2.0.0", .text, "unknown OpenMetrics version"),
        ("application/openmetrics-text;q=0,text/plain;q=0.1", .text, "q=0 is not acceptable"),
        ("application/openmetrics-text;q=0", .text, "nothing acceptable"),
        ("text/plain;q=0,application/openmetrics-text;q=0.1", .openMetrics, "text refused"),
        ("application/openmetrics-text;q=0.5,text/plain;q=0.5", .text, "tie goes to text"),
        ("application/openmetrics-text;q=0.5,*/*", .text, "wildcard outranks"),
        ("application/openmetrics-text;q=0.5,text/*;q=0.4", .openMetrics, "text/* counts as text"),
        ("application/openmetrics-text;q=0.5,text/plain;q=0.1,*/*;q=0.9", .openMetrics, "explicit text q beats */*"),
        ("application/*", .text, "application/* does not select OpenMetrics"),
        ("application/openmetrics-text;q=0.9,,text/plain;q=0.1", .openMetrics, "empty list element"),
        ("application/openmetrics-text;foo=\"a,b;c\";q=0.9,text/plain;q=0.1", .openMetrics, "quoted separators"),
        ("application/openmetrics-text;q=1.,text/plain;q=0.", .openMetrics, "q with a bare decimal point"),
        ("application/openmetrics-text;q=abc", .text, "malformed q"),
        ("application/openmetrics-text;q=1.5", .text, "q above 1"),
        ("application/openmetrics-text;q=0x1p-1,text/plain;q=0.1", .text, "hex q"),
        ("application/openmetrics-text;q=0.1234,text/plain;q=0.1", .text, "q with four decimals"),
        ("application/openmetrics-text;version", .text, "parameter without value"),
        ("openmetrics", .text, "no slash"),
        ("*/plain", .text, "wildcard type with concrete subtype"),
        ("application/openmetrics-text;foo=\"unterminated", .text, "unbalanced quote"),
    ]

    @Test(arguments: table)
    func negotiates(_ row: (accept: String?, expected: ExpositionFormat, why: String)) {
        #expect(ExpositionFormat.negotiate(accept: row.accept) == row.expected, "\(row.why)")
    }
}
