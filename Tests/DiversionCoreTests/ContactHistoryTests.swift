import Foundation
import Testing
@testable import DiversionCore

private func day(_ text: String) -> CalendarDate {
    guard let date = CalendarDate(text) else { fatalError("not a date: \(text)") }
    return date
}

private let band = JurisdictionPolicy.Band(fromPercent: 80, toPercent: 100)

@Suite("A person's earlier contacts, as the eligibility rules count them")
struct ContactHistoryTests {
    @Test func onlyContactsUpToTheDateCountAndTheyComeOutInOrder() {
        let contacts = [
            PastContact(occurredOn: day("2026-06-01"), decision: nil, seizures: []),
            PastContact(occurredOn: day("2026-12-01"), decision: .divert, seizures: []),   // after the contact: never counts
            PastContact(occurredOn: day("2025-01-10"), decision: nil, seizures: []),
            PastContact(occurredOn: day("2026-11-21"), decision: nil, seizures: []),       // the day after
        ]
        let record = PriorRecord.from(contacts, before: day("2026-11-20"), band: band)
        #expect(record.contacts == [day("2025-01-10"), day("2026-06-01")])
        #expect(record.diversions.isEmpty)
    }

    @Test func aContactEarlierOnTheSameDayCounts() {
        // The store hands over only contacts before the instant; one earlier that day is part of the history.
        let record = PriorRecord.from([PastContact(occurredOn: day("2026-11-20"), decision: .divert, seizures: [])], before: day("2026-11-20"), band: band)
        #expect(record.contacts == [day("2026-11-20")])
        #expect(record.diversions == [day("2026-11-20")])
    }

    @Test func onlyDivertDecisionsAreDiversions() {
        let decisions: [OfficerDecision?] = [.divert, .referToProsecutor, nil, .noFurtherAction, .charge, .divert]
        let contacts = decisions.enumerated().map { i, d in
            PastContact(occurredOn: CalendarDate(year: 2026, month: 1 + i, day: 5), decision: d, seizures: [])
        }
        let record = PriorRecord.from(contacts, before: day("2026-11-20"), band: band)
        #expect(record.contacts.count == 6)
        #expect(record.diversions == [day("2026-01-05"), day("2026-06-05")])
    }

    @Test(arguments: [
        (79.99, false), (80.0, true), (88.0, true), (100.0, true), (100.01, false), (20.0, false), (150.0, false),
    ])
    func nearThresholdEvidenceIsOnlyInsideTheBand(percent: Double, counted: Bool) {
        let contact = PastContact(occurredOn: day("2026-10-01"), decision: nil,
                                  seizures: [ThresholdShare(substance: "cannabis_herb", percentOfThreshold: percent)])
        let record = PriorRecord.from([contact], before: day("2026-11-20"), band: band)
        let expected = counted ? [NearThresholdEvidence(date: day("2026-10-01"), substance: "cannabis_herb", percentOfThreshold: percent)] : []
        #expect(record.nearThresholdSeizures == expected)
        #expect(record.contacts == [day("2026-10-01")]) // the contact counts whatever its amounts
    }

