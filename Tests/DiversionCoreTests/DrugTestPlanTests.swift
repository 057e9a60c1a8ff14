import Foundation
import Testing
@testable import DiversionCore

@Suite("Drug-testing plans")
struct DrugTestPlanTests {
    static let planID = UUID(uuidString: "7b0c3c9e-2d1f-4f6a-8e35-91a4c2d5b7e0")!

    static func condition(
        minimum: Int = 2, start: String = "2026-03-02", end: String = "2026-08-30", zone: String = "Europe/Lisbon",
        window: CollectionWindow = CollectionWindow(startHour: 8, hours: 10)
    ) -> DrugTestingCondition {
        DrugTestingCondition(
            minimumPerWeek: minimum, window: window, specimen: .urine, timeZoneID: zone,
            startDate: CalendarDate(start)!, endDate: CalendarDate(end)!
        )
    }

    static func plan(_ condition: DrugTestingCondition = condition(), seed: PlanSeed = testSeed(1), id: UUID = planID) throws -> DrugTestPlan {
        try DrugTestPlan.draw(id: id, condition: condition, seed: seed, hashing: .reference)
    }

    static func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    // MARK: condition

    @Test func aSensibleConditionIsAccepted() throws {
        try Self.condition().validate()
        try Self.condition(minimum: 7, window: CollectionWindow(startHour: 0, hours: 24)).validate()
        try Self.condition(window: CollectionWindow(startHour: 20, startMinute: 0, hours: 4)).validate()
    }

