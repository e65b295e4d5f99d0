#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 9110 §5.6.7 HTTP-date, parsed strictly without Foundation or ICU.
///
/// Accepted, exactly as the grammar spells them (names are case-sensitive,
/// single spaces): IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the two
/// obsolete forms a recipient must accept, rfc850-date
/// `Sunday, 06-Nov-94 08:49:37 GMT` and asctime-date `Sun Nov  6 08:49:37 1994`.
/// Fields are range-checked as in `RFC3339`, a leap second is read as
/// 59.999999, and the weekday must be a valid name but is not checked
/// against the date (the RFC gives it no meaning for a recipient).
/// A two-digit rfc850 year is the year with those digits in the window from
/// 49 years before now to 50 ahead: one more than 50 years ahead is the most
/// recent past year with those digits, as §5.6.7 requires.
public enum HTTPDate {
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let longWeekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds.
    public static func parse(_ text: some StringProtocol) throws(TimestampError) -> Double {
        try parse(text, currentYear: CivilTime(unixSeconds: Double(time(nil))).year)
    }

    /// `currentYear` only matters for rfc850-date's two-digit year.
    static func parse(_ text: some StringProtocol, currentYear: Int) throws(TimestampError) -> Double {
        var input = TimestampInput(text)
        guard !input.isAtEnd else { throw input.error("empty, expected an HTTP date") }
        // Long names first: "Sunday" also begins with "Sun".
        if (try? input.oneOf(longWeekdays, "")) != nil {
            return try rfc850(&input, currentYear: currentYear)
        }
        _ = try input.oneOf(weekdays, "a weekday such as \"Sun\"")
        if input.skip(UInt8(ascii: ",")) {
            return try imfFixdate(&input)
        }
        return try asctime(&input)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, after the weekday and comma.
    private static func imfFixdate(_ input: inout TimestampInput) throws(TimestampError) -> Double {
        try space(&input)
        var time = CivilTime(year: 0, month: 1, day: 1)
        time.day = try input.digits(2, "day")
        try space(&input)
        time.month = try input.oneOf(months, "a month such as \"Nov\"") + 1
        try space(&input)
        time.year = try input.digits(4, "year")
        try space(&input)
        try timeOfDay(&input, into: &time)
        try space(&input)
        try gmt(&input)
        return try finish(time, input)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`, after the weekday.
    private static func rfc850(_ input: inout TimestampInput, currentYear: Int) throws(TimestampError) -> Double {
        try input.expect(UInt8(ascii: ","), "\",\" after the weekday")
        try space(&input)
        var time = CivilTime(year: 0, month: 1, day: 1)
        time.day = try input.digits(2, "day")
        try input.expect(UInt8(ascii: "-"), "\"-\" after the day")
        time.month = try input.oneOf(months, "a month such as \"Nov\"") + 1
        try input.expect(UInt8(ascii: "-"), "\"-\" after the month")
        let twoDigits = try input.digits(2, "year")
        // The year with these last digits in the century around now: at
        // most 50 years ahead, else the most recent past one.
        var year = currentYear - currentYear % 100 + twoDigits
        if year > currentYear + 50 {
            year -= 100
        } else if year <= currentYear - 50 {
            year += 100
        }
        time.year = year
        try space(&input)
        try timeOfDay(&input, into: &time)
        try space(&input)
        try gmt(&input)
        return try finish(time, input)
    }

    /// `Sun Nov  6 08:49:37 1994`, after the weekday.
    private static func asctime(_ input: inout TimestampInput) throws(TimestampError) -> Double {
        try space(&input)
        var time = CivilTime(year: 0, month: 1, day: 1)
        time.month = try input.oneOf(months, "a month such as \"Nov\"") + 1
        try space(&input)
        if input.skip(UInt8(ascii: " ")) {
            time.day = try input.digits(1, "day")
        } else {
            time.day = try input.digits(2, "day")
        }
        try space(&input)
        try timeOfDay(&input, into: &time)
        try space(&input)
        time.year = try input.digits(4, "year")
        return try finish(time, input)
    }

    private static func timeOfDay(_ input: inout TimestampInput, into time: inout CivilTime) throws(TimestampError) {
        time.hour = try input.digits(2, "hour")
        try input.expect(UInt8(ascii: ":"), "\":\" after the hour")
        time.minute = try input.digits(2, "minute")
        try input.expect(UInt8(ascii: ":"), "\":\" after the minute")
        time.second = try input.digits(2, "second")
    }

    private static func space(_ input: inout TimestampInput) throws(TimestampError) {
        try input.expect(UInt8(ascii: " "), "a space")
    }

    private static func gmt(_ input: inout TimestampInput) throws(TimestampError) {
        guard input.skip(word: "GMT") else { throw input.error("expected \"GMT\" at offset \(input.offset)") }
    }

    private static func finish(_ time: CivilTime, _ input: TimestampInput) throws(TimestampError) -> Double {
        guard input.isAtEnd else { throw input.error("unexpected text after the date at offset \(input.offset)") }
        return try RFC3339.unixSeconds(time, microseconds: 0, input: input)
    }

    /// IMF-fixdate in GMT, whole seconds, clamped like `RFC3339.format`.
    public static func format(unixSeconds: Double) -> String {
        String(decoding: bytes(unixSeconds: unixSeconds), as: UTF8.self)
    }

    /// `format`'s text as bytes, written in place: every HTTP response
    /// carries a `Date`, and building it by string interpolation cost
    /// ~6 500 instructions, more than the rest of a small response head.
    public static func bytes(unixSeconds: Double) -> [UInt8] {
        let time = CivilTime(unixSeconds: unixSeconds)
        return [UInt8](unsafeUninitializedCapacity: imfFixdateLength) { buffer, count in
            count = 0
            func put(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func put(_ text: [UInt8]) {
                for byte in text { put(byte) }
            }
            func put(digits value: Int, _ width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                    divisor /= 10
                }
            }
            put(weekdayBytes[time.weekday])
            put(UInt8(ascii: ","))
            put(UInt8(ascii: " "))
            put(digits: time.day, 2)
            put(UInt8(ascii: " "))
            put(monthBytes[time.month - 1])
            put(UInt8(ascii: " "))
            put(digits: time.year, 4)  // 0000-9999: clamped
            put(UInt8(ascii: " "))
            put(digits: time.hour, 2)
            put(UInt8(ascii: ":"))
            put(digits: time.minute, 2)
            put(UInt8(ascii: ":"))
            put(digits: time.second, 2)
            put(gmtBytes)
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static let imfFixdateLength = 29
    private static let weekdayBytes = weekdays.map { Array($0.utf8) }
    private static let monthBytes = months.map { Array($0.utf8) }
    private static let gmtBytes = Array(" GMT".utf8)
}
