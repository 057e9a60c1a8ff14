import Foundation
import Testing
@testable import DiversionCore

@Suite("Drug testing as ordered by a measure, and the call-in")
struct DrugTestingOrderTests {
    static let start = CalendarDate(year: 2026, month: 12, day: 1)

    static func testing(_ extra: [String: AnswerValue] = [:], minimum: Double = 2, hours: Double = 8) -> Condition {
        Condition(type: .drugTesting, parameters: ["minimumPerWeek": .number(minimum), "windowHours": .number(hours), "specimen": .string("urine")]
            .merging(extra) { _, new in new })
    }

    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    // MARK: the condition a measure orders

    @Test(arguments: [
        // parameters, planned end → window start, hours, zone, end date
        (testing(), CalendarDate("2027-06-01"), "07:00", 8, "Europe/Lisbon", "2027-06-01"),
        (testing(["windowStart": .string("15:30")]), CalendarDate("2027-06-01"), "15:30", 8, "Europe/Lisbon", "2027-06-01"),
        (testing(["timeZone": .string("America/Mexico_City")]), CalendarDate("2027-06-01"), "07:00", 8, "America/Mexico_City", "2027-06-01"),
        (testing(), nil, "07:00", 8, "Europe/Lisbon", "2027-12-01"),
        (testing(), CalendarDate("2036-12-01"), "07:00", 8, "Europe/Lisbon", "2031-12-04"),
        (testing(["windowStart": .string("00:00")], hours: 24), CalendarDate("2026-12-01"), "00:00", 24, "Europe/Lisbon", "2026-12-01"),
    ])
    func aMeasuresConditionBecomesATestingCondition(condition: Condition, end: CalendarDate?, window: String, hours: Int, zone: String, endDate: String) throws {
        let ordered = try DrugTestingCondition.ordered(by: condition, start: Self.start, plannedEnd: end, defaultTimeZone: "Europe/Lisbon")
        #expect(ordered.window.startText == window)
        #expect(ordered.window.hours == hours)
        #expect(ordered.timeZoneID == zone)
        #expect(ordered.startDate == Self.start)
        #expect(ordered.endDate.description == endDate)
        #expect(ordered.specimen == .urine)
        #expect(ordered.minimumPerWeek == 2)
        #expect(ordered.endDate.dayNumber - ordered.startDate.dayNumber + 1 <= DrugTestingCondition.longestDays)
    }

    @Test(arguments: [
        (testing(minimum: 0), ["parameters.minimumPerWeek"]),
        (testing(hours: 30), ["parameters.windowHours"]),
        (testing(["specimen": .string("tea")]), ["parameters.specimen"]),
        (testing(["windowStart": .string("7am")]), ["parameters.windowStart"]),
        (testing(["timeZone": .string("Lisbon")]), ["parameters.timeZone"]),
        (testing(["windowStart": .string("20:00")]), ["parameters.windowHours"]),
        (Condition(type: .drugTesting, parameters: [:]), ["parameters.minimumPerWeek", "parameters.windowHours", "parameters.specimen"]),
    ])
    func aWrongParameterIsNamed(condition: Condition, fields: [String]) {
        do {
            _ = try DrugTestingCondition.ordered(by: condition, start: Self.start, plannedEnd: nil, defaultTimeZone: "Europe/Lisbon")
            Issue.record("accepted \(condition)")
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
    }

    @Test func onlyADrugTestingConditionOrdersTests() {
        #expect(throws: ValidationFailure.self) {
            try DrugTestingCondition.ordered(by: Condition(type: .curfew, parameters: [:]), start: Self.start, plannedEnd: nil, defaultTimeZone: "UTC")
        }
    }

    // MARK: the decision's check

    @Test(arguments: [
        (testing(), nil as String?),
        (testing(["windowStart": .string("16:00")]), nil),
        (testing(["windowStart": .string("00:00")], hours: 24), nil),
        (testing(["windowStart": .string("16:01")]), "at most 7 hours"),
        (testing(["windowStart": .string("20:30")], hours: 4), "at most 3 hours"),
        (testing(["windowStart": .string("23:30")], hours: 1), "open it at 23:00 or earlier"),
        (testing(hours: 18), "at most 17 hours"),
    ])
    func theDecisionRefusesAWindowThatWouldNotCloseByMidnight(condition: Condition, problem: String?) {
        var errors = FieldErrors()
        condition.check("c", start: Self.start, plannedEnd: nil, into: &errors)
        if let problem {
            #expect(errors.all.map(\.field) == ["c.windowHours"])
            #expect(errors.all.first?.reason.contains(problem) == true, "\(errors.all)")
        } else {
            #expect(errors.isEmpty, "\(errors.all)")
        }
    }

