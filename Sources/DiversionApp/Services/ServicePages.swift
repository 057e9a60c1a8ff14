import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Service pages: providers keep their capacity current; administrators see and extend the directory.
struct ServicePages {
    struct CapacityRow: Encodable {
        var id: String
        var name: String
        var region: String
        var capacity: Int
        var load: Int
        var waitlistDays: Int
        var full: Bool
        var updated: String
    }

    struct CapacityPage: Encodable {
        var rows: [CapacityRow]
        var hasRows: Bool
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct DirectoryRow: Encodable {
        var name: String
        var type: String
        var region: String
        var modalities: String
        var serves: String
        var languages: String
        var places: String
        var full: Bool
    }

    struct DirectoryPage: Encodable {
        var rows: [DirectoryRow]
        var agencies: [Option]
        var types: [Option]
        var modalities: [Option]
        var sexes: [Option]
        var regions: [Option]
        var form: ServiceForm
        var notice: String?
        var errors: [ShownError]
        var hasErrors: Bool
    }

    struct ServiceForm: Codable {
        var agencyId: String?
        var name: String?
        var organisationType: String?
        var modalities: [String]?
        var sexes: [String]?
        var minAge: String?
        var maxAge: String?
        var languages: String?
        var region: String?
        var capacity: String?
        var waitlistDays: String?
        var phone: String?
        var email: String?
    }

    func register(_ web: any RoutesBuilder) {
        web.endpoint(.GET, "services", "capacity", access: .allowed(.update, .serviceCapacity), use: capacityPage)
        web.endpoint(.POST, "services", ":id", "capacity", access: .allowed(.update, .serviceCapacity), use: updateCapacity)
        web.endpoint(.GET, "admin", "services", access: .allowed(.create, .service), use: directory)
        web.endpoint(.POST, "admin", "services", access: .allowed(.create, .service), use: create)
    }

    @Sendable func capacityPage(_ req: Request) async throws -> Response {
        try await renderCapacity(req, errors: [], status: .ok)
    }

    private func renderCapacity(_ req: Request, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let principal = try req.requirePrincipal()
        let services = try await ServiceStore().list(agencyID: principal.has(.admin) ? nil : principal.agencyID, on: req.db)
        let page = CapacityPage(
            rows: services.map {
                CapacityRow(id: $0.id.uuidString.lowercased(), name: $0.profile.name, region: $0.profile.region, capacity: $0.profile.capacity,
                            load: $0.profile.load, waitlistDays: $0.profile.waitlistDays, full: $0.profile.isFull, updated: req.shown($0.capacityUpdatedAt))
            },
            hasRows: !services.isEmpty,
            notice: req.query[String.self, at: "notice"].flatMap { req.messages["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("capacity", title: "capacity_title", content: page, status: status)
    }

    struct CapacityForm: Decodable {
        var capacity: String?
        var load: String?
        var waitlistDays: String?
    }

    @Sendable func updateCapacity(_ req: Request) async throws -> Response {
        let id = try req.idParameter(of: "service")
        let form = try req.content.decode(CapacityForm.self)
        do {
            var errors = FieldErrors()
            let capacity = formNumber(form.capacity, "capacity", &errors), load = formNumber(form.load, "load", &errors), waitlist = formNumber(form.waitlistDays, "waitlistDays", &errors)
            try errors.throwIfAny()
            _ = try await DirectoryService(request: req).updateCapacity(id, capacity: capacity, load: load, waitlistDays: waitlist)
            return req.redirect(to: "/services/capacity?notice=capacity", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderCapacity(req, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    @Sendable func directory(_ req: Request) async throws -> Response {
        try await renderDirectory(req, form: ServiceForm(), errors: [], status: .ok)
    }

    private func renderDirectory(_ req: Request, form: ServiceForm, errors: [FieldError], status: HTTPResponseStatus) async throws -> Response {
        let t = req.messages
        let services = try await ServiceStore().list(on: req.db)
        let agencies = try await AgencyModel.query(on: req.db).sort(\.$name).all()
            .filter { [AgencyType.healthProvider.rawValue, AgencyType.socialService.rawValue].contains($0.type) }
        let chosenModalities = Set(form.modalities ?? [])
        let chosenSexes = Set(form.sexes ?? Sex.allCases.map(\.rawValue))
        let page = DirectoryPage(
            rows: services.map { s in
                let p = s.profile
                return DirectoryRow(
                    name: p.name, type: t["organisation_\(p.organisationType.rawValue)"] ?? p.organisationType.rawValue, region: p.region,
                    modalities: p.modalities.map { t["modality_\($0.rawValue)"] ?? $0.words }.joined(separator: ", "),
                    serves: "\(p.sexes.count == Sex.allCases.count ? (t["serves_everyone"] ?? "everyone") : p.sexes.map { t["sex_\($0.rawValue)"] ?? $0.rawValue }.joined(separator: ", ")), \(p.minAge)–\(p.maxAge)",
                    languages: p.languages.joined(separator: ", "), places: "\(p.load) / \(p.capacity)", full: p.isFull
                )
            },
            agencies: agencies.map { Option(value: $0.id?.uuidString.lowercased() ?? "", label: $0.name, selected: form.agencyId == $0.id?.uuidString.lowercased()) },
            types: OrganisationType.allCases.map { Option(value: $0.rawValue, label: t["organisation_\($0.rawValue)"] ?? $0.rawValue, selected: form.organisationType == $0.rawValue) },
            modalities: Modality.allCases.map { Option(value: $0.rawValue, label: t["modality_\($0.rawValue)"] ?? $0.words, selected: chosenModalities.contains($0.rawValue)) },
            sexes: Sex.allCases.map { Option(value: $0.rawValue, label: t["sex_\($0.rawValue)"] ?? $0.rawValue, selected: chosenSexes.contains($0.rawValue)) },
            regions: try await req.regions().map { Option(value: $0, label: $0, selected: form.region == $0) },
            form: form,
            notice: req.query[String.self, at: "notice"].flatMap { t["notice_\($0)"] },
            errors: errors.map(ShownError.init), hasErrors: !errors.isEmpty
        )
        return try await req.page("admin_services", title: "admin_services_title", content: page, status: status)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ServiceForm.self)
        do {
            var errors = FieldErrors()
            var input = ServiceInput()
            input.name = form.name
            input.organisationType = form.organisationType
            input.modalities = form.modalities ?? []
            input.sexes = form.sexes ?? []
            input.minAge = formNumber(form.minAge, "minAge", &errors)
            input.maxAge = formNumber(form.maxAge, "maxAge", &errors)
            input.languages = (form.languages ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            input.region = form.region
            input.capacity = formNumber(form.capacity, "capacity", &errors)
            input.waitlistDays = formNumber(form.waitlistDays, "waitlistDays", &errors)
            input.phone = form.phone
            input.email = form.email
            try errors.throwIfAny()
            _ = try await DirectoryService(request: req).create(input, agencyID: form.agencyId)
            return req.redirect(to: "/admin/services?notice=service_added", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await renderDirectory(req, form: form, errors: failure.errors, status: .unprocessableEntity)
        }
    }
}

/// A whole number typed into a page form; empty means not given, anything else unreadable is a named field error.
func formNumber(_ text: String?, _ field: String, _ errors: inout FieldErrors) -> Int? {
    guard let text, !text.isEmpty else { return nil }
    guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else {
        errors.add(field, "Give \(field) as a whole number.")
        return nil
    }
    return n
}
