import Foundation
import Testing
@testable import DiversionCore

private let lisbon = TimeZone(identifier: "Europe/Lisbon") ?? .gmt
private let start = CalendarDate(year: 2026, month: 1, day: 10)

private func measure(_ conditions: [Condition], start: CalendarDate = start, phaseSince: CalendarDate? = nil) -> MeasureRecord {
    MeasureRecord(id: UUID(), caseID: UUID(), decisionID: UUID(), personID: UUID(), type: .probation, conditions: conditions,
                  start: start, plannedEnd: nil, phaseSince: phaseSince)
}

private let hoursCondition = Condition(type: .communityService, parameters: ["hours": .number(60), "deadline": .string("2026-04-10")])
private let paymentCondition = Condition(type: .payment, parameters: ["amount": .number(300), "currency": .string("EUR"), "instalments": .number(3)])
private let reportCondition = Condition(type: .reportToOfficer, parameters: ["timesPerMonth": .number(2)])
private let standard = measure([hoursCondition, paymentCondition, reportCondition])

private func entry(_ date: String, _ detail: ComplianceEntry.Detail) -> ComplianceEntry {
    ComplianceEntry(id: UUID(), measureID: standard.id, personID: standard.personID, date: CalendarDate(date) ?? start, detail: detail,
                    recordedByName: "Rui Silva", recordedAt: Date(timeIntervalSince1970: 0))
}

private func hours(_ date: String, _ h: Decimal) -> ComplianceEntry {
    entry(date, .communityService(ServiceHours(hours: h, site: "Food bank", verifiedBy: "M. Lopes")))
}

private func paid(_ date: String, _ amount: Decimal) -> ComplianceEntry {
    entry(date, .payment(PaymentMade(amount: amount, currency: "EUR")))
}

private func appointment(_ date: String, _ a: Attendance) -> ComplianceEntry {
    entry(date, .appointment(AppointmentKept(at: Date(timeIntervalSince1970: 0), service: "Counselling", attendance: a, note: "")))
}

private func report(_ date: String, _ a: Attendance) -> ComplianceEntry {
    entry(date, .report(OfficerReport(officer: "Rui Silva", attendance: a)))
}

private func checked(_ input: ComplianceInput, on m: MeasureRecord = standard, today: String = "2026-02-01") throws(ValidationFailure) -> (CalendarDate, ComplianceEntry.Detail) {
    let day = CalendarDate(today) ?? start
    let now = Date(timeIntervalSince1970: TimeInterval(day.dayNumber * 86_400 + 43_200))
    return try input.check(for: m, today: day, now: now, timeZone: lisbon)
}

