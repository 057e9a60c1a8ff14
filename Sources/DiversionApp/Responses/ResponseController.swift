import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// One suggested response and why.
struct SuggestionResponse: Content {
    var option: ResponseOption
    var reason: String
}

/// The suggestions for one behaviour, with the facts they were drawn from.
struct SuggestionsResponse: Content {
    var measureId: String
    var behaviour: String
    var occurredAt: String
    var phase: Int
    var daysInTreatment: Int
    var suggestions: [SuggestionResponse]
}

/// A recorded response: who chose it, when, why, and whether it was suggested.
struct RecordedResponseResponse: Content {
    var id: String
    var measureId: String
    var personId: String
    var programmeId: String
    var behaviour: String
    var behaviourAt: String
    var phase: Int
    var option: ResponseOption
    var wasSuggested: Bool
    var decidedBy: String
    var decidedAt: String
    var why: String

    init(_ r: RecordedResponse) {
        id = r.id.uuidString.lowercased()
        measureId = r.measureID.uuidString.lowercased()
        personId = r.personID.uuidString.lowercased()
        programmeId = r.programmeID.uuidString.lowercased()
        behaviour = r.behaviour.rawValue
        behaviourAt = r.behaviourAt.formatted(.iso8601)
        phase = r.phase
        option = r.option
        wasSuggested = r.wasSuggested
        decidedBy = r.decidedByName
        decidedAt = r.decidedAt.formatted(.iso8601)
        why = r.why
    }
}

/// Incentives against sanctions, with the ratio (absent before any sanction) and whether it is below the aim.
struct RatioResponse: Content {
    var incentives: Int
    var sanctions: Int
    var treatmentAdjustments: Int
    var target: Double
    var ratio: Double?
    var belowTarget: Bool
    var summary: String

    init(_ r: ResponseRatio) {
        incentives = r.incentives
        sanctions = r.sanctions
        treatmentAdjustments = r.treatmentAdjustments
        target = r.target
        ratio = r.ratio
        belowTarget = r.belowTarget
        summary = r.summary
    }
}

/// A measure's responses with the person's and the programme's ratios.
struct ResponseListResponse: Content {
    var measureId: String
    var personId: String
    var programmeId: String
    var items: [RecordedResponseResponse]
    var person: RatioResponse
    var programme: RatioResponse
}

/// Suggests and records graduated responses, for the API and the pages alike.
struct ResponseService {
    let request: Request

    /// A behaviour and its time as submitted, checked.
    struct Occurrence {
        var behaviour: Behaviour
        var at: Date
    }

    static let behaviourList = Behaviour.allCases.map(\.rawValue).joined(separator: ", ")

