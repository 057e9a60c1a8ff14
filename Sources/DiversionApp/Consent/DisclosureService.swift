import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// The disclosure files a request has read, by person.
private struct DisclosureFiles: StorageKey {
    typealias Value = [UUID: DisclosureFile]
}

/// Decides, for the signed-in user, whether a category of a person's health data may be shown, and accounts for
/// every disclosure made. Routes that show health data ask here; the rules themselves are `DisclosureRules`.
struct DisclosureService {
    let request: Request

    /// What is on file for the person, read once per request: a page or report asks for several categories and holders.
    private func file(of personID: UUID) async throws -> DisclosureFile {
        if let known = request.storage[DisclosureFiles.self]?[personID] { return known }
        let file = try await ConsentStore().file(of: personID, on: request.db)
        var files = request.storage[DisclosureFiles.self] ?? [:]
        files[personID] = file
        request.storage[DisclosureFiles.self] = files
        return file
    }

    /// The decision for one category of one person's data held by `holder` (nil when any holder).
    func decide(_ category: DataCategory, personID: UUID, holder: UUID? = nil) async throws -> DisclosureDecision {
        let principal = try request.requirePrincipal()
        let file = try await file(of: personID)
        let settings = try await request.activePolicy().policy.disclosure
        return DisclosureRules.decide(
            DisclosureRequest(userID: principal.userID, agencyID: principal.agencyID, agencyType: principal.agencyType, category: category,
                              personID: personID, holderAgencyID: holder, now: request.now),
            file: file, statusWithoutConsent: settings.referralStatusWithoutConsent
        )
    }

    /// Whether the category may be shown in full (a status-only answer does not count).
    func allows(category: DataCategory, personID: UUID, holder: UUID? = nil) async throws -> Bool {
        try await decide(category, personID: personID, holder: holder).isAllowed
    }

    /// Whether a provider's system may receive the person's identity: a consent in force for care coordination to that agency.
    func identityAllowed(personID: UUID, recipientAgencyID: UUID) async throws -> Bool {
        let file = try await file(of: personID)
        return file.consents.contains { c in
            c.purpose == .careCoordination && c.recipient == .agency(recipientAgencyID) && c.isInForce(at: request.now, activeMeasures: file.activeMeasures)
        }
    }

    /// Records the disclosures behind what was just shown: one entry per basis, listing its categories.
    func account(_ shown: [(DataCategory, DisclosureDecision)], personID: UUID, what: String, holder: UUID? = nil) async throws {
        let principal = try request.requirePrincipal()
        guard let purpose = DisclosurePurpose.of(principal.agencyType) ?? (principal.agencyType == .administration ? .careCoordination : nil) else { return }
        var byBasis: [(DisclosureBasis, [DataCategory])] = []
        for (category, decision) in shown {
            guard case .allowed(let basis) = decision, basis.isDisclosure else { continue }
            if let i = byBasis.firstIndex(where: { $0.0 == basis }) { byBasis[i].1.append(category) } else { byBasis.append((basis, [category])) }
        }
        guard !byBasis.isEmpty else { return }
        let records = byBasis.map { basis, categories in
            DisclosureRecord(id: UUID(), personID: personID, recipientUserID: principal.userID, recipientName: principal.displayName,
                             recipientAgencyID: principal.agencyID, holderAgencyID: holder, categories: categories.sorted(), purpose: purpose,
                             basis: basis, what: what, disclosedAt: request.now)
        }
        let events = try records.map { try request.auditEvent(.create, "disclosure", id: $0.id.uuidString.lowercased(), person: personID) }
        try await request.diversion.auditTrail.perform { db in
            for r in records { try await ConsentStore().record(r, on: db) }
            return ((), events)
        }
    }
}

/// What a reader may see of a list of records: the ones shown, how many were withheld and why, and whether any of
/// the shown ones was a disclosure of health data (which then carries the redisclosure notice).
struct Disclosed<Item> {
    var shown: [Item]
    var withheld: Int
    var reasons: [String]
    var disclosed: Bool
    var notice: String?
}

extension DisclosureService {
    /// Keeps the records the reader may see, deciding once per holding agency and category, and accounts for every
    /// disclosure made. A record whose holder is not a health or social service is justice data, shown as before.
    func visible<Item>(
        _ items: [Item], personID: UUID, what: String, classify: (Item) -> (category: DataCategory, holder: UUID?)
    ) async throws -> Disclosed<Item> {
        var decisions: [String: DisclosureDecision] = [:]
        var shown: [Item] = []
        var withheld = 0
        var reasons: [String] = []
        var disclosures: [(DataCategory, DisclosureDecision, UUID?)] = []
        for item in items {
            let (category, holder) = classify(item)
            guard category.isHealth else { shown.append(item); continue }
            let key = "\(category.rawValue)/\(holder?.uuidString ?? "")"
            let decision: DisclosureDecision
            if let known = decisions[key] { decision = known } else {
                decision = try await decide(category, personID: personID, holder: holder)
                decisions[key] = decision
                if case .allowed(let basis) = decision, basis.isDisclosure { disclosures.append((category, decision, holder)) }
            }
            switch decision {
            case .allowed: shown.append(item)
            case .statusOnly: withheld += 1
            case .withheld(let reason):
                withheld += 1
                if !reasons.contains(reason) { reasons.append(reason) }
            }
        }
        for holder in Set(disclosures.map(\.2)) {
            try await account(disclosures.filter { $0.2 == holder }.map { ($0.0, $0.1) }, personID: personID, what: what, holder: holder)
        }
        let notice = disclosures.isEmpty ? nil : try await request.activePolicy().policy.disclosure.redisclosureNotice
        return Disclosed(shown: shown, withheld: withheld, reasons: reasons, disclosed: !disclosures.isEmpty, notice: notice)
    }
}

extension StoredDrugTestResult {
    /// A specimen's result recorded by a health or social service is health data; supervision's own tests, and days
    /// recorded as missed or excused, are compliance with the order.
    var disclosure: (category: DataCategory, holder: UUID?) {
        if result.outcome.hasSpecimen, recordedByAgencyType?.runsServices == true { return (.drugTestResults, recordedByAgencyID) }
        return (.compliance, nil)
    }
}

extension ComplianceEntry {
    var disclosure: (category: DataCategory, holder: UUID?) { (category, category.isHealth ? recordedByAgencyID : nil) }
}
