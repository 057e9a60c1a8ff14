import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The consent pages: a person's consents with the form to record one and to revoke, the printable consent form in the
/// person's language, and the printable accounting of disclosures.
struct ConsentPages {
    struct ConsentRow: Encodable {
        var id: String
        var recipient: String
        var categories: [String]
        var purpose: String
        var period: String
        var method: String
        var recorded: String
        var inForce: Bool
        var revoked: String?
        var note: String?
        var canRevoke: Bool
    }

    struct ListPage: Encodable {
        var person: String
        var personId: String
        var rows: [ConsentRow]
        var hasRows: Bool
        var canRecord: Bool
        var recipientTypes: [Option]
        var categories: [Option]
        var purposes: [Option]
        var methods: [Option]
        var measures: [Option]
        var hasMeasures: Bool
        var from: String
        var until: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct PrintPage: Encodable {
        var lang: String
        var dir: String
        /// The form's wording in the person's language.
        var p: [String: String]
        var person: String
        var birthDate: String
        var recipient: String
        var categories: [String]
        var purpose: String
        var period: String
        var method: String
        var irrevocable: Bool
        var recordedBy: String
        var recorded: String
        var revoked: String?
        var notice: String
    }

    struct DisclosureRow: Encodable {
        var when: String
        var recipient: String
        var categories: [String]
        var purpose: String
        var basis: String
        var what: String
    }

    struct DisclosurePage: Encodable {
        var person: String
        var personId: String
        var rows: [DisclosureRow]
        var hasRows: Bool
        var notice: String
        var generated: String
    }

    struct ConsentForm: Content {
        var recipientAgencyType: String?
        var categories: [String]?
        var purpose: String?
        var validFrom: String?
        var validUntil: String?
        var method: String?
        var measureId: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "people", ":id", "consents", access: .allowed(.search, .consent), use: list)
        web.endpoint(.POST, "people", ":id", "consents", access: .allowed(.create, .consent), use: record)
        web.endpoint(.POST, "consents", ":id", "revoke", access: .allowed(.update, .consent), use: revoke)
        web.endpoint(.GET, "consents", ":id", "print", access: .allowed(.read, .consent), use: print)
        web.endpoint(.GET, "people", ":id", "disclosures", access: .allowed(.read, .disclosure), use: disclosures)
        web.endpoint(.GET, "disclosures", "notifications", access: .allowed(.search, .disclosure), use: notifications)
    }

    struct NotificationRow: Encodable {
        var personId: String
        var person: String
        var row: DisclosureRow
    }

    struct NotificationPage: Encodable {
        var rows: [NotificationRow]
        var hasRows: Bool
    }

