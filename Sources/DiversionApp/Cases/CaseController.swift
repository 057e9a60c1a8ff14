import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A case as the API answers it, with its decisions in order; a superseded decision says which one replaced it.
struct CaseResponse: Content {
    struct Measure: Content {
        var type: String
        var conditions: [Condition]
        var start: String
        var plannedEnd: String?
    }

    struct Consent: Content {
        var given: Bool
        var method: String
        var recordedAt: String
    }

    struct Decision: Content {
        var id: String
        var stage: String
        var authority: String
        var measures: [Measure]
        var proportionality: Proportionality
        var consent: Consent?
        var decidedBy: String
        var decidedAt: String
        var supersedes: String?
        var supersededBy: String?
        var current: Bool
    }

    var id: String
    var personId: String
    var stage: String
    var contactIds: [String]
    var agencyId: String
    var openedAt: String
    var decisions: [Decision]
    /// Every measure ordered in the case, with the id its supervision, tests and reports use.
    var measures: [MeasureSummary]

    init(_ c: JusticeCase, decisions: [RecordedDecision], measures: [MeasureRecord] = []) {
        id = c.id.uuidString.lowercased()
        personId = c.personID.uuidString.lowercased()
        stage = c.stage.rawValue
        contactIds = c.contactIDs.map { $0.uuidString.lowercased() }
        agencyId = c.agencyID.uuidString.lowercased()
        openedAt = c.openedAt.formatted(.iso8601)
        self.measures = measures.map(MeasureSummary.init)
        let replacedBy = Dictionary(decisions.compactMap { d in d.supersedes.map { ($0, d.id) } }, uniquingKeysWith: { a, _ in a })
        self.decisions = decisions.map { d in
            Decision(
                id: d.id.uuidString.lowercased(), stage: d.stage.rawValue, authority: d.authority.rawValue,
                measures: d.measures.map { Measure(type: $0.type.rawValue, conditions: $0.conditions, start: $0.start.description, plannedEnd: $0.plannedEnd?.description) },
                proportionality: d.proportionality,
                consent: d.consent.map { Consent(given: $0.given, method: $0.method.rawValue, recordedAt: $0.recordedAt.formatted(.iso8601)) },
                decidedBy: d.decidedByName, decidedAt: d.decidedAt.formatted(.iso8601), supersedes: d.supersedes?.uuidString.lowercased(),
                supersededBy: replacedBy[d.id]?.uuidString.lowercased(), current: replacedBy[d.id] == nil
            )
        }
    }
}

/// Justice cases and decisions on measures: opened and decided by prosecutors and judges.
struct CaseController {
    struct OpenRequest: Decodable {
        var personId: String?
        var contactIds: [String]?
    }

    struct MeasureInput: Decodable {
        var type: String?
        var conditions: [ConditionInput]?
        var start: String?
        var plannedEnd: String?
    }

    struct ConditionInput: Decodable {
        var type: String?
        var parameters: [String: AnswerValue]?
    }

    struct ProportionalityInput: Decodable {
        var gravity: String?
        var circumstances: String?
        var reasons: String?
        var lastResortReason: String?
        var guardianContact: String?
    }

    struct ConsentInput: Decodable {
        var given: Bool?
        var method: String?
    }

    struct DecisionRequest: Decodable {
        var stage: String?
        var measures: [MeasureInput]?
        var proportionality: ProportionalityInput?
        var consent: ConsentInput?
    }

    struct ListParameters: Decodable {
        var personId: String?
    }

    struct CaseList: Content {
        var items: [CaseResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "cases", access: .allowed(.create, .justiceCase), use: open)
        api.endpoint(.GET, "cases", access: .allowed(.search, .justiceCase), use: list)
        api.endpoint(.GET, "cases", ":id", access: .allowed(.read, .justiceCase), use: show)
        api.endpoint(.POST, "cases", ":id", "decisions", access: .allowed(.update, .justiceCase), use: decide)
    }

