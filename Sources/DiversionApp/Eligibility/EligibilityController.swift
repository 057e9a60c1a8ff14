import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Evaluates whether a contact may be diverted under the active policy, with every rule explained.
/// Nothing is stored; the person, when named, is read and the read is audited.
struct EligibilityController {
    struct OffenceInput: Decodable {
        var category: String?
    }

    struct SeizureInput: Decodable {
        var substance: String?
        var quantity: Double?
        var unit: String?
        var purityPercent: Double?
        var packaging: [String]?
    }

    struct CircumstancesInput: Decodable {
        var violence: Bool?
        var weapon: Bool?
        var supplyToMinors: Bool?
        var nearSchool: Bool?
        var organisedCrime: Bool?
    }

    struct EvaluateRequest: Decodable {
        var personId: String?
        var occurredAt: String?
        var region: String?
        var stage: String?
        var offences: [OffenceInput]?
        var seizures: [SeizureInput]?
        var circumstances: CircumstancesInput?
    }

    struct Reason: Content {
        var rule: String
        var passed: Bool
        var detail: String
    }

    struct Indicator: Content {
        var code: String
        var detail: String
    }

    struct EvaluateResponse: Content {
        var eligible: Bool
        var route: String?
        var stage: String
        var policyVersion: String
        var policyId: String
        var reasons: [Reason]
        var indicators: [Indicator]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "eligibility", "evaluate", access: .allowed(.evaluate, .eligibility), use: evaluate)
    }

    @Sendable func evaluate(_ req: Request) async throws -> EvaluateResponse {
        let principal = try req.requirePrincipal()
        let body = try req.decodeJSON(EvaluateRequest.self)
        var errors = FieldErrors()

        var occurredOn = CalendarDate(req.now)
        if let text = body.occurredAt {
            if let instant = try? Date(text, strategy: .iso8601) {
                if instant.timeIntervalSince(req.now) > 5 * 60 {
                    errors.add("occurredAt", "The contact cannot be in the future.")
                } else {
                    occurredOn = CalendarDate(instant)
                }
            } else {
                errors.add("occurredAt", "Write the time as ISO 8601, for example 2026-11-20T21:40:00Z.")
            }
        } else {
            errors.add("occurredAt", "Say when the contact happened.")
        }
        var stage = Stage.preTrial
        if let text = body.stage {
            if let s = Stage(rawValue: text) { stage = s } else {
                errors.add("stage", "Use one of \(Stage.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        let authority: Authority? = switch principal.agencyType {
        case .police: .police
        case .prosecution: .prosecution
        case .court: .court
        default: nil
        }
        var personID: UUID?
        if let text = body.personId {
            personID = UUID(uuidString: text)
            if personID == nil { errors.add("personId", "A person id is a UUID.") }
        }
        let offences = (body.offences ?? []).enumerated().map { i, o -> String in
            if o.category == nil { errors.add("offences[\(i)].category", "Give the offence category.") }
            return o.category ?? ""
        }
        if body.offences == nil { errors.add("offences", "Give at least one offence, such as {\"category\": \"possession_personal_use\"}.") }
        let seizures = (body.seizures ?? []).enumerated().compactMap { i, s -> SeizureRecord? in
            guard let substance = s.substance, let quantity = s.quantity, let unit = s.unit else {
                if s.substance == nil { errors.add("seizures[\(i)].substance", "Give the substance code.") }
                if s.quantity == nil { errors.add("seizures[\(i)].quantity", "Give the quantity.") }
                if s.unit == nil { errors.add("seizures[\(i)].unit", "Give the unit.") }
                return nil
            }
            return SeizureRecord(substance: substance, quantity: quantity, unit: unit, purityPercent: s.purityPercent, packaging: s.packaging ?? [])
        }
        try errors.throwIfAny()
        guard let authority else {
            throw APIError.forbidden("Only police, prosecution and court agencies choose routes; your agency is \(principal.agencyType.rawValue).")
        }
        guard let active = try await req.diversion.policies.active(on: req.db) else {
            throw APIError.conflict("No jurisdiction policy is active yet; an administrator activates one first.")
        }
        if let personID {
            guard try await req.diversion.people.find(personID, on: req.db) != nil else {
                throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
            }
            try await req.diversion.auditTrail.record([try req.auditEvent(.read, "person", id: personID.uuidString.lowercased(), person: personID)])
        }
        let c = body.circumstances
        let question = EligibilityQuestion(
            authority: authority, stage: stage, occurredOn: occurredOn, offences: offences, seizures: seizures,
            circumstances: ContactCircumstances(
                violence: c?.violence ?? false, weapon: c?.weapon ?? false, supplyToMinors: c?.supplyToMinors ?? false,
                nearSchool: c?.nearSchool ?? false, organisedCrime: c?.organisedCrime ?? false
            )
        )
        let answer = try Eligibility.evaluate(question, under: active.policy)
        return EvaluateResponse(
            eligible: answer.eligible, route: answer.route, stage: answer.stage.rawValue, policyVersion: answer.policyVersion,
            policyId: active.id.uuidString.lowercased(),
            reasons: answer.reasons.map { Reason(rule: $0.rule, passed: $0.passed, detail: $0.detail) },
            indicators: answer.indicators.map { Indicator(code: $0.code, detail: $0.detail) }
        )
    }
}