@Suite("Compliance entries and progress at a glance")
struct ComplianceTests {
    @Test(arguments: [
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "4.5", site: "Food bank", verifiedBy: "M. Lopes"), ComplianceKind.communityService),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "100", currency: "eur"), .payment),
        (ComplianceInput(kind: "appointment", at: "2026-01-20T10:00", service: "Counselling", attendance: "late"), .appointment),
        (ComplianceInput(kind: "appointment", at: "2026-01-20T10:00:00Z", service: "Court review", attendance: "missed", note: "Phoned in sick"), .appointment),
        (ComplianceInput(kind: "report", date: "2026-01-31", attendance: "attended", officer: "Rui Silva"), .report),
    ])
    func aCompleteEntryIsAccepted(input: ComplianceInput, kind: ComplianceKind) throws {
        let (_, detail) = try checked(input)
        #expect(detail.kind == kind)
    }

    @Test func aFormTimeIsReadInTheJurisdictionsTimeZone() throws {
        // Lisbon is on UTC+1 in summer: 10:00 local is 09:00 UTC.
        let m = measure([], start: CalendarDate(year: 2026, month: 6, day: 1))
        let (day, detail) = try checked(ComplianceInput(kind: "appointment", at: "2026-07-01T10:00", service: "Counselling", attendance: "attended"), on: m, today: "2026-07-02")
        guard case .appointment(let a) = detail else { Issue.record("not an appointment"); return }
        #expect(a.at == (try Date("2026-07-01T09:00:00Z", strategy: .iso8601)))
        #expect(day == CalendarDate(year: 2026, month: 7, day: 1))
    }

    @Test(arguments: [
        (ComplianceInput(kind: "gardening"), "kind"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "0", site: "x", verifiedBy: "y"), "hours"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "25", site: "x", verifiedBy: "y"), "hours"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "2.125", site: "x", verifiedBy: "y"), "hours"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "-3", site: "x", verifiedBy: "y"), "hours"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "4", site: " ", verifiedBy: "y"), "site"),
        (ComplianceInput(kind: "community_service", date: "2026-01-20", hours: "4", site: "x"), "verifiedBy"),
        (ComplianceInput(kind: "community_service", date: "2026-01-02", hours: "4", site: "x", verifiedBy: "y"), "date"),
        (ComplianceInput(kind: "community_service", date: "2026-03-01", hours: "4", site: "x", verifiedBy: "y"), "date"),
        (ComplianceInput(kind: "community_service", date: "20/01/2026", hours: "4", site: "x", verifiedBy: "y"), "date"),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "0", currency: "EUR"), "amount"),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "1e3", currency: "EUR"), "amount"),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "10", currency: "USD"), "currency"),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "10", currency: "EURO"), "currency"),
        (ComplianceInput(kind: "payment", date: "2026-01-20", amount: "10"), "currency"),
        (ComplianceInput(kind: "appointment", service: "Counselling", attendance: "attended"), "at"),
        (ComplianceInput(kind: "appointment", at: "tomorrow", service: "Counselling", attendance: "attended"), "at"),
        (ComplianceInput(kind: "appointment", at: "2026-02-05T10:00", service: "Counselling", attendance: "attended"), "at"),
        (ComplianceInput(kind: "appointment", at: "2026-01-20T10:00", attendance: "attended"), "service"),
        (ComplianceInput(kind: "appointment", at: "2026-01-20T10:00", service: "Counselling", attendance: "absent"), "attendance"),
        (ComplianceInput(kind: "report", date: "2026-01-20", attendance: "late", officer: "Rui Silva"), "attendance"),
        (ComplianceInput(kind: "report", date: "2026-01-20", attendance: "attended"), "officer"),
    ])
    func aWrongFieldIsNamed(input: ComplianceInput, field: String) {
        let fields = Self.errorFields(input)
        #expect(fields.contains(field), "\(fields)")
    }

    static func errorFields(_ input: ComplianceInput, on m: MeasureRecord = standard) -> [String] {
        do {
            _ = try checked(input, on: m)
            return []
        } catch {
            return error.errors.map(\.field)
        }
    }

    @Test(arguments: [(ComplianceKind.communityService, "no community service condition"), (.payment, "no payment condition")])
    func hoursAndPaymentsNeedAConditionOfTheirKind(kind: ComplianceKind, message: String) {
        let input = ComplianceInput(kind: kind.rawValue, date: "2026-01-20", hours: "4", site: "x", verifiedBy: "y", amount: "10", currency: "EUR")
        do {
            _ = try checked(input, on: measure([reportCondition]))
            Issue.record("accepted")
        } catch {
            #expect(error.errors.first { $0.field == "kind" }?.reason.contains(message) == true)
        }
    }

    // Hours: 60 due between 2026-01-10 and 2026-04-10 (90 days); the pace allows a week's grace.
    @Test(arguments: [
        ("2026-01-15", [] as [String], "0", false, false),
        ("2026-02-09", ["10"], "15.33", true, false),
        ("2026-02-09", ["10", "6"], "15.33", false, false),
        ("2026-04-10", ["50"], "55.33", true, false),
        ("2026-04-11", ["59.5"], "56", false, true),
        ("2026-04-11", ["60"], "56", false, false),
        ("2026-04-11", ["40", "30"], "56", false, false),
    ])
    func hoursAreCountedAgainstTheDeadlineAndAPace(today: String, logged: [String], expected: String, behind: Bool, deadlinePassed: Bool) throws {
        let day = try #require(CalendarDate(today))
        let amounts = logged.compactMap { Decimal(string: $0) }
        // Hours alone, so an unpaid payment does not make the measure overdue here.
        let progress = MeasureCompliance(measure: measure([hoursCondition]), entries: amounts.map { hours("2026-01-12", $0) }, today: day)
        let h = try #require(progress.hours.first)
        let done = min(amounts.reduce(0, +), 60)
        #expect(h.due == 60 && h.done == done && h.remaining == 60 - done)
        #expect(h.expectedByNow == Decimal(string: expected))
        #expect(h.behindPace == behind && h.deadlinePassed == deadlinePassed)
        #expect(h.overdue == (behind || deadlinePassed))
        #expect(progress.overdue == h.overdue)
    }

    // 300 EUR in 3 monthly instalments: due 2026-02-10, 2026-03-10, 2026-04-10; overdue from the day after.
    @Test(arguments: [
        ("2026-02-10", [] as [String], 0, "0", false, "2026-02-10"),
        ("2026-02-11", [], 1, "100", true, "2026-03-10"),
        ("2026-02-11", ["100"], 1, "100", false, "2026-03-10"),
        ("2026-03-11", ["100", "50"], 2, "200", true, "2026-04-10"),
        ("2026-05-01", ["299.99"], 3, "300", true, ""),
        ("2026-05-01", ["300"], 3, "300", false, ""),
    ])
    func paymentsAreCountedAgainstInstalmentsDueSoFar(today: String, logged: [String], instalmentsDue: Int, dueSoFar: String, overdue: Bool, next: String) throws {
        let day = try #require(CalendarDate(today))
        let amounts = logged.compactMap { Decimal(string: $0) }
        let progress = MeasureCompliance(measure: standard, entries: amounts.map { paid("2026-01-20", $0) }, today: day)
        let p = try #require(progress.payments.first)
        let total = amounts.reduce(0, +)
        #expect(p.paid == total && p.balance == 300 - total)
        #expect(p.instalmentsDue == instalmentsDue && p.dueSoFar == Decimal(string: dueSoFar) && p.overdue == overdue)
        #expect(p.nextDueDate?.description ?? "" == next)
    }

    @Test func instalmentsThatDoNotDivideEvenlyLeaveTheRemainderToTheLast() throws {
        let m = measure([Condition(type: .payment, parameters: ["amount": .number(100), "currency": .string("EUR"), "instalments": .number(3)])])
        let after2 = try #require(MeasureCompliance(measure: m, entries: [], today: CalendarDate(year: 2026, month: 3, day: 11)).payments.first)
        #expect(after2.dueSoFar == Decimal(string: "66.66"))
        let after3 = try #require(MeasureCompliance(measure: m, entries: [], today: CalendarDate(year: 2026, month: 4, day: 11)).payments.first)
        #expect(after3.dueSoFar == 100)
    }

    @Test(arguments: [
        ([] as [Attendance], nil as Double?),
        ([.attended, .late, .missed, .attended], 0.75),
        ([.missed], 0.0),
        ([.late, .late], 1.0),
    ])
    func attendanceCountsLateAsAttended(kept: [Attendance], rate: Double?) {
        let progress = MeasureCompliance(measure: standard, entries: kept.map { appointment("2026-01-20", $0) }, today: CalendarDate(year: 2026, month: 2, day: 1))
        #expect(progress.appointments.rate == rate)
        #expect(progress.appointments.total == kept.count)
    }

    @Test func reportsAreCountedAgainstTimesPerMonth() {
        let entries = [report("2026-01-20", .attended), report("2026-02-03", .attended), report("2026-02-17", .missed), report("2026-02-20", .attended)]
        let progress = MeasureCompliance(measure: standard, entries: entries, today: CalendarDate(year: 2026, month: 2, day: 25))
        #expect(progress.reports.timesPerMonth == 2)
        #expect(progress.reports.made == 3 && progress.reports.missed == 1 && progress.reports.thisMonth == 2)
        #expect(progress.reports.expectedSoFar == 2 && !progress.reports.behind)
        let later = MeasureCompliance(measure: standard, entries: entries, today: CalendarDate(year: 2026, month: 3, day: 11))
        #expect(later.reports.expectedSoFar == 4 && later.reports.behind)
    }

    @Test(arguments: [
        (CalendarDate(year: 2026, month: 1, day: 31), 1, "2026-02-28"),
        (CalendarDate(year: 2024, month: 1, day: 31), 1, "2024-02-29"),
        (CalendarDate(year: 2026, month: 11, day: 10), 3, "2027-02-10"),
        (CalendarDate(year: 2026, month: 12, day: 15), 1, "2027-01-15"),
    ])
    func monthsAreAddedToTheSameDayOrTheMonthsLast(date: CalendarDate, months: Int, expected: String) {
        #expect(date.addingMonths(months).description == expected)
    }
}