    @Sendable func open(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let body = try req.decodeJSON(OpenRequest.self)
        var errors = FieldErrors()
        let personID = body.personId.flatMap(UUID.init(uuidString:))
        if personID == nil { errors.add("personId", "Give the id of a person on record (a UUID).") }
        let texts = body.contactIds ?? []
        if texts.count > 100 { errors.add("contactIds", "Group at most 100 contacts in one case.") }
        let contactIDs = texts.prefix(100).enumerated().compactMap { i, t -> UUID? in
            if let id = UUID(uuidString: t) { return id }
            errors.add("contactIds[\(i)]", "A contact id is a UUID.")
            return nil
        }
        try errors.throwIfAny()
        guard let personID else { throw ValidationFailure(errors.all) }
        guard try await req.diversion.people.find(personID, on: req.db) != nil else {
            throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
        }
        for (i, id) in contactIDs.enumerated() {
            guard let contact = try await ContactStore().find(id, req.sealedView, on: req.db), contact.personID == personID else {
                throw ValidationFailure([FieldError("contactIds[\(i)]", "No contact of this person has this id.")])
            }
        }
        let justiceCase = JusticeCase(id: UUID(), personID: personID, stage: .preTrial, contactIDs: Array(Set(contactIDs)).sorted { $0.uuidString < $1.uuidString },
                                      agencyID: principal.agencyID, openedAt: req.now)
        let event = try req.auditEvent(.create, "case", id: justiceCase.id.uuidString.lowercased(), person: personID)
        try await req.diversion.auditTrail.perform { db in
            try await CaseStore().create(justiceCase, on: db)
            return ((), [event])
        }
        let response = try await CaseResponse(justiceCase, decisions: []).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/cases/\(justiceCase.id.uuidString.lowercased())")
        return response
    }

    @Sendable func list(_ req: Request) async throws -> CaseList {
        guard let params = try? req.query.decode(ListParameters.self), let text = params.personId else {
            throw ValidationFailure([FieldError("personId", "Give personId, the person whose cases to list (a UUID).")])
        }
        guard let personID = UUID(uuidString: text) else { throw ValidationFailure([FieldError("personId", "A person id is a UUID.")]) }
        _ = try req.statedPurpose()
        let cases = try await CaseStore().forPerson(personID, req.sealedView, on: req.db)
        try await req.diversion.auditTrail.record(try cases.map { try req.auditEvent(.search, "case", id: $0.id.uuidString.lowercased(), person: personID) })
        var items: [CaseResponse] = []
        for c in cases {
            items.append(CaseResponse(c, decisions: try await CaseStore().decisions(of: c.id, on: req.db),
                                      measures: try await MeasureStore().forCase(c.id, on: req.db)))
        }
        return CaseList(items: items)
    }