    @Test func nearThresholdEvidenceKeepsEachSubstanceAndDateAndIgnoresLaterContacts() {
        let contacts = [
            PastContact(occurredOn: day("2026-03-02"), decision: .divert, seizures: [
                ThresholdShare(substance: "cannabis_herb", percentOfThreshold: 96),
                ThresholdShare(substance: "mdma", percentOfThreshold: 50),
            ]),
            PastContact(occurredOn: day("2026-07-09"), decision: nil, seizures: [ThresholdShare(substance: "heroin", percentOfThreshold: 84)]),
            PastContact(occurredOn: day("2027-01-01"), decision: nil, seizures: [ThresholdShare(substance: "cannabis_herb", percentOfThreshold: 90)]),
        ]
        let record = PriorRecord.from(contacts, before: day("2026-11-20"), band: band)
        #expect(record.nearThresholdSeizures == [
            NearThresholdEvidence(date: day("2026-03-02"), substance: "cannabis_herb", percentOfThreshold: 96),
            NearThresholdEvidence(date: day("2026-07-09"), substance: "heroin", percentOfThreshold: 84),
        ])
    }

    @Test func aNarrowerBandCountsLess() {
        let contact = PastContact(occurredOn: day("2026-10-01"), decision: nil,
                                  seizures: [ThresholdShare(substance: "cannabis_herb", percentOfThreshold: 85)])
        let record = PriorRecord.from([contact], before: day("2026-11-20"), band: .init(fromPercent: 90, toPercent: 100))
        #expect(record.nearThresholdSeizures.isEmpty)
    }

    @Test func seriousConvictionsAfterTheDateDoNotCount() {
        let record = PriorRecord.from([], seriousConvictions: [day("2023-05-05"), day("2026-11-20"), day("2026-11-21")], before: day("2026-11-20"), band: band)
        #expect(record.seriousConvictions == [day("2023-05-05"), day("2026-11-20")])
    }

    @Test func aRepeatedNearThresholdSeizureRaisesTheIndicatorAndTheEarlierDiversionCounts() throws {
        // 22 g of cannabis herb (88 % of 25 g), diverted; then 23 g (92 %).
        let first = try Eligibility.evaluate(
            EligibilityQuestion(occurredOn: day("2026-09-01"), offences: ["possession_personal_use"],
                                seizures: [.init(substance: "cannabis_herb", quantity: 22, unit: "g")]),
            under: testPolicy)
        #expect(first.indicators.isEmpty)
        let past = PastContact(occurredOn: day("2026-09-01"), decision: .divert, seizures: first.percentOfThreshold)
        let history = PriorRecord.from([past], before: day("2026-11-20"), band: testPolicy.nearThresholdBand)
        let second = try Eligibility.evaluate(
            EligibilityQuestion(occurredOn: day("2026-11-20"), offences: ["possession_personal_use"],
                                seizures: [.init(substance: "cannabis_herb", quantity: 23, unit: "g")], history: history),
            under: testPolicy)
        #expect(second.eligible)
        let indicator = try #require(second.indicators.first { $0.code == "near_threshold_repeat" })
        #expect(indicator.detail.contains("2026-09-01 at 88 %"))
        #expect(second.reasons.first { $0.rule == "exclusion.diversion_limit" }?.detail == "1 earlier diversion in 5 years; the limit is 3.")
    }

    @Test func aStoredContactHandsOnItsDateDecisionAndThresholdShares() throws {
        let answer = try Eligibility.evaluate(
            EligibilityQuestion(occurredOn: day("2026-11-20"), offences: ["possession_personal_use"],
                                seizures: [.init(substance: "cannabis_herb", quantity: 20, unit: "g")]),
            under: testPolicy)
        // 23:30 UTC is still 20 November.
        let instant = try Date("2026-11-20T23:30:00Z", strategy: .iso8601)
        let record = ContactRecord(
            id: UUID(), personID: UUID(), occurredAt: instant, region: "R1", offences: ["possession_personal_use"],
            seizures: [.init(substance: "cannabis_herb", quantity: 20, unit: "g")], circumstances: .init(), officerUserID: UUID(),
            officerName: "Officer", agencyID: UUID(), policyVersionID: UUID(), evaluation: answer, decision: .noFurtherAction,
            decisionReason: "reason", createdAt: instant
        )
        #expect(record.past == PastContact(occurredOn: day("2026-11-20"), decision: .noFurtherAction,
                                           seizures: [ThresholdShare(substance: "cannabis_herb", percentOfThreshold: 80)]))
    }

    @Test(arguments: [
        ("R1", nil, nil, [String]()),
        ("PT-11", 38.7, -9.1, []),
        ("  R2 ", nil, nil, []),
        (nil, nil, nil, ["region"]),
        ("   ", nil, nil, ["region"]),
        ("R 1", nil, nil, ["region"]),
        (String(repeating: "R", count: 41), nil, nil, ["region"]),
        ("R1", 91, 0, ["latitude"]),
        ("R1", 0, -181, ["longitude"]),
        ("R1", 38.7, nil, ["longitude"]),
        ("R1", nil, -9.1, ["longitude"]),
    ] as [(String?, Double?, Double?, [String])])
    func aContactPlaceNamesEachWrongField(region: String?, latitude: Double?, longitude: Double?, fields: [String]) {
        var errors = FieldErrors()
        let kept = ContactPlace.check(region: region, latitude: latitude, longitude: longitude, into: &errors)
        #expect(errors.all.map(\.field) == fields)
        if fields.isEmpty { #expect(kept == region?.trimmingCharacters(in: .whitespaces)) }
    }
}

@Suite("Counting days")
struct CalendarDateDaysTests {
    @Test(arguments: [
        ("2026-11-20", 0, "2026-11-20"),
        ("2026-11-20", 30, "2026-12-20"),
        ("2026-11-20", -30, "2026-10-21"),
        ("2026-01-31", 1, "2026-02-01"),
        ("2026-04-30", 1, "2026-05-01"),
        ("2026-12-31", 1, "2027-01-01"),
        ("2027-01-01", -1, "2026-12-31"),
        ("2026-12-20", 30, "2027-01-19"),
        ("2024-02-28", 1, "2024-02-29"),
        ("2024-02-29", 1, "2024-03-01"),
        ("2023-02-28", 1, "2023-03-01"),
        ("2024-03-01", -1, "2024-02-29"),
        ("2026-03-01", -1, "2026-02-28"),
        ("2000-02-28", 1, "2000-02-29"),
        ("2100-02-28", 1, "2100-03-01"),
        ("2024-01-01", 366, "2025-01-01"),
        ("2023-01-01", 365, "2024-01-01"),
        ("2026-02-01", 28, "2026-03-01"),
    ])
    func addingDaysCrossesMonthsYearsAndLeapDays(start: String, days: Int, expected: String) {
        #expect(day(start).adding(days: days).description == expected)
    }

    @Test(arguments: [("2026-11-20", 30, "2026-12-20"), ("2026-12-25", 10, "2027-01-04"), ("2028-02-15", 14, "2028-02-29"), ("2027-02-15", 14, "2027-03-01")])
    func anEvaluationIsReviewedThePolicysReviewDaysAfterTheContact(occurredOn: String, reviewDays: Int, reviewBy: String) throws {
        var policy = testPolicy
        policy.timeLimits = .init(referralAcceptHours: 48, intakeDays: 7, reviewDays: reviewDays)
        let answer = try Eligibility.evaluate(
            EligibilityQuestion(occurredOn: day(occurredOn), offences: ["possession_personal_use"], seizures: []), under: policy)
        #expect(answer.reviewBy == day(reviewBy))
        #expect(answer.reviewBy == day(occurredOn).adding(days: policy.timeLimits.reviewDays))
    }

    @Test func anIneligibleCaseIsReviewedToo() throws {
        #expect(JurisdictionPolicy.TimeLimits.standard.reviewDays == 30)
        let answer = try Eligibility.evaluate(
            EligibilityQuestion(occurredOn: day("2026-11-20"), offences: ["supply"], seizures: []), under: testPolicy)
        #expect(!answer.eligible)
        #expect(answer.reviewBy == day("2026-12-20"))
    }
}
