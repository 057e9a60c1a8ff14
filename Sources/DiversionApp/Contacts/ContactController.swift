import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The answer of an evaluation, stored or not.
struct EvaluationResponse: Content {
    struct Reason: Content {
        var rule: String
        var passed: Bool
        var detail: String
    }

    struct Indicator: Content {
        var code: String
        var detail: String
    }

    var eligible: Bool
    var route: String?
    var stage: String
    var policyVersion: String
    var policyId: String
    var reasons: [Reason]
    var indicators: [Indicator]
    var reviewBy: String
    /// The decision that follows the recommendation; any other needs a reason.
    var recommendedDecision: String
    /// The instrument the policy picks for this person's age, when the age is known.
    var screeningInstrument: String?

    init(_ answer: EligibilityAnswer, policyID: UUID, instrument: ScreeningInstrument?) {
        eligible = answer.eligible
        route = answer.route
        stage = answer.stage.rawValue
        policyVersion = answer.policyVersion
        policyId = policyID.uuidString.lowercased()
        reasons = answer.reasons.map { Reason(rule: $0.rule, passed: $0.passed, detail: $0.detail) }
        indicators = answer.indicators.map { Indicator(code: $0.code, detail: $0.detail) }
        reviewBy = answer.reviewBy.description
        recommendedDecision = OfficerDecision.recommended(eligible: answer.eligible).rawValue
        screeningInstrument = instrument?.rawValue
    }
}

/// A stored contact as the API answers it.
struct ContactResponse: Content {
    struct Offence: Content { var category: String }
    struct Seizure: Content {
        var substance: String
        var quantity: Double
        var unit: String
        var purityPercent: Double?
        var packaging: [String]
    }
    struct Circumstances: Content {
        var violence, weapon, supplyToMinors, nearSchool, organisedCrime: Bool
    }
    struct Officer: Content {
        var userId: String
        var name: String
    }
    struct Decision: Content {
        var decision: String
        var reason: String?
        var decidedAt: String
    }

    var id: String
    var personId: String
    var occurredAt: String
    var region: String
    var latitude: Double?
    var longitude: Double?
    var offences: [Offence]
    var seizures: [Seizure]
    var circumstances: Circumstances
    var officer: Officer
    var agencyId: String
    var evaluation: EvaluationResponse
    var decision: Decision?
    var createdAt: String

    init(_ r: ContactRecord) {
        id = r.id.uuidString.lowercased()
        personId = r.personID.uuidString.lowercased()
        occurredAt = r.occurredAt.formatted(.iso8601)
        region = r.region
        latitude = r.latitude
        longitude = r.longitude
        offences = r.offences.map(Offence.init)
        seizures = r.seizures.map { Seizure(substance: $0.substance, quantity: $0.quantity, unit: $0.unit, purityPercent: $0.purityPercent, packaging: $0.packaging) }
        let c = r.circumstances
        circumstances = Circumstances(violence: c.violence, weapon: c.weapon, supplyToMinors: c.supplyToMinors, nearSchool: c.nearSchool, organisedCrime: c.organisedCrime)
        officer = Officer(userId: r.officerUserID.uuidString.lowercased(), name: r.officerName)
        agencyId = r.agencyID.uuidString.lowercased()
        evaluation = EvaluationResponse(r.evaluation, policyID: r.policyVersionID, instrument: nil)
        decision = r.decision.map { Decision(decision: $0.rawValue, reason: r.decisionReason, decidedAt: (r.decidedAt ?? r.createdAt).formatted(.iso8601)) }
        createdAt = r.createdAt.formatted(.iso8601)
    }
}

/// Contacts: recorded by police officers with their evaluation, read by the justice roles of the case.
struct ContactController {
    struct DecisionRequest: Decodable {
        var decision: String?
        var reason: String?
    }

    struct ListParameters: Decodable {
        var personId: String?
    }

    struct ContactList: Content {
        var items: [ContactResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "contacts", access: .allowed(.create, .contact), use: create)
        api.endpoint(.GET, "contacts", access: .allowed(.search, .contact), use: list)
        api.endpoint(.GET, "contacts", ":id", access: .allowed(.read, .contact), use: show)
        api.endpoint(.POST, "contacts", ":id", "decision", access: .allowed(.update, .contact), use: decide)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let input = try req.decodeJSON(ContactInput.self)
        let record = try await ContactService(request: req).record(try input.check(now: req.now, storing: true))
        let response = try await ContactResponse(record).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/contacts/\(record.id.uuidString.lowercased())")
        return response
    }

    @Sendable func show(_ req: Request) async throws -> ContactResponse {
        ContactResponse(try await ContactService(request: req).read(try req.idParameter(of: "contact")))
    }

    /// A person's contacts (personId), or the contacts the signed-in officer recorded.
    @Sendable func list(_ req: Request) async throws -> ContactList {
        let principal = try req.requirePrincipal()
        guard let params = try? req.query.decode(ListParameters.self) else {
            throw ValidationFailure([FieldError("personId", "Give personId once, as a UUID.")])
        }
        _ = try req.statedPurpose()
        let records: [ContactRecord]
        if let text = params.personId {
            guard let id = UUID(uuidString: text) else { throw ValidationFailure([FieldError("personId", "A person id is a UUID.")]) }
            records = try await ContactStore().forPerson(id, req.sealedView, on: req.db)
        } else {
            records = try await ContactStore().recordedBy(principal.userID, req.sealedView, on: req.db)
        }
        try await req.diversion.auditTrail.record(try records.map {
            try req.auditEvent(.search, "contact", id: $0.id.uuidString.lowercased(), person: $0.personID)
        })
        return ContactList(items: records.map(ContactResponse.init))
    }

    @Sendable func decide(_ req: Request) async throws -> ContactResponse {
        let id = try req.idParameter(of: "contact")
        let body = try req.decodeJSON(DecisionRequest.self)
        return ContactResponse(try await ContactService(request: req).decide(id, decision: body.decision, reason: body.reason))
    }
}