    @Sendable func show(_ req: Request) async throws -> CaseResponse {
        let id = try req.idParameter(of: "case")
        _ = try req.statedPurpose()
        guard let c = try await CaseStore().find(id, req.sealedView, on: req.db) else { throw APIError.notFound("No case has the id \(id.uuidString.lowercased()).") }
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "case", id: id.uuidString.lowercased(), person: c.personID)])
        return CaseResponse(c, decisions: try await CaseStore().decisions(of: id, on: req.db), measures: try await MeasureStore().forCase(id, on: req.db))
    }

    /// Records a decision at a stage; it supersedes the current decision of that stage, which stays in the history.
    @Sendable func decide(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "case")
        let body = try req.decodeJSON(DecisionRequest.self)
        let response = try await Self.record(body, onCase: id, req).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/cases/\(id.uuidString.lowercased())")
        return response
    }

    /// Checks a decision against the policy and records it with its measures; shared by the API and the decision form.
    static func record(_ body: DecisionRequest, onCase id: UUID, _ req: Request) async throws -> CaseResponse {
        let principal = try req.requirePrincipal()
        guard let authority = principal.agencyType.authority, authority != .police else {
            throw APIError.forbidden("Decisions on measures are taken by prosecution and court agencies; your agency is \(principal.agencyType.rawValue).")
        }
        let draft = try Self.draft(body, now: req.now)
        guard let c = try await CaseStore().find(id, req.sealedView, on: req.db) else { throw APIError.notFound("No case has the id \(id.uuidString.lowercased()).") }
        guard c.canDecide(at: draft.stage) else {
            throw APIError.conflict("The case has reached the \(c.stage.rawValue) stage; a decision at \(draft.stage.rawValue) can no longer be taken.")
        }
        let active = try await req.activePolicy()
        guard let person = try await req.diversion.people.find(c.personID, on: req.db) else {
            throw APIError.conflict("The case's person is no longer on record.")
        }
        let today = CalendarDate(req.now)
        do {
            try DecisionRules.check(draft, authority: authority, rules: active.policy.measures,
                                    personAge: person.details.birthDate.completedYears(on: today), ageOfMajority: active.policy.ageOfMajority, today: today,
                                    juvenile: active.policy.juvenile)
        } catch {
            switch error {
            case .notAllowed(let rule): throw APIError.forbidden(rule)
            case .invalid(let failure): throw failure
            }
        }
        let earlier = try await CaseStore().decisions(of: id, on: req.db)
        let replaced = Set(earlier.compactMap(\.supersedes))
        let current = earlier.last { $0.stage == draft.stage && !replaced.contains($0.id) }
        let decision = RecordedDecision(
            id: UUID(), caseID: id, stage: draft.stage, authority: authority, measures: draft.measures, proportionality: draft.proportionality,
            consent: draft.consent, decidedByUserID: principal.userID, decidedByName: principal.displayName, agencyID: principal.agencyID,
            decidedAt: req.now, supersedes: current?.id
        )
        let measures = MeasureRecord.ordered(by: decision, personID: c.personID)
        let event = try req.auditEvent(.create, "case_decision", id: decision.id.uuidString.lowercased(), person: c.personID)
        let stored: Bool
        do {
            stored = try await req.diversion.auditTrail.perform { db in
                let stored = try await CaseStore().record(decision, measures: measures, expectedStage: c.stage, on: db)
                var events = [event]
                if stored { events += try await MeasureSetup.start(measures, policy: active.policy, request: req, on: db) }
                return (stored, events)
            }
        } catch let error as ValidationFailure {
            throw error
        } catch {
            // The unique index on supersedes_id refuses a second replacement of the same decision.
            throw APIError.conflict("Another decision was recorded on this case at the same moment; reload the case.")
        }
        guard stored else { throw APIError.conflict("The case moved to another stage meanwhile; reload it.") }
        return CaseResponse(JusticeCase(id: c.id, personID: c.personID, stage: draft.stage, contactIDs: c.contactIDs, agencyID: c.agencyID, openedAt: c.openedAt),
                            decisions: earlier + [decision], measures: try await MeasureStore().forCase(id, on: req.db))
    }

    /// The request checked field by field into a draft for the core's rules.
    static func draft(_ body: DecisionRequest, now: Date) throws -> DecisionDraft {
        var errors = FieldErrors()
        let stage = body.stage.flatMap(Stage.init(rawValue:))
        if stage == nil { errors.add("stage", "Use one of \(Stage.allCases.map(\.rawValue).joined(separator: ", ")).") }
        if body.measures == nil { errors.add("measures", "Order at least one measure.") }
        var measures: [OrderedMeasure] = []
        for (i, m) in (body.measures ?? []).prefix(11).enumerated() {
            let path = "measures[\(i)]"
            let type = m.type.flatMap(MeasureType.init(rawValue:))
            if type == nil { errors.add("\(path).type", "Use one of \(MeasureType.allCases.map(\.rawValue).joined(separator: ", ")).") }
            let start = m.start.flatMap(CalendarDate.init)
            if start == nil { errors.add("\(path).start", "Write the start as YYYY-MM-DD.") }
            var end: CalendarDate?
            if let text = m.plannedEnd {
                end = CalendarDate(text)
                if end == nil { errors.add("\(path).plannedEnd", "Write the planned end as YYYY-MM-DD.") }
            }
            var conditions: [Condition] = []
            for (j, c) in (m.conditions ?? []).prefix(21).enumerated() {
                guard let t = c.type.flatMap(ConditionType.init(rawValue:)) else {
                    errors.add("\(path).conditions[\(j)].type", "Use one of \(ConditionType.allCases.map(\.rawValue).joined(separator: ", ")).")
                    continue
                }
                conditions.append(Condition(type: t, parameters: c.parameters ?? [:]))
            }
            if let type, let start { measures.append(OrderedMeasure(type: type, conditions: conditions, start: start, plannedEnd: end)) }
        }
        let p = body.proportionality
        var consent: MeasureConsent?
        if let c = body.consent {
            let method = c.method.flatMap(ConsentMethod.init(rawValue:))
            if method == nil { errors.add("consent.method", "Use one of \(ConsentMethod.allCases.map(\.rawValue).joined(separator: ", ")).") }
            if c.given == nil { errors.add("consent.given", "Say whether the person gave consent.") }
            if let method, let given = c.given { consent = MeasureConsent(given: given, method: method, recordedAt: now) }
        }
        try errors.throwIfAny()
        guard let stage else { throw ValidationFailure(errors.all) }
        return DecisionDraft(
            stage: stage, measures: measures,
            proportionality: Proportionality(gravity: p?.gravity ?? "", circumstances: p?.circumstances ?? "", reasons: p?.reasons ?? "",
                                             lastResortReason: p?.lastResortReason, guardianContact: p?.guardianContact),
            consent: consent
        )
    }
}
