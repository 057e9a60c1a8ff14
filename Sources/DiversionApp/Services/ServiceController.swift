import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// A service as the API answers it.
struct ServiceResponse: Content {
    var id: String
    var agencyId: String
    var name: String
    var organisationType: String
    var modalities: [String]
    var sexes: [String]
    var minAge: Int
    var maxAge: Int
    var languages: [String]
    var servesPregnantWomen: Bool
    var servesPeopleWithChildren: Bool
    var region: String
    var latitude: Double?
    var longitude: Double?
    var capacity: Int
    var load: Int
    var waitlistDays: Int
    var full: Bool
    var acceptsJusticeReferrals: Bool
    var phone: String?
    var email: String?
    var address: String?
    var capacityUpdatedAt: String

    init(_ s: StoredService) {
        let p = s.profile
        id = s.id.uuidString.lowercased()
        agencyId = s.agencyID.uuidString.lowercased()
        name = p.name
        organisationType = p.organisationType.rawValue
        modalities = p.modalities.map(\.rawValue)
        sexes = p.sexes.map(\.rawValue)
        minAge = p.minAge
        maxAge = p.maxAge
        languages = p.languages
        servesPregnantWomen = p.servesPregnantWomen
        servesPeopleWithChildren = p.servesPeopleWithChildren
        region = p.region
        latitude = p.latitude
        longitude = p.longitude
        capacity = p.capacity
        load = p.load
        waitlistDays = p.waitlistDays
        full = p.isFull
        acceptsJusticeReferrals = p.acceptsJusticeReferrals
        phone = p.phone
        email = p.email
        address = p.address
        capacityUpdatedAt = s.capacityUpdatedAt.formatted(.iso8601)
    }
}

/// Managing the directory and keeping capacity current: shared by the API and the pages.
struct DirectoryService {
    let request: Request

    func create(_ input: ServiceInput, agencyID text: String?) async throws -> StoredService {
        var errors = FieldErrors()
        let agencyID = text.flatMap(UUID.init(uuidString:))
        if agencyID == nil { errors.add("agencyId", "Give the id of the agency that runs the service (a UUID).") }
        let profile: ServiceProfile?
        do { profile = try ServiceProfile.validate(input) } catch {
            for e in error.errors { errors.add(e.field, e.reason) }
            profile = nil
        }
        try errors.throwIfAny()
        guard let agencyID, let profile else { throw ValidationFailure(errors.all) }
        guard let agency = try await AgencyModel.find(agencyID, on: request.db) else {
            throw ValidationFailure([FieldError("agencyId", "No agency has this id.")])
        }
        guard let type = AgencyType(rawValue: agency.type), type.runsServices else {
            throw ValidationFailure([FieldError("agencyId", "Services are run by health providers and social services; this agency is \(agency.type).")])
        }
        let id = UUID(), now = request.now
        let event = try request.auditEvent(.create, "service", id: id.uuidString.lowercased())
        return try await request.diversion.auditTrail.perform { db in
            (try await ServiceStore().create(profile, agencyID: agencyID, id: id, at: now, on: db), [event])
        }
    }

    func replace(_ id: UUID, with input: ServiceInput) async throws -> StoredService {
        let profile = try ServiceProfile.validate(input)
        guard try await ServiceStore().find(id, on: request.db) != nil else {
            throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).")
        }
        let now = request.now
        let event = try request.auditEvent(.update, "service", id: id.uuidString.lowercased())
        guard let updated = try await request.diversion.auditTrail.perform({ db in
            (try await ServiceStore().replace(id, with: profile, at: now, on: db), [event])
        }) else { throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).") }
        return updated
    }

    /// Updates places, load and waiting time; providers only for their own agency's services.
    func updateCapacity(_ id: UUID, capacity: Int?, load: Int?, waitlistDays: Int?) async throws -> StoredService {
        let principal = try request.requirePrincipal()
        guard let service = try await ServiceStore().find(id, on: request.db) else {
            throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).")
        }
        if !principal.has(.admin) && service.agencyID != principal.agencyID {
            throw APIError.forbidden("Only staff of the agency that runs \(service.profile.name) update its capacity.")
        }
        let update = try CapacityUpdate.validate(capacity: capacity, load: load, waitlistDays: waitlistDays, current: service.profile)
        let now = request.now
        let event = try request.auditEvent(.update, "service", id: id.uuidString.lowercased())
        guard let updated = try await request.diversion.auditTrail.perform({ db in
            (try await ServiceStore().updateCapacity(id, update, at: now, on: db), [event])
        }) else { throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).") }
        return updated
    }
}