    @Test(arguments: [
        (condition(minimum: 0), ["minimumPerWeek"]),
        (condition(minimum: 8), ["minimumPerWeek"]),
        (condition(window: CollectionWindow(startHour: 24, hours: 1)), ["window.startHour"]),
        (condition(window: CollectionWindow(startHour: -1, hours: 1)), ["window.startHour"]),
        (condition(window: CollectionWindow(startHour: 8, startMinute: 60, hours: 1)), ["window.startMinute"]),
        (condition(window: CollectionWindow(startHour: 8, hours: 0)), ["window.hours"]),
        (condition(window: CollectionWindow(startHour: 0, hours: 25)), ["window.hours"]),
        (condition(window: CollectionWindow(startHour: 20, startMinute: 30, hours: 4)), ["window.hours"]),
        (condition(zone: "Lisbon"), ["timeZoneID"]),
        (condition(start: "2026-03-02", end: "2026-03-01"), ["endDate"]),
        (condition(start: "2026-01-01", end: "2031-01-07"), ["endDate"]),
        (condition(minimum: 9, start: "2026-05-01", end: "2026-04-01", zone: "Mars/Olympus"), ["minimumPerWeek", "timeZoneID", "endDate"]),
    ])
    func aWrongConditionNamesEachWrongField(condition: DrugTestingCondition, fields: [String]) {
        do {
            try condition.validate()
            Issue.record("accepted \(condition)")
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
        #expect(throws: ValidationFailure.self) { try Self.plan(condition) }
    }

    @Test func aWindowThatWouldRunPastMidnightSaysHowLongItCanBe() {
        do {
            try Self.condition(window: CollectionWindow(startHour: 20, startMinute: 30, hours: 4)).validate()
        } catch {
            #expect(error.errors.first?.reason.contains("opening at 20:30 it lasts at most 3 hours") == true)
        }
    }

    // MARK: weeks

    @Test(arguments: [
        ("2026-01-01", "2026-01-20", ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"], [4, 7, 7, 2]),
        ("2026-01-05", "2026-01-18", ["2026-01-05", "2026-01-12"], [7, 7]),
        ("2026-01-07", "2026-01-09", ["2026-01-05"], [3]),
        ("2026-01-11", "2026-01-12", ["2026-01-05", "2026-01-12"], [1, 1]),
        ("2026-12-28", "2027-01-03", ["2026-12-28"], [7]),
        ("2024-02-26", "2024-03-03", ["2024-02-26"], [7]),
    ])
    func weeksRunMondayToSundayAndTheFirstAndLastAreCut(start: String, end: String, mondays: [String], sizes: [Int]) {
        let weeks = TestSchedule.weeks(of: Self.condition(start: start, end: end))
        #expect(weeks.map(\.monday.description) == mondays)
        #expect(weeks.map(\.days.count) == sizes)
        #expect(weeks.map(\.index) == Array(0..<weeks.count))
        #expect(weeks.first?.days.first == CalendarDate(start))
        #expect(weeks.last?.days.last == CalendarDate(end))
        let all = weeks.flatMap(\.days).map(\.dayNumber)
        #expect(all == Array(all[0]...all[all.count - 1]), "every day once, in order")
    }

    @Test(arguments: [(1, 1, 0), (2, 3, 0), (3, 4, 1), (3, 2, 0), (5, 5, 3), (7, 3, 3), (2, 7, 2)])
    func aPartialWeekGuaranteesItsShareRoundedDown(minimum: Int, days: Int, guaranteed: Int) {
        let week = PlanWeek(index: 0, monday: CalendarDate(year: 2026, month: 1, day: 5),
                            days: (0..<days).map { CalendarDate(year: 2026, month: 1, day: 5 + $0) })
        #expect(TestSchedule.guaranteedMinimum(for: week, minimumPerWeek: minimum) == guaranteed)
    }

    @Test func everyWeekOfARealPlanHasAtLeastItsMinimum() throws {
        let condition = Self.condition(minimum: 3, start: "2026-01-01", end: "2027-12-30")
        for n in 0..<20 {
            let plan = try Self.plan(condition, seed: testSeed(100 + n))
            for week in plan.weeks {
                #expect(plan.testDays(in: week).count >= TestSchedule.guaranteedMinimum(for: week, minimumPerWeek: 3))
                if !week.isPartial { #expect(plan.testDays(in: week).count >= 3) }
            }
            #expect(plan.testDays.allSatisfy(condition.covers))
        }
    }

    @Test func aMinimumOfSevenTestsEveryDay() throws {
        let plan = try Self.plan(Self.condition(minimum: 7, start: "2026-03-04", end: "2026-03-20"))
        #expect(plan.testDays.count == 17)
    }

    // MARK: reproducibility and verification

    @Test func theSameSeedDrawsTheSamePlan() throws {
        #expect(try Self.plan(seed: testSeed(1)) == Self.plan(seed: testSeed(1)))
    }

    @Test func anotherSeedOrAnotherPlanIdDrawsAnotherPlan() throws {
        let plan = try Self.plan(seed: testSeed(1))
        #expect(try plan.testDays != Self.plan(seed: testSeed(2)).testDays)
        #expect(try plan.testDays != Self.plan(seed: testSeed(1), id: UUID()).testDays)
        #expect(try plan.commitment != Self.plan(seed: testSeed(2)).commitment)
    }

    /// These days are what version 1 of the rules draws; if they change, the rules changed and need a new
    /// `TestSchedule.algorithm`, or every stored plan would fail verification.
    @Test func theRulesDrawTheSameDaysOnEveryPlatform() throws {
        let plan = try Self.plan(Self.condition(start: "2026-03-05", end: "2026-03-22"))
        #expect(plan.testDays.map(\.description) == Self.pinnedDays)
        #expect(plan.commitmentHex == Self.pinnedCommitment)
        #expect(plan.algorithm == "hmac-sha256-uniform-subset/1")
    }

    /// Also what an independent implementation of the documented rules (Python's hashlib and hmac) draws.
    static let pinnedDays = ["2026-03-07", "2026-03-11", "2026-03-14", "2026-03-15", "2026-03-21", "2026-03-22"]
    static let pinnedCommitment = "bd867a66b60a253b6a8b0bf502dc416c83cd761996254ca33e39fba644ca9e32"

    @Test func anUntouchedPlanVerifies() throws {
        let seed = testSeed(3)
        let plan = try Self.plan(seed: seed)
        let recorded = plan.commitment
        #expect(DrugTestPlan.verify(plan, seed: seed, commitment: recorded, hashing: .reference) == .intact)
    }

    @Test func aPlanWithOneDayAddedOrRemovedFailsVerification() throws {
        let seed = testSeed(3)
        let plan = try Self.plan(seed: seed)
        let removedDay = plan.testDays[5]
        let freeDay = plan.condition.startDate.adding(days: (0...).first { !plan.isTestDay(plan.condition.startDate.adding(days: $0)) }!)

        let withoutOne = DrugTestPlan(id: plan.id, condition: plan.condition, algorithm: plan.algorithm, commitment: plan.commitment,
                                      testDays: plan.testDays.filter { $0 != removedDay })
        #expect(DrugTestPlan.verify(withoutOne, seed: seed, commitment: plan.commitment, hashing: .reference)
            == .daysAltered(added: [], removed: [removedDay]))

        let withOneMore = DrugTestPlan(id: plan.id, condition: plan.condition, algorithm: plan.algorithm, commitment: plan.commitment,
                                       testDays: plan.testDays + [freeDay])
        #expect(DrugTestPlan.verify(withOneMore, seed: seed, commitment: plan.commitment, hashing: .reference)
            == .daysAltered(added: [freeDay], removed: []))

        let duplicated = DrugTestPlan(id: plan.id, condition: plan.condition, algorithm: plan.algorithm, commitment: plan.commitment,
                                      testDays: plan.testDays + [plan.testDays[0]])
        #expect(DrugTestPlan.verify(duplicated, seed: seed, commitment: plan.commitment, hashing: .reference) != .intact)
    }

    @Test func anotherSeedFailsVerification() throws {
        let plan = try Self.plan(seed: testSeed(3))
        #expect(DrugTestPlan.verify(plan, seed: testSeed(4), commitment: plan.commitment, hashing: .reference) == .commitmentMismatch)
    }

    /// Redrawing with the real seed for an easier condition, or swapping in a fresh seed and commitment,
    /// is caught because the commitment recorded at creation binds the seed, the id and the condition.
    @Test func aPlanRedrawnAfterTheFactFailsVerification() throws {
        let seed = testSeed(3)
        let plan = try Self.plan(seed: seed)
        let recorded = plan.commitment

        var easier = plan.condition
        easier.minimumPerWeek = 1
        let redrawn = try Self.plan(easier, seed: seed)
        #expect(DrugTestPlan.verify(redrawn, seed: seed, commitment: recorded, hashing: .reference) == .commitmentMismatch)

        let relabelled = DrugTestPlan(id: plan.id, condition: easier, algorithm: plan.algorithm, commitment: plan.commitment, testDays: plan.testDays)
        #expect(DrugTestPlan.verify(relabelled, seed: seed, commitment: recorded, hashing: .reference) == .commitmentMismatch)

        let replaced = try Self.plan(seed: testSeed(9))
        #expect(DrugTestPlan.verify(replaced, seed: testSeed(9), commitment: recorded, hashing: .reference) == .commitmentMismatch)
    }

    @Test func aPlanOfUnknownRulesIsNotVerified() throws {
        let plan = try Self.plan()
        let other = DrugTestPlan(id: plan.id, condition: plan.condition, algorithm: "weekday-rotation/0", commitment: plan.commitment, testDays: plan.testDays)
        #expect(DrugTestPlan.verify(other, seed: testSeed(1), commitment: plan.commitment, hashing: .reference) == .unknownAlgorithm("weekday-rotation/0"))
    }

    @Test func aStoredPlanReadsBackInOrderAndStillVerifies() throws {
        let plan = try Self.plan()
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plan)) as! [String: Any]
        json["testDays"] = Array((json["testDays"] as! [String]).reversed())
        let read = try JSONDecoder().decode(DrugTestPlan.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(read == plan)
        #expect(DrugTestPlan.verify(read, seed: testSeed(1), commitment: plan.commitment, hashing: .reference) == .intact)
    }

