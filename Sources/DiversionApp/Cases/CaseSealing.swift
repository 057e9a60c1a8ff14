import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

extension Request {
    /// What the signed-in user may see of sealed records. Every route that reads cases, contacts or
    /// measures passes this to the store, so police and prosecution get 404 for a sealed record as if
    /// it did not exist, while judges and supervision officers keep seeing it.
    var sealedView: SealedView {
        guard let principal = session?.principal, SealedRecords.visible(to: principal.roles) else { return .hidden(asOf: now) }
        return .shown
    }
}

/// Seals a case when the policy says its ending seals it.
enum CaseSealing {
    /// Called inside the transaction that ended a measure of `caseID`: when the case's measures have all
    /// ended with outcomes the policy seals on, seals the case and its contacts and returns the audit event.
    static func afterMeasureEnded(caseID: UUID, personID: UUID, policy: JurisdictionPolicy, request: Request, on db: any Database) async throws -> [AuditEvent] {
        let rule = policy.sealing
        guard rule.onCompletion else { return [] }
        let measures = try await MeasureStore().forCase(caseID, on: db)
        guard rule.seals(measures) else { return [] }
        let outcomes = Set(measures.compactMap { $0.outcome?.outcome.rawValue }).sorted().joined(separator: ", ")
        let reason = "Every measure ended (\(outcomes)); sealed on completion under policy \(policy.jurisdiction) \(policy.version)."
        guard try await CaseStore().seal(caseID, at: rule.effective(from: request.now), reason: reason, on: db) else { return [] }
        return [try request.auditEvent(.update, "case_seal", id: caseID.uuidString.lowercased(), person: personID)]
    }
}

/// Sealed cases for administrators: read only with a written reason, which the audit trail keeps.
struct SealedCaseController {
    struct Parameters: Decodable {
        var reason: String?
    }

    /// A sealed case with its seal, its contacts and its decisions.
    struct SealedCaseResponse: Content {
        var sealedAt: String
        var sealedReason: String
        var justiceCase: CaseResponse
        var contacts: [ContactResponse]

        enum CodingKeys: String, CodingKey {
            case sealedAt, sealedReason, contacts
            case justiceCase = "case"
        }
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "admin", "sealed-cases", ":id", access: .allowed(.read, .sealedRecord), use: show)
    }

    @Sendable func show(_ req: Request) async throws -> SealedCaseResponse {
        let id = try req.idParameter(of: "case")
        let params = try? req.query.decode(Parameters.self)
        let reason = try SealedRecords.checkReason(params?.reason)
        guard let c = try await CaseStore().find(id, .shown, on: req.db), let seal = try await CaseStore().seal(of: id, on: req.db) else {
            throw APIError.notFound("No sealed case has the id \(id.uuidString.lowercased()).")
        }
        var event = try req.auditEvent(.read, "sealed_case", id: id.uuidString.lowercased(), person: c.personID)
        event.purpose = reason
        var contacts: [ContactRecord] = []
        for contactID in c.contactIDs {
            if let contact = try await ContactStore().find(contactID, .shown, on: req.db) { contacts.append(contact) }
        }
        try await req.diversion.auditTrail.record([event])
        return SealedCaseResponse(
            sealedAt: seal.sealedAt.formatted(.iso8601), sealedReason: seal.reason,
            justiceCase: CaseResponse(c, decisions: try await CaseStore().decisions(of: id, on: req.db), measures: try await MeasureStore().forCase(id, on: req.db)),
            contacts: contacts.map(ContactResponse.init)
        )
    }
}

extension Request {
    /// Keeps the items whose case is not sealed from this reader: with sealed records shown, everything; otherwise
    /// each item's case (or, for a contact, the contact itself) is looked up once through the sealed view.
    func withoutSealed<Item>(_ items: [Item], caseOf: (Item) async throws -> UUID?) async throws -> [Item] {
        guard case .hidden = sealedView else { return items }
        var visible: [UUID: Bool] = [:]
        var kept: [Item] = []
        for item in items {
            guard let caseID = try await caseOf(item) else { kept.append(item); continue }
            if visible[caseID] == nil { visible[caseID] = try await CaseStore().find(caseID, sealedView, on: db) != nil }
            if visible[caseID] == true { kept.append(item) }
        }
        return kept
    }
}

extension Array where Element == ReferralRecord {
    /// Leaves out referrals made at a contact that is sealed from this reader.
    func asyncFilterSealed(_ req: Request) async throws -> [ReferralRecord] {
        guard case .hidden = req.sealedView else { return self }
        var kept: [ReferralRecord] = []
        for r in self {
            if let contactID = r.contactID, try await ContactStore().find(contactID, req.sealedView, on: req.db) == nil { continue }
            kept.append(r)
        }
        return kept
    }
}