    /// Checks the behaviour and its time, adding to `errors`; `occurredAt` may be left out for now.
    func occurrence(_ behaviour: String?, _ occurredAt: String?, required: Bool, measure: MeasureRecord, zone: TimeZone, errors: inout FieldErrors) -> Occurrence? {
        let b = behaviour.flatMap { Behaviour(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        if b == nil { errors.add("behaviour", "Use one of \(Self.behaviourList).") }
        var at: Date?
        let text = occurredAt?.trimmingCharacters(in: .whitespaces) ?? ""
        if text.isEmpty {
            if required { errors.add("occurredAt", "Give when the behaviour happened, such as 2026-11-17T09:30:00Z.") } else { at = request.now }
        } else if let instant = ComplianceInput.instant(text, timeZone: zone) {
            if instant > request.now.addingTimeInterval(300) {
                errors.add("occurredAt", "This is in the future; respond to behaviour once it has happened.")
            } else if ComplianceInput.localDate(of: instant, in: zone) < measure.start {
                errors.add("occurredAt", "This is before the measure started (\(measure.start)).")
            } else {
                at = instant
            }
        } else {
            errors.add("occurredAt", "Write the time as ISO 8601, such as 2026-11-17T09:30:00Z.")
        }
        guard let b, let at else { return nil }
        return Occurrence(behaviour: b, at: at)
    }

    /// The suggestions for an occurrence: the measure's phase, days since the measure started, and its earlier responses.
    func suggestions(for o: Occurrence, measure: MeasureRecord, matrix: ResponseMatrix, zone: TimeZone) async throws -> (suggestions: [ResponseAdvisor.Suggestion], daysInTreatment: Int) {
        let history = try await ResponseStore().responses(measureID: measure.id, on: request.db)
        let days = max(0, ComplianceInput.localDate(of: o.at, in: zone).dayNumber - measure.start.dayNumber)
        let suggested = ResponseAdvisor.suggest(o.behaviour, phase: measure.phase, history: history, daysInTreatment: days, now: o.at, matrix: matrix)
        return (suggested, days)
    }

    /// Suggests responses; reading the earlier responses is recorded as a read of the person's data.
    func suggest(_ measure: MeasureRecord, behaviour: String?, occurredAt: String?) async throws -> SuggestionsResponse {
        let policy = try await request.activePolicy().policy
        let zone = TimeZone(identifier: policy.supervision.timeZone) ?? .gmt
        var errors = FieldErrors()
        let o = occurrence(behaviour, occurredAt, required: false, measure: measure, zone: zone, errors: &errors)
        try errors.throwIfAny()
        guard let o else { throw ValidationFailure(errors.all) }
        let (suggested, days) = try await suggestions(for: o, measure: measure, matrix: policy.supervision.responses, zone: zone)
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "responses", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        return SuggestionsResponse(
            measureId: measure.id.uuidString.lowercased(), behaviour: o.behaviour.rawValue, occurredAt: o.at.formatted(.iso8601),
            phase: measure.phase, daysInTreatment: days, suggestions: suggested.map { SuggestionResponse(option: $0.option, reason: $0.reason) }
        )
    }

    /// Records a chosen response, naming each wrong field; the why is always asked for (see `RecordedResponse.checkChoice`).
    func record(_ measure: MeasureRecord, behaviour: String?, occurredAt: String?, option: String?, why: String?) async throws -> RecordedResponse {
        let principal = try request.requirePrincipal()
        let policy = try await request.activePolicy().policy
        let matrix = policy.supervision.responses
        let zone = TimeZone(identifier: policy.supervision.timeZone) ?? .gmt
        var errors = FieldErrors()
        let o = occurrence(behaviour, occurredAt, required: true, measure: measure, zone: zone, errors: &errors)
        let known = behaviour.flatMap { Behaviour(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        var chosen: ResponseOption?
        do {
            chosen = try RecordedResponse.checkChoice(optionCode: option, why: why, behaviour: known ?? .missedTest, matrix: matrix)
        } catch {
            // The API calls the field "option"; the check names it after the option's code. Without a known behaviour,
            // only the option's existence can be judged, not whether its kind fits.
            for e in error.errors where known != nil || e.field != "optionCode" || matrix.option(option ?? "") == nil {
                errors.add(e.field == "optionCode" ? "option" : e.field, e.reason)
            }
        }
        try errors.throwIfAny()
        guard let o, let chosen else { throw ValidationFailure(errors.all) }
        guard measure.isActive else {
            throw APIError.conflict("The measure is \(measure.status.rawValue); responses are recorded only on an active measure.")
        }
        let (suggested, _) = try await suggestions(for: o, measure: measure, matrix: matrix, zone: zone)
        let agency = try await CaseStore().find(measure.caseID, on: request.db)?.agencyID ?? principal.agencyID
        let recorded = RecordedResponse(
            id: UUID(), measureID: measure.id, personID: measure.personID,
            programmeID: ResponseProgramme.id(caseAgencyID: agency, measureType: measure.type),
            behaviour: o.behaviour, behaviourAt: o.at, phase: measure.phase, option: chosen,
            wasSuggested: suggested.contains { $0.option.code == chosen.code }, decidedByUserID: principal.userID,
            decidedByName: principal.displayName, decidedAt: request.now, why: (why ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        )
        let event = try request.auditEvent(.create, "response", id: recorded.id.uuidString.lowercased(), person: measure.personID)
        try await request.diversion.auditTrail.perform { db in
            try await ResponseStore().insert(recorded, on: db)
            return ((), [event])
        }
        return recorded
    }

    /// A measure's responses and the ratios beside them, recorded as read.
    func list(_ measure: MeasureRecord) async throws -> (items: [RecordedResponse], person: ResponseRatio, programme: ResponseRatio, programmeID: UUID) {
        let policy = try await request.activePolicy().policy
        let target = policy.supervision.responses.incentiveRatioTarget
        let items = try await ResponseStore().responses(measureID: measure.id, on: request.db)
        let personal = try await ResponseStore().responses(personID: measure.personID, on: request.db)
        let agency = try await CaseStore().find(measure.caseID, on: request.db)?.agencyID ?? UUID()
        let programmeID = ResponseProgramme.id(caseAgencyID: agency, measureType: measure.type)
        let programme = try await ResponseStore().ratio(programmeID: programmeID, target: target, on: request.db)
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "responses", id: measure.id.uuidString.lowercased(), person: measure.personID)])
        return (items, ResponseRatio(personal, target: target), programme, programmeID)
    }
}

/// Graduated responses on a measure: suggested with reasons, recorded with a why, counted as a ratio.
struct ResponseController {
    struct SuggestRequest: Decodable {
        var behaviour: String?
        var occurredAt: String?
    }

    struct RecordRequest: Decodable {
        var behaviour: String?
        var occurredAt: String?
        var option: String?
        var why: String?
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "measures", ":id", "responses", "suggest", access: .allowed(.evaluate, .response), use: suggest)
        api.endpoint(.POST, "measures", ":id", "responses", access: .allowed(.create, .response), use: record)
        api.endpoint(.GET, "measures", ":id", "responses", access: .allowed(.read, .response), use: list)
    }

    @Sendable func suggest(_ req: Request) async throws -> SuggestionsResponse {
        let body = try req.decodeJSON(SuggestRequest.self)
        let measure = try await req.measureParameter()
        return try await ResponseService(request: req).suggest(measure, behaviour: body.behaviour, occurredAt: body.occurredAt)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(RecordRequest.self)
        let measure = try await req.measureParameter()
        let recorded = try await ResponseService(request: req).record(measure, behaviour: body.behaviour, occurredAt: body.occurredAt, option: body.option, why: body.why)
        return try await RecordedResponseResponse(recorded).encodeResponse(status: .created, for: req)
    }

    @Sendable func list(_ req: Request) async throws -> ResponseListResponse {
        let measure = try await req.measureParameter()
        let (items, person, programme, programmeID) = try await ResponseService(request: req).list(measure)
        return ResponseListResponse(
            measureId: measure.id.uuidString.lowercased(), personId: measure.personID.uuidString.lowercased(),
            programmeId: programmeID.uuidString.lowercased(), items: items.map(RecordedResponseResponse.init),
            person: RatioResponse(person), programme: RatioResponse(programme)
        )
    }
}