    @Test func theCommitmentIsSHA256OverTheSeedIdAndCondition() throws {
        let plan = try Self.plan()
        var bytes = Data("diversion/drug-test-plan/v1/commitment".utf8) + [0] + testSeed(1).bytes
        withUnsafeBytes(of: Self.planID.uuid) { bytes.append(contentsOf: $0) }
        bytes.append(Data("1:2;5:08:00;2:10;5:urine;13:Europe/Lisbon;10:2026-03-02;10:2026-08-30;".utf8))
        #expect(plan.commitment == ReferenceSHA256.hash(bytes))
        #expect(plan.commitmentHex.count == 64)
    }

    // MARK: what each side sees

    @Test func supervisorsSeeEachWeeksTestDays() throws {
        let plan = try Self.plan()
        #expect(plan.weeks.flatMap(plan.testDays(in:)) == plan.testDays)
        for week in plan.weeks {
            for day in week.days {
                #expect(plan.testDays(inWeekOf: day) == plan.testDays(in: week))
            }
        }
    }

    @Test func isTestDayAgreesWithTheList() throws {
        let plan = try Self.plan()
        var day = plan.condition.startDate.adding(days: -3)
        while day <= plan.condition.endDate.adding(days: 3) {
            #expect(plan.isTestDay(day) == plan.testDays.contains(day))
            #expect((plan.window(on: day) != nil) == plan.testDays.contains(day))
            day = day.adding(days: 1)
        }
    }

