import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// A result as submitted by the API or the page, before it is checked.
struct DrugTestResultInput: Decodable {
    var testDay: String?
    var specimen: String?
    var collectedAt: String?
    var outcome: String?
    var substances: [String]?
    var reason: String?
    var labConfirmed: Bool?
    var chainOfCustody: String?
}

/// How a stored plan compares with its seed and the commitment in the audit trail.
struct PlanCheck: Sendable {
    /// intact, days_altered, commitment_mismatch, unknown_algorithm, commitment_missing or seed_unreadable.
    var status: String
    var detail: String
    var added: [CalendarDate] = []
    var removed: [CalendarDate] = []

    var isIntact: Bool { status == "intact" }
}

/// Drug testing with its audit entries, shared by the API and the pages.
struct DrugTestService {
    let request: Request

    static let outcomes = ["negative", "positive", "dilute", "adulterated", "missed", "excused"]
    /// Who a result recorded by the missed-test sweep is attributed to.
    static let sweepRecorder = "system"
    /// A collection time this far ahead of the server's clock is still taken as now (clocks drift).
    static let clockSkew: TimeInterval = 5 * 60

    private var store: DrugTestStore { DrugTestStore() }

    /// The measure's plan, or 404 when the measure orders no drug testing.
    func plan(of measure: MeasureRecord) async throws -> StoredDrugTestPlan {
        guard let plan = try await store.plan(forMeasure: measure.id, on: request.db) else {
            throw APIError.notFound("The measure \(measure.id.uuidString.lowercased()) has no drug-testing plan; only a measure with a drug_testing condition has one.")
        }
        return plan
    }

    /// Recomputes the plan from its opened seed and checks it against the commitment the audit trail recorded.
    func check(_ stored: StoredDrugTestPlan) async throws -> PlanCheck {
        guard let recorded = try await store.recordedCommitment(planID: stored.plan.id, personID: stored.personID, on: request.db) else {
            return PlanCheck(status: "commitment_missing", detail: "no commitment for this plan is recorded in the audit trail, so it cannot be verified")
        }
        let seed: PlanSeed
        do {
            seed = try await store.seed(of: stored.plan.id, vault: request.application.drugTesting.vault, on: request.db)
        } catch let error as SeedKeyError {
            return PlanCheck(status: "seed_unreadable", detail: error.message)
        }
        switch DrugTestPlan.verify(stored.plan, seed: seed, commitment: recorded, hashing: .crypto) {
        case .intact:
            return PlanCheck(status: "intact", detail: PlanVerification.intact.description)
        case .commitmentMismatch:
            return PlanCheck(status: "commitment_mismatch", detail: PlanVerification.commitmentMismatch.description)
        case .daysAltered(let added, let removed):
            return PlanCheck(status: "days_altered", detail: PlanVerification.daysAltered(added: added, removed: removed).description,
                             added: added, removed: removed)
        case .unknownAlgorithm(let name):
            return PlanCheck(status: "unknown_algorithm", detail: PlanVerification.unknownAlgorithm(name).description)
        }
    }

    // MARK: Results

