import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A consent as the API answers it.
struct ConsentResponse: Content {
    var id: String
    var personId: String
    var disclosingAgencyId: String
    var recipientAgencyId: String?
    var recipientAgencyType: String?
    var categories: [String]
    var purpose: String
    var validFrom: String
    var validUntil: String
    var method: String
    /// The court-ordered measure until whose end revocation does not stop disclosure.
    var irrevocableWhileMeasure: String?
    var recordedBy: String
    var recordedAt: String
    var revokedAt: String?
    var revokedBy: String?
    var inForce: Bool
    var note: String?

    init(_ c: ConsentGrant, now: Date, activeMeasures: Set<UUID>) {
        id = c.id.uuidString.lowercased()
        personId = c.personID.uuidString.lowercased()
        disclosingAgencyId = c.disclosingAgencyID.uuidString.lowercased()
        switch c.recipient {
        case .agency(let a): recipientAgencyId = a.uuidString.lowercased()
        case .agencyType(let t): recipientAgencyType = t.rawValue
        }
        categories = c.categories.map(\.rawValue)
        purpose = c.purpose.rawValue
        validFrom = c.validFrom.formatted(.iso8601)
        validUntil = c.validUntil.formatted(.iso8601)
        method = c.method.rawValue
        irrevocableWhileMeasure = c.irrevocableWhileMeasure?.uuidString.lowercased()
        recordedBy = c.recordedByName
        recordedAt = c.recordedAt.formatted(.iso8601)
        revokedAt = c.revokedAt?.formatted(.iso8601)
        revokedBy = c.revokedByName
        inForce = c.isInForce(at: now, activeMeasures: activeMeasures)
        if c.revokedAt != nil, inForce {
            note = "Revoked, but given for a court-ordered measure that is still running: disclosure continues until the measure ends."
        } else if c.irrevocableWhileMeasure != nil {
            note = "Given for a court-ordered measure: a revocation takes effect when the measure ends."
        }
    }
}

/// A court order as the API answers it.
struct CourtOrderResponse: Content {
    var id: String
    var personId: String
    var categories: [String]
    var purpose: String
    var validFrom: String
    var validUntil: String
    var reference: String
    var orderedBy: String
    var orderedAt: String
    var inForce: Bool

    init(_ o: CourtOrder, now: Date) {
        id = o.id.uuidString.lowercased()
        personId = o.personID.uuidString.lowercased()
        categories = o.categories.map(\.rawValue)
        purpose = o.purpose.rawValue
        validFrom = o.validFrom.formatted(.iso8601)
        validUntil = o.validUntil.formatted(.iso8601)
        reference = o.reference
        orderedBy = o.orderedByName
        orderedAt = o.orderedAt.formatted(.iso8601)
        inForce = o.isInForce(at: now)
    }
}

/// A disclosure as the person's accounting lists it.
struct DisclosureResponse: Content {
    var id: String
    var recipient: String
    var recipientAgencyId: String
    var categories: [String]
    var purpose: String
    var basis: String
    var basisId: String?
    var what: String
    var disclosedAt: String

    init(_ d: DisclosureRecord) {
        id = d.id.uuidString.lowercased()
        recipient = d.recipientName
        recipientAgencyId = d.recipientAgencyID.uuidString.lowercased()
        categories = d.categories.map(\.rawValue)
        purpose = d.purpose.rawValue
        switch d.basis {
        case .consent(let id): basis = "consent"; basisId = id.uuidString.lowercased()
        case .courtOrder(let id): basis = "court_order"; basisId = id.uuidString.lowercased()
        case .breakGlass(let id): basis = "break_glass"; basisId = id.uuidString.lowercased()
        case .ownRecord: basis = "own_record"
        case .justiceRecord: basis = "justice_record"
        }
        what = d.what
        disclosedAt = d.disclosedAt.formatted(.iso8601)
    }
}

/// Emergency access as administrators review it.
struct BreakGlassResponse: Content {
    var id: String
    var personId: String
    var user: String
    var reason: String
    var startedAt: String
    var expiresAt: String

    init(_ b: BreakGlassAccess) {
        id = b.id.uuidString.lowercased()
        personId = b.personID.uuidString.lowercased()
        user = b.userName
        reason = b.reason
        startedAt = b.startedAt.formatted(.iso8601)
        expiresAt = b.expiresAt.formatted(.iso8601)
    }
}

/// Consents, court orders, emergency access and the accounting of disclosures.
struct ConsentController {
    struct ConsentRequest: Decodable {
        var recipientAgencyId: String?
        var recipientAgencyType: String?
        var categories: [String]?
        var purpose: String?
        var validFrom: String?
        var validUntil: String?
        var method: String?
        var measureId: String?
    }

