import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A measure in a list: what it is, where it stands.
struct MeasureSummary: Content {
    var id: String
    var decisionId: String
    var type: String
    var status: String
    var start: String
    var plannedEnd: String?

    init(_ m: MeasureRecord) {
        id = m.id.uuidString.lowercased()
        decisionId = m.decisionID.uuidString.lowercased()
        type = m.type.rawValue
        status = m.status.rawValue
        start = m.start.description
        plannedEnd = m.plannedEnd?.description
    }
}

/// A measure as the API answers it: its conditions, phase and outcome.
struct MeasureResponse: Content {
    struct Outcome: Content {
        var outcome: String
        var date: String
        var note: String
        var recordedBy: String
        var recordedAt: String
    }

    var id: String
    var caseId: String
    var decisionId: String
    var personId: String
    var type: String
    var conditions: [Condition]
    var start: String
    var plannedEnd: String?
    var status: String
    var phase: Int
    var phaseSince: String
    var outcome: Outcome?

    init(_ m: MeasureRecord) {
        id = m.id.uuidString.lowercased()
        caseId = m.caseID.uuidString.lowercased()
        decisionId = m.decisionID.uuidString.lowercased()
        personId = m.personID.uuidString.lowercased()
        type = m.type.rawValue
        conditions = m.conditions
        start = m.start.description
        plannedEnd = m.plannedEnd?.description
        status = m.status.rawValue
        phase = m.phase
        phaseSince = m.phaseSince.description
        outcome = m.outcome.map {
            Outcome(outcome: $0.outcome.rawValue, date: $0.date.description, note: $0.note, recordedBy: $0.recordedByName,
                    recordedAt: $0.recordedAt.formatted(.iso8601))
        }
    }
}

extension Request {
    /// The measure named by the `id` route parameter, or 404.
    func measureParameter() async throws -> MeasureRecord {
        let id = try idParameter(of: "measure")
        guard let measure = try await MeasureStore().find(id, sealedView, on: db) else {
            throw APIError.notFound("No measure has the id \(id.uuidString.lowercased()).")
        }
        return measure
    }
}

/// Measures being supervised: listed per person, read, and ended with an outcome.
struct MeasureController {
    struct ListParameters: Decodable {
        var personId: String?
    }

    struct MeasureList: Content {
        var items: [MeasureResponse]
    }

    struct OutcomeRequest: Decodable {
        var outcome: String?
        var date: String?
        var note: String?
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "measures", access: .allowed(.search, .measure), use: list)
        api.endpoint(.GET, "measures", ":id", access: .allowed(.read, .measure), use: show)
        api.endpoint(.POST, "measures", ":id", "outcome", access: .allowed(.update, .measure), use: recordOutcome)
    }

    @Sendable func list(_ req: Request) async throws -> MeasureList {
        guard let params = try? req.query.decode(ListParameters.self), let text = params.personId else {
            throw ValidationFailure([FieldError("personId", "Give personId, the person whose measures to list (a UUID).")])
        }
        guard let personID = UUID(uuidString: text) else { throw ValidationFailure([FieldError("personId", "A person id is a UUID.")]) }
        let measures = try await MeasureStore().forPerson(personID, req.sealedView, on: req.db)
        try await req.diversion.auditTrail.record(try measures.map { try req.auditEvent(.search, "measure", id: $0.id.uuidString.lowercased(), person: personID) })
        return MeasureList(items: measures.map(MeasureResponse.init))
    }

    @Sendable func show(_ req: Request) async throws -> MeasureResponse {
        let measure = try await req.measureParameter()
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "measure", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        return MeasureResponse(measure)
    }

    /// Records how a measure ended; only an active measure can end, and only once.
    @Sendable func recordOutcome(_ req: Request) async throws -> MeasureResponse {
        try await Self.end(try req.decodeJSON(OutcomeRequest.self), req)
    }

    /// Checks and records the outcome of the measure named by the `id` parameter; shared by the API and the measure page.
    static func end(_ body: OutcomeRequest, _ req: Request) async throws -> MeasureResponse {
        let principal = try req.requirePrincipal()
        var errors = FieldErrors()
        let outcome = body.outcome.flatMap(MeasureOutcome.init(rawValue:))
        if outcome == nil { errors.add("outcome", "Use one of \(MeasureOutcome.allCases.map(\.rawValue).joined(separator: ", ")).") }
        try errors.throwIfAny()
        let measure = try await req.measureParameter()
        let date = body.date.flatMap(CalendarDate.init)
        let today = CalendarDate(req.now)
        try RecordedOutcome.check(date: date, note: body.note ?? "", start: measure.start, today: today)
        guard let outcome, let date else { throw ValidationFailure(errors.all) }
        guard measure.isActive else {
            throw APIError.conflict("The measure is \(measure.status.rawValue); only an active measure can be given an outcome.")
        }
        let recorded = RecordedOutcome(outcome: outcome, date: date, note: (body.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                                       recordedByName: principal.displayName, recordedAt: req.now)
        let event = try req.auditEvent(.update, "measure_outcome", id: measure.id.uuidString.lowercased(), person: measure.personID)
        // Without an active policy nothing seals; the outcome is recorded all the same.
        let policy = try? await req.activePolicy().policy
        let ended = try await req.diversion.auditTrail.perform { db in
            guard try await MeasureStore().end(measure.id, with: recorded, on: db) else { return (false, [event]) }
            // The case may now be sealed, in the same transaction as the outcome that sealed it.
            guard let policy else { return (true, [event]) }
            return (true, [event] + (try await CaseSealing.afterMeasureEnded(caseID: measure.caseID, personID: measure.personID, policy: policy, request: req, on: db)))
        }
        guard ended else { throw APIError.conflict("The measure ended or was replaced meanwhile; reload it.") }
        var updated = measure
        updated.status = outcome.status
        updated.outcome = recorded
        return MeasureResponse(updated)
    }
}
