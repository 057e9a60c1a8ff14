import Foundation
import Testing
@testable import DiversionCore

@Suite("Drug-test results and missed tests")
struct DrugTestResultTests {
    static let day = CalendarDate(year: 2026, month: 3, day: 10)
    static let collected = Date(timeIntervalSince1970: 1_773_140_400)    // 2026-03-10T11:00:00Z, 11:00 in Lisbon

    static func result(
        _ outcome: DrugTestOutcome, collectedAt: Date? = collected, labConfirmed: Bool = false, custody: String? = "COC-2026-000123"
    ) throws(ValidationFailure) -> DrugTestResult {
        try DrugTestResult(testDay: day, specimen: .urine, collectedAt: collectedAt, outcome: outcome,
                           labConfirmed: labConfirmed, chainOfCustody: custody)
    }

    static func plan(minimum: Int = 2) throws -> DrugTestPlan {
        try DrugTestPlan.draw(id: UUID(uuidString: "3e8f6a1b-5c2d-4e7f-9a0b-1c2d3e4f5a6b")!,
                              condition: DrugTestPlanTests.condition(minimum: minimum), seed: testSeed(5), hashing: .reference)
    }

    // MARK: checking

    @Test(arguments: [
        DrugTestOutcome.negative, .positive(substances: ["cannabis"]), .dilute, .adulterated,
    ])
    func aCollectedSpecimenIsAccepted(outcome: DrugTestOutcome) throws {
        let result = try Self.result(outcome, labConfirmed: true)
        #expect(result.outcome == outcome)
        #expect(result.labConfirmed)
        #expect(result.chainOfCustody == "COC-2026-000123")
    }

    @Test func substancesAndReasonsAreTrimmedAndSubstancesListedOnce() throws {
        let positive = try Self.result(.positive(substances: [" cocaine ", "Cannabis", "COCAINE"]), custody: "  A-17  ")
        #expect(positive.outcome == .positive(substances: ["cocaine", "Cannabis"]))
        #expect(positive.chainOfCustody == "A-17")
        let excused = try Self.result(.excused(reason: "  in hospital  "), collectedAt: nil, custody: nil)
        #expect(excused.outcome == .excused(reason: "in hospital"))
    }

    @Test func aMissedOrExcusedTestNeedsNoSpecimenDetails() throws {
        let missed = try Self.result(.missed, collectedAt: nil, custody: nil)
        #expect(missed == DrugTestResult.missed(on: Self.day, specimen: .urine))
        #expect(missed.chainOfCustody == nil && missed.collectedAt == nil && !missed.labConfirmed)
        _ = try Self.result(.excused(reason: "court hearing at the same time"), collectedAt: nil, custody: "  ")
    }

    @Test(arguments: [
        (DrugTestOutcome.positive(substances: []), collected, false, "COC-1", ["outcome.substances"]),
        (.positive(substances: ["cannabis", "  "]), collected, false, "COC-1", ["outcome.substances[1]"]),
        (.positive(substances: [String(repeating: "x", count: 81)]), collected, false, "COC-1", ["outcome.substances[0]"]),
        (.excused(reason: "   "), nil, false, nil, ["outcome.reason"]),
        (.excused(reason: String(repeating: "x", count: 501)), nil, false, nil, ["outcome.reason"]),
        (.negative, nil, false, "COC-1", ["collectedAt"]),
        (.negative, collected, false, nil, ["chainOfCustody"]),
        (.dilute, collected, false, "   ", ["chainOfCustody"]),
        (.adulterated, collected, false, String(repeating: "9", count: 65), ["chainOfCustody"]),
        (.negative, collected, false, "COC\n1", ["chainOfCustody"]),
        (.missed, collected, false, nil, ["collectedAt"]),
        (.missed, nil, false, "COC-1", ["chainOfCustody"]),
        (.missed, nil, true, nil, ["labConfirmed"]),
        (.excused(reason: "ill"), nil, true, "COC-1", ["chainOfCustody", "labConfirmed"]),
        (.positive(substances: []), nil, false, nil, ["outcome.substances", "collectedAt", "chainOfCustody"]),
    ] as [(DrugTestOutcome, Date?, Bool, String?, [String])])
    func aWrongResultNamesEachWrongField(outcome: DrugTestOutcome, collectedAt: Date?, labConfirmed: Bool, custody: String?, fields: [String]) {
        do {
            _ = try Self.result(outcome, collectedAt: collectedAt, labConfirmed: labConfirmed, custody: custody)
            Issue.record("accepted \(outcome)")
        } catch {
            #expect(error.errors.map(\.field) == fields)
        }
    }

