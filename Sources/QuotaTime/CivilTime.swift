/// A UTC calendar date and time of day, and the arithmetic between it and
/// Unix seconds (proleptic Gregorian calendar, as RFC 3339 and RFC 9110 use).
///
/// The conversion counts days in 400-year eras, each exactly 146 097 days,
/// with years starting on 1 March so that the leap day is the last day of
/// its year; then no table of month lengths is needed for the day number.
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0

    /// Unix seconds of 0000-01-01T00:00:00Z and one second past 9999-12-31T23:59:59Z:
    /// the range both grammars can write with a four-digit year.
    static let earliestUnixSeconds: Int64 = -62_167_219_200
    static let latestUnixSeconds: Int64 = 253_402_300_799

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a valid date (month 1-12, day within the month).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = Int64(month <= 2 ? year - 1 : year)
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400  // 0...399
        let monthFromMarch = Int64(month > 2 ? month - 3 : month + 9)  // March = 0
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + Int64(day) - 1  // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
        return era * 146_097 + dayOfEra - 719_468  // 719 468 days from 0000-03-01 to 1970-01-01
    }

    /// The inverse of `daysFromCivil`.
    static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Whole Unix seconds; the fields must be in range.
    var unixSeconds: Int64 {
        Self.daysFromCivil(year: year, month: month, day: day) * 86_400
            + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    }

    /// The civil time of `unixSeconds` rounded down to the second, clamped to
    /// years 0000-9999 so formatting never needs more than four digits; NaN
    /// becomes the epoch. Formatting is for our own values, so clamping
    /// beats trapping on a value that went wrong upstream.
    init(unixSeconds: Double) {
        let whole: Int64
        if unixSeconds.isNaN {
            whole = 0
        } else if unixSeconds <= Double(Self.earliestUnixSeconds) {
            whole = Self.earliestUnixSeconds
        } else if unixSeconds >= Double(Self.latestUnixSeconds) {
            whole = Self.latestUnixSeconds
        } else {
            whole = Int64(unixSeconds.rounded(.down))
        }
        let days = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        let secondOfDay = Int(whole - days * 86_400)
        let date = Self.civilFromDays(days)
        year = date.year
        month = date.month
        day = date.day
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// 0 = Sunday.
    var weekday: Int {
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        // 1970-01-01 was a Thursday (4).
        return Int(((days % 7) + 7 + 4) % 7)
    }

    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