    /// What a provider is told: each disclosure of its records under a court order or emergency access.
    @Sendable func notifications(_ req: Request) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let records = try await ConsentStore().notifications(holder: principal.agencyID, on: req.db)
        try await req.diversion.auditTrail.record(try records.map { try req.auditEvent(.search, "disclosure", id: $0.id.uuidString.lowercased(), person: $0.personID) })
        let names = try await req.personNames(records.map(\.personID))
        let rows = records.map { d in
            NotificationRow(
                personId: d.personID.uuidString.lowercased(), person: names[d.personID] ?? "",
                row: DisclosureRow(when: req.shown(d.disclosedAt), recipient: d.recipientName, categories: d.categories.map { t["category_\($0.rawValue)"] ?? $0.words },
                                   purpose: t["purpose_\(d.purpose.rawValue)"] ?? d.purpose.rawValue,
                                   basis: { if case .breakGlass = d.basis { return t["basis_break_glass"] ?? "emergency access" } else { return t["basis_court_order"] ?? "court order" } }(),
                                   what: d.what)
            )
        }
        return try await req.page("disclosure_notifications", title: "notifications_title", content: NotificationPage(rows: rows, hasRows: !rows.isEmpty))
    }

    static func recipient(_ c: ConsentGrant, agencies: [UUID: String], _ t: [String: String]) -> String {
        switch c.recipient {
        case .agency(let id): agencies[id] ?? id.uuidString.lowercased()
        case .agencyType(let type): t["agency_type_\(type.rawValue)"] ?? type.rawValue
        }
    }

    static func agencyNames(_ req: Request) async throws -> [UUID: String] {
        var names: [UUID: String] = [:]
        for a in try await AgencyModel.query(on: req.db).all() { if let id = a.id { names[id] = a.name } }
        return names
    }

    @Sendable func list(_ req: Request) async throws -> Response {
        try await render(req, form: nil, errors: [], status: .ok)
    }

    private func render(_ req: Request, form: ConsentForm?, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let principal = try req.requirePrincipal()
        let personID = try req.idParameter(of: "person")
        let person = try await PeopleService(request: req).read(personID)
        let file = try await ConsentStore().file(of: personID, on: req.db)
        try await req.diversion.auditTrail.record(try file.consents.map { try req.auditEvent(.search, "consent", id: $0.id.uuidString.lowercased(), person: personID) })
        let agencies = try await Self.agencyNames(req)
        let canRecord = req.diversion.policy.decide(principal, .create, .consent).isAllowed && principal.agencyType.runsServices
        let rows = file.consents.reversed().map { c in
            let response = ConsentResponse(c, now: req.now, activeMeasures: file.activeMeasures)
            return ConsentRow(
                id: response.id, recipient: Self.recipient(c, agencies: agencies, t), categories: c.categories.map { t["category_\($0.rawValue)"] ?? $0.words },
                purpose: t["purpose_\(c.purpose.rawValue)"] ?? c.purpose.rawValue, period: "\(req.shown(c.validFrom)) – \(req.shown(c.validUntil))",
                method: t["consent_\(c.method.rawValue)"] ?? c.method.rawValue, recorded: "\(c.recordedByName), \(req.shown(c.recordedAt))",
                inForce: response.inForce, revoked: c.revokedAt.map { "\(req.shown($0)) (\(c.revokedByName ?? ""))" }, note: response.note,
                canRevoke: c.revokedAt == nil && c.disclosingAgencyID == principal.agencyID && canRecord
            )
        }
        let measures = try await MeasureStore().forPerson(personID, on: req.db).filter(\.isActive)
        let chosen = Set(form?.categories ?? [DataCategory.drugTestResults.rawValue, DataCategory.attendance.rawValue])
        let page = ListPage(
            person: person.details.fullName, personId: personID.uuidString.lowercased(), rows: rows, hasRows: !rows.isEmpty, canRecord: canRecord,
            recipientTypes: [AgencyType.supervision, .court, .prosecution, .healthProvider, .socialService].map {
                Option(value: $0.rawValue, label: t["agency_type_\($0.rawValue)"] ?? $0.rawValue, selected: (form?.recipientAgencyType ?? "supervision") == $0.rawValue)
            },
            categories: DataCategory.health.map { Option(value: $0.rawValue, label: t["category_\($0.rawValue)"] ?? $0.words, selected: chosen.contains($0.rawValue)) },
            purposes: DisclosurePurpose.allCases.map { Option(value: $0.rawValue, label: t["purpose_\($0.rawValue)"] ?? $0.rawValue, selected: (form?.purpose ?? "supervision") == $0.rawValue) },
            methods: ConsentMethod.allCases.map { Option(value: $0.rawValue, label: t["consent_\($0.rawValue)"] ?? $0.rawValue, selected: form?.method == $0.rawValue) },
            measures: measures.map { Option(value: $0.id.uuidString.lowercased(), label: "\(t["measure_\($0.type.rawValue)"] ?? $0.type.words) (\($0.start))", selected: form?.measureId == $0.id.uuidString.lowercased()) },
            hasMeasures: !measures.isEmpty,
            from: form?.validFrom ?? formTime(req.now), until: form?.validUntil ?? formTime(req.now.addingTimeInterval(182 * 86_400)),
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("consents", title: "consents_title", content: page, status: status)
    }

    @Sendable func record(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ConsentForm.self)
        let personID = try req.idParameter(of: "person")
        let body = ConsentController.ConsentRequest(
            recipientAgencyId: nil, recipientAgencyType: form.recipientAgencyType, categories: form.categories ?? [], purpose: form.purpose,
            validFrom: parseFormTime(form.validFrom)?.formatted(.iso8601) ?? form.validFrom,
            validUntil: parseFormTime(form.validUntil)?.formatted(.iso8601) ?? form.validUntil, method: form.method,
            measureId: (form.measureId ?? "").isEmpty ? nil : form.measureId
        )
        do {
            _ = try await ConsentController.record(body, personID: personID, req)
            return req.redirect(to: "/people/\(personID.uuidString.lowercased())/consents?notice=consent_recorded", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, form: form, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    @Sendable func revoke(_ req: Request) async throws -> Response {
        let consent = try await ConsentController.revoke(req)
        return req.redirect(to: "/people/\(consent.personId)/consents?notice=consent_revoked", redirectType: .normal)
    }

    /// The consent as the person signs or keeps it, in the person's preferred language when the interface has it.
    @Sendable func print(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "consent")
        guard let c = try await ConsentStore().consent(id, on: req.db) else { throw APIError.notFound("No consent has the id \(id.uuidString.lowercased()).") }
        let person = try await PeopleService(request: req).read(c.personID)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "consent", id: id.uuidString.lowercased(), person: c.personID)])
        let lang = Localizer.catalogue(for: person.details.preferredLanguage) ?? req.language
        let p = req.diversion.localizer.messages(lang)
        // The form's dates follow the form's language, not the staff member's.
        let f = LocaleFormat(lang)
        let agencies = try await Self.agencyNames(req)
        let page = PrintPage(
            lang: lang, dir: Localizer.direction(lang), p: p, person: person.details.fullName, birthDate: f.date(person.details.birthDate),
            recipient: Self.recipient(c, agencies: agencies, p), categories: c.categories.map { p["category_\($0.rawValue)"] ?? $0.words },
            purpose: p["purpose_\(c.purpose.rawValue)"] ?? c.purpose.rawValue, period: "\(f.dateTime(c.validFrom)) – \(f.dateTime(c.validUntil))",
            method: p["consent_\(c.method.rawValue)"] ?? c.method.rawValue, irrevocable: c.irrevocableWhileMeasure != nil,
            recordedBy: c.recordedByName, recorded: f.dateTime(c.recordedAt), revoked: c.revokedAt.map { f.dateTime($0) },
            notice: StandardWording.notice(try await req.activePolicy().policy.disclosure.redisclosureNotice, p)
        )
        return try await req.page("consent_print", title: "consent_form_title", content: page)
    }

    @Sendable func disclosures(_ req: Request) async throws -> Response {
        let t = req.messages
        let personID = try req.idParameter(of: "person")
        let person = try await PeopleService(request: req).read(personID)
        let records = try await ConsentStore().disclosures(of: personID, on: req.db)
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "disclosures", id: personID.uuidString.lowercased(), person: personID)])
        let rows = records.map { d in
            let basis: String = switch d.basis {
            case .consent: t["basis_consent"] ?? "consent"
            case .courtOrder: t["basis_court_order"] ?? "court order"
            case .breakGlass: t["basis_break_glass"] ?? "emergency access"
            case .ownRecord, .justiceRecord: ""
            }
            return DisclosureRow(when: req.shown(d.disclosedAt), recipient: d.recipientName, categories: d.categories.map { t["category_\($0.rawValue)"] ?? $0.words },
                                 purpose: t["purpose_\(d.purpose.rawValue)"] ?? d.purpose.rawValue, basis: basis, what: d.what)
        }
        let page = DisclosurePage(person: person.details.fullName, personId: personID.uuidString.lowercased(), rows: rows, hasRows: !rows.isEmpty,
                                  notice: StandardWording.notice(try await req.activePolicy().policy.disclosure.redisclosureNotice, t), generated: req.shown(req.now))
        return try await req.page("disclosures", title: "disclosures_title", content: page)
    }
}
