import Foundation
import Testing
@testable import DiversionCore

/// An instant written in UTC, such as "2026-03-28T21:00:00Z".
func utcInstant(_ text: String) -> Date {
    guard let date = ISO8601DateFormatter().date(from: text) else { fatalError("bad test instant \(text)") }
    return date
}

let lisbonHome = GeoPoint(latitude: 38.7223, longitude: -9.1393)

func homeCurfew(
    _ start: String = "21:00", _ end: String = "06:00", days: [String] = Curfew.Weekday.allCases.map(\.rawValue),
    zone: String = "Europe/Lisbon", radius: Double = 100
) throws -> Curfew {
    try Curfew(home: lisbonHome, radiusMeters: radius, start: start, end: end, days: days, timeZone: zone)
}

@Suite("Curfew hours")
struct CurfewTests {
    @Test(arguments: [
        // Friday 20 November 2026; Lisbon is on UTC in winter. Only Friday's night is a curfew night.
        ("2026-11-20T20:59:00Z", nil as String?),
        ("2026-11-20T21:00:00Z", "2026-11-20"),
        ("2026-11-20T23:59:59Z", "2026-11-20"),
        ("2026-11-21T00:00:00Z", "2026-11-20"), // after midnight it is still Friday's night
        ("2026-11-21T05:59:59Z", "2026-11-20"),
        ("2026-11-21T06:00:00Z", nil), // the end is not part of the period
        ("2026-11-21T22:00:00Z", nil), // Saturday night is not a curfew night
        ("2026-11-20T03:00:00Z", nil), // Thursday's night is not one either
        ("2026-11-27T22:00:00Z", "2026-11-27"), // the next Friday
    ])
    func aNightAcrossMidnightBelongsToTheDayItStarts(instant: String, day: String?) throws {
        let fridays = try homeCurfew(days: ["friday"])
        #expect(fridays.period(containing: utcInstant(instant))?.day.description == day)
        #expect(fridays.isActive(at: utcInstant(instant)) == (day != nil))
    }

    @Test func theWeekdayOfTheStartIsWhatCounts() throws {
        let curfew = try homeCurfew("23:00", "05:00", days: ["monday", "wednesday"])
        // 2026-11-16 is a Monday. At 23:30 the nights that start on Monday and Wednesday are on;
        // at 03:00 it is the mornings after them, Tuesday and Thursday.
        let late = (16...22).map { curfew.isActive(at: utcInstant("2026-11-\($0)T23:30:00Z")) }
        let early = (16...22).map { curfew.isActive(at: utcInstant("2026-11-\($0)T03:00:00Z")) }
        #expect(late == [true, false, true, false, false, false, false])
        #expect(early == [false, true, false, true, false, false, false])
    }

    @Test(arguments: [
        ("2026-11-20T08:59:00Z", false), ("2026-11-20T09:00:00Z", true), ("2026-11-20T16:59:00Z", true),
        ("2026-11-20T17:00:00Z", false), ("2026-11-21T12:00:00Z", false), // Saturday
    ])
    func aDaytimeCurfewDoesNotCrossMidnight(instant: String, active: Bool) throws {
        let weekdays = try homeCurfew("09:00", "17:00", days: ["monday", "tuesday", "wednesday", "thursday", "friday"])
        #expect(!weekdays.crossesMidnight)
        #expect(weekdays.isActive(at: utcInstant(instant)) == active)
    }