@Suite("Evidence for phase promotion")
struct PromotionEvidenceTests {
    private static func result(_ day: Int, _ outcome: DrugTestOutcome) throws -> DrugTestResult {
        let testDay = CalendarDate(year: 2026, month: 1, day: day)
        let specimen = outcome.hasSpecimen
        return try DrugTestResult(testDay: testDay, specimen: .urine,
                                  collectedAt: specimen ? Date(timeIntervalSince1970: TimeInterval(testDay.dayNumber * 86_400 + 36_000)) : nil,
                                  outcome: outcome, chainOfCustody: specimen ? "COC-\(day)" : nil)
    }

    @Test(arguments: [
        ([] as [(Int, DrugTestOutcome)], 0),
        ([(1, .negative), (2, .negative), (3, .negative)], 3),
        ([(3, .negative), (1, .negative), (2, .positive(substances: ["cannabis"]))], 1),
        ([(1, .negative), (2, .missed), (3, .negative), (4, .excused(reason: "In hospital")), (5, .negative)], 2),
        ([(1, .negative), (2, .dilute)], 0),
    ])
    func negativeTestsAreCountedBackFromTheLatest(results: [(Int, DrugTestOutcome)], expected: Int) throws {
        #expect(PromotionEvidence.consecutiveNegatives(try results.map { try Self.result($0.0, $0.1) }) == expected)
    }

    @Test func promotionNeedsDaysTestsAndAttendanceInThePhase() throws {
        let m = measure([], start: CalendarDate(year: 2026, month: 1, day: 1), phaseSince: CalendarDate(year: 2026, month: 1, day: 1))
        let negatives = try (1...4).map { try Self.result($0, .negative) }
        let early = try #require(PromotionEvidence.check(m, matrix: .standard, today: CalendarDate(year: 2026, month: 1, day: 20), results: negatives, entries: []))
        #expect(!early.eligible)
        #expect(early.reasons.contains { $0.contains("19 days in this phase") && $0.hasSuffix("not yet met.") })
        #expect(early.reasons.contains { $0.hasPrefix("No appointment has been recorded") })
        let kept = (1...5).map { appointment("2026-01-\(String(format: "%02d", $0 + 5))", $0 == 5 ? .missed : .attended) }
        let later = try #require(PromotionEvidence.check(m, matrix: .standard, today: CalendarDate(year: 2026, month: 2, day: 1), results: negatives, entries: kept))
        #expect(later.eligible, "\(later.reasons)")
        #expect(later.reasons.first == "Eligible for promotion to phase 2 (Intensive treatment).")
    }
}
