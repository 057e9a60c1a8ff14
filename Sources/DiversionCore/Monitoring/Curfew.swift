import Foundation

/// The hours a person must be at home: a circle around the home, local start and end times, the days a period starts on, and the home's time zone.
///
/// Times are wall-clock times in the curfew's own time zone, so "21:00" stays 21:00 through daylight-saving changes and
/// whatever zone the server runs in. A period that crosses midnight belongs to the day it starts: Friday 21:00 to
/// Saturday 06:00 is Friday's, and only Friday needs to be among the days.
public struct Curfew: Sendable, Equatable {
    public let home: GeoCircle
    public let start: Time
    public let end: Time
    public let days: Set<Weekday>
    public let timeZone: TimeZone
    private let calendar: Calendar

    /// Radii outside this are typing errors: under 10 m is inside a GPS fix's own error, over 5 km is no longer a home.
    public static let radiusRange = 10.0...5000.0

    /// Checks every field and names each problem; `path` prefixes the field names (such as `conditions[0].parameters`).
    public init(
        home: GeoPoint, radiusMeters: Double, start: String, end: String, days: [String], timeZone: String, path: String = ""
    ) throws(ValidationFailure) {
        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        var errors = FieldErrors()
        if !(home.latitude.isFinite && (-90...90).contains(home.latitude)) { errors.add(name("latitude"), "A latitude is from -90 to 90.") }
        if !(home.longitude.isFinite && (-180...180).contains(home.longitude)) { errors.add(name("longitude"), "A longitude is from -180 to 180.") }
        if !(radiusMeters.isFinite && Self.radiusRange.contains(radiusMeters)) {
            errors.add(name("radiusMeters"), "Give a radius from \(Int(Self.radiusRange.lowerBound)) to \(Int(Self.radiusRange.upperBound)) metres.")
        }
        let from = Time(start), to = Time(end)
        if from == nil { errors.add(name("start"), "Write a time as HH:MM, such as 21:00.") }
        if to == nil { errors.add(name("end"), "Write a time as HH:MM, such as 06:00.") }
        if let from, let to, from == to { errors.add(name("end"), "The curfew would end when it starts; give different start and end times.") }
        var weekdays: Set<Weekday> = []
        if days.isEmpty { errors.add(name("days"), "Name at least one day the curfew starts on.") }
        for (i, text) in days.enumerated() {
            if let day = Weekday(text: text) { weekdays.insert(day) } else {
                errors.add(name("days[\(i)]"), "'\(text.prefix(20))' is not a day; use \(Weekday.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        let zone = TimeZone(identifier: timeZone)
        if zone == nil { errors.add(name("timeZone"), "'\(timeZone.prefix(40))' is not a time zone; use an IANA name such as Europe/Lisbon.") }
        try errors.throwIfAny()
        self.init(home: GeoCircle(centre: home, radiusMeters: radiusMeters), start: from!, end: to!, days: weekdays, timeZone: zone!)
    }

    /// For values already checked, such as a curfew read back from storage.
    public init(home: GeoCircle, start: Time, end: Time, days: Set<Weekday>, timeZone: TimeZone) {
        self.home = home
        self.start = start
        self.end = end
        self.days = days
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public var timeZoneID: String { timeZone.identifier }

    /// A period ends the next day when its end time is not after its start time.
    public var crossesMidnight: Bool { end <= start }

    /// Whether the person must be at home at `instant`.
    public func isActive(at instant: Date) -> Bool { period(containing: instant) != nil }

    /// The curfew period in force at `instant`, or nil when none is.
    public func period(containing instant: Date) -> CurfewPeriod? {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        guard let year = c.year, let month = c.month, let day = c.day else { return nil }
        let today = CalendarDate(year: year, month: month, day: day).dayNumber
        // Last night's period may still be running in the small hours; today's may have begun.
        for candidate in crossesMidnight ? [today - 1, today] : [today] {
            if let period = period(startingOn: CalendarDate(dayNumber: candidate)), period.start <= instant, instant < period.end { return period }
        }
        return nil
    }

    /// The period that starts on the local date `day`, or nil when the curfew does not start that day.
    ///
    /// A start or end time that does not exist because the clocks went forward is taken as the first moment after the jump
    /// (02:30 on a night that skips 02:00–03:00 becomes 03:00); a time that happens twice because the clocks went back is
    /// taken at its first occurrence. So the period is as long as the wall clock says, an hour shorter or longer on those nights.
    public func period(startingOn day: CalendarDate) -> CurfewPeriod? {
        guard days.contains(Weekday(day)) else { return nil }
        let endDay = crossesMidnight ? day.adding(days: 1) : day
        guard let from = instant(day, start), let to = instant(endDay, end) else { return nil }
        return CurfewPeriod(day: day, start: from, end: to)
    }

    /// The first instant at which the local wall clock reads `time` on `day`, or the first after it when the clocks skip it.
    private func instant(_ day: CalendarDate, _ time: Time) -> Date? {
        let wanted = DateComponents(year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute)
        guard let guess = calendar.date(from: wanted) else { return nil }
        let back = calendar.dateComponents([.day, .hour, .minute], from: guess)
        if back.day == day.day && back.hour == time.hour && back.minute == time.minute { return guess }
        // The time fell in a gap: the guess landed as far past the gap as the time was into it, so the jump lies in
        // (guess - shift, guess]. Offsets change on whole minutes, so a search by minute finds it exactly.
        let after = timeZone.secondsFromGMT(for: guess)
        let shift = TimeInterval(after - timeZone.secondsFromGMT(for: guess.addingTimeInterval(-86_400)))
        guard shift > 0 else { return guess }
        // Find the most minutes back from the guess at which the new offset already applies.
        var low = 0, high = Int(shift / 60)
        while low < high {
            let mid = (low + high + 1) / 2
            if timeZone.secondsFromGMT(for: guess.addingTimeInterval(-Double(mid) * 60)) == after { low = mid } else { high = mid - 1 }
        }
        return guess.addingTimeInterval(-Double(low) * 60)
    }
}

extension Curfew {
    /// A local time of day, written HH:MM.
    public struct Time: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
        public let hour: Int
        public let minute: Int

        public init?(hour: Int, minute: Int) {
            guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            self.hour = hour
            self.minute = minute
        }

        /// Parses "21:00" or "9:30"; 24:00 is refused because a curfew ending at midnight ends at 00:00.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
                  parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let h = Int(parts[0]), let m = Int(parts[1])
            else { return nil }
            self.init(hour: h, minute: m)
        }

        public var description: String { String(format: "%02d:%02d", hour, minute) }

        public static func < (a: Time, b: Time) -> Bool { (a.hour, a.minute) < (b.hour, b.minute) }
    }

    /// A day of the week, named as the curfew condition names it.
    public enum Weekday: String, Sendable, CaseIterable, Codable, Comparable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// Accepts the full name in any case, or its first three letters ("fri").
        public init?(text: String) {
            let lower = text.trimmingCharacters(in: .whitespaces).lowercased()
            guard let day = Self.allCases.first(where: { $0.rawValue == lower || (lower.count == 3 && $0.rawValue.hasPrefix(lower)) }) else { return nil }
            self = day
        }

        /// The weekday of a calendar date, from the day count since 1970-01-01 (a Thursday).
        public init(_ date: CalendarDate) {
            let index = date.weekdayIndex
            self = Self.allCases[index]
        }

        public static func < (a: Weekday, b: Weekday) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }
}

/// One curfew period: the local day it belongs to (the day it starts) and the instants it runs between.
public struct CurfewPeriod: Sendable, Hashable, Codable {
    public let day: CalendarDate
    public let start: Date
    public let end: Date

    public init(day: CalendarDate, start: Date, end: Date) {
        self.day = day
        self.start = start
        self.end = end
    }
}