    @Test func thePersonLearnsOnlyWhetherTodayIsATestDayAndItsWindow() throws {
        let plan = try Self.plan()
        let testDay = plan.testDays[3]
        let free = plan.condition.startDate.adding(days: (0...).first { !plan.isTestDay(plan.condition.startDate.adding(days: $0)) }!)
        let noon: (CalendarDate) -> Date = { plan.condition.window(on: $0).start.addingTimeInterval(4 * 3600) }

        let onTestDay = plan.notice(at: noon(testDay))
        #expect(onTestDay == DrugTestNotice(date: testDay, isTestDay: true,
                                            windowStart: plan.window(on: testDay)!.start, windowEnd: plan.window(on: testDay)!.end))
        #expect(plan.notice(at: noon(free)) == DrugTestNotice(date: free, isTestDay: false, windowStart: nil, windowEnd: nil))
        #expect(plan.notice(at: noon(plan.condition.endDate.adding(days: 1))).isTestDay == false)
    }

    /// 23:30 UTC on 10 July is 00:30 on 11 July in Lisbon: "today" is the person's day, not the server's.
    @Test func todayIsTheDateWhereThePersonLives() throws {
        let plan = try Self.plan(Self.condition(minimum: 7))
        #expect(plan.notice(at: Self.utc("2026-07-10T23:30:00Z")).date == CalendarDate("2026-07-11"))
        #expect(plan.notice(at: Self.utc("2026-07-10T22:30:00Z")).date == CalendarDate("2026-07-10"))
    }

    // MARK: windows and DST

    /// Lisbon moves its clocks forward on 2026-03-29 and back on 2026-10-25; the window opens at 08:00 local either way.
    @Test(arguments: [
        ("2026-03-28", "2026-03-28T08:00:00Z", "2026-03-28T18:00:00Z"),
        ("2026-03-29", "2026-03-29T07:00:00Z", "2026-03-29T17:00:00Z"),
        ("2026-03-30", "2026-03-30T07:00:00Z", "2026-03-30T17:00:00Z"),
        ("2026-10-24", "2026-10-24T07:00:00Z", "2026-10-24T17:00:00Z"),
        ("2026-10-25", "2026-10-25T08:00:00Z", "2026-10-25T18:00:00Z"),
        ("2026-10-26", "2026-10-26T08:00:00Z", "2026-10-26T18:00:00Z"),
    ])
    func theWindowKeepsItsLocalTimeAcrossDST(day: String, start: String, end: String) throws {
        let plan = try Self.plan(Self.condition(minimum: 7, start: "2026-03-23", end: "2026-11-01"))
        let window = try #require(plan.window(on: CalendarDate(day)!))
        #expect(window.start == Self.utc(start))
        #expect(window.end == Self.utc(end))
        let local = plan.condition.calendar.dateComponents([.hour, .minute], from: window.start)
        #expect((local.hour, local.minute) == (8, 0))
    }

    @Test(arguments: [
        // 01:30 does not exist on 29 March (01:00 → 02:00): the window opens when the clocks jump.
        ("2026-03-29", CollectionWindow(startHour: 1, startMinute: 30, hours: 2), "2026-03-29T01:00:00Z", "2026-03-29T02:30:00Z"),
        // 01:30 happens twice on 25 October: the window opens at the first.
        ("2026-10-25", CollectionWindow(startHour: 1, startMinute: 30, hours: 2), "2026-10-25T00:30:00Z", "2026-10-25T03:30:00Z"),
        // A whole-day window lasts 23 and 25 hours on those days, from midnight to midnight.
        ("2026-03-29", CollectionWindow(startHour: 0, hours: 24), "2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z"),
        ("2026-10-25", CollectionWindow(startHour: 0, hours: 24), "2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z"),
        ("2026-07-01", CollectionWindow(startHour: 20, hours: 4), "2026-07-01T19:00:00Z", "2026-07-01T23:00:00Z"),
    ])
    func windowsOnTheNightsTheClocksChangeAreResolvedPredictably(day: String, window: CollectionWindow, start: String, end: String) {
        let w = Self.condition(window: window).window(on: CalendarDate(day)!)
        #expect(w.start == Self.utc(start))
        #expect(w.end == Self.utc(end))
    }

    @Test func windowsFollowTheConditionsOwnTimeZone() {
        let w = Self.condition(zone: "America/Mexico_City").window(on: CalendarDate("2026-07-01")!)
        #expect(w.start == Self.utc("2026-07-01T14:00:00Z"))
    }
}
