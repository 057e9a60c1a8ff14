import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A referral as the API answers it; events carry notes only for the receiving side.
struct ReferralResponse: Content {
    struct Event: Content {
        var id: String
        var type: String
        var reason: String?
        var note: String?
        var scheduledFor: String?
        var recordedBy: String
        var occurredAt: String
    }

    var id: String
    var personId: String
    var serviceId: String
    var contactId: String?
    var referringAgencyId: String
    var receivingAgencyId: String
    var referredBy: String
    var reason: String
    var urgency: String
    var needs: [String]
    var status: String
    var statusSince: String
    var scheduledFor: String?
    var dueBy: String?
    var overdue: Bool
    var createdAt: String
    var events: [Event]?

    /// The status a justice reader gets when the policy shows a referral's status only under consent and none covers it.
    static let noConsentOnFile = "no_consent_on_file"

    /// Leaves out where the referral stands: the reader sees that it exists and nothing of its course.
    mutating func withholdStatus() {
        status = Self.noConsentOnFile
        statusSince = createdAt
        scheduledFor = nil
        dueBy = nil
        overdue = false
        events = nil
    }

    /// The response as `reader` may see it: the referring side's view of the status follows the disclosure rule.
    static func disclosed(_ r: ReferralRecord, now: Date, events: [ReferralEventRecord]? = nil, side: ReferralSide, _ req: Request) async throws -> ReferralResponse {
        var response = ReferralResponse(r, now: now, events: events, side: side)
        if side == .referring, case .withheld = try await DisclosureService(request: req).decide(.referralStatus, personID: r.personID, holder: r.receivingAgencyID) {
            response.withholdStatus()
        }
        return response
    }

    init(_ r: ReferralRecord, now: Date, events: [ReferralEventRecord]? = nil, side: ReferralSide = .referring) {
        id = r.id.uuidString.lowercased()
        personId = r.personID.uuidString.lowercased()
        serviceId = r.serviceID.uuidString.lowercased()
        contactId = r.contactID?.uuidString.lowercased()
        referringAgencyId = r.referringAgencyID.uuidString.lowercased()
        receivingAgencyId = r.receivingAgencyID.uuidString.lowercased()
        referredBy = r.referredByName
        reason = r.reason
        urgency = r.urgency.rawValue
        needs = r.needs.map(\.rawValue)
        status = r.status.rawValue
        statusSince = r.statusSince.formatted(.iso8601)
        scheduledFor = r.scheduledFor?.formatted(.iso8601)
        dueBy = r.dueBy?.formatted(.iso8601)
        overdue = r.isOverdue(at: now)
        createdAt = r.createdAt.formatted(.iso8601)
        self.events = events?.map {
            Event(
                id: $0.id.uuidString.lowercased(), type: $0.type.rawValue, reason: $0.reason,
                note: side == .receiving ? $0.note : nil, scheduledFor: $0.scheduledFor?.formatted(.iso8601),
                recordedBy: $0.recordedByName, occurredAt: $0.occurredAt.formatted(.iso8601)
            )
        }
    }
}

/// Suggestions and the closed loop of referrals.
struct ReferralController {
    struct PersonDetails: Decodable {
        var birthDate: String?
        var sex: String?
        var preferredLanguage: String?
        var flags: [String]?
    }

    struct SuggestionRequest: Decodable {
        var personId: String?
        var person: PersonDetails?
        var needs: [String]?
        var region: String?
    }

    struct Suggestion: Content {
        var serviceId: String
        var rank: Int
        var name: String
        var region: String
        var fits: [String]
        var warnings: [String]
    }

    struct SuggestionResponse: Content {
        var needs: [String]
        var needsSource: String
        var suggestions: [Suggestion]
    }

    struct CreateRequest: Decodable {
        var personId: String?
        var serviceId: String?
        var contactId: String?
        var reason: String?
        var urgency: String?
        var needs: [String]?
    }