/// The service directory: everyone reads it, administrators manage it, providers keep their capacity current.
struct ServiceController {
    struct CreateRequest: Decodable {
        var agencyId: String?
        var name: String?
        var organisationType: String?
        var modalities: [String]?
        var sexes: [String]?
        var minAge: Double?
        var maxAge: Double?
        var languages: [String]?
        var servesPregnantWomen: Bool?
        var servesPeopleWithChildren: Bool?
        var region: String?
        var latitude: Double?
        var longitude: Double?
        var capacity: Double?
        var load: Double?
        var waitlistDays: Double?
        var acceptsJusticeReferrals: Bool?
        var phone: String?
        var email: String?
        var address: String?

        /// Numbers arrive as JSON numbers of any kind, so that 1.5 is a field error rather than unreadable JSON.
        func input() throws -> ServiceInput {
            var errors = FieldErrors()
            var i = ServiceInput()
            i.name = name
            i.organisationType = organisationType
            i.modalities = modalities
            i.sexes = sexes
            i.minAge = wholeNumber(minAge, "minAge", &errors)
            i.maxAge = wholeNumber(maxAge, "maxAge", &errors)
            i.languages = languages
            i.servesPregnantWomen = servesPregnantWomen
            i.servesPeopleWithChildren = servesPeopleWithChildren
            i.region = region
            i.latitude = latitude
            i.longitude = longitude
            i.capacity = wholeNumber(capacity, "capacity", &errors)
            i.load = wholeNumber(load, "load", &errors)
            i.waitlistDays = wholeNumber(waitlistDays, "waitlistDays", &errors)
            i.acceptsJusticeReferrals = acceptsJusticeReferrals
            i.phone = phone
            i.email = email
            i.address = address
            try errors.throwIfAny()
            return i
        }
    }

    struct CapacityRequest: Decodable {
        var capacity: Double?
        var load: Double?
        var waitlistDays: Double?
    }

    struct ListParameters: Decodable {
        var region: String?
        var agencyId: String?
    }

    struct ServiceList: Content {
        var items: [ServiceResponse]
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.GET, "services", access: .allowed(.search, .service), use: list)
        api.endpoint(.POST, "services", access: .allowed(.create, .service), use: create)
        api.endpoint(.GET, "services", ":id", access: .allowed(.read, .service), use: show)
        api.endpoint(.PUT, "services", ":id", access: .allowed(.update, .service), use: replace)
        api.endpoint(.PUT, "services", ":id", "capacity", access: .allowed(.update, .serviceCapacity), use: capacity)
    }

    @Sendable func list(_ req: Request) async throws -> ServiceList {
        guard let params = try? req.query.decode(ListParameters.self) else {
            throw ValidationFailure([FieldError("query", "Give region and agencyId once each.")])
        }
        var agencyID: UUID?
        if let text = params.agencyId {
            guard let id = UUID(uuidString: text) else { throw ValidationFailure([FieldError("agencyId", "An agency id is a UUID.")]) }
            agencyID = id
        }
        let region = params.region.flatMap { $0.isEmpty ? nil : $0 }
        return ServiceList(items: try await ServiceStore().list(region: region, agencyID: agencyID, on: req.db).map(ServiceResponse.init))
    }

    @Sendable func show(_ req: Request) async throws -> ServiceResponse {
        let id = try req.idParameter(of: "service")
        guard let service = try await ServiceStore().find(id, on: req.db) else {
            throw APIError.notFound("No service has the id \(id.uuidString.lowercased()).")
        }
        return ServiceResponse(service)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let body = try req.decodeJSON(CreateRequest.self)
        let service = try await DirectoryService(request: req).create(try body.input(), agencyID: body.agencyId)
        let response = try await ServiceResponse(service).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/services/\(service.id.uuidString.lowercased())")
        return response
    }

    /// Replaces a service's description; the agency that runs it stays the same.
    @Sendable func replace(_ req: Request) async throws -> ServiceResponse {
        let id = try req.idParameter(of: "service")
        let body = try req.decodeJSON(CreateRequest.self)
        return ServiceResponse(try await DirectoryService(request: req).replace(id, with: try body.input()))
    }

    @Sendable func capacity(_ req: Request) async throws -> ServiceResponse {
        let id = try req.idParameter(of: "service")
        let body = try req.decodeJSON(CapacityRequest.self)
        var errors = FieldErrors()
        let capacity = wholeNumber(body.capacity, "capacity", &errors)
        let load = wholeNumber(body.load, "load", &errors)
        let waitlist = wholeNumber(body.waitlistDays, "waitlistDays", &errors)
        try errors.throwIfAny()
        return ServiceResponse(try await DirectoryService(request: req).updateCapacity(id, capacity: capacity, load: load, waitlistDays: waitlist))
    }
}

/// A JSON number that must be a whole number in a sensible range; anything else is a named field error.
func wholeNumber(_ value: Double?, _ field: String, _ errors: inout FieldErrors) -> Int? {
    guard let value else { return nil }
    guard value.isFinite, value == value.rounded(), abs(value) <= 1_000_000_000 else {
        errors.add(field, "Give \(field) as a whole number.")
        return nil
    }
    return Int(value)
}
