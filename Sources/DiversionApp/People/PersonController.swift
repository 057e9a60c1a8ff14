import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// People on record: register, read, search. Every read and write is audited with the person's id.
struct PersonController {
    struct PersonResponse: Content {
        var id: String
        var givenName: String
        var familyName: String
        var birthDate: String
        var sex: String
        var genderIdentity: String?
        var nationality: String?
        var preferredLanguage: String?
        var flags: [String]
        var minor: Bool
        var createdAt: String

        init(_ person: Person, today: CalendarDate, ageOfMajority: Int) {
            let d = person.details
            id = person.id.uuidString.lowercased()
            givenName = d.givenName
            familyName = d.familyName
            birthDate = d.birthDate.description
            sex = d.sex.rawValue
            genderIdentity = d.genderIdentity
            nationality = d.nationality
            preferredLanguage = d.preferredLanguage
            flags = d.flags.map(\.rawValue)
            minor = d.isMinor(on: today, ageOfMajority: ageOfMajority)
            createdAt = person.createdAt.formatted(.iso8601)
        }
    }

    struct PersonList: Content {
        var items: [PersonResponse]
    }

    struct SearchParameters: Decodable {
        var q: String?
        var birthDate: String?
        var limit: String?
    }

    func register(_ api: any RoutesBuilder) {
        api.endpoint(.POST, "persons", access: .allowed(.create, .person), use: create)
        api.endpoint(.GET, "persons", access: .allowed(.search, .person), use: search)
        api.endpoint(.GET, "persons", ":id", access: .allowed(.read, .person), use: show)
    }

    @Sendable func create(_ req: Request) async throws -> Response {
        let principal = try req.requirePrincipal()
        let input = try req.decodeJSON(PersonInput.self)
        let today = CalendarDate(req.now)
        let draft = try PersonDraft.validate(input, today: today)
        let id = UUID()
        let event = try req.auditEvent(.create, "person", id: id.uuidString, person: id)
        let now = req.now
        let people = req.diversion.people
        let person = try await req.diversion.auditTrail.perform { db in
            let person = try await people.create(draft, id: id, createdByAgency: principal.agencyID, at: now, on: db)
            return (person, [event])
        }
        let body = PersonResponse(person, today: today, ageOfMajority: req.diversion.configuration.ageOfMajority)
        let response = try await body.encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/persons/\(id.uuidString.lowercased())")
        return response
    }

    @Sendable func show(_ req: Request) async throws -> PersonResponse {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw ValidationFailure([FieldError("id", "A person id is a UUID such as 3f2c9a1e-0000-4000-8000-000000000000.")])
        }
        _ = try req.statedPurpose()
        guard let person = try await req.diversion.people.find(id, on: req.db) else {
            throw APIError.notFound("No person has the id \(id.uuidString.lowercased()).")
        }
        try await req.diversion.auditTrail.record([try req.auditEvent(.read, "person", id: id.uuidString, person: id)])
        return PersonResponse(person, today: CalendarDate(req.now), ageOfMajority: req.diversion.configuration.ageOfMajority)
    }

    @Sendable func search(_ req: Request) async throws -> PersonList {
        let params = try req.query.decode(SearchParameters.self)
        var limit: Int?
        if let text = params.limit {
            guard let n = Int(text) else {
                throw ValidationFailure([FieldError("limit", "The limit is a whole number from 1 to \(PersonQuery.maxLimit).")])
            }
            limit = n
        }
        let query = try PersonQuery.validate(q: params.q, birthDate: params.birthDate, limit: limit)
        _ = try req.statedPurpose()
        let found = try await req.diversion.people.search(query, on: req.db)
        let events = try found.map { try req.auditEvent(.search, "person", id: $0.id.uuidString, person: $0.id) }
        try await req.diversion.auditTrail.record(events)
        let today = CalendarDate(req.now)
        let age = req.diversion.configuration.ageOfMajority
        return PersonList(items: found.map { PersonResponse($0, today: today, ageOfMajority: age) })
    }
}