    struct EventRequest: Decodable {
        var type: String?
        var reason: String?
        var note: String?
        var scheduledFor: String?
    }

    struct ListParameters: Decodable {
        var side: String?
        var status: String?
    }

    struct ReferralList: Content {
        var items: [ReferralResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "referrals", "suggestions", access: .allowed(.evaluate, .referral), use: suggest)
        api.endpoint(.POST, "referrals", access: .allowed(.create, .referral), use: create)
        api.endpoint(.GET, "referrals", access: .allowed(.search, .referral), use: list)
        api.endpoint(.GET, "referrals", ":id", access: .allowed(.read, .referral), use: show)
        api.endpoint(.POST, "referrals", ":id", "events", access: .allowed(.update, .referral), use: event)
    }

    static func needs(_ texts: [String]?, into errors: inout FieldErrors) -> [Modality]? {
        guard let texts else { return nil }
        return texts.enumerated().compactMap { i, t in
            if let m = Modality(rawValue: t) { return m }
            errors.add("needs[\(i)]", "Use one of \(Modality.allCases.map(\.rawValue).joined(separator: ", ")).")
            return nil
        }
    }

    @Sendable func suggest(_ req: Request) async throws -> SuggestionResponse {
        let body = try req.decodeJSON(SuggestionRequest.self)
        var errors = FieldErrors()
        let needs = Self.needs(body.needs, into: &errors)
        let service = ReferralService(request: req)
        var match: ReferralService.Match?
        if let text = body.personId {
            if UUID(uuidString: text) == nil { errors.add("personId", "A person id is a UUID.") }
            try errors.throwIfAny()
            if let id = UUID(uuidString: text) { match = try await service.match(personID: id, override: needs, region: body.region) }
        } else if let p = body.person {
            let birthDate = p.birthDate.flatMap(CalendarDate.init).flatMap { $0 <= CalendarDate(req.now) ? $0 : nil }
            if birthDate == nil { errors.add("person.birthDate", "Write a past birth date as YYYY-MM-DD.") }
            let sex = p.sex.flatMap(Sex.init(rawValue:))
            if sex == nil { errors.add("person.sex", "Use one of \(Sex.allCases.map(\.rawValue).joined(separator: ", ")).") }
            var language: String?
            if let text = p.preferredLanguage {
                language = LanguageTag.normalise(text)
                if language == nil { errors.add("person.preferredLanguage", "Write a language as a BCP 47 tag such as en or pt-BR.") }
            }
            var flags: [PersonFlag] = []
            for (i, f) in (p.flags ?? []).enumerated() {
                if let flag = PersonFlag(rawValue: f) { flags.append(flag) } else {
                    errors.add("person.flags[\(i)]", "Use one of \(PersonFlag.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
            }
            try errors.throwIfAny()
            if let birthDate, let sex {
                let subject = MatchSubject(
                    age: birthDate.completedYears(on: CalendarDate(req.now)), sex: sex, language: language,
                    pregnant: flags.contains(.pregnant), caringForChildren: flags.contains(.caringForChildren), region: body.region
                )
                let given = needs.flatMap { $0.isEmpty ? nil : $0 }
                match = .init(subject: subject, needs: given ?? ReferralService.defaultNeeds, needsSource: given == nil ? "default" : "officer")
            }
        } else {
            errors.add("personId", "Give personId, or person with birthDate and sex.")
        }
        try errors.throwIfAny()
        guard let match else { throw ValidationFailure(errors.all) }
        let found = try await service.suggestions(for: match)
        return SuggestionResponse(
            needs: match.needs.map(\.rawValue), needsSource: match.needsSource,
            suggestions: found.map { s, stored in
                Suggestion(serviceId: s.serviceID.uuidString.lowercased(), rank: s.rank, name: stored.profile.name, region: stored.profile.region, fits: s.fits, warnings: s.warnings)
            }
        )
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(CreateRequest.self)
        var errors = FieldErrors()
        let personID = body.personId.flatMap(UUID.init(uuidString:))
        if personID == nil { errors.add("personId", "Give the id of a person on record (a UUID).") }
        let serviceID = body.serviceId.flatMap(UUID.init(uuidString:))
        if serviceID == nil { errors.add("serviceId", "Give the id of a service from GET /api/v1/services (a UUID).") }
        var contactID: UUID?
        if let text = body.contactId {
            contactID = UUID(uuidString: text)
            if contactID == nil { errors.add("contactId", "A contact id is a UUID.") }
        }
        let reason = ReferralService.clean(body.reason, "reason", 1000, &errors)
        if reason == nil { errors.add("reason", "Say why the person is referred, in a sentence the service can act on.") }
        var urgency = ReferralUrgency.routine
        if let text = body.urgency {
            if let u = ReferralUrgency(rawValue: text) { urgency = u } else {
                errors.add("urgency", "Use one of \(ReferralUrgency.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        let needs = Self.needs(body.needs, into: &errors) ?? []
        try errors.throwIfAny()
        guard let personID, let serviceID, let reason else { throw ValidationFailure(errors.all) }
        let referral = try await ReferralService(request: req).send(
            personID: personID, serviceID: serviceID, contactID: contactID, reason: reason, urgency: urgency, needs: needs
        )
        let response = try await ReferralResponse(referral, now: req.now, events: []).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/referrals/\(referral.id.uuidString.lowercased())")
        return response
    }

    /// The agency's worklist: received (a provider's inbox) or sent; overdue ones are flagged.
    @Sendable func list(_ req: Request) async throws -> ReferralList {
        let principal = try req.requirePrincipal()
        guard let params = try? req.query.decode(ListParameters.self) else {
            throw ValidationFailure([FieldError("query", "Give side and status once each.")])
        }
        var errors = FieldErrors()
        let receiving = principal.agencyType.runsServices
        var side = receiving ? "received" : "sent"
        if let text = params.side {
            if ["sent", "received"].contains(text) { side = text } else { errors.add("side", "Use sent or received.") }
        }
        var status: ReferralStatus?
        if let text = params.status {
            status = ReferralStatus(rawValue: text)
            if status == nil { errors.add("status", "Use one of \(ReferralStatus.allCases.map(\.rawValue).joined(separator: ", ")).") }
        }
        try errors.throwIfAny()
        _ = try req.statedPurpose()
        let worklist: ReferralWorklist = side == "received" ? .receivedBy(principal.agencyID) : .sentBy(principal.agencyID)
        let found = try await ReferralStore().list(worklist, status: status, on: req.db)
            .asyncFilterSealed(req)
        try await req.diversion.auditTrail.record(try found.map {
            try req.auditEvent(.search, "referral", id: $0.id.uuidString.lowercased(), person: $0.personID)
        })
        var items: [ReferralResponse] = []
        for r in found {
            items.append(try await ReferralResponse.disclosed(r, now: req.now, side: r.side(of: principal.agencyID), req))
        }
        return ReferralList(items: items)
    }

    @Sendable func show(_ req: Request) async throws -> ReferralResponse {
        let (referral, side) = try await ReferralService(request: req).read(try req.idParameter(of: "referral"))
        let events = try await ReferralStore().events(of: referral.id, on: req.db)
        return try await ReferralResponse.disclosed(referral, now: req.now, events: events, side: side, req)
    }

    @Sendable func event(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "referral")
        let body = try req.decodeJSON(EventRequest.self)
        let (referral, _) = try await ReferralService(request: req).record(id, type: body.type, reason: body.reason, note: body.note, scheduledFor: body.scheduledFor)
        let principal = try req.requirePrincipal()
        let events = try await ReferralStore().events(of: id, on: req.db)
        return try await ReferralResponse(referral, now: req.now, events: events, side: referral.side(of: principal.agencyID))
            .encodeResponse(status: .created, for: req)
    }
}
