import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Suggesting services, sending referrals and recording their events: shared by the API and the pages.
struct ReferralService {
    let request: Request

    /// What suggestions are computed for.
    struct Match {
        var subject: MatchSubject
        var needs: [Modality]
        /// Where the needs came from, for the page and the API: the officer, a screening, or the default.
        var needsSource: String
    }

    static let defaultNeeds: [Modality] = [.briefIntervention, .outpatient]

    /// Builds the match for a person on record, reading (and auditing) them first.
    func match(personID: UUID, override: [Modality]?, region: String?) async throws -> Match {
        guard let person = try await request.diversion.people.find(personID, on: request.db) else {
            throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
        }
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "person", id: personID.uuidString.lowercased(), person: personID)])
        let runsServices = try request.requirePrincipal().agencyType.runsServices
        let latest = try await ScreeningStore().latest(for: personID, justiceOnly: !runsServices, on: request.db)
        return match(person: person, latest: latest, override: override, region: region)
    }

    /// The match for a person already read: age, sex, language and flags, and needs from the override
    /// or the person's latest screening.
    func match(person: Person, latest: RecordedScreening?, override: [Modality]?, region: String?) -> Match {
        let d = person.details
        let subject = MatchSubject(
            age: d.birthDate.completedYears(on: CalendarDate(request.now)), sex: d.sex, language: d.preferredLanguage,
            pregnant: d.flags.contains(.pregnant), caringForChildren: d.flags.contains(.caringForChildren), region: region
        )
        if let override, !override.isEmpty { return Match(subject: subject, needs: override, needsSource: "officer") }
        if let screening = latest {
            return Match(subject: subject, needs: TreatmentNeeds.from(screening.result), needsSource: "screening")
        }
        return Match(subject: subject, needs: Self.defaultNeeds, needsSource: "default")
    }

    func suggestions(for match: Match) async throws -> [(ServiceSuggestion, StoredService)] {
        let services = try await ServiceStore().list(on: request.db)
        let byID = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) })
        return ServiceMatching.suggest(for: match.subject, needs: match.needs, among: services.map(\.listed)).compactMap { s in
            byID[s.serviceID].map { (s, $0) }
        }
    }

    /// Sends a referral: the service must be able to take the person; due-by comes from the policy.
    func send(
        personID: UUID, serviceID: UUID, contactID: UUID?, reason: String, urgency: ReferralUrgency, needs: [Modality]
    ) async throws -> ReferralRecord {
        let principal = try request.requirePrincipal()
        guard let service = try await ServiceStore().find(serviceID, on: request.db) else {
            throw ValidationFailure([FieldError("serviceId", "No service has this id.")])
        }
        let match = try await self.match(personID: personID, override: needs, region: nil)
        let barriers = ServiceMatching.barriers(for: match.subject, at: service.profile)
        if !barriers.isEmpty { throw ValidationFailure([FieldError("serviceId", barriers.joined(separator: " "))]) }
        if let contactID {
            guard let contact = try await ContactStore().find(contactID, request.sealedView, on: request.db), contact.personID == personID else {
                throw ValidationFailure([FieldError("contactId", "No contact of this person has this id.")])
            }
        }
        let limits = try await request.diversion.policies.active(on: request.db)?.policy.timeLimits ?? .standard
        let now = request.now
        let record = ReferralRecord(
            id: UUID(), personID: personID, serviceID: serviceID, contactID: contactID, referringAgencyID: principal.agencyID,
            receivingAgencyID: service.agencyID, referredByUserID: principal.userID, referredByName: principal.displayName,
            reason: reason, urgency: urgency, needs: match.needs, status: .sent, statusSince: now,
            dueBy: ReferralFlow.dueBy(status: .sent, since: now, limits: limits), createdAt: now
        )
        let event = try request.auditEvent(.create, "referral", id: record.id.uuidString.lowercased(), person: personID)
        return try await request.diversion.auditTrail.perform { db in
            try await ReferralStore().create(record, on: db)
            return (record, [event])
        }
    }

    /// A referral the signed-in user's agency is a side of, with the read audited.
    func read(_ id: UUID) async throws -> (ReferralRecord, ReferralSide) {
        let principal = try request.requirePrincipal()
        _ = try request.statedPurpose()
        guard let referral = try await ReferralStore().find(id, on: request.db) else {
            throw APIError.notFound("No referral has the id \(id.uuidString.lowercased()).")
        }
        let side = referral.side(of: principal.agencyID)
        guard side != .neither else {
            throw APIError.forbidden("Only the referring agency and the receiving service see this referral.")
        }
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "referral", id: id.uuidString.lowercased(), person: referral.personID)])
        return (referral, side)
    }

    /// Records an event: the core decides whether it may follow and who may record it.
    func record(_ id: UUID, type text: String?, reason: String?, note: String?, scheduledFor text2: String?) async throws -> (ReferralRecord, ReferralEventRecord) {
        let principal = try request.requirePrincipal()
        var errors = FieldErrors()
        let type = text.flatMap(ReferralEventType.init(rawValue:))
        if type == nil { errors.add("type", "Use one of \(ReferralEventType.allCases.map(\.rawValue).joined(separator: ", ")).") }
        let reason = Self.clean(reason, "reason", 1000, &errors)
        let note = Self.clean(note, "note", 4000, &errors)
        var scheduledFor: Date?
        if let text2, !text2.isEmpty {
            scheduledFor = try? Date(text2, strategy: .iso8601)
            if scheduledFor == nil { errors.add("scheduledFor", "Write the time as ISO 8601, for example 2026-11-27T10:00:00Z.") }
        }
        try errors.throwIfAny()
        guard let type else { throw ValidationFailure(errors.all) }
        guard var referral = try await ReferralStore().find(id, on: request.db) else {
            throw APIError.notFound("No referral has the id \(id.uuidString.lowercased()).")
        }
        let status: ReferralStatus
        do {
            status = try ReferralFlow.apply(type, to: referral.status, by: referral.side(of: principal.agencyID), reason: reason, scheduledFor: scheduledFor)
        } catch {
            switch error {
            case .impossible(let message): throw APIError.conflict(message)
            case .notYourSide(let message): throw APIError.forbidden(message)
            case .invalid(let field, let message): throw ValidationFailure([FieldError(field, message)])
            }
        }
        let now = request.now
        let limits = try await request.diversion.policies.active(on: request.db)?.policy.timeLimits ?? .standard
        let dueBy = ReferralFlow.dueBy(after: type, at: now, current: referral.dueBy, scheduledFor: scheduledFor, limits: limits)
        let event = ReferralEventRecord(
            id: UUID(), referralID: id, type: type, reason: reason, note: note, scheduledFor: scheduledFor, recordedByUserID: principal.userID,
            recordedByName: principal.displayName, agencyID: principal.agencyID, occurredAt: now
        )
        let audit = try request.auditEvent(.update, "referral", id: id.uuidString.lowercased(), person: referral.personID)
        let expected = referral.status
        let stored = try await request.diversion.auditTrail.perform { db in
            (try await ReferralStore().record(event, expecting: expected, dueBy: dueBy, on: db), [audit])
        }
        guard stored else {
            throw APIError.conflict("The referral changed while this was being recorded; reload it and try again.")
        }
        referral.status = status
        referral.statusSince = now
        referral.dueBy = dueBy
        if type == .intakeScheduled { referral.scheduledFor = scheduledFor }
        return (referral, event)
    }

    static func clean(_ text: String?, _ field: String, _ limit: Int, _ errors: inout FieldErrors) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        if trimmed.count > limit { errors.add(field, "Keep the \(field) to \(limit) characters.") }
        return trimmed
    }
}
