import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A breach as the API answers it.
struct BreachResponse: Content {
    struct Decision: Content {
        var action: String
        var reason: String
        var decisionId: String?
        var decidedBy: String
        var decidedAt: String
    }

    var id: String
    var measureId: String
    var caseId: String
    var personId: String
    var description: String
    var behaviours: [String]
    var filedBy: String
    var filedAt: String
    var status: String
    var decision: Decision?

    init(_ b: Breach) {
        id = b.id.uuidString.lowercased()
        measureId = b.measureID.uuidString.lowercased()
        caseId = b.caseID.uuidString.lowercased()
        personId = b.personID.uuidString.lowercased()
        description = b.description
        behaviours = b.behaviours.map(\.rawValue)
        filedBy = b.filedByName
        filedAt = b.filedAt.formatted(.iso8601)
        status = b.decision?.action.rawValue ?? "open"
        decision = b.decision.map {
            Decision(action: $0.action.rawValue, reason: $0.reason, decisionId: $0.decisionID?.uuidString.lowercased(), decidedBy: $0.decidedByName,
                     decidedAt: $0.decidedAt.formatted(.iso8601))
        }
    }
}

/// Breaches: filed by supervision on an active measure, decided by the court or the prosecutor.
struct BreachController {
    struct FileRequest: Decodable {
        var description: String?
        var behaviours: [String]?
    }

    struct DecideRequest: Decodable {
        var action: String?
        var reason: String?
        var decisionId: String?
    }

    struct ListParameters: Decodable {
        var status: String?
    }

    struct BreachList: Content {
        var items: [BreachResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "measures", ":id", "breaches", access: .allowed(.create, .breach), use: file)
        api.endpoint(.GET, "breaches", access: .allowed(.search, .breach), use: list)
        api.endpoint(.GET, "breaches", ":id", access: .allowed(.read, .breach), use: show)
        api.endpoint(.POST, "breaches", ":id", "decision", access: .allowed(.update, .breach), use: decide)
    }

    @Sendable func file(_ req: Request) async throws -> Response {
        let breach = try await Self.file(try req.decodeJSON(FileRequest.self), req)
        let response = try await BreachResponse(breach).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/breaches/\(breach.id.uuidString.lowercased())")
        return response
    }

    /// Checks and files a breach on the measure named by the `id` parameter; shared by the API and the measure page.
    static func file(_ body: FileRequest, _ req: Request) async throws -> Breach {
        let principal = try req.requirePrincipal()
        var errors = FieldErrors()
        let behaviours = (body.behaviours ?? []).prefix(21).enumerated().compactMap { i, text -> Behaviour? in
            if let b = Behaviour(rawValue: text) { return b }
            errors.add("behaviours[\(i)]", "Use one of \(Behaviour.allCases.filter { !$0.isDesired }.map(\.rawValue).joined(separator: ", ")).")
            return nil
        }
        try errors.throwIfAny()
        try Breach.check(description: body.description ?? "", behaviours: behaviours)
        let measure = try await req.measureParameter()
        guard measure.isActive else { throw APIError.conflict("The measure is \(measure.status.rawValue); a breach is filed on an active measure.") }
        let breach = Breach(id: UUID(), measureID: measure.id, caseID: measure.caseID, personID: measure.personID,
                            description: (body.description ?? "").trimmingCharacters(in: .whitespacesAndNewlines), behaviours: behaviours,
                            filedByName: principal.displayName, filedAt: req.now)
        let event = try req.auditEvent(.create, "breach", id: breach.id.uuidString.lowercased(), person: measure.personID)
        try await req.diversion.auditTrail.perform { db in
            try await BreachStore().create(breach, on: db)
            return ((), [event])
        }
        return breach
    }