    // MARK: call-in codes

    @Test func aCodeUsesOnlyUnambiguousCharacters() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let code = CallInCode.generate(using: &generator)
            #expect(code.count == CallInCode.length)
            #expect(!code.contains { "0O1IL".contains($0) })
            #expect(CallInCode.normalized(code) == code)
        }
        #expect(CallInCode.generate() != CallInCode.generate())
    }

    @Test(arguments: [
        ("ABCDE-FGHJK", "ABCDEFGHJK"),
        ("abcde fghjk", "ABCDEFGHJK"),
        ("23456 789AB", "23456789AB"),
        ("ABCDEFGHJ", nil),
        ("ABCDEFGHJKM", nil),
        ("ABCDEFGHJ0", nil),
        ("ABCDEFGHJI", nil),
        ("", nil),
    ])
    func whatWasTypedIsReadAsACode(typed: String, code: String?) {
        #expect(CallInCode.normalized(typed) == code)
    }

    // MARK: what the call-in answers

    @Test(arguments: [
        // now (UTC), zone, asked date, allowed
        ("2026-12-02T10:00:00Z", "Europe/Lisbon", "2026-12-02", true),
        ("2026-12-02T10:00:00Z", "Europe/Lisbon", "2026-12-03", true),
        ("2026-12-02T10:00:00Z", "Europe/Lisbon", "2026-12-04", false),
        ("2026-12-02T10:00:00Z", "Europe/Lisbon", "2026-12-01", false),
        // 23:30 UTC is already the next day in Tokyo, and still the same day in Mexico City.
        ("2026-12-02T23:30:00Z", "Asia/Tokyo", "2026-12-04", true),
        ("2026-12-02T23:30:00Z", "Asia/Tokyo", "2026-12-02", false),
        ("2026-12-03T03:00:00Z", "America/Mexico_City", "2026-12-02", true),
    ])
    func onlyTodayAndTomorrowCanBeAsked(now: String, zone: String, date: String, allowed: Bool) {
        let asked = CalendarDate(date)!
        let refused = (try? CallInAnswer.checkAskable(asked, now: Self.utc(now), timeZoneID: zone)) == nil
        #expect(refused == !allowed)
    }

    @Test func theAnswerGivesTheWindowOfATestDayInLocalTime() throws {
        let condition = try DrugTestingCondition.ordered(
            by: Self.testing(["windowStart": .string("07:00")]), start: Self.start, plannedEnd: CalendarDate("2027-02-28"), defaultTimeZone: "Europe/Lisbon"
        )
        let plan = try DrugTestPlan.draw(id: UUID(), condition: condition, seed: testSeed(3), hashing: .reference)
        let testDay = try #require(plan.testDays.first)
        let free = try #require(plan.weeks.flatMap(\.days).first { !plan.isTestDay($0) })
        let yes = CallInAnswer.answer(for: testDay, plans: [plan], timeZoneID: "UTC")
        #expect(yes == CallInAnswer(date: testDay, isTestDay: true, windowStart: "07:00", windowEnd: "15:00", timeZoneID: "Europe/Lisbon", specimen: .urine))
        let no = CallInAnswer.answer(for: free, plans: [plan], timeZoneID: "Europe/Lisbon")
        #expect(no == CallInAnswer(date: free, isTestDay: false, windowStart: nil, windowEnd: nil, timeZoneID: "Europe/Lisbon", specimen: nil))
        #expect(CallInAnswer.answer(for: testDay, plans: [], timeZoneID: "Europe/Lisbon").isTestDay == false)
    }

    @Test func aWindowThatClosesAtMidnightEndsAt2400() throws {
        let condition = try DrugTestingCondition.ordered(
            by: Self.testing(["windowStart": .string("16:00")], minimum: 7), start: Self.start, plannedEnd: CalendarDate("2026-12-07"),
            defaultTimeZone: "America/Mexico_City"
        )
        let plan = try DrugTestPlan.draw(id: UUID(), condition: condition, seed: testSeed(4), hashing: .reference)
        let answer = CallInAnswer.answer(for: Self.start, plans: [plan], timeZoneID: "UTC")
        #expect(answer.windowStart == "16:00")
        #expect(answer.windowEnd == "24:00")
    }
}