    @Test(arguments: [
        // (zone, the local day the night starts, start in UTC, end in UTC, hours)
        ("Europe/Lisbon", "2026-11-20", "2026-11-20T21:00:00Z", "2026-11-21T06:00:00Z", 9.0), // an ordinary night, WET = UTC
        ("Europe/Lisbon", "2026-03-28", "2026-03-28T21:00:00Z", "2026-03-29T05:00:00Z", 8), // clocks go forward 01:00 → 02:00
        ("Europe/Lisbon", "2026-10-24", "2026-10-24T20:00:00Z", "2026-10-25T06:00:00Z", 10), // clocks go back 02:00 → 01:00
        ("America/New_York", "2026-03-07", "2026-03-08T02:00:00Z", "2026-03-08T10:00:00Z", 8), // forward 02:00 → 03:00
        ("America/New_York", "2026-10-31", "2026-11-01T01:00:00Z", "2026-11-01T11:00:00Z", 10), // back 02:00 → 01:00
        // Mexico abolished daylight saving in 2022: the first Sunday of April, its old change, is an ordinary night.
        ("America/Mexico_City", "2026-04-04", "2026-04-05T03:00:00Z", "2026-04-05T12:00:00Z", 9),
    ])
    func aNightIsAsLongAsTheWallClockSaysAcrossDaylightSavingChanges(zone: String, day: String, start: String, end: String, hours: Double) throws {
        let curfew = try homeCurfew(zone: zone)
        let night = try #require(CalendarDate(day))
        let period = try #require(curfew.period(startingOn: night))
        #expect(period.start == utcInstant(start))
        #expect(period.end == utcInstant(end))
        #expect(period.end.timeIntervalSince(period.start) == hours * 3600)
        #expect(!curfew.isActive(at: period.start.addingTimeInterval(-1)))
        #expect(curfew.isActive(at: period.start))
        #expect(curfew.isActive(at: period.end.addingTimeInterval(-1)))
        #expect(!curfew.isActive(at: period.end))
        // Every minute of the night, including the hour that is skipped or repeated, belongs to the same day.
        for minute in stride(from: 0.0, to: hours * 60, by: 7) {
            #expect(curfew.period(containing: period.start.addingTimeInterval(minute * 60))?.day.description == day)
        }
    }

    @Test func aStartTimeSkippedByTheClocksBeginsTheMomentAfterTheJump() throws {
        // New York skips 02:00–03:00 on 8 March 2026; a curfew from 02:30 begins at 03:00 EDT (07:00 UTC).
        let curfew = try homeCurfew("02:30", "06:00", days: ["sunday"], zone: "America/New_York")
        #expect(!curfew.isActive(at: utcInstant("2026-03-08T06:59:00Z"))) // 01:59 EST
        #expect(curfew.isActive(at: utcInstant("2026-03-08T07:00:00Z"))) // 03:00 EDT
        #expect(curfew.period(startingOn: CalendarDate(year: 2026, month: 3, day: 8))?.start == utcInstant("2026-03-08T07:00:00Z"))
        #expect(curfew.isActive(at: utcInstant("2026-03-08T09:59:00Z")))
        #expect(!curfew.isActive(at: utcInstant("2026-03-08T10:00:00Z"))) // 06:00 EDT
    }

    @Test func anEndTimeThatHappensTwiceEndsTheFirstTime() throws {
        // New York repeats 01:00–02:00 on 1 November 2026. A curfew until 01:30 ends at 01:30 EDT and does not come back
        // when the clock returns to 01:00 EST, which would reopen a closed alert for half an hour.
        let curfew = try homeCurfew("21:00", "01:30", days: ["saturday"], zone: "America/New_York")
        #expect(curfew.isActive(at: utcInstant("2026-11-01T05:29:00Z"))) // 01:29 EDT
        #expect(!curfew.isActive(at: utcInstant("2026-11-01T05:30:00Z"))) // 01:30 EDT
        #expect(!curfew.isActive(at: utcInstant("2026-11-01T06:10:00Z"))) // 01:10 EST, the second time round
        #expect(!curfew.isActive(at: utcInstant("2026-11-01T06:45:00Z"))) // 01:45 EST
    }

    @Test func theSameInstantIsJudgedInTheCurfewsOwnTimeZone() throws {
        let instant = utcInstant("2026-11-20T13:00:00Z") // 13:00 in Lisbon, 22:00 in Tokyo, 08:00 in New York
        #expect(try !homeCurfew(zone: "Europe/Lisbon").isActive(at: instant))
        #expect(try homeCurfew(zone: "Asia/Tokyo").isActive(at: instant))
        #expect(try !homeCurfew(zone: "America/New_York").isActive(at: instant))
        #expect(try homeCurfew(zone: "America/New_York").isActive(at: utcInstant("2026-11-20T10:59:00Z"))) // 05:59 in New York
    }