    /// Checks a submitted result against the plan: the day lies in the plan and is not ahead, the collection not in the future.
    func result(from input: DrugTestResultInput, plan stored: StoredDrugTestPlan, collectedAt: Date?) throws -> DrugTestResult {
        let plan = stored.plan
        var errors = FieldErrors()
        let today = plan.condition.localDate(of: request.now)
        let day = input.testDay.flatMap(CalendarDate.init)
        if let day {
            if !plan.condition.covers(day) {
                errors.add("testDay", "The plan runs from \(plan.condition.startDate) to \(plan.condition.endDate); give a day in it.")
            } else if day > today {
                errors.add("testDay", "\(day) is ahead; record a result on the day of the test or later.")
            }
        } else {
            errors.add("testDay", "Write the test day as YYYY-MM-DD.")
        }
        var specimen = plan.condition.specimen
        if let text = input.specimen, !text.isEmpty {
            if let s = DrugTestSpecimen(rawValue: text) { specimen = s } else {
                errors.add("specimen", "Use one of \(DrugTestSpecimen.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        if input.collectedAt?.isEmpty == false, collectedAt == nil {
            errors.add("collectedAt", "Write the collection time as ISO 8601, such as 2026-12-03T09:30:00Z.")
        }
        if let collectedAt, collectedAt > request.now.addingTimeInterval(Self.clockSkew) {
            errors.add("collectedAt", "The collection time is in the future; give the time the specimen was taken.")
        }
        var outcome: DrugTestOutcome?
        switch input.outcome {
        case "negative": outcome = .negative
        case "positive": outcome = .positive(substances: input.substances ?? [])
        case "dilute": outcome = .dilute
        case "adulterated": outcome = .adulterated
        case "missed": outcome = .missed
        case "excused": outcome = .excused(reason: input.reason ?? "")
        default: errors.add("outcome", "Use one of \(Self.outcomes.joined(separator: ", ")).")
        }
        if let outcome, input.substances?.isEmpty == false, outcome.code != "positive" {
            errors.add("substances", "Only a positive result names substances.")
        }
        guard let day, let outcome else { throw ValidationFailure(errors.all) }
        let result: DrugTestResult
        do {
            result = try DrugTestResult(
                testDay: day, specimen: specimen, collectedAt: collectedAt, outcome: outcome,
                labConfirmed: input.labConfirmed ?? false, chainOfCustody: input.chainOfCustody
            )
        } catch {
            // The request names these fields at the top level.
            for e in error.errors {
                errors.add(e.field.replacingOccurrences(of: "outcome.substances", with: "substances")
                    .replacingOccurrences(of: "outcome.reason", with: "reason"), e.reason)
            }
            throw ValidationFailure(errors.all)
        }
        try errors.throwIfAny()
        return result
    }

    /// Records a checked result; 409 when the day already has one (a missed test included).
    func record(_ result: DrugTestResult, plan stored: StoredDrugTestPlan) async throws -> StoredDrugTestResult {
        let principal = try request.requirePrincipal()
        let row = StoredDrugTestResult(
            id: UUID(), planID: stored.plan.id, measureID: stored.measureID, personID: stored.personID, result: result,
            outsideWindow: result.isOutsideWindow(of: stored.plan), recordedByName: principal.displayName,
            recordedByAgencyID: principal.agencyID, recordedByAgencyType: principal.agencyType, recordedAt: request.now
        )
        let event = try request.auditEvent(.create, "drug_test_result", id: row.id.uuidString.lowercased(), person: stored.personID)
        let inserted = try await request.diversion.auditTrail.perform { db in
            let inserted = try await DrugTestStore().insert([row], on: db)
            return (inserted, inserted.isEmpty ? [] : [event])
        }
        guard let saved = inserted.first else {
            throw APIError.conflict("\(result.testDay) already has a result; a day has one result. Reload the results to see it.")
        }
        return saved
    }

    /// Records every test day of these plans whose window closed without a result as missed, so none is
    /// silently dropped; answers the results now on record for each plan. Safe to run any number of times.
    @discardableResult
    func sweepMissed(_ plans: [StoredDrugTestPlan]) async throws -> [UUID: [StoredDrugTestResult]] {
        guard !plans.isEmpty else { return [:] }
        var byPlan = Dictionary(grouping: try await store.results(ofPlans: plans.map(\.plan.id), from: CalendarDate(year: 1970, month: 1, day: 1), on: request.db),
                                by: \.planID)
        let now = request.now
        var missing: [StoredDrugTestResult] = []
        for stored in plans {
            for missed in MissedTests.find(stored.plan, results: (byPlan[stored.plan.id] ?? []).map(\.result), through: now) {
                missing.append(StoredDrugTestResult(
                    id: UUID(), planID: stored.plan.id, measureID: stored.measureID, personID: stored.personID, result: missed.result,
                    outsideWindow: false, recordedByName: Self.sweepRecorder, recordedAt: now
                ))
            }
        }
        guard !missing.isEmpty else { return byPlan }
        let request = request
        let inserted = try await request.diversion.auditTrail.perform { [missing] db in
            let inserted = try await DrugTestStore().insert(missing, on: db)
            let events = try inserted.map { try request.auditEvent(.create, "drug_test_result", id: $0.id.uuidString.lowercased(), person: $0.personID) }
            return (inserted, events)
        }
        // Another sweep may have recorded some of them first; read back what is on record.
        if inserted.count != missing.count {
            byPlan = Dictionary(grouping: try await store.results(ofPlans: plans.map(\.plan.id), from: CalendarDate(year: 1970, month: 1, day: 1), on: request.db),
                                by: \.planID)
        } else {
            for r in inserted { byPlan[r.planID, default: []].append(r) }
            for key in byPlan.keys { byPlan[key]?.sort { $0.result.testDay < $1.result.testDay } }
        }
        return byPlan
    }

    /// The plans of every active measure, after recording their missed tests: what the supervision worklist shows.
    func sweepActive() async throws -> (plans: [StoredDrugTestPlan], results: [UUID: [StoredDrugTestResult]]) {
        let measures = try await MeasureStore().active(on: request.db)
        let plans = try await store.plans(forMeasures: measures.map(\.id), on: request.db)
        return (plans, try await sweepMissed(plans))
    }

    // MARK: Call-in

    /// Issues a new call-in code for the person, replacing any earlier one; the code is answered once and only its hash kept.
    func issueCallInCode(for personID: UUID) async throws -> (code: String, issuedAt: Date) {
        let principal = try request.requirePrincipal()
        guard try await request.diversion.people.find(personID, on: request.db) != nil else {
            throw APIError.notFound("No person has the id \(personID.uuidString.lowercased()).")
        }
        let code = CallInCode.generate()
        let now = request.now
        let event = try request.auditEvent(.create, "call_in_code", id: personID.uuidString.lowercased(), person: personID)
        try await request.diversion.auditTrail.perform { db in
            try await DrugTestStore().replaceCallInCode(personID: personID, code: code, issuedByName: principal.displayName, at: now, on: db)
            return ((), [event])
        }
        return (code, now)
    }

    /// What the call-in answers for `date` (today, or tomorrow when asked, if not given); the lookup is audited against the person.
    func callIn(code raw: String?, date rawDate: String?, tomorrow: Bool = false) async throws -> (answer: CallInAnswer, personID: UUID) {
        let address = request.remoteAddress?.ipAddress ?? "unknown"
        let throttle = request.application.drugTesting.callInThrottle
        let now = request.now
        if let until = await throttle.lockedUntil(address, now: now) {
            throw Abort(.tooManyRequests, reason: "Too many unknown codes were tried from here. Try again after \(until.formatted(.iso8601)).")
        }
        var errors = FieldErrors()
        let code = raw.flatMap(CallInCode.normalized)
        if code == nil { errors.add("code", "A call-in code is \(CallInCode.length) letters and digits, such as ABCDE-23456.") }
        var date: CalendarDate?
        if let rawDate, !rawDate.isEmpty {
            date = CalendarDate(rawDate)
            if date == nil { errors.add("date", "Write the date as YYYY-MM-DD.") }
        }
        try errors.throwIfAny()
        guard let code, let personID = try await store.person(callInCode: code, on: request.db) else {
            await throttle.recordFailure(address, now: now)
            throw APIError.notFound("That code is not known. Check it, or ask your supervision officer for a new one.")
        }
        let active = Set(try await MeasureStore().forPerson(personID, on: request.db).filter(\.isActive).map(\.id))
        let plans = try await store.plans(forPerson: personID, on: request.db).filter { active.contains($0.measureID) }.map(\.plan)
        let policyZone = try? await request.diversion.policies.active(on: request.db)?.policy.supervision.timeZone
        let zone = plans.first?.condition.timeZoneID ?? policyZone ?? "UTC"
        let asked = date ?? CallInAnswer.askableDates(now: now, timeZoneID: zone)[tomorrow ? 1 : 0]
        try CallInAnswer.checkAskable(asked, now: now, timeZoneID: zone)
        try await request.diversion.auditTrail.record([
            try request.auditEvent(.read, "drug_test_notice", id: asked.description, person: personID),
        ])
        return (CallInAnswer.answer(for: asked, plans: plans, timeZoneID: zone), personID)
    }
}

/// A time a form gave in the plan's local wall-clock time ("2026-12-03T09:30"), or ISO 8601 with a zone.
func parseLocalFormTime(_ text: String?, calendar: Calendar) -> Date? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    let parts = text.split(whereSeparator: { $0 == "T" || $0 == " " })
    guard parts.count == 2, let day = CalendarDate(String(parts[0])), let time = LocalTime(String(parts[1].prefix(5))) else { return nil }
    return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute))
}
