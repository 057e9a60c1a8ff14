import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The officer's pages: a new contact with person lookup, the result with reasons, decision,
/// screening and suggested services, and referral in one step. No JavaScript needed.
struct ContactPages {
    struct SeizureForm: Codable {
        var substance: String?
        var quantity: String?
        var unit: String?
        var purity: String?
        var packaging: [String]?
    }

    struct ContactForm: Codable {
        var personId: String?
        var q: String?
        var givenName: String?
        var familyName: String?
        var birthDate: String?
        var sex: String?
        var preferredLanguage: String?
        var flags: [String]?
        var occurredAt: String?
        var region: String?
        var offence: String?
        var seizures: [SeizureForm]?
        var violence: String?
        var weapon: String?
        var supplyToMinors: String?
        var nearSchool: String?
        var organisedCrime: String?
        var find: String?
    }

    struct SeizureRow: Encodable {
        var index: Int
        var number: Int
        var substances: [Option]
        var quantity: String
        var units: [Option]
        var purity: String
        var packaging: [Option]
    }

    struct PersonChoice: Encodable {
        var id: String
        var label: String
        var selected: Bool
    }

    struct FormPage: Encodable {
        var form: ContactForm
        var people: [PersonChoice]
        var hasPeople: Bool
        var searched: Bool
        var newSelected: Bool
        var sexOptions: [Option]
        var flagOptions: [Option]
        var regions: [Option]
        var offences: [Option]
        var seizures: [SeizureRow]
        var circumstances: [Option]
        var errors: [ShownError]
        var hasErrors: Bool
        var policyVersion: String
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "contacts", "new", access: .allowed(.create, .contact), use: newForm)
        web.endpoint(.POST, "contacts", "new", access: .allowed(.create, .contact), use: findPerson)
        web.endpoint(.POST, "contacts", access: .allowed(.create, .contact), use: create)
        web.endpoint(.GET, "contacts", ":id", access: .allowed(.read, .contact), use: show)
        web.endpoint(.POST, "contacts", ":id", "decision", access: .allowed(.update, .contact), use: decide)
        web.endpoint(.POST, "contacts", ":id", "referrals", access: .allowed(.create, .referral), use: refer)
    }

    @Sendable func newForm(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        var form = ContactForm()
        form.occurredAt = formTime(req.now)
        form.region = principal.region
        if let id = req.query[String.self, at: "personId"], UUID(uuidString: id) != nil { form.personId = id }
        return try await render(req, form: form, people: [], searched: false, errors: [], status: .ok)
    }

    /// The "find" button: searches people by name or birth date and shows the form again with the matches.
    @Sendable func findPerson(_ req: Request) async throws -> Response {
        var form = try req.content.decode(ContactForm.self)
        var people: [Person] = []
        var errors: [FieldError] = []
        let q = (form.q ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let isDate = CalendarDate(q) != nil
            people = try await PeopleService(request: req).search(try PersonQuery.validate(q: isDate ? nil : q, birthDate: isDate ? q : nil, limit: 10))
        } catch let failure as ValidationFailure {
            errors = failure.errors.map { FieldError("q", $0.reason) }
        }
        form.personId = people.count == 1 ? people[0].id.uuidString.lowercased() : form.personId
        return try await render(req, form: form, people: people, searched: errors.isEmpty, errors: errors, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ContactForm.self)
        do {
            let input = try Self.input(from: form)
            let record = try await ContactService(request: req).record(try input.check(now: req.now, storing: true))
            return req.redirect(to: "/contacts/\(record.id.uuidString.lowercased())", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, form: form, people: [], searched: false, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    /// Turns the form into the API's contact input: empty seizure rows are skipped, numbers checked.
    static func input(from form: ContactForm) throws -> ContactInput {
        var errors = FieldErrors()
        var input = ContactInput()
        if let id = form.personId, !id.isEmpty {
            input.personId = id
        } else {
            input.person = PersonInput(
                givenName: form.givenName, familyName: form.familyName, birthDate: form.birthDate, sex: form.sex,
                preferredLanguage: (form.preferredLanguage ?? "").isEmpty ? nil : form.preferredLanguage, flags: form.flags
            )
        }
        input.occurredAt = parseFormTime(form.occurredAt)?.formatted(.iso8601) ?? form.occurredAt
        input.region = form.region
        input.offences = (form.offence ?? "").isEmpty ? [] : [.init(category: form.offence)]
        if (form.offence ?? "").isEmpty { errors.add("offences", "Choose the offence.") }
        var seizures: [ContactInput.Seizure] = []
        for (i, row) in (form.seizures ?? []).enumerated() where !(row.substance ?? "").isEmpty {
            let quantity = Double((row.quantity ?? "").replacingOccurrences(of: ",", with: "."))
            if quantity == nil { errors.add("seizures[\(i)].quantity", "Give the quantity as a number, such as 12.5.") }
            var purity: Double?
            if let text = row.purity, !text.isEmpty {
                purity = Double(text.replacingOccurrences(of: ",", with: "."))
                if purity == nil { errors.add("seizures[\(i)].purityPercent", "Give the tested purity as a number of percent, or leave it empty.") }
            }
            seizures.append(.init(substance: row.substance, quantity: quantity ?? 0, unit: row.unit, purityPercent: purity, packaging: row.packaging ?? []))
        }
        input.seizures = seizures
        input.circumstances = .init(
            violence: form.violence != nil, weapon: form.weapon != nil, supplyToMinors: form.supplyToMinors != nil,
            nearSchool: form.nearSchool != nil, organisedCrime: form.organisedCrime != nil
        )
        try errors.throwIfAny()
        return input
    }

    private func render(_ req: Request, form: ContactForm, people: [Person], searched: Bool, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let policy = try await req.activePolicy().policy
        var choices = people.map { p in
            PersonChoice(
                id: p.id.uuidString.lowercased(),
                label: "\(p.details.fullName), \(req.format.date(p.details.birthDate)) (\(t["sex_\(p.details.sex.rawValue)"] ?? p.details.sex.rawValue))",
                selected: form.personId == p.id.uuidString.lowercased()
            )
        }
        // A person chosen earlier (or passed from their record) stays chosen after a failed submission.
        if let id = form.personId.flatMap(UUID.init(uuidString:)), !choices.contains(where: { $0.selected }),
           let person = try await req.diversion.people.find(id, on: req.db) {
            try await req.diversion.auditTrail.record([try req.auditEvent(.read, "person", id: id.uuidString.lowercased(), person: id)])
            choices.insert(PersonChoice(id: id.uuidString.lowercased(), label: "\(person.details.fullName), \(req.format.date(person.details.birthDate))", selected: true), at: 0)
        }
        let rows = (0..<3).map { i -> SeizureRow in
            let given = (form.seizures ?? []).indices.contains(i) ? form.seizures?[i] : nil
            let packaging = Set(given?.packaging ?? [])
            return SeizureRow(
                index: i, number: i + 1,
                substances: [Option(value: "", label: "—", selected: (given?.substance ?? "").isEmpty)]
                    + policy.substances.map { Option(value: $0.code, label: req.policyWording.substanceWithUnit($0), selected: given?.substance == $0.code) },
                quantity: given?.quantity ?? "",
                units: QuantityUnit.allCases.map { Option(value: $0.rawValue, label: req.policyWording.unit($0), selected: (given?.unit ?? "g") == $0.rawValue) },
                purity: given?.purity ?? "",
                packaging: PackagingSign.allCases.map { Option(value: $0.rawValue, label: t["packaging_\($0.rawValue)"] ?? $0.rawValue, selected: packaging.contains($0.rawValue)) }
            )
        }
        let regions = try await req.regions()
        let chosenFlags = Set(form.flags ?? [])
        let page = FormPage(
            form: form, people: choices, hasPeople: !choices.isEmpty, searched: searched,
            newSelected: (form.personId ?? "").isEmpty,
            sexOptions: [Option(value: "", label: "—", selected: (form.sex ?? "").isEmpty)]
                + Sex.allCases.map { Option(value: $0.rawValue, label: t["sex_\($0.rawValue)"] ?? $0.rawValue, selected: form.sex == $0.rawValue) },
            flagOptions: PersonFlag.allCases.map { Option(value: $0.rawValue, label: t["flag_\($0.rawValue)"] ?? $0.rawValue, selected: chosenFlags.contains($0.rawValue)) },
            regions: regions.map { Option(value: $0, label: $0, selected: form.region == $0) },
            offences: [Option(value: "", label: "—", selected: (form.offence ?? "").isEmpty)]
                + policy.offenceCategories.map { Option(value: $0.code, label: req.policyWording.offence($0.code, in: policy), selected: form.offence == $0.code) },
            seizures: rows,
            circumstances: [
                Option(value: "violence", label: t["circumstance_violence"] ?? "violence", selected: form.violence != nil),
                Option(value: "weapon", label: t["circumstance_weapon"] ?? "weapon", selected: form.weapon != nil),
                Option(value: "supplyToMinors", label: t["circumstance_supply_to_minors"] ?? "supply to minors", selected: form.supplyToMinors != nil),
                Option(value: "nearSchool", label: t["circumstance_near_school"] ?? "near a school", selected: form.nearSchool != nil),
                Option(value: "organisedCrime", label: t["circumstance_organised_crime"] ?? "organised crime", selected: form.organisedCrime != nil),
            ],
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty, policyVersion: "\(policy.jurisdiction) \(policy.version)"
        )
        return try await req.page("contact_new", title: "contact_new_title", content: page, status: status)
    }

    // MARK: The result page

    struct ReasonRow: Encodable {
        var passed: Bool
        var detail: String
    }

    struct SuggestionRow: Encodable {
        var serviceId: String
        var rank: Int
        var name: String
        var region: String
        var fits: [String]
        var warnings: [String]
        var hasWarnings: Bool
    }

    struct ReferralRow: Encodable {
        var id: String
        var service: String
        var status: String
        var statusLabel: String
        var dueBy: String
        var overdue: Bool
    }

    struct ScreeningSummary: Encodable {
        var instrument: String
        var level: String
        var score: Int
        var recommendation: String
        var when: String
    }

    struct ResultPage: Encodable {
        var id: String
        var personId: String
        var personName: String
        var personAge: Int
        var occurredAt: String
        var region: String
        var officer: String
        var eligible: Bool
        var route: String
        var policyVersion: String
        /// ISO day for `<time datetime>`; `reviewByShown` is the day as the page's language writes it.
        var reviewBy: String
        var reviewByShown: String
        var reasons: [ReasonRow]
        var indicators: [String]
        var hasIndicators: Bool
        var decided: Bool
        var decisionLabel: String
        var decisionReason: String
        var decisions: [Option]
        var reasonDraft: String
        var recommendedLabel: String
        var screening: ScreeningSummary?
        var instrumentLabel: String
        var canDecide: Bool
        var canRefer: Bool
        var needs: [Option]
        var needsSource: String
        var needsSummary: String
        var suggestions: [SuggestionRow]
        var hasSuggestions: Bool
        var referrals: [ReferralRow]
        var hasReferrals: Bool
        var defaultReason: String
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        try await renderResult(req, id: try req.idParameter(of: "contact"), errors: [], status: .ok)
    }

    /// Renders the result page; a refused decision form comes back with what the officer chose and wrote.
    private func renderResult(_ req: Request, id: UUID, errors: [FieldError], submitted: ContactController.DecisionRequest? = nil, status: HTTPResponseStatus) async throws -> Response {
        let principal = try req.requirePrincipal()
        let t = req.messages
        let contact = try await ContactService(request: req).read(id)
        let person = try await PeopleService(request: req).read(contact.personID)
        let e = contact.evaluation
        let canRefer = req.diversion.policy.decide(principal, .create, .referral).isAllowed
        let active = try await req.diversion.policies.active(on: req.db)
        // The rules word their reasons in English; the page shows them in its language, names and all.
        let wordingNames = req.reasonNames(active?.policy)
        let screening = try await ScreeningStore().latest(for: contact.personID, justiceOnly: !principal.agencyType.runsServices, on: req.db)
        let instrument = active.map { ContactService.instrument(for: person.details.birthDate, on: CalendarDate(req.now), policy: $0.policy) } ?? .assist

        // Needs: the officer's override in the query, else the screening, else the default.
        let override = (try? req.query.get([String].self, at: "needs"))?.compactMap(Modality.init(rawValue:))
        var suggestions: [SuggestionRow] = []
        var needs: [Modality] = []
        var source = "default"
        if canRefer {
            let referrals = ReferralService(request: req)
            let match = referrals.match(person: person, latest: screening, override: override, region: contact.region)
            needs = match.needs
            source = match.needsSource
            // A phone screen shows the five best; the API offers more.
            suggestions = try await referrals.suggestions(for: match).prefix(5).map { s, stored in
                SuggestionRow(serviceId: s.serviceID.uuidString.lowercased(), rank: s.rank, name: stored.profile.name, region: stored.profile.region,
                              fits: s.fits, warnings: s.warnings, hasWarnings: !s.warnings.isEmpty)
            }
        }
        let sent = try await ReferralStore().list(.person(contact.personID), on: req.db).filter { $0.contactID == id }
        var names: [UUID: String] = [:]
        for r in sent where names[r.serviceID] == nil { names[r.serviceID] = try await ServiceStore().find(r.serviceID, on: req.db)?.profile.name }
        let recommended = OfficerDecision.recommended(eligible: e.eligible)
        let chosen = submitted?.decision.flatMap(OfficerDecision.init(rawValue:)) ?? recommended
        let page = ResultPage(
            id: id.uuidString.lowercased(), personId: contact.personID.uuidString.lowercased(),
            personName: person.details.fullName,
            personAge: person.details.birthDate.completedYears(on: CalendarDate(req.now)),
            occurredAt: req.shown(contact.occurredAt), region: contact.region, officer: contact.officerName,
            eligible: e.eligible, route: t["route_\(e.route ?? "")"] ?? (e.route ?? "—"), policyVersion: e.policyVersion,
            reviewBy: e.reviewBy.description, reviewByShown: req.format.date(e.reviewBy),
            reasons: e.reasons.map { ReasonRow(passed: $0.passed, detail: req.reason($0.detail, names: wordingNames)) },
            indicators: e.indicators.map { req.reason($0.detail, names: wordingNames) }, hasIndicators: !e.indicators.isEmpty,
            decided: contact.decision != nil,
            decisionLabel: contact.decision.map { t["decision_\($0.rawValue)"] ?? $0.rawValue } ?? "",
            decisionReason: contact.decisionReason ?? "",
            decisions: OfficerDecision.allCases.map { Option(value: $0.rawValue, label: t["decision_\($0.rawValue)"] ?? $0.rawValue, selected: $0 == chosen) },
            reasonDraft: submitted?.reason ?? "",
            recommendedLabel: t["decision_\(recommended.rawValue)"] ?? recommended.rawValue,
            screening: screening.map {
                ScreeningSummary(instrument: t["instrument_\($0.result.instrument.rawValue)"] ?? $0.result.instrument.rawValue, level: t["screening_level_\($0.result.level)"] ?? $0.result.level,
                                 score: $0.result.score, recommendation: req.reason($0.result.recommendation, names: wordingNames), when: req.shown($0.createdAt))
            },
            instrumentLabel: t["instrument_\(instrument.rawValue)"] ?? instrument.rawValue,
            canDecide: req.diversion.policy.decide(principal, .update, .contact).isAllowed && contact.agencyID == principal.agencyID,
            canRefer: canRefer,
            needs: Modality.allCases.map { Option(value: $0.rawValue, label: t["modality_\($0.rawValue)"] ?? $0.words, selected: needs.contains($0)) },
            needsSource: t["needs_source_\(source)"] ?? source,
            needsSummary: needs.map { t["modality_\($0.rawValue)"] ?? $0.words }.joined(separator: ", "),
            suggestions: suggestions, hasSuggestions: !suggestions.isEmpty,
            referrals: sent.map {
                ReferralRow(id: $0.id.uuidString.lowercased(), service: names[$0.serviceID] ?? "", status: $0.status.rawValue,
                            statusLabel: t["status_\($0.status.rawValue)"] ?? $0.status.rawValue, dueBy: req.shown($0.dueBy), overdue: $0.isOverdue(at: req.now))
            },
            hasReferrals: !sent.isEmpty,
            defaultReason: (t["referral_default_reason"] ?? "Diversion to treatment after the contact of {date}.")
                .replacingOccurrences(of: "{date}", with: req.format.date(CalendarDate(contact.occurredAt))),
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("contact", title: "contact_title", content: page, status: status)
    }

    @Sendable func decide(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "contact")
        let form = try req.content.decode(ContactController.DecisionRequest.self)
        do {
            _ = try await ContactService(request: req).decide(id, decision: form.decision, reason: form.reason)
            return req.redirect(to: "/contacts/\(id.uuidString.lowercased())?notice=decided", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderResult(req, id: id, errors: failure.errors, submitted: form, status: .unprocessableEntity)
        }
    }

    struct ReferForm: Decodable {
        var serviceId: String?
        var reason: String?
        var urgency: String?
        var needs: [String]?
    }

    /// Refer in one step: the chosen suggestion, the reason and the urgency.
    @Sendable func refer(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "contact")
        let form = try req.content.decode(ReferForm.self)
        guard let contact = try await ContactStore().find(id, req.sealedView, on: req.db) else {
            throw APIError.notFound("No contact has the id \(id.uuidString.lowercased()).")
        }
        do {
            var errors = FieldErrors()
            let serviceID = form.serviceId.flatMap(UUID.init(uuidString:))
            if serviceID == nil { errors.add("serviceId", "Choose a service.") }
            let reason = ReferralService.clean(form.reason, "reason", 1000, &errors)
            if reason == nil { errors.add("reason", "Say why the person is referred.") }
            let urgency = ReferralUrgency(rawValue: form.urgency ?? "routine") ?? .routine
            try errors.throwIfAny()
            guard let serviceID, let reason else { throw ValidationFailure(errors.all) }
            let referral = try await ReferralService(request: req).send(
                personID: contact.personID, serviceID: serviceID, contactID: id, reason: reason, urgency: urgency,
                needs: (form.needs ?? []).compactMap(Modality.init(rawValue:))
            )
            return req.redirect(to: "/referrals/\(referral.id.uuidString.lowercased())?notice=sent", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderResult(req, id: id, errors: failure.errors, status: .unprocessableEntity)
        }
    }
}
