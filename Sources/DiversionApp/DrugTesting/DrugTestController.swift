import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A measure's testing plan as supervisors see it: every day, and whether it is still the one drawn.
struct TestingPlanResponse: Content {
    struct ConditionBody: Content {
        var minimumPerWeek: Int
        var windowStart: String
        var windowHours: Int
        var specimen: String
        var timeZone: String
        var startDate: String
        var endDate: String
    }

    struct Day: Content {
        var date: String
        var windowStart: String
        var windowEnd: String
    }

    struct Week: Content {
        var index: Int
        var monday: String
        /// Days of the week the plan covers (fewer than 7 in its first and last week).
        var days: Int
        var testDays: [String]
    }

    struct Verification: Content {
        var status: String
        var detail: String
        var added: [String]
        var removed: [String]

        init(_ c: PlanCheck) {
            status = c.status
            detail = c.detail
            added = c.added.map(\.description)
            removed = c.removed.map(\.description)
        }
    }

    var id: String
    var measureId: String
    var personId: String
    var algorithm: String
    var commitment: String
    var createdAt: String
    var condition: ConditionBody
    var testDays: [Day]
    var weeks: [Week]
    var verification: Verification

    init(_ stored: StoredDrugTestPlan, check: PlanCheck) {
        let plan = stored.plan
        let c = plan.condition
        id = plan.id.uuidString.lowercased()
        measureId = stored.measureID.uuidString.lowercased()
        personId = stored.personID.uuidString.lowercased()
        algorithm = plan.algorithm
        commitment = plan.commitmentHex
        createdAt = stored.createdAt.formatted(.iso8601)
        condition = ConditionBody(
            minimumPerWeek: c.minimumPerWeek, windowStart: c.window.startText, windowHours: c.window.hours, specimen: c.specimen.rawValue,
            timeZone: c.timeZoneID, startDate: c.startDate.description, endDate: c.endDate.description
        )
        testDays = plan.testDays.map { day in
            let w = c.window(on: day)
            return Day(date: day.description, windowStart: w.start.formatted(.iso8601), windowEnd: w.end.formatted(.iso8601))
        }
        weeks = plan.weeks.map { w in
            Week(index: w.index, monday: w.monday.description, days: w.days.count, testDays: plan.testDays(in: w).map(\.description))
        }
        verification = Verification(check)
    }
}

/// One test result as the API answers it.
struct TestResultResponse: Content {
    var id: String
    var planId: String
    var measureId: String
    var testDay: String
    /// False for a test on a day the plan did not draw (an unscheduled test).
    var scheduled: Bool
    var specimen: String
    var collectedAt: String?
    var outcome: String
    var substances: [String]
    var reason: String?
    var labConfirmed: Bool
    var chainOfCustody: String?
    var outsideWindow: Bool
    var recordedBy: String
    var recordedAt: String

    init(_ r: StoredDrugTestResult, plan: DrugTestPlan) {
        id = r.id.uuidString.lowercased()
        planId = r.planID.uuidString.lowercased()
        measureId = r.measureID.uuidString.lowercased()
        testDay = r.result.testDay.description
        scheduled = plan.isTestDay(r.result.testDay)
        specimen = r.result.specimen.rawValue
        collectedAt = r.result.collectedAt?.formatted(.iso8601)
        outcome = r.result.outcome.code
        switch r.result.outcome {
        case .positive(let found): substances = found
        default: substances = []
        }
        if case .excused(let why) = r.result.outcome { reason = why }
        labConfirmed = r.result.labConfirmed
        chainOfCustody = r.result.chainOfCustody
        outsideWindow = r.outsideWindow
        recordedBy = r.recordedByName
        recordedAt = r.recordedAt.formatted(.iso8601)
    }
}

/// Random drug testing: the plan drawn at the decision, results, missed tests and the person's call-in.
struct DrugTestController {
    struct ResultList: Content {
        var items: [TestResultResponse]
        /// Results a health or social service recorded that no consent or court order lets this reader see.
        var withheld: Int = 0
        var withheldReasons: [String] = []
        /// Present when the answer discloses health data: the recipient may not pass it on.
        var redisclosureNotice: String?
    }

