import DiversionCore
import FluentKit
import Foundation

/// Reads and writes people: the pseudonymous record and its identity row together.
public struct PersonStore: Sendable {
    public init() {}

    public func create(_ draft: PersonDraft, id: UUID = UUID(), createdByAgency agencyID: UUID?, at now: Date, on db: any Database) async throws -> Person {
        let person = PersonModel()
        person.id = id
        person.birthDate = draft.birthDate.description
        person.sex = draft.sex.rawValue
        person.genderIdentity = draft.genderIdentity
        person.nationality = draft.nationality
        person.preferredLanguage = draft.preferredLanguage
        person.flags = draft.flags.map(\.rawValue).joined(separator: ",")
        person.$createdByAgency.id = agencyID
        person.createdAt = now
        try await person.create(on: db)

        let identity = PersonIdentityModel()
        identity.$person.id = id
        identity.givenName = draft.givenName
        identity.familyName = draft.familyName
        identity.nameKey = Self.nameKey(given: draft.givenName, family: draft.familyName)
        identity.familyNameKey = NameKey.fold(draft.familyName)
        try await identity.create(on: db)
        return Person(id: id, details: draft, createdAt: now)
    }

    public func find(_ id: UUID, on db: any Database) async throws -> Person? {
        guard let identity = try await PersonIdentityModel.query(on: db)
            .join(PersonModel.self, on: \PersonIdentityModel.$person.$id == \PersonModel.$id)
            .filter(\.$person.$id == id)
            .first()
        else { return nil }
        return Self.person(try identity.joined(PersonModel.self), identity)
    }

    /// People whose name words begin with every searched word, and/or born on the date; ordered by name.
    public func search(_ query: PersonQuery, on db: any Database) async throws -> [Person] {
        var builder = PersonIdentityModel.query(on: db)
            .join(PersonModel.self, on: \PersonIdentityModel.$person.$id == \PersonModel.$id)
        for word in query.nameWords {
            // Folding keeps only letters, digits and spaces, so the pattern has no LIKE wildcards of its own.
            builder = builder.filter(\PersonIdentityModel.$nameKey, .custom("LIKE"), "% \(word)%")
        }
        if let date = query.birthDate {
            builder = builder.filter(PersonModel.self, \.$birthDate == date.description)
        }
        let rows = try await builder
            .sort(\.$familyNameKey).sort(\.$nameKey).sort(\.$id)
            .limit(query.limit)
            .all()
        return try rows.compactMap { identity in
            let person = try identity.joined(PersonModel.self)
            return Self.person(person, identity)
        }
    }

    static func nameKey(given: String, family: String) -> String {
        " " + NameKey.fold(given + " " + family)
    }

    static func person(_ p: PersonModel, _ identity: PersonIdentityModel) -> Person? {
        guard let id = p.id, let birthDate = CalendarDate(p.birthDate), let sex = Sex(rawValue: p.sex) else { return nil }
        let draft = PersonDraft(
            givenName: identity.givenName, familyName: identity.familyName, birthDate: birthDate, sex: sex,
            genderIdentity: p.genderIdentity, nationality: p.nationality, preferredLanguage: p.preferredLanguage,
            flags: p.flags.split(separator: ",").compactMap { PersonFlag(rawValue: String($0)) }
        )
        return Person(id: id, details: draft, createdAt: p.createdAt)
    }
}
