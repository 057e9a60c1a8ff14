import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The pages for finding, registering and viewing people; the same rules and audit as the API.
struct PeoplePages {
    struct Row: Encodable {
        var id: String
        var givenName: String
        var familyName: String
        var birthDate: String
        var sex: String
        var nationality: String
        var minor: Bool
    }

    struct SearchPage: Encodable {
        var q: String
        var birthDate: String
        var searched: Bool
        var results: [Row]
        var errors: [ShownError]
        var canRegister: Bool
        // Leaf counts an empty list as true, so the templates test these flags instead.
        var hasResults = false
        var hasErrors = false
    }

    struct FormPage: Encodable {
        var input: PersonInput
        var errors: [ShownError]
        var hasErrors: Bool
        var sexOptions: [Option]
        var flagOptions: [Option]
    }

    struct PersonPage: Encodable {
        var person: PersonController.PersonResponse
        /// The birth date as the page's language writes it.
        var birthDate: String
        var sexLabel: String
        var flagLabels: [String]
        var hasFlags: Bool
        var notice: String?
        /// Prosecutors and judges may open a case from here.
        var canOpenCase = false
        var cases: [CaseLink] = []
        var hasCases = false
        var canSeeTimeline = false
        var canSeeConsents = false
        var canSeeDisclosures = false
        var canIssueAccessCode = false
        /// Police officers record a contact with this person from here, also without a network.
        var canRecordContact = false
    }

    struct CaseLink: Encodable {
        var id: String
        var stage: String
        var opened: String
    }

    struct PersonForm: Decodable {
        var givenName: String?
        var familyName: String?
        var birthDate: String?
        var sex: String?
        var genderIdentity: String?
        var nationality: String?
        var preferredLanguage: String?
        var flags: [String]?

        var input: PersonInput {
            PersonInput(givenName: givenName, familyName: familyName, birthDate: birthDate, sex: sex,
                        genderIdentity: genderIdentity, nationality: nationality?.uppercased(),
                        preferredLanguage: preferredLanguage, flags: flags)
        }
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "people", access: .allowed(.search, .person), use: search)
        web.endpoint(.GET, "people", "new", access: .allowed(.create, .person), use: newForm)
        web.endpoint(.POST, "people", access: .allowed(.create, .person), use: create)
        web.endpoint(.GET, "people", ":id", access: .allowed(.read, .person), use: show)
    }

    @Sendable func search(_ req: Request) async throws -> Response {
        let params = try PersonController.SearchParameters.from(req)
        let principal = try req.requirePrincipal()
        var page = SearchPage(
            q: String((params.q ?? "").prefix(200)), birthDate: String((params.birthDate ?? "").prefix(10)), searched: false, results: [], errors: [],
            canRegister: req.diversion.policy.decide(principal, .create, .person).isAllowed
        )
        var status = HTTPResponseStatus.ok
        if !(params.q ?? "").isEmpty || !(params.birthDate ?? "").isEmpty {
            do {
                let today = CalendarDate(req.now)
                let age = req.diversion.configuration.ageOfMajority
                let t = req.diversion.localizer.messages(req.language)
                page.results = try await PeopleService(request: req).search(try params.query()).map { person in
                    let r = PersonController.PersonResponse(person, today: today, ageOfMajority: age)
                    return Row(id: r.id, givenName: r.givenName, familyName: r.familyName, birthDate: req.format.date(person.details.birthDate),
                               sex: t["sex_\(r.sex)"] ?? r.sex, nationality: r.nationality ?? "", minor: r.minor)
                }
                page.searched = true
            } catch let failure as ValidationFailure {
                page.errors = failure.errors.map(ShownError.init)
                status = .unprocessableEntity
            }
        }
        page.hasResults = !page.results.isEmpty
        page.hasErrors = !page.errors.isEmpty
        return try await req.page("people", title: "people_title", content: page, status: status)
    }

    @Sendable func newForm(_ req: Request) async throws -> Response {
        try await renderForm(req, input: PersonInput(), errors: [], status: .ok)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(PersonForm.self)
        do {
            let person = try await PeopleService(request: req).register(form.input)
            return req.redirect(to: "/people/\(person.id.uuidString.lowercased())?registered=1")
        } catch let failure as ValidationFailure {
            return try await renderForm(req, input: form.input, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    @Sendable func show(_ req: Request) async throws -> Response {
        let person = try await PeopleService(request: req).read(try req.idParameter(of: "person"))
        let t = req.diversion.localizer.messages(req.language)
        let response = PersonController.PersonResponse(person, today: CalendarDate(req.now), ageOfMajority: req.diversion.configuration.ageOfMajority)
        var page = PersonPage(
            person: response, birthDate: req.format.date(person.details.birthDate),
            sexLabel: t["sex_\(response.sex)"] ?? response.sex,
            flagLabels: response.flags.map { t["flag_\($0)"] ?? $0 },
            hasFlags: !response.flags.isEmpty,
            notice: req.query[String.self, at: "registered"] == "1" ? t["person_registered"] : nil
        )
        let principal = try req.requirePrincipal()
        let access = req.diversion.policy
        page.canSeeTimeline = access.decide(principal, .read, .justiceCase).isAllowed || access.decide(principal, .read, .measure).isAllowed
        page.canOpenCase = access.decide(principal, .create, .justiceCase).isAllowed
        page.canSeeConsents = access.decide(principal, .search, .consent).isAllowed
        page.canSeeDisclosures = access.decide(principal, .read, .disclosure).isAllowed
        page.canIssueAccessCode = access.decide(principal, .create, .participantCode).isAllowed
        page.canRecordContact = access.decide(principal, .create, .contact).isAllowed
        if access.decide(principal, .search, .justiceCase).isAllowed {
            let cases = try await CaseStore().forPerson(person.id, req.sealedView, on: req.db)
            try await req.diversion.auditTrail.record(try cases.map { try req.auditEvent(.search, "case", id: $0.id.uuidString.lowercased(), person: person.id) })
            page.cases = cases.map { CaseLink(id: $0.id.uuidString.lowercased(), stage: t["stage_\($0.stage.rawValue)"] ?? $0.stage.rawValue, opened: req.shown($0.openedAt)) }
            page.hasCases = !cases.isEmpty
        }
        return try await req.page("person", title: "person_title", content: page)
    }

    private func renderForm(_ req: Request, input: PersonInput, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.diversion.localizer.messages(req.language)
        let chosenSex = input.sex ?? ""
        let chosenFlags = Set(input.flags ?? [])
        let page = FormPage(
            input: input,
            errors: errors.map(ShownError.init),
            hasErrors: !errors.isEmpty,
            sexOptions: [Option(value: "", label: "—", selected: chosenSex.isEmpty)] + Sex.allCases.map {
                Option(value: $0.rawValue, label: t["sex_\($0.rawValue)"] ?? $0.rawValue, selected: chosenSex == $0.rawValue)
            },
            flagOptions: PersonFlag.allCases.map {
                Option(value: $0.rawValue, label: t["flag_\($0.rawValue)"] ?? $0.rawValue, selected: chosenFlags.contains($0.rawValue))
            }
        )
        return try await req.page("person_new", title: "person_new_title", content: page, status: status)
    }
}