    @Sendable func list(_ req: Request) async throws -> BreachList {
        let status = (try? req.query.decode(ListParameters.self))?.status ?? "open"
        guard status == "open" || status == "decided" else {
            throw ValidationFailure([FieldError("status", "Use open (the worklist) or decided.")])
        }
        let breaches = try await req.withoutSealed(try await BreachStore().list(open: status == "open", on: req.db)) { $0.caseID }
        try await req.diversion.auditTrail.record(try breaches.map { try req.auditEvent(.search, "breach", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        return BreachList(items: breaches.map(BreachResponse.init))
    }

    @Sendable func show(_ req: Request) async throws -> BreachResponse {
        let breach = try await Self.breach(req)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "breach", id: breach.id.uuidString.lowercased(), person: breach.personID)])
        return BreachResponse(breach)
    }

    /// Records the decision on an open breach; revoking or terminating ends the measure in the same transaction.
    @Sendable func decide(_ req: Request) async throws -> BreachResponse {
        try await Self.record(try req.decodeJSON(DecideRequest.self), req)
    }

    /// Checks and records the decision on the breach named by the `id` parameter; shared by the API and the worklist page.
    static func record(_ body: DecideRequest, _ req: Request) async throws -> BreachResponse {
        let principal = try req.requirePrincipal()
        var errors = FieldErrors()
        let action = body.action.flatMap(BreachAction.init(rawValue:))
        if action == nil { errors.add("action", "Use one of \(BreachAction.allCases.map(\.rawValue).joined(separator: ", ")).") }
        var decisionID: UUID?
        if let text = body.decisionId {
            decisionID = UUID(uuidString: text)
            if decisionID == nil { errors.add("decisionId", "A decision id is a UUID from the case's decisions.") }
        }
        try errors.throwIfAny()
        guard let action else { throw ValidationFailure(errors.all) }
        let breach = try await Self.breach(req)
        var modifying: RecordedDecision?
        if let decisionID {
            modifying = try await CaseStore().decisions(of: breach.caseID, on: req.db).first { $0.id == decisionID }
            if modifying == nil { throw ValidationFailure([FieldError("decisionId", "No decision in this breach's case has this id.")]) }
        }
        try breach.checkDecision(action: action, reason: body.reason ?? "", modifyingDecision: modifying)
        guard breach.isOpen else { throw APIError.conflict("The breach was already decided (\(breach.decision?.action.rawValue ?? "")).") }
        let decision = BreachDecision(action: action, reason: (body.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                                      decisionID: decisionID, decidedByName: principal.displayName, decidedAt: req.now)
        let ending = action.outcome.map {
            RecordedOutcome(outcome: $0, date: CalendarDate(req.now), note: decision.reason, recordedByName: principal.displayName, recordedAt: req.now)
        }
        var events = [try req.auditEvent(.update, "breach", id: breach.id.uuidString.lowercased(), person: breach.personID)]
        if ending != nil { events.append(try req.auditEvent(.update, "measure_outcome", id: breach.measureID.uuidString.lowercased(), person: breach.personID)) }
        let policy = try? await req.activePolicy().policy
        let decided = try await req.diversion.auditTrail.perform { [events] db in
            guard try await BreachStore().decide(breach.id, decision, on: db) else { return (false, [AuditEvent]()) }
            // The measure may have ended by another route meanwhile; the decision on the breach still stands.
            if let ending, try await MeasureStore().end(breach.measureID, with: ending, on: db), let policy {
                // A policy may seal on revocation or termination too; the default seals on completion only.
                return (true, events + (try await CaseSealing.afterMeasureEnded(caseID: breach.caseID, personID: breach.personID, policy: policy, request: req, on: db)))
            }
            return (true, events)
        }
        guard decided else { throw APIError.conflict("The breach was decided meanwhile; reload it.") }
        var updated = breach
        updated.decision = decision
        return BreachResponse(updated)
    }

    static func breach(_ req: Request) async throws -> Breach {
        let id = try req.idParameter(of: "breach")
        guard let breach = try await BreachStore().find(id, on: req.db) else {
            throw APIError.notFound("No breach has the id \(id.uuidString.lowercased()).")
        }
        return breach
    }
}