    struct CourtOrderRequest: Decodable {
        var categories: [String]?
        var purpose: String?
        var validFrom: String?
        var validUntil: String?
        var reference: String?
    }

    struct BreakGlassRequest: Decodable {
        var reason: String?
        var hours: Int?
    }

    struct ConsentList: Content { var items: [ConsentResponse] }
    struct CourtOrderList: Content { var items: [CourtOrderResponse] }
    struct BreakGlassList: Content { var items: [BreakGlassResponse] }

    struct DisclosureReport: Content {
        var personId: String
        var redisclosureNotice: String
        var items: [DisclosureResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "persons", ":id", "consents", access: .allowed(.create, .consent), use: recordConsent)
        api.endpoint(.GET, "persons", ":id", "consents", access: .allowed(.search, .consent), use: consents)
        api.endpoint(.POST, "consents", ":id", "revoke", access: .allowed(.update, .consent), use: revoke)
        api.endpoint(.POST, "persons", ":id", "court-orders", access: .allowed(.create, .courtOrder), use: recordOrder)
        api.endpoint(.GET, "persons", ":id", "court-orders", access: .allowed(.search, .courtOrder), use: orders)
        api.endpoint(.POST, "persons", ":id", "break-glass", access: .allowed(.create, .breakGlass), use: breakGlass)
        api.endpoint(.GET, "break-glass", access: .allowed(.search, .breakGlass), use: review)
        api.endpoint(.GET, "persons", ":id", "disclosures", access: .allowed(.read, .disclosure), use: disclosures)
        api.endpoint(.GET, "disclosures", "notifications", access: .allowed(.search, .disclosure), use: notifications)
    }

    struct NotificationList: Content {
        var items: [Notification]

        struct Notification: Content {
            var personId: String
            var disclosure: DisclosureResponse
        }
    }

