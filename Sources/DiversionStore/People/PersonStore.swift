import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Reads and writes people: the pseudonymous record and its identity row together.
public struct PersonStore: Sendable {
    public init() {}

    public func create(_ draft: PersonDraft, id: UUID = UUID(), createdByAgency agencyID: UUID?, at now: Date, on db: any Database) async throws -> Person {
        let (person, identity) = Self.models(draft, id: id, createdByAgency: agencyID, at: now)
        try await person.create(on: db)
        try await identity.create(on: db)
        return Person(id: id, details: draft, createdAt: now)
    }

    /// The pseudonymous row of a person and their identity row, for a single write or a batch.
    static func models(_ draft: PersonDraft, id: UUID, createdByAgency agencyID: UUID?, at now: Date) -> (PersonModel, PersonIdentityModel) {
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

        let identity = PersonIdentityModel()
        identity.$person.id = id
        identity.givenName = draft.givenName
        identity.familyName = draft.familyName
        identity.nameKey = Self.nameKey(given: draft.givenName, family: draft.familyName)
        identity.familyNameKey = NameKey.fold(draft.familyName)
        return (person, identity)
    }

    /// The full names of many people in one query, for worklists; ids not on record are left out.
    public func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard let sql = db as? any SQLDatabase, !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        // Batches keep the IN list well inside both databases' limits on bound parameters.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let batch = ids[start..<min(start + 500, ids.count)].map { $0 as any Encodable & Sendable }
            let rows = try await sql.select()
                .columns(SQLColumn("person_id"), SQLColumn("given_name"), SQLColumn("family_name"))
                .from(PersonIdentityModel.schema)
                .where(SQLColumn("person_id"), .in, SQLBind.group(batch))
                .all()
            for row in rows {
                let id = try row.decode(column: "person_id", as: UUID.self)
                names[id] = "\(try row.decode(column: "given_name", as: String.self)) \(try row.decode(column: "family_name", as: String.self))"
            }
        }
        return names
    }

    /// One person by id, read in one query without building models: records are opened often.
    /// Read on every person request: its text is written once rather than built and quoted each time.
    static let findSQL = """
        SELECT p.birth_date AS birth_date, p.sex AS sex, p.gender_identity AS gender_identity, p.nationality AS nationality,
          p.preferred_language AS preferred_language, p.flags AS flags, p.created_at AS created_at,
          i.given_name AS given_name, i.family_name AS family_name
        FROM "\(PersonModel.schema)" p JOIN "\(PersonIdentityModel.schema)" i ON i.person_id = p.id
        WHERE p.id =
        """

    public func find(_ id: UUID, on db: any Database) async throws -> Person? {
        guard let sql = db as? any SQLDatabase else { return nil }
        guard let row = try await sql.raw("\(unsafeRaw: Self.findSQL) \(bind: id) LIMIT 1").first()
        else { return nil }
        guard let birthDate = CalendarDate(try row.decode(column: "birth_date", as: String.self)),
              let sex = Sex(rawValue: try row.decode(column: "sex", as: String.self))
        else { return nil }
        let draft = PersonDraft(
            givenName: try row.decode(column: "given_name", as: String.self),
            familyName: try row.decode(column: "family_name", as: String.self),
            birthDate: birthDate, sex: sex,
            genderIdentity: try row.decode(column: "gender_identity", as: String?.self),
            nationality: try row.decode(column: "nationality", as: String?.self),
            preferredLanguage: try row.decode(column: "preferred_language", as: String?.self),
            flags: Self.flags(try row.decode(column: "flags", as: String.self))
        )
        return Person(id: id, details: draft, createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    static func flags(_ text: String) -> [PersonFlag] {
        text.split(separator: ",").compactMap { PersonFlag(rawValue: String($0)) }
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
            flags: flags(p.flags)
        )
        return Person(id: id, details: draft, createdAt: p.createdAt)
    }
}