    struct CallInCodeResponse: Content {
        var personId: String
        /// Shown this once: only its SHA-256 is kept.
        var code: String
        var issuedAt: String
    }

    struct CallInQuery: Decodable {
        var code: String?
        var date: String?
    }

    struct CallInResponse: Content {
        var date: String
        var testDay: Bool
        var windowStart: String?
        var windowEnd: String?
        var timeZone: String
        var specimen: String?

        init(_ a: CallInAnswer) {
            date = a.date.description
            testDay = a.isTestDay
            windowStart = a.windowStart
            windowEnd = a.windowEnd
            timeZone = a.timeZoneID
            specimen = a.specimen?.rawValue
        }
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "measures", ":id", "testing-plan", access: .allowed(.read, .drugTest), use: plan)
        api.endpoint(.GET, "measures", ":id", "tests", access: .allowed(.search, .drugTest), use: results)
        api.endpoint(.POST, "measures", ":id", "tests", access: .allowed(.create, .drugTest), use: record)
        api.endpoint(.POST, "persons", ":id", "call-in-code", access: .allowed(.create, .drugTest), use: issueCode)
        api.endpoint(.GET, "call-in", access: .anyone, use: callIn)
    }

    @Sendable func plan(_ req: Request) async throws -> TestingPlanResponse {
        let measure = try await req.measureParameter()
        let service = DrugTestService(request: req)
        let stored = try await service.plan(of: measure)
        let check = try await service.check(stored)
        try await req.diversion.auditTrail.record([
            try req.auditEvent(.read, DrugTestStore.planAuditType, id: stored.plan.id.uuidString.lowercased(), person: stored.personID),
        ])
        return TestingPlanResponse(stored, check: check)
    }

    /// The results in day order, after every test day whose window closed without one is recorded as missed.
    @Sendable func results(_ req: Request) async throws -> ResultList {
        let measure = try await req.measureParameter()
        let service = DrugTestService(request: req)
        let stored = try await service.plan(of: measure)
        let results = try await service.sweepMissed([stored])[stored.plan.id] ?? []
        try await req.diversion.auditTrail.record([
            try req.auditEvent(.search, "drug_test_result", id: stored.plan.id.uuidString.lowercased(), person: stored.personID),
        ])
        let visible = try await DisclosureService(request: req).visible(results, personID: stored.personID, what: "GET /api/v1/measures/{id}/tests") { $0.disclosure }
        return ResultList(items: visible.shown.map { TestResultResponse($0, plan: stored.plan) }, withheld: visible.withheld,
                          withheldReasons: visible.reasons, redisclosureNotice: visible.notice)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(DrugTestResultInput.self)
        let measure = try await req.measureParameter()
        let service = DrugTestService(request: req)
        let stored = try await service.plan(of: measure)
        let collectedAt = body.collectedAt.flatMap { try? Date($0, strategy: .iso8601) }
        let result = try service.result(from: body, plan: stored, collectedAt: collectedAt)
        let saved = try await service.record(result, plan: stored)
        let response = try await TestResultResponse(saved, plan: stored.plan).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/measures/\(measure.id.uuidString.lowercased())/tests")
        return response
    }

    @Sendable func issueCode(_ req: Request) async throws -> Response {
        let personID = try req.idParameter(of: "person")
        let issued = try await DrugTestService(request: req).issueCallInCode(for: personID)
        return try await CallInCodeResponse(personId: personID.uuidString.lowercased(), code: issued.code, issuedAt: issued.issuedAt.formatted(.iso8601))
            .encodeResponse(status: .created, for: req)
    }

    /// No sign-in: the code stands in for one, and the answer covers one date, today or tomorrow.
    @Sendable func callIn(_ req: Request) async throws -> CallInResponse {
        let query = (try? req.query.decode(CallInQuery.self)) ?? CallInQuery()
        return CallInResponse(try await DrugTestService(request: req).callIn(code: query.code, date: query.date).answer)
    }
}
