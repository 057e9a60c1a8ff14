import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Registering, reading and finding people, with their audit entries: shared by the API and the pages.
struct PeopleService {
    let request: Request

    /// Checks and stores a person; the person and the audit entry are committed together.
    func register(_ input: PersonInput) async throws -> Person {
        let principal = try request.requirePrincipal()
        let draft = try PersonDraft.validate(input, today: CalendarDate(request.now))
        let id = UUID()
        let event = try request.auditEvent(.create, "person", id: id.uuidString.lowercased(), person: id)
        let now = request.now
        let people = request.diversion.people
        return try await request.diversion.auditTrail.perform { db in
            let person = try await people.create(draft, id: id, createdByAgency: principal.agencyID, at: now, on: db)
            return (person, [event])
        }
    }

    /// One person, with the read recorded before it is returned.
    func read(_ id: UUID) async throws -> Person {
        _ = try request.statedPurpose()
        guard let person = try await request.diversion.people.find(id, on: request.db) else {
            throw APIError.notFound("No person has the id \(id.uuidString.lowercased()).")
        }
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "person", id: id.uuidString.lowercased(), person: id)])
        return person
    }

    /// The people matching a search, each recorded as seen.
    func search(_ query: PersonQuery) async throws -> [Person] {
        _ = try request.statedPurpose()
        let found = try await request.diversion.people.search(query, on: request.db)
        let events = try found.map { try request.auditEvent(.search, "person", id: $0.id.uuidString.lowercased(), person: $0.id) }
        try await request.diversion.auditTrail.record(events)
        return found
    }
}
