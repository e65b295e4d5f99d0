/// The two things a ZITADEL quota can count. ZITADEL names them three ways:
/// an enum string in the system API (`UNIT_REQUESTS_ALL_AUTHENTICATED`), a
/// number in its notifications (`1`), and we add a metric-friendly name.
public enum ZitadelUnit: Int, Sendable, Hashable, CaseIterable, Comparable {
    case requestsAllAuthenticated = 1
    case actionsAllRunSeconds = 2

    /// The value of `unit` in SetQuota/AddQuota bodies.
    public var apiName: String {
        switch self {
        case .requestsAllAuthenticated: "UNIT_REQUESTS_ALL_AUTHENTICATED"
        case .actionsAllRunSeconds: "UNIT_ACTIONS_ALL_RUN_SECONDS"
        }
    }

    /// The `quota` label and the `unit` key of the configuration.
    public var quotaName: String {
        switch self {
        case .requestsAllAuthenticated: "requests_all_authenticated"
        case .actionsAllRunSeconds: "actions_all_run_seconds"
        }
    }

    /// The `unit` label: what `amount` and `usage` count.
    public var metricUnit: String {
        switch self {
        case .requestsAllAuthenticated: "requests"
        case .actionsAllRunSeconds: "seconds"
        }
    }

    public init?(quotaName: String) {
        guard let unit = Self.allCases.first(where: { $0.quotaName == quotaName }) else { return nil }
        self = unit
    }

    public static func < (lhs: ZitadelUnit, rhs: ZitadelUnit) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