    @Test(arguments: [
        ("21:00", "06:00", ["friday"], "Europe/Lisbon", 100.0, [String]()),
        ("25:00", "06:00", ["friday"], "Europe/Lisbon", 100, ["start"]),
        ("9pm", "06:00", ["friday"], "Europe/Lisbon", 100, ["start"]),
        ("21:00", "6", ["friday"], "Europe/Lisbon", 100, ["end"]),
        ("21:00", "24:00", ["friday"], "Europe/Lisbon", 100, ["end"]),
        ("21:00", "21:00", ["friday"], "Europe/Lisbon", 100, ["end"]),
        ("21:00", "06:00", ["friday"], "Mars/Olympus_Mons", 100, ["timeZone"]),
        ("21:00", "06:00", ["friday"], "", 100, ["timeZone"]),
        ("21:00", "06:00", ["friday"], "Europe/Lisbon", 0, ["radiusMeters"]),
        ("21:00", "06:00", ["friday"], "Europe/Lisbon", -50, ["radiusMeters"]),
        ("21:00", "06:00", ["friday"], "Europe/Lisbon", 50_000, ["radiusMeters"]),
        ("21:00", "06:00", ["friday"], "Europe/Lisbon", .nan, ["radiusMeters"]),
        ("21:00", "06:00", [], "Europe/Lisbon", 100, ["days"]),
        ("21:00", "06:00", ["friday", "funday"], "Europe/Lisbon", 100, ["days[1]"]),
        ("7", "x", ["someday"], "Nowhere", 0, ["radiusMeters", "start", "end", "days[0]", "timeZone"]),
    ])
    func everyBadFieldIsNamed(start: String, end: String, days: [String], zone: String, radius: Double, fields: [String]) {
        do {
            _ = try Curfew(home: lisbonHome, radiusMeters: radius, start: start, end: end, days: days, timeZone: zone)
            #expect(fields.isEmpty, "accepted, but expected problems with \(fields)")
        } catch {
            #expect(error.errors.map(\.field) == fields, "\(error.summary)")
        }
    }

    @Test func aBadHomeAndAPathAreNamedToo() {
        do {
            _ = try Curfew(home: GeoPoint(latitude: 91, longitude: -181), radiusMeters: 100, start: "21:00", end: "06:00",
                           days: ["friday"], timeZone: "Europe/Lisbon", path: "conditions[1].parameters")
            Issue.record("a home off the globe was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["conditions[1].parameters.latitude", "conditions[1].parameters.longitude"])
        }
    }

    @Test(arguments: [
        ("21:00", "21:00"), ("9:30", "09:30"), ("00:00", "00:00"), ("23:59", "23:59"),
        ("24:00", nil), ("21:60", nil), ("21-00", nil), ("", nil), (":", nil), ("+1:00", nil), ("21:0", nil), ("021:00", nil), ("٢١:٠٠", nil),
    ])
    func timesAreWrittenHHMM(text: String, parsed: String?) {
        #expect(Curfew.Time(text)?.description == parsed)
    }

    @Test(arguments: [
        ("friday", Curfew.Weekday.friday), ("Friday", .friday), ("FRI", .friday), ("mon", .monday), (" sunday ", .sunday),
    ])
    func dayNamesAreReadInAnyCase(text: String, day: Curfew.Weekday) {
        #expect(Curfew.Weekday(text: text) == day)
    }

    @Test(arguments: ["fr", "fridays", "vendredi", ""])
    func otherDayNamesAreRefused(text: String) {
        #expect(Curfew.Weekday(text: text) == nil)
    }

    @Test func dayNumbersAndDatesRoundTrip() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: n).dayNumber == n)
        }
        // Across two leap days and a year end, the same answers as the calendar gives.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .gmt
        let start = CalendarDate(year: 2024, month: 2, day: 27)
        let startInstant = calendar.date(from: DateComponents(year: 2024, month: 2, day: 27)) ?? Date()
        for k in 0..<800 {
            let expected = CalendarDate(calendar.date(byAdding: .day, value: k, to: startInstant) ?? startInstant)
            #expect(CalendarDate(dayNumber: start.dayNumber + k) == expected)
            #expect(start.adding(days: k) == expected)
        }
    }

    @Test(arguments: [
        ("1970-01-01", Curfew.Weekday.thursday), ("1969-12-31", .wednesday), ("2000-02-29", .tuesday),
        ("2026-03-29", .sunday), ("2026-11-20", .friday), ("2026-12-31", .thursday), ("1900-03-01", .thursday),
    ])
    func theWeekdayOfADateNeedsNoCalendar(date: String, day: Curfew.Weekday) throws {
        #expect(Curfew.Weekday(try #require(CalendarDate(date))) == day)
    }
}
