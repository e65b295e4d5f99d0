import QuotaConfig

/// What the exporter keeps across restarts, and its on-disk format:
///
/// ```json
/// {"version":1,"instances":{"<instance id>":{"receiver_secret":"…","notifications":[
///   {"id":"…","unit":1,"period_start":1793491200,"threshold":50,"usage":500,"received_at":1793923200.5}]}}}
/// ```
///
/// Versioned so a future format change can read old files and refuse
/// newer ones instead of destroying them.
struct ZitadelState: Sendable, Equatable {
    static let version = 1

    struct Instance: Sendable, Equatable {
        /// Generated when the configuration names none; kept so ZITADEL's
        /// stored callUrl stays valid across restarts.
        var receiverSecret: String?
        var notifications: [ZitadelNotification] = []
    }

    var instances: [String: Instance] = [:]

    struct DecodingError: Error, Sendable, CustomStringConvertible {
        var description: String
        /// True when the file is valid but from a newer exporter: it must not
        /// be moved aside or overwritten.
        var newerVersion = false
    }

    func serialized() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        for id in instances.keys.sorted() {
            let instance = instances[id]!
            var object = JSONObject()
            if let secret = instance.receiverSecret {
                object["receiver_secret"] = .string(secret)
            }
            object["notifications"] = .array(instance.notifications.map(Self.encode))
            members.append((key: id, value: .object(object)))
        }
        let document: JSONValue = ["version": .number(JSONNumber(Self.version)), "instances": .object(JSONObject(members))]
        return Array((document.serialized() + "\n").utf8)
    }

    static func decode(_ bytes: [UInt8]) throws(DecodingError) -> ZitadelState {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw DecodingError(description: "not valid JSON: \(error)")
        }
        guard let version = document["version"]?.intValue else {
            throw DecodingError(description: "no integer \"version\"")
        }
        guard version <= Self.version else {
            throw DecodingError(description: "format version \(version) is newer than this exporter's (\(Self.version))", newerVersion: true)
        }
        guard version == Self.version, let instances = document["instances"]?.objectValue else {
            throw DecodingError(description: "no \"instances\" object")
        }
        var state = ZitadelState()
        for (id, value) in instances {
            var instance = Instance()
            if let secret = value["receiver_secret"] {
                guard let text = secret.stringValue, !text.isEmpty else {
                    throw DecodingError(description: "instance \(id): \"receiver_secret\" is not a non-empty string")
                }
                instance.receiverSecret = text
            }
            guard let notifications = value["notifications"]?.arrayValue else {
                throw DecodingError(description: "instance \(id): no \"notifications\" array")
            }
            for (index, item) in notifications.enumerated() {
                guard let notification = decodeNotification(item) else {
                    throw DecodingError(description: "instance \(id): notification \(index) is malformed")
                }
                instance.notifications.append(notification)
            }
            state.instances[id] = instance
        }
        return state
    }

    private static func encode(_ notification: ZitadelNotification) -> JSONValue {
        [
            "id": .string(notification.id),
            "unit": .number(JSONNumber(notification.unit.rawValue)),
            "period_start": number(notification.periodStart),
            "threshold": .number(JSONNumber(notification.threshold)),
            "usage": .number(JSONNumber(notification.usage)),
            "received_at": number(notification.receivedAt),
        ]
    }

    private static func decodeNotification(_ value: JSONValue) -> ZitadelNotification? {
        guard let id = value["id"]?.stringValue,
              let unit = value["unit"]?.intValue.flatMap(ZitadelUnit.init(rawValue:)),
              let periodStart = value["period_start"]?.doubleValue,
              let threshold = value["threshold"]?.int64Value,
              let usage = value["usage"]?.uint64Value,
              let receivedAt = value["received_at"]?.doubleValue
        else { return nil }
        return ZitadelNotification(id: id, unit: unit, periodStart: periodStart, threshold: threshold, usage: usage, receivedAt: receivedAt)
    }

    /// Whole seconds as integers so the file reads naturally; fractions kept when there are any.
    private static func number(_ value: Double) -> JSONValue {
        if value == value.rounded(), let integer = Int64(exactly: value) {
            return .number(JSONNumber(integer))
        }
        return .number(JSONNumber(value) ?? JSONNumber(0))
    }
}
