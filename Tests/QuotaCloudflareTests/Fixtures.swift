/// Account IDs and credentials the tests use. The first account and
/// token are the ones in the seed pages' examples.
enum Fixture {
    static let accountA = "01a7362d577a6c3019a474fd6f485823"
    static let accountB = "0123456789abcdef0123456789abcdef"
    static let accountC = "fedcba9876543210fedcba9876543210"
    static let tokenA = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY"
    static let tokenB = "tokenB-9f2c1e7a5d3b4c6e8f0a1b2c3d4e5f6a7b8c"
    static let email = "user@example.com"
    static let globalKey = "144c9defac04969c7bfad8efaa8ea194"

    static let dexPath = "dex/commands/quota"
    static let buildsPath = "builds/account/limits"
    static let aiGatewayPath = "ai-gateway/billing/spending-limit"

    /// `provider="cloudflare",account="…"`, the start of every data series.
    static func series(_ account: String, _ quota: String, _ unit: String) -> String {
        "provider=\"cloudflare\",account=\"\(account)\",quota=\"\(quota)\",unit=\"\(unit)\""
    }

    static func dex(_ account: String) -> String { series(account, "dex_commands", "commands") }
    static func builds(_ account: String) -> String { series(account, "workers_build_minutes", "minutes") }
    static func aiGateway(_ account: String) -> String { series(account, "ai_gateway_spending", "usd") }

    /// `provider="cloudflare",account="…",collector="…"`.
    static func target(_ account: String, _ collector: String) -> String {
        "provider=\"cloudflare\",account=\"\(account)\",collector=\"\(collector)\""
    }

    /// A success envelope around `result`.
    static func envelope(_ result: String) -> String {
        "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":\(result)}"
    }
}
