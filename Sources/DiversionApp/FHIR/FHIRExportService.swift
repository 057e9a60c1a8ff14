import Crypto
import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Gathers what a referral's FHIR export may show its reader, asking the consent rules about identity and health
/// data, and audits every read and disclosure it makes.
struct FHIRExportService {
    let request: Request

    /// The export of a referral the reader is a side of, with the Patient view when `withPatient` is set, and health
    /// data (screenings, drug-test results) when `withHealth` is set and the consent rules allow it.
    func export(_ referral: ReferralRecord, side: ReferralSide, withPatient: Bool, withHealth: Bool) async throws -> (FHIRReferralExport, FHIRReferralExport.PatientView?) {
        let principal = try request.requirePrincipal()
        let db = request.db
        guard let service = try await ServiceStore().find(referral.serviceID, on: db) else {
            throw APIError.notFound("The service of this referral is no longer in the directory.")
        }
        let referring = try await agency(referral.referringAgencyID)
        let receiving = try await agency(referral.receivingAgencyID)
        let events = try await ReferralStore().events(of: referral.id, on: db)
        var export = FHIRReferralExport(
            referral: referral, events: events, includeNotes: side == .receiving, pseudonym: Self.pseudonym(referral.personID, request: request),
            serviceID: service.id, service: service.profile, referring: referring, receiving: receiving
        )
        guard withPatient || withHealth else { return (export, nil) }

        let personID = referral.personID
        let disclosure = DisclosureService(request: request)
        var audit: [AuditEvent] = []
        var view: FHIRReferralExport.PatientView?
        if withPatient {
            guard let person = try await request.diversion.people.find(personID, on: db) else {
                throw APIError.notFound("The person of this referral is no longer on record.")
            }
            let d = person.details
            view = try await disclosure.identityAllowed(personID: personID, recipientAgencyID: principal.agencyID)
                ? .identified(d) : .pseudonymised(birthYear: d.birthDate.year, sex: d.sex)
            audit.append(try request.auditEvent(.read, "person", id: personID.uuidString.lowercased(), person: personID))
            export.consents = try await consents(of: personID, reader: principal)
        }
        if withHealth {
            var shown: [(DataCategory, DisclosureDecision)] = []
            // A decision per holder: a consent names the agency that discloses.
            var decisions: [String: DisclosureDecision] = [:]
            func decide(_ category: DataCategory, _ holder: UUID?) async throws -> Bool {
                let key = "\(category.rawValue)|\(holder?.uuidString ?? "-")"
                if let known = decisions[key] { return known.isAllowed }
                let decision = try await disclosure.decide(category, personID: personID, holder: holder)
                decisions[key] = decision
                if decision.isAllowed { shown.append((category, decision)) }
                return decision.isAllowed
            }
            for s in try await ScreeningStore().answered(for: personID, on: db) {
                guard try await decide(.assessment, s.screenedByAgencyID) else { continue }
                export.screenings.append(FHIRReferralExport.Screening(
                    id: s.screening.id, instrument: s.screening.result.instrument, answers: s.answers, score: s.screening.result.score,
                    level: s.screening.result.level, screenedAt: s.screening.createdAt
                ))
                audit.append(try request.auditEvent(.read, "screening", id: s.screening.id.uuidString.lowercased(), person: personID))
            }
            let store = DrugTestStore()
            for plan in try await store.plans(forPerson: personID, on: db) {
                for r in try await store.results(of: plan.plan.id, on: db) {
                    guard try await decide(.drugTestResults, r.recordedByAgencyID) else { continue }
                    export.drugTests.append(FHIRReferralExport.DrugTest(id: r.id, result: r.result, recordedAt: r.recordedAt))
                    audit.append(try request.auditEvent(.read, "drug_test_result", id: r.id.uuidString.lowercased(), person: personID))
                }
            }
            try await disclosure.account(shown, personID: personID, what: "FHIR export of referral \(referral.id.uuidString.lowercased())")
            export.disclosesHealthData = shown.contains { _, decision in
                if case .allowed(let basis) = decision { return basis.isDisclosure }
                return false
            }
        }
        if !audit.isEmpty { try await request.diversion.auditTrail.record(audit) }
        return (export, view)
    }

    /// The person's consents under which the reader's agency receives data: only the reader's own grants, since a
    /// grant to another agency says something about the person's care that is not the reader's to see.
    private func consents(of personID: UUID, reader: Principal) async throws -> [FHIRReferralExport.Consent] {
        let file = try await ConsentStore().file(of: personID, on: request.db)
        return file.consents.filter { $0.recipient.covers(agencyID: reader.agencyID, agencyType: reader.agencyType) }.map { c in
            FHIRReferralExport.Consent(
                id: c.id, recipientAgencyID: reader.agencyID, categories: c.categories.map(\.rawValue), purpose: c.purpose.rawValue,
                validFrom: c.validFrom, validUntil: c.validUntil, inForce: c.isInForce(at: request.now, activeMeasures: file.activeMeasures),
                recordedAt: c.recordedAt
            )
        }
    }

    func agency(_ id: UUID) async throws -> FHIRReferralExport.Agency {
        guard let model = try await AgencyModel.find(id, on: request.db) else {
            return FHIRReferralExport.Agency(id: id, name: "Agency \(id.uuidString.lowercased())", type: nil)
        }
        return FHIRReferralExport.Agency(id: id, name: model.name, type: AgencyType(rawValue: model.type))
    }

    /// A stable pseudonym: HMAC-SHA256 of the person id under a key derived from the server's seed key, so it links a
    /// person's exports to one another but not to the person without that key.
    static func pseudonym(_ personID: UUID, request: Request) -> String {
        let key = SymmetricKey(data: request.application.drugTesting.vault.derivedKey("diversion/fhir-pseudonym/v1"))
        var bytes = Data()
        withUnsafeBytes(of: personID.uuid) { bytes.append(contentsOf: $0) }
        return Data(HMAC<SHA256>.authenticationCode(for: bytes, using: key)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// References inside a Bundle: urn:uuid from SHA-256.
    static let bundleReferences = FHIRReferences.bundle { Data(SHA256.hash(data: $0)) }
}