    /// Disclosures of the provider's records under a court order or emergency access: the holder is told of each one.
    @Sendable func notifications(_ req: Request) async throws -> NotificationList {
        let principal = try req.requirePrincipal()
        let records = try await ConsentStore().notifications(holder: principal.agencyID, on: req.db)
        try await req.diversion.auditTrail.record(try records.map { try req.auditEvent(.search, "disclosure", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        return NotificationList(items: records.map { .init(personId: $0.personID.uuidString.lowercased(), disclosure: DisclosureResponse($0)) })
    }

    /// The person named by `id`, or 404.
    static func person(_ req: Request) async throws -> UUID {
        let id = try req.idParameter(of: "person")
        guard try await req.diversion.people.find(id, on: req.db) != nil else { throw APIError.notFound("No person has the id \(id.uuidString.lowercased()).") }
        return id
    }

    static func categories(_ texts: [String]?, into errors: inout FieldErrors) -> [DataCategory] {
        guard let texts else { return [] }
        return texts.prefix(20).enumerated().compactMap { i, text in
            if let c = DataCategory(rawValue: text) { return c }
            errors.add("categories[\(i)]", "Use one of \(DataCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
            return nil
        }
    }

    static func instant(_ text: String?, _ field: String, into errors: inout FieldErrors) -> Date? {
        guard let text else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else {
            errors.add(field, "Write an instant in ISO 8601, such as 2026-12-01T00:00:00Z.")
            return nil
        }
        return date
    }

    @Sendable func recordConsent(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(ConsentRequest.self)
        let (consent, response) = try await Self.record(body, personID: nil, req)
        let encoded = try await response.encodeResponse(status: .created, for: req)
        encoded.headers.replaceOrAdd(name: .location, value: "/api/v1/persons/\(consent.personID.uuidString.lowercased())/consents")
        return encoded
    }

    /// Checks and records a consent for the person named by the `id` parameter (or `personID`); shared by the API and the page.
    static func record(_ body: ConsentRequest, personID given: UUID?, _ req: Request) async throws -> (ConsentGrant, ConsentResponse) {
        let principal = try req.requirePrincipal()
        guard principal.agencyType.runsServices else {
            throw APIError.forbidden("Consents are recorded by the health or social service that holds the records; your agency is \(principal.agencyType.rawValue).")
        }
        var errors = FieldErrors()
        let categories = Self.categories(body.categories, into: &errors)
        let purpose = body.purpose.flatMap(DisclosurePurpose.init(rawValue:))
        if purpose == nil { errors.add("purpose", "Use one of \(DisclosurePurpose.allCases.map(\.rawValue).joined(separator: ", ")).") }
        let method = body.method.flatMap(ConsentMethod.init(rawValue:))
        if method == nil { errors.add("method", "Use one of \(ConsentMethod.allCases.map(\.rawValue).joined(separator: ", ")).") }
        var recipient: ConsentRecipient?
        switch (body.recipientAgencyId, body.recipientAgencyType) {
        case (let id?, nil):
            if let uuid = UUID(uuidString: id) { recipient = .agency(uuid) } else { errors.add("recipientAgencyId", "An agency id is a UUID.") }
        case (nil, let type?):
            if let t = AgencyType(rawValue: type), t != .police { recipient = .agencyType(t) }
            else { errors.add("recipientAgencyType", "Use one of \(AgencyType.allCases.filter { $0 != .police }.map(\.rawValue).joined(separator: ", ")); police agencies never receive treatment information.") }
        default:
            errors.add("recipient", "Name either recipientAgencyId (one agency) or recipientAgencyType (every agency of a type).")
        }
        let from = Self.instant(body.validFrom, "validFrom", into: &errors)
        let until = Self.instant(body.validUntil, "validUntil", into: &errors)
        var measureID: UUID?
        if let text = body.measureId {
            measureID = UUID(uuidString: text)
            if measureID == nil { errors.add("measureId", "A measure id is a UUID.") }
        }
        try errors.throwIfAny()
        try ConsentGrant.check(categories: categories, validFrom: from, validUntil: until, now: req.now)
        let personID: UUID
        if let given {
            guard try await req.diversion.people.find(given, on: req.db) != nil else { throw APIError.notFound("No person has the id \(given.uuidString.lowercased()).") }
            personID = given
        } else {
            personID = try await Self.person(req)
        }
        guard let purpose, let method, let recipient, let from, let until else { throw ValidationFailure(errors.all) }
        if case .agency(let id) = recipient {
            guard let agency = try await AgencyModel.find(id, on: req.db) else {
                throw ValidationFailure([FieldError("recipientAgencyId", "No agency has this id.")])
            }
            if agency.type == AgencyType.police.rawValue {
                throw ValidationFailure([FieldError("recipientAgencyId", "Police agencies never receive treatment information, whatever the consent says.")])
            }
        }
        var irrevocable: UUID?
        if let measureID {
            guard let measure = try await MeasureStore().find(measureID, on: req.db), measure.personID == personID else {
                throw ValidationFailure([FieldError("measureId", "No measure of this person has this id.")])
            }
            if try await req.activePolicy().policy.disclosure.courtOrderedConsentIrrevocable && measure.isActive { irrevocable = measureID }
        }
        let consent = ConsentGrant(id: UUID(), personID: personID, disclosingAgencyID: principal.agencyID, recipient: recipient, categories: categories,
                                   purpose: purpose, validFrom: from, validUntil: until, method: method, irrevocableWhileMeasure: irrevocable,
                                   recordedByName: principal.displayName, recordedAt: req.now)
        let event = try req.auditEvent(.create, "consent", id: consent.id.uuidString.lowercased(), person: personID)
        try await req.diversion.auditTrail.perform { db in
            try await ConsentStore().create(consent, on: db)
            return ((), [event])
        }
        let file = try await ConsentStore().file(of: personID, on: req.db)
        return (consent, ConsentResponse(consent, now: req.now, activeMeasures: file.activeMeasures))
    }

    @Sendable func consents(_ req: Request) async throws -> ConsentList {
        let personID = try await Self.person(req)
        let file = try await ConsentStore().file(of: personID, on: req.db)
        try await req.diversion.auditTrail.record(try file.consents.map { try req.auditEvent(.search, "consent", id: $0.id.uuidString.lowercased(), person: personID) })
        return ConsentList(items: file.consents.map { ConsentResponse($0, now: req.now, activeMeasures: file.activeMeasures) })
    }

    /// Revocation stops disclosure at once, unless the consent was given for a court-ordered measure still running.
    @Sendable func revoke(_ req: Request) async throws -> ConsentResponse {
        try await Self.revoke(req)
    }

    /// Revokes the consent named by the `id` parameter; shared by the API and the page.
    static func revoke(_ req: Request) async throws -> ConsentResponse {
        let principal = try req.requirePrincipal()
        let id = try req.idParameter(of: "consent")
        guard let consent = try await ConsentStore().consent(id, on: req.db) else { throw APIError.notFound("No consent has the id \(id.uuidString.lowercased()).") }
        guard consent.disclosingAgencyID == principal.agencyID else {
            throw APIError.forbidden("Only the agency that recorded the consent records its revocation.")
        }
        let event = try req.auditEvent(.update, "consent_revocation", id: id.uuidString.lowercased(), person: consent.personID)
        let revoked = try await req.diversion.auditTrail.perform { db in
            (try await ConsentStore().revoke(id, at: req.now, by: principal.displayName, on: db), [event])
        }
        guard revoked else { throw APIError.conflict("The consent was already revoked.") }
        var updated = consent
        updated.revokedAt = req.now
        updated.revokedByName = principal.displayName
        let file = try await ConsentStore().file(of: consent.personID, on: req.db)
        return ConsentResponse(updated, now: req.now, activeMeasures: file.activeMeasures)
    }

    @Sendable func recordOrder(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let body = try req.decodeJSON(CourtOrderRequest.self)
        guard principal.agencyType == .court else { throw APIError.forbidden("Court orders are recorded by courts; your agency is \(principal.agencyType.rawValue).") }
        var errors = FieldErrors()
        let categories = Self.categories(body.categories, into: &errors)
        let purpose = body.purpose.flatMap(DisclosurePurpose.init(rawValue:))
        if purpose == nil { errors.add("purpose", "Use one of \(DisclosurePurpose.allCases.map(\.rawValue).joined(separator: ", ")).") }
        let reference = (body.reference ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reference.isEmpty || reference.count > 200 { errors.add("reference", "Give the court's reference for the order (at most 200 characters).") }
        let from = Self.instant(body.validFrom, "validFrom", into: &errors)
        let until = Self.instant(body.validUntil, "validUntil", into: &errors)
        try errors.throwIfAny()
        try ConsentGrant.check(categories: categories, validFrom: from, validUntil: until, now: req.now)
        let personID = try await Self.person(req)
        guard let purpose, let from, let until else { throw ValidationFailure(errors.all) }
        let order = CourtOrder(id: UUID(), personID: personID, categories: categories, purpose: purpose, validFrom: from, validUntil: until,
                               reference: reference, orderedByName: principal.displayName, courtAgencyID: principal.agencyID, orderedAt: req.now)
        let event = try req.auditEvent(.create, "court_order", id: order.id.uuidString.lowercased(), person: personID)
        try await req.diversion.auditTrail.perform { db in
            try await ConsentStore().create(order, on: db)
            return ((), [event])
        }
        return try await CourtOrderResponse(order, now: req.now).encodeResponse(status: .created, for: req)
    }

    @Sendable func orders(_ req: Request) async throws -> CourtOrderList {
        let personID = try await Self.person(req)
        let orders = try await ConsentStore().orders(of: personID, on: req.db)
        try await req.diversion.auditTrail.record(try orders.map { try req.auditEvent(.search, "court_order", id: $0.id.uuidString.lowercased(), person: personID) })
        return CourtOrderList(items: orders.map { CourtOrderResponse($0, now: req.now) })
    }

    /// Opens emergency access for the administrator: a written reason, at most four hours; every opening shows in review.
    @Sendable func breakGlass(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let body = try req.decodeJSON(BreakGlassRequest.self)
        var errors = FieldErrors()
        let reason = (body.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.count < 20 || reason.count > 2000 { errors.add("reason", "Write why emergency access is needed (20 to 2000 characters); it is reviewed.") }
        let hours = body.hours ?? 1
        if !(1...BreakGlassAccess.longestHours).contains(hours) { errors.add("hours", "Emergency access lasts 1 to \(BreakGlassAccess.longestHours) hours; a longer need is a court order.") }
        try errors.throwIfAny()
        let personID = try await Self.person(req)
        let access = BreakGlassAccess(id: UUID(), personID: personID, userID: principal.userID, userName: principal.displayName, reason: reason,
                                      startedAt: req.now, expiresAt: req.now.addingTimeInterval(Double(hours) * 3600))
        let event = try req.auditEvent(.create, "break_glass", id: access.id.uuidString.lowercased(), person: personID)
        try await req.diversion.auditTrail.perform { db in
            try await ConsentStore().create(access, on: db)
            return ((), [event])
        }
        return try await BreakGlassResponse(access).encodeResponse(status: .created, for: req)
    }

    @Sendable func review(_ req: Request) async throws -> BreakGlassList {
        let all = try await ConsentStore().allBreakGlass(on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.search, "break_glass", id: nil)])
        return BreakGlassList(items: all.map(BreakGlassResponse.init))
    }

    @Sendable func disclosures(_ req: Request) async throws -> Response {
        let personID = try await Self.person(req)
        let records = try await ConsentStore().disclosures(of: personID, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "disclosures", id: personID.uuidString.lowercased(), person: personID)])
        let notice = try await req.activePolicy().policy.disclosure.redisclosureNotice
        return try await DisclosureReport(personId: personID.uuidString.lowercased(), redisclosureNotice: notice, items: records.map(DisclosureResponse.init))
            .encodeResponse(for: req)
    }
}
