import Foundation

/// A code a person types on a phone instead of signing in: random, shown once when issued, stored only as a hash.
/// The alphabet leaves out characters read or heard alike (0/O, 1/I/L), so a code can be read out over the phone.
public protocol PersonalCode {
    /// How many characters the code has.
    static var length: Int { get }
    /// How many characters each printed group has.
    static var groupSize: Int { get }
}

extension PersonalCode {
    public static var alphabet: [Character] { Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ") }

    /// A fresh code from the system's cryptographically secure generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A code from `generator`; only tests should pass anything but the system generator.
    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = alphabet
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// What a person typed as the code: case, spaces and hyphens ignored; nil unless it can be a code.
    public static func normalized(_ input: String) -> String? {
        guard input.count <= length * 4 else { return nil }
        let alphabet = alphabet
        let kept = input.uppercased().filter { $0 != " " && $0 != "-" }
        guard kept.count == length, kept.allSatisfy(alphabet.contains) else { return nil }
        return kept
    }

    /// The code in groups, the way it is printed and read out.
    public static func display(_ code: String) -> String {
        guard code.count == length else { return code }
        let chars = Array(code)
        return stride(from: 0, to: length, by: groupSize).map { String(chars[$0..<min($0 + groupSize, length)]) }
            .joined(separator: "-")
    }
}

/// A person's call-in code: what they type on the phone page to learn whether today is a test day (about 49 bits).
public enum CallInCode: PersonalCode {
    public static let length = 10
    public static let groupSize = 5
}

/// What the call-in answers for one date, and nothing about any other day.
public struct CallInAnswer: Sendable, Equatable {
    public let date: CalendarDate
    public let isTestDay: Bool
    /// Local wall-clock times, HH:MM; a window that closes at midnight ends at 24:00.
    public let windowStart: String?
    public let windowEnd: String?
    public let timeZoneID: String
    public let specimen: DrugTestSpecimen?

    public init(date: CalendarDate, isTestDay: Bool, windowStart: String?, windowEnd: String?, timeZoneID: String, specimen: DrugTestSpecimen?) {
        self.date = date
        self.isTestDay = isTestDay
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.timeZoneID = timeZoneID
        self.specimen = specimen
    }

    /// The dates a person may ask about at `now`: today and tomorrow in `timeZoneID`, so the schedule cannot be read ahead.
    public static func askableDates(now: Date, timeZoneID: String) -> [CalendarDate] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZoneID) ?? .gmt
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let today = CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
        return [today, today.adding(days: 1)]
    }

    /// Refuses any date but today and tomorrow in the person's time zone.
    public static func checkAskable(_ date: CalendarDate, now: Date, timeZoneID: String) throws(ValidationFailure) {
        let askable = askableDates(now: now, timeZoneID: timeZoneID)
        guard askable.contains(date) else {
            throw ValidationFailure([FieldError("date", "Ask about today (\(askable[0])) or tomorrow (\(askable[1])); test days are not told further ahead.")])
        }
    }

    /// The answer for `date` across the person's active plans; when two test that day, the window that opens first.
    public static func answer(for date: CalendarDate, plans: [DrugTestPlan], timeZoneID: String) -> CallInAnswer {
        let testing = plans.compactMap { plan in plan.window(on: date).map { (plan, $0) } }.min { $0.1.start < $1.1.start }
        guard let (plan, window) = testing else {
            return CallInAnswer(date: date, isTestDay: false, windowStart: nil, windowEnd: nil, timeZoneID: timeZoneID, specimen: nil)
        }
        let calendar = plan.condition.calendar
        return CallInAnswer(
            date: date, isTestDay: true, windowStart: localTime(window.start, on: date, calendar),
            windowEnd: localTime(window.end, on: date, calendar), timeZoneID: plan.condition.timeZoneID, specimen: plan.condition.specimen
        )
    }

    /// HH:MM of `instant` in `calendar`; midnight after `date` is 24:00, so the window reads as one day's.
    static func localTime(_ instant: Date, on date: CalendarDate, _ calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let day = CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
        if day > date { return "24:00" }
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}
