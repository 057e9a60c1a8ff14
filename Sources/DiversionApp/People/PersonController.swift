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
        let person = try await PeopleService(request: req).register(try req.decodeJSON(PersonInput.self))
        let body = PersonResponse(person, today: CalendarDate(req.now), ageOfMajority: req.diversion.configuration.ageOfMajority)
        let response = try await body.encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/persons/\(body.id)")
        return response
    }

    @Sendable func show(_ req: Request) async throws -> PersonResponse {
        let person = try await PeopleService(request: req).read(try req.idParameter(of: "person"))
        return PersonResponse(person, today: CalendarDate(req.now), ageOfMajority: req.diversion.configuration.ageOfMajority)
    }

    @Sendable func search(_ req: Request) async throws -> PersonList {
        let params = try SearchParameters.from(req)
        let found = try await PeopleService(request: req).search(try params.query())
        let today = CalendarDate(req.now)
        let age = req.diversion.configuration.ageOfMajority
        return PersonList(items: found.map { PersonResponse($0, today: today, ageOfMajority: age) })
    }
}

extension PersonController.SearchParameters {
    /// The search parameters of a request; an unreadable query string is a 400 that says so.
    static func from(_ req: Request) throws -> Self {
        do {
            return try req.query.decode(Self.self)
        } catch is DecodingError {
            throw ValidationFailure([FieldError("query", "Give q, birthDate and limit once each, as text.")])
        } catch {
            throw APIError.badRequest("The query string could not be read. Percent-encode special characters, as in q=jos%C3%A9.")
        }
    }

    /// The checked query; the limit arrives as text so that a non-number is a named error.
    func query() throws -> PersonQuery {
        var n: Int?
        if let text = limit, !text.isEmpty {
            guard let value = Int(text) else {
                throw ValidationFailure([FieldError("limit", "The limit is a whole number from 1 to \(PersonQuery.maxLimit).")])
            }
            n = value
        }
        return try PersonQuery.validate(q: q, birthDate: birthDate, limit: n)
    }
}
