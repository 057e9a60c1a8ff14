import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// What became of the referral a capture carried: sent with the capture, or left for the officer to make online.
struct CaptureReferralOutcome: Content, Equatable {
    static let sent = "sent"
    static let needsAttention = "needs_attention"

    /// `sent`, or `needs_attention` when the service could no longer take the person; the capture is recorded either way.
    var status: String
    var serviceId: String
    var referralId: String?
    /// Why it was not sent: `service_full` or `service_cannot_take`.
    var problem: String?
    var detail: String?
    /// The contact's page, where the officer refers online with the current suggestions.
    var referOnline: String?
}

extension CaptureService {
    /// A referral checked against the directory as it is now: the record to create with the capture, or why not.
    struct PlannedReferral {
        var record: ReferralRecord?
        var outcome: CaptureReferralOutcome
    }

    /// Checks the form of a capture's referral before anything is read; the service itself is checked later.
    static func checkReferral(_ r: CaptureInput.Referral, into errors: inout FieldErrors) -> (UUID, ReferralUrgency, [Modality], String?)? {
        let serviceID = r.serviceId.flatMap(UUID.init(uuidString:))
        if serviceID == nil { errors.add("referral.serviceId", "Choose a service by its id from the directory.") }
        let urgency = ReferralUrgency(rawValue: r.urgency ?? ReferralUrgency.routine.rawValue)
        if urgency == nil {
            errors.add("referral.urgency", "Use one of \(ReferralUrgency.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        var needs: [Modality] = []
        for (i, raw) in (r.needs ?? []).enumerated() {
            if let m = Modality(rawValue: raw) { if !needs.contains(m) { needs.append(m) } } else {
                errors.add("referral.needs[\(i)]", "Use one of \(Modality.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        let reason = ReferralService.clean(r.reason, "referral.reason", 1000, &errors)
        guard let serviceID, let urgency else { return nil }
        return (serviceID, urgency, needs, reason)
    }

    /// Plans the referral for a contact about to be recorded. A service that is gone is a mistake in the capture
    /// (422); one that is now full or can no longer serve the person leaves the referral to the officer, online.
    func planReferral(
        _ checked: (serviceID: UUID, urgency: ReferralUrgency, needs: [Modality], reason: String?),
        contact: ContactRecord, person: Person, screening: ScreeningResult?, policy: JurisdictionPolicy, principal: Principal
    ) async throws -> PlannedReferral {
        guard request.diversion.policy.decide(principal, .create, .referral).isAllowed else {
            throw APIError.forbidden("Your role does not refer people to services.")
        }
        guard contact.decision == .divert else {
            throw ValidationFailure([FieldError("referral", "A referral follows a decision to divert; choose divert or leave the referral out.")])
        }
        guard let service = try await ServiceStore().find(checked.serviceID, on: request.db) else {
            throw ValidationFailure([FieldError("referral.serviceId", "No service has this id.")])
        }
        // The same needs as the suggestions the officer saw: theirs, else this capture's screening, else the last one on record.
        var needs = checked.needs
        if needs.isEmpty, let screening { needs = TreatmentNeeds.from(screening) }
        if needs.isEmpty, let latest = try await ScreeningStore().latest(for: person.id, justiceOnly: !principal.agencyType.runsServices, on: request.db) {
            needs = TreatmentNeeds.from(latest.result)
        }
        if needs.isEmpty { needs = ReferralService.defaultNeeds }
        let match = ReferralService(request: request).match(person: person, latest: nil, override: needs, region: contact.region)
        let serviceText = checked.serviceID.uuidString.lowercased()
        let online = "/contacts/\(contact.id.uuidString.lowercased())#suggestions"
        let barriers = ServiceMatching.barriers(for: match.subject, at: service.profile)
        if !barriers.isEmpty {
            return PlannedReferral(record: nil, outcome: .init(
                status: CaptureReferralOutcome.needsAttention, serviceId: serviceText, problem: "service_cannot_take",
                detail: barriers.joined(separator: " "), referOnline: online
            ))
        }
        if service.profile.isFull {
            let p = service.profile
            return PlannedReferral(record: nil, outcome: .init(
                status: CaptureReferralOutcome.needsAttention, serviceId: serviceText, problem: "service_full",
                detail: "\(p.name) is full: \(p.load) of \(p.capacity) places taken.", referOnline: online
            ))
        }
        let t = request.messages
        let reason = checked.reason ?? (t["referral_default_reason"] ?? "Diversion to treatment after the contact of {date}.")
            .replacingOccurrences(of: "{date}", with: request.format.date(CalendarDate(contact.occurredAt)))
        let now = request.now
        let record = ReferralRecord(
            id: UUID(), personID: person.id, serviceID: checked.serviceID, contactID: contact.id, referringAgencyID: principal.agencyID,
            receivingAgencyID: service.agencyID, referredByUserID: principal.userID, referredByName: principal.displayName,
            reason: reason, urgency: checked.urgency, needs: match.needs, status: .sent, statusSince: now,
            dueBy: ReferralFlow.dueBy(status: .sent, since: now, limits: policy.timeLimits), createdAt: now
        )
        return PlannedReferral(record: record, outcome: .init(
            status: CaptureReferralOutcome.sent, serviceId: serviceText, referralId: record.id.uuidString.lowercased()
        ))
    }
}
