import Foundation

/// What is collected at a drug test.
public enum DrugTestSpecimen: String, Sendable, CaseIterable, Codable {
    case urine
    case oralFluid = "oral_fluid"
    case sweatPatch = "sweat_patch"
    case breath, hair, blood
}

/// When on a test day a specimen may be given, in the wall-clock time of the condition's time zone.
public struct CollectionWindow: Sendable, Equatable, Codable {
    public var startHour: Int
    public var startMinute: Int
    /// Wall-clock hours from the start, so "08:00 for 10 hours" reads 08:00–18:00 on every day, DST or not.
    public var hours: Int

    public init(startHour: Int, startMinute: Int = 0, hours: Int) {
        self.startHour = startHour
        self.startMinute = startMinute
        self.hours = hours
    }

    /// The start as HH:MM, the way it is shown and committed to.
    public var startText: String { String(format: "%02d:%02d", startHour, startMinute) }
}

/// A court's or prosecutor's order to test at random: how often, when, what, for how long.
public struct DrugTestingCondition: Sendable, Equatable, Codable {
    public var minimumPerWeek: Int
    public var window: CollectionWindow
    public var specimen: DrugTestSpecimen
    /// An IANA time zone such as Europe/Lisbon: test days and windows are local to the person.
    public var timeZoneID: String
    /// The first day of the condition.
    public var startDate: CalendarDate
    /// The last day of the condition, included.
    public var endDate: CalendarDate

    public init(
        minimumPerWeek: Int, window: CollectionWindow, specimen: DrugTestSpecimen, timeZoneID: String,
        startDate: CalendarDate, endDate: CalendarDate
    ) {
        self.minimumPerWeek = minimumPerWeek
        self.window = window
        self.specimen = specimen
        self.timeZoneID = timeZoneID
        self.startDate = startDate
        self.endDate = endDate
    }

    /// Longer conditions are refused as typing errors; they also bound the work of drawing and verifying a plan.
    public static let longestDays = 5 * 366

    /// Checks the condition, naming every field that is wrong.
    public func validate() throws(ValidationFailure) {
        var errors = FieldErrors()
        if !(1...7).contains(minimumPerWeek) {
            errors.add("minimumPerWeek", "Give between 1 and 7 tests a week.")
        }
        let startOK = (0...23).contains(window.startHour) && (0...59).contains(window.startMinute)
        if !(0...23).contains(window.startHour) {
            errors.add("window.startHour", "Give the hour the window opens, from 0 to 23.")
        }
        if !(0...59).contains(window.startMinute) {
            errors.add("window.startMinute", "Give the minute the window opens, from 0 to 59.")
        }
        if !(1...24).contains(window.hours) {
            errors.add("window.hours", "Give a window of 1 to 24 hours.")
        } else if startOK && window.startHour * 60 + window.startMinute + window.hours * 60 > 24 * 60 {
            // Each window belongs to one day, so "is today a test day" has one answer and windows never overlap.
            let most = (24 * 60 - window.startHour * 60 - window.startMinute) / 60
            errors.add(
                "window.hours",
                most >= 1
                    ? "The window must close by midnight of the test day; opening at \(window.startText) it lasts at most \(most) hour\(most == 1 ? "" : "s")."
                    : "The window must close by midnight of the test day; open it at 23:00 or earlier."
            )
        }
        if TimeZone(identifier: timeZoneID) == nil {
            errors.add("timeZoneID", "'\(timeZoneID.prefix(40))' is not a time zone; use an IANA name such as Europe/Lisbon.")
        }
        if endDate < startDate {
            errors.add("endDate", "The end date \(endDate) is before the start date \(startDate).")
        } else if endDate.dayNumber - startDate.dayNumber + 1 > Self.longestDays {
            errors.add("endDate", "A testing condition lasts at most \(Self.longestDays) days; check the end date.")
        }
        try errors.throwIfAny()
    }

    /// The calendar the condition is read in: Gregorian, in the person's time zone.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZoneID) ?? .gmt
        return calendar
    }

    /// Whether `date` is one of the condition's days.
    public func covers(_ date: CalendarDate) -> Bool {
        startDate <= date && date <= endDate
    }

    /// The local date of an instant in the condition's time zone (what "today" means for the person).
    public func localDate(of instant: Date) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    /// The collection window on `date` as instants, whether or not it is a test day.
    ///
    /// Start and end are wall-clock times resolved in the time zone on that very day, so they keep their
    /// local time across DST changes. A time the clocks skip opens when they jump; a time that happens
    /// twice means its first occurrence, so a window is never shorter than it looks by more than the skip.
    public func window(on date: CalendarDate) -> (start: Date, end: Date) {
        let calendar = calendar
        let startMinutes = window.startHour * 60 + window.startMinute
        let endMinutes = startMinutes + window.hours * 60
        let start = Self.instant(date, minutes: startMinutes, in: calendar)
        let end = endMinutes >= 24 * 60
            ? Self.instant(date.adding(days: 1), minutes: 0, in: calendar)
            : Self.instant(date, minutes: endMinutes, in: calendar)
        return (start, max(start, end))
    }

    private static func instant(_ date: CalendarDate, minutes: Int, in calendar: Calendar) -> Date {
        let dayStart = calendar.startOfDay(
            for: calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))
                ?? Date(timeIntervalSince1970: 0)
        )
        let wanted = DateComponents(hour: minutes / 60, minute: minutes % 60, second: 0)
        return calendar.nextDate(
            after: dayStart.addingTimeInterval(-1), matching: wanted,
            matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward
        ) ?? dayStart.addingTimeInterval(TimeInterval(minutes * 60))
    }

    /// Every field in a fixed order, each as `<byte length>:<UTF-8 bytes>;`, so the plan's commitment binds the
    /// exact condition it was drawn for and no two conditions encode the same.
    func canonicalEncoding() -> Data {
        let fields = [
            String(minimumPerWeek), window.startText, String(window.hours), specimen.rawValue, timeZoneID,
            startDate.description, endDate.description,
        ]
        var data = Data()
        for field in fields {
            let bytes = Data(field.utf8)
            data.append(contentsOf: Array("\(bytes.count):".utf8))
            data.append(bytes)
            data.append(UInt8(ascii: ";"))
        }
        return data
    }
}

