import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Evaluating and recording contacts and the officer's decision: shared by the API and the pages.
struct ContactService {
    let request: Request

    /// The authority the signed-in user acts for, or 403.
    func authority() throws -> Authority {
        let principal = try request.requirePrincipal()
        guard let authority = principal.agencyType.authority else {
            throw APIError.forbidden("Only police, prosecution and court agencies choose routes; your agency is \(principal.agencyType.rawValue).")
        }
        return authority
    }

    /// The person's record as the eligibility rules count it, before the contact's time.
    func history(of personID: UUID, before instant: Date, policy: JurisdictionPolicy) async throws -> PriorRecord {
        let past = try await ContactStore().history(of: personID, before: instant, on: request.db)
        return PriorRecord.from(past, before: CalendarDate(instant), band: policy.nearThresholdBand)
    }

    /// Evaluates without storing; a named person is read (and the read audited) so their history counts.
    func evaluate(_ contact: CheckedContact) async throws -> (EligibilityAnswer, ActivePolicy, instrument: ScreeningInstrument?) {
        let authority = try authority()
        let active = try await request.activePolicy()
        var history = PriorRecord()
        var birthDate: CalendarDate?
        switch contact.subject {
        case .existing(let id):
            guard let person = try await request.diversion.people.find(id, on: request.db) else {
                throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
            }
            // The read's audit entry commits while the history is fetched; both finish before the answer.
            let event = try request.auditEvent(.read, "person", id: id.uuidString.lowercased(), person: id)
            async let audited: Void = request.diversion.auditTrail.record([event])
            history = try await self.history(of: id, before: contact.occurredAt, policy: active.policy)
            try await audited
            birthDate = person.details.birthDate
        case .new(let draft): birthDate = draft.birthDate
        case .anonymous(let date, _): birthDate = date
        case .none: break
        }
        let answer = try Eligibility.evaluate(contact.question(authority: authority, history: history), under: active.policy)
        let instrument = birthDate.map { Self.instrument(for: $0, on: CalendarDate(contact.occurredAt), policy: active.policy) }
        return (answer, active, instrument)
    }

    /// The instrument the policy picks for a person of this age.
    static func instrument(for birthDate: CalendarDate, on day: CalendarDate, policy: JurisdictionPolicy) -> ScreeningInstrument {
        birthDate.completedYears(on: day) < policy.ageOfMajority ? policy.instruments.minors : policy.instruments.adults
    }

    /// Evaluates and stores a contact, creating the person first when the details are inline;
    /// the person, the contact and their audit entries are committed together.
    func record(_ contact: CheckedContact) async throws -> ContactRecord {
        let principal = try request.requirePrincipal()
        let authority = try authority()
        guard authority == .police else {
            throw APIError.forbidden("Contacts are recorded by police officers.")
        }
        let active = try await request.activePolicy()
        let personID: UUID
        var draft: PersonDraft?
        switch contact.subject {
        case .existing(let id):
            guard try await request.diversion.people.find(id, on: request.db) != nil else {
                throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
            }
            personID = id
        case .new(let d):
            personID = UUID()
            draft = d
        case .anonymous, .none:
            throw ValidationFailure([FieldError("person", "Give the person's names, birth date and sex, or personId.")])
        }
        guard let region = contact.region else { throw ValidationFailure([FieldError("region", "Give the region code.")]) }
        let history = draft == nil ? try await self.history(of: personID, before: contact.occurredAt, policy: active.policy) : PriorRecord()
        let answer = try Eligibility.evaluate(contact.question(authority: authority, history: history), under: active.policy)
        let now = request.now
        let record = ContactRecord(
            id: UUID(), personID: personID, occurredAt: contact.occurredAt, region: region, latitude: contact.latitude,
            longitude: contact.longitude, offences: contact.offences, seizures: contact.seizures, circumstances: contact.circumstances,
            officerUserID: principal.userID, officerName: principal.displayName, agencyID: principal.agencyID,
            policyVersionID: active.id, evaluation: answer, createdAt: now
        )
        var events: [AuditEvent] = []
        if draft != nil { events.append(try request.auditEvent(.create, "person", id: personID.uuidString.lowercased(), person: personID)) }
        events.append(try request.auditEvent(.create, "contact", id: record.id.uuidString.lowercased(), person: personID))
        let people = request.diversion.people
        let newPerson = draft, auditEvents = events
        return try await request.diversion.auditTrail.perform { db in
            if let draft = newPerson { _ = try await people.create(draft, id: personID, createdByAgency: principal.agencyID, at: now, on: db) }
            try await ContactStore().create(record, on: db)
            return (record, auditEvents)
        }
    }

    /// One contact, with the read audited against the person.
    func read(_ id: UUID) async throws -> ContactRecord {
        _ = try request.statedPurpose()
        guard let record = try await ContactStore().find(id, request.sealedView, on: request.db) else {
            throw APIError.notFound("No contact has the id \(id.uuidString.lowercased()).")
        }
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "contact", id: id.uuidString.lowercased(), person: record.personID)])
        return record
    }

    /// Records the officer's decision on a contact, once; a departure from the recommendation needs a reason.
    func decide(_ id: UUID, decision text: String?, reason: String?) async throws -> ContactRecord {
        let principal = try request.requirePrincipal()
        guard var record = try await ContactStore().find(id, request.sealedView, on: request.db) else {
            throw APIError.notFound("No contact has the id \(id.uuidString.lowercased()).")
        }
        guard record.agencyID == principal.agencyID else {
            throw APIError.forbidden("Only officers of the agency that recorded this contact decide on it.")
        }
        guard record.decision == nil else {
            throw APIError.conflict("A decision (\(record.decision?.rawValue ?? "")) was already recorded on this contact; decisions are not changed.")
        }
        let (decision, reason) = try OfficerDecision.check(text, reason: reason, eligible: record.evaluation.eligible)
        let now = request.now
        let event = try request.auditEvent(.update, "contact", id: id.uuidString.lowercased(), person: record.personID)
        let decided = try await request.diversion.auditTrail.perform { db in
            (try await ContactStore().decide(id, decision: decision, reason: reason, at: now, on: db), [event])
        }
        guard decided else {
            throw APIError.conflict("Another decision was recorded on this contact at the same moment; reload it.")
        }
        record.decision = decision
        record.decisionReason = reason
        record.decidedAt = now
        return record
    }
}