    @Test func aStoredResultReadsBackAndAnInvalidOneIsRefused() throws {
        let result = try Self.result(.positive(substances: ["opioids"]), labConfirmed: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(DrugTestResult.self, from: encoder.encode(result)) == result)

        let forged = #"{"testDay":"2026-03-10","specimen":"urine","outcome":{"positive":{"substances":[]}},"labConfirmed":false}"#
        #expect(throws: DecodingError.self) { try decoder.decode(DrugTestResult.self, from: Data(forged.utf8)) }
    }

    @Test func everySpecimenAndOutcomeHasAStoredName() {
        #expect(DrugTestSpecimen.allCases.map(\.rawValue) == ["urine", "oral_fluid", "sweat_patch", "breath", "hair", "blood"])
        let outcomes: [DrugTestOutcome] = [.negative, .positive(substances: ["x"]), .dilute, .adulterated, .missed, .excused(reason: "r")]
        #expect(outcomes.map(\.code) == ["negative", "positive", "dilute", "adulterated", "missed", "excused"])
        #expect(outcomes.map(\.hasSpecimen) == [true, true, true, true, false, false])
    }

    // MARK: collection window

    /// The window on 2026-03-10 in Lisbon is 08:00–18:00 WET, that is 08:00Z–18:00Z; the end is not part of it.
    @Test(arguments: [
        ("2026-03-10T08:00:00Z", false), ("2026-03-10T17:59:59Z", false), ("2026-03-10T12:00:00Z", false),
        ("2026-03-10T07:59:59Z", true), ("2026-03-10T18:00:00Z", true), ("2026-03-11T09:00:00Z", true),
    ])
    func aCollectionOutsideTheWindowIsFlagged(collected: String, outside: Bool) throws {
        let plan = try Self.plan()
        let result = try Self.result(.negative, collectedAt: DrugTestPlanTests.utc(collected))
        #expect(result.isOutsideWindow(of: plan) == outside)
    }

    @Test func aResultWithoutASpecimenIsNeverOutsideTheWindow() throws {
        #expect(!DrugTestResult.missed(on: Self.day, specimen: .urine).isOutsideWindow(of: try Self.plan()))
    }

    // MARK: missed tests

    @Test func everyTestDayWhoseWindowClosedWithoutAResultIsMissed() throws {
        let plan = try Self.plan()
        let now = plan.condition.window(on: CalendarDate("2026-05-01")!).end
        let due = plan.testDays.filter { $0 <= CalendarDate("2026-05-01")! }
        let missed = MissedTests.find(plan, results: [], through: now)
        #expect(missed.map(\.day) == due)
        #expect(missed.allSatisfy { $0.result == .missed(on: $0.day, specimen: .urine) })
        #expect(missed.allSatisfy { $0.windowEnd <= now && plan.window(on: $0.day)?.start == $0.windowStart })
    }

    @Test func anyRecordedResultAccountsForItsDay() throws {
        let plan = try Self.plan()
        let days = Array(plan.testDays.prefix(6))
        let now = plan.condition.window(on: days[5]).end.addingTimeInterval(60)
        let results = [
            try DrugTestResult(testDay: days[0], specimen: .urine, collectedAt: plan.condition.window(on: days[0]).start,
                               outcome: .negative, chainOfCustody: "C-1"),
            try DrugTestResult(testDay: days[2], specimen: .urine, collectedAt: nil, outcome: .excused(reason: "in hospital"), chainOfCustody: nil),
            DrugTestResult.missed(on: days[3], specimen: .urine),
            // Collected late, but collected: flagged by the window check, not missed.
            try DrugTestResult(testDay: days[4], specimen: .urine, collectedAt: plan.condition.window(on: days[4]).end.addingTimeInterval(600),
                               outcome: .negative, chainOfCustody: "C-5"),
        ]
        #expect(MissedTests.find(plan, results: results, through: now).map(\.day) == [days[1], days[5]])
        #expect(results[3].isOutsideWindow(of: plan))
    }

    @Test func aDayWhoseWindowIsStillOpenIsNotMissedYet() throws {
        let plan = try Self.plan()
        let day = plan.testDays[0]
        let window = plan.condition.window(on: day)
        #expect(MissedTests.find(plan, results: [], through: window.start).isEmpty)
        #expect(MissedTests.find(plan, results: [], through: window.end.addingTimeInterval(-1)).isEmpty)
        #expect(MissedTests.find(plan, results: [], through: window.end).map(\.day) == [day])
    }

    @Test func recordingTheMissedResultsLeavesNothingToFind() throws {
        let plan = try Self.plan()
        let now = plan.condition.window(on: plan.condition.endDate).end.addingTimeInterval(86_400 * 30)
        let missed = MissedTests.find(plan, results: [], through: now)
        #expect(missed.count == plan.testDays.count, "every test day, to the last, is reported")
        #expect(MissedTests.find(plan, results: missed.map(\.result), through: now).isEmpty)
    }
}
