import Foundation
import Testing
@testable import DiversionCore

@Suite("Disclosure of health data to justice")
struct DisclosureRulesTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let person = UUID()
    static let provider = UUID()
    static let supervision = UUID()
    static let court = UUID()
    static let measure = UUID()

    enum FileState: String, CaseIterable {
        case nothing, consentInForce, consentExpired, consentRevoked, revokedButIrrevocable, consentOtherPurpose, consentOtherRecipient, courtOrder
    }

    static func consent(purpose: DisclosurePurpose = .supervision, recipient: ConsentRecipient = .agencyType(.supervision),
                        from: TimeInterval = -86_400, until: TimeInterval = 86_400 * 30, revoked: Bool = false, irrevocable: Bool = false) -> ConsentGrant {
        ConsentGrant(id: UUID(), personID: person, disclosingAgencyID: provider, recipient: recipient,
                     categories: [.drugTestResults, .attendance, .referralStatus], purpose: purpose,
                     validFrom: now.addingTimeInterval(from), validUntil: now.addingTimeInterval(until), method: .signedPaper,
                     irrevocableWhileMeasure: irrevocable ? measure : nil, recordedByName: "P", recordedAt: now.addingTimeInterval(from),
                     revokedAt: revoked ? now.addingTimeInterval(-60) : nil)
    }

    static func file(_ state: FileState) -> DisclosureFile {
        switch state {
        case .nothing: DisclosureFile()
        case .consentInForce: DisclosureFile(consents: [consent()])
        case .consentExpired: DisclosureFile(consents: [consent(from: -86_400 * 60, until: -86_400)])
        case .consentRevoked: DisclosureFile(consents: [consent(revoked: true)])
        case .revokedButIrrevocable: DisclosureFile(consents: [consent(revoked: true, irrevocable: true)], activeMeasures: [measure])
        case .consentOtherPurpose: DisclosureFile(consents: [consent(purpose: .careCoordination)])
        case .consentOtherRecipient: DisclosureFile(consents: [consent(recipient: .agency(UUID()))])
        case .courtOrder: DisclosureFile(orders: [CourtOrder(id: UUID(), personID: person, categories: [.drugTestResults, .attendance], purpose: .supervision,
                                                             validFrom: now.addingTimeInterval(-60), validUntil: now.addingTimeInterval(86_400), reference: "2026/77",
                                                             orderedByName: "J", courtAgencyID: court, orderedAt: now)])
        }
    }

    static func decide(_ type: AgencyType, _ category: DataCategory, _ state: FileState, holder: UUID? = provider, agency: UUID? = nil) -> DisclosureDecision {
        let agencyID = agency ?? (type == .supervision ? supervision : type.runsServices ? provider : UUID())
        return DisclosureRules.decide(
            DisclosureRequest(userID: UUID(), agencyID: agencyID, agencyType: type, category: category, personID: person, holderAgencyID: holder, now: now),
            file: file(state), statusWithoutConsent: true
        )
    }

    /// Every agency type × every category × every state of the file: police never see treatment data; justice data follows
    /// the access policy; supervision sees health data exactly when a consent in force or a court order covers it.
    @Test(arguments: AgencyType.allCases)
    func theMatrixOfAgencyCategoryAndConsentState(type: AgencyType) {
        for category in DataCategory.allCases {
            for state in FileState.allCases {
                let decision = Self.decide(type, category, state)
                let label = "\(type.rawValue) \(category.rawValue) \(state.rawValue): \(decision)"
                if !category.isHealth {
                    #expect(decision == .allowed(.justiceRecord), "\(label)")
                } else if type == .police {
                    #expect(category == .referralStatus ? decision == .statusOnly : !decision.isAllowed && decision != .statusOnly, "\(label)")
                } else if type.runsServices {
                    #expect(decision == .allowed(.ownRecord), "\(label)")
                } else if type == .supervision {
                    let covered = [DataCategory.drugTestResults, .attendance, .referralStatus].contains(category)
                        && [FileState.consentInForce, .revokedButIrrevocable].contains(state)
                    let ordered = [DataCategory.drugTestResults, .attendance].contains(category) && state == .courtOrder
                    if covered || ordered {
                        #expect(decision.isAllowed, "\(label)")
                    } else if category == .referralStatus {
                        #expect(decision == .statusOnly, "\(label)")
                    } else {
                        #expect(!decision.isAllowed && decision != .statusOnly, "\(label)")
                    }
                } else {
                    // Courts, prosecution, analysts and administrators: the file's consents and order name supervision only.
                    #expect(!decision.isAllowed, "\(label)")
                }
            }
        }
    }

    @Test func policeNeverSeeTreatmentEvenWithAConsentNamingThem() {
        let toPolice = Self.consent(recipient: .agencyType(.police))
        let file = DisclosureFile(consents: [toPolice])
        let decision = DisclosureRules.decide(
            DisclosureRequest(userID: UUID(), agencyID: UUID(), agencyType: .police, category: .drugTestResults, personID: Self.person, holderAgencyID: nil, now: Self.now),
            file: file, statusWithoutConsent: true
        )
        #expect(!decision.isAllowed)
    }

    @Test func revocationTakesEffectAtOnce() {
        let consent = Self.consent()
        #expect(consent.isInForce(at: Self.now, activeMeasures: []))
        var revoked = consent
        revoked.revokedAt = Self.now
        #expect(!revoked.isInForce(at: Self.now, activeMeasures: []))
        #expect(!revoked.isInForce(at: Self.now.addingTimeInterval(1), activeMeasures: []))
    }

    @Test func anIrrevocableConsentEndsWithItsMeasure() {
        let consent = Self.consent(revoked: true, irrevocable: true)
        #expect(consent.isInForce(at: Self.now, activeMeasures: [Self.measure]))
        #expect(!consent.isInForce(at: Self.now, activeMeasures: []))
    }

    @Test func withoutConsentTheStatusShowsOnlyWhereThePolicyAllows() {
        let request = DisclosureRequest(userID: UUID(), agencyID: UUID(), agencyType: .court, category: .referralStatus, personID: Self.person, holderAgencyID: nil, now: Self.now)
        #expect(DisclosureRules.decide(request, file: DisclosureFile(), statusWithoutConsent: true) == .statusOnly)
        #expect(DisclosureRules.decide(request, file: DisclosureFile(), statusWithoutConsent: false) == .withheld(reason: "No consent on file for referral status."))
    }

    @Test func anotherProviderNeedsACareCoordinationConsent() {
        let otherProvider = UUID()
        #expect(!Self.decide(.healthProvider, .diagnosis, .nothing, holder: Self.provider, agency: otherProvider).isAllowed)
        let consent = Self.consent(purpose: .careCoordination, recipient: .agency(otherProvider))
        let decision = DisclosureRules.decide(
            DisclosureRequest(userID: UUID(), agencyID: otherProvider, agencyType: .healthProvider, category: .attendance, personID: Self.person,
                              holderAgencyID: Self.provider, now: Self.now),
            file: DisclosureFile(consents: [consent]), statusWithoutConsent: true
        )
        #expect(decision == .allowed(.consent(consent.id)))
    }

    @Test func emergencyAccessIsTheAdministratorsOwnAndTimeLimited() {
        let admin = UUID()
        let access = BreakGlassAccess(id: UUID(), personID: Self.person, userID: admin, userName: "A", reason: "Overdose reported; locating the treating service.",
                                      startedAt: Self.now.addingTimeInterval(-60), expiresAt: Self.now.addingTimeInterval(3600))
        func decide(_ user: UUID, at time: Date) -> DisclosureDecision {
            DisclosureRules.decide(DisclosureRequest(userID: user, agencyID: UUID(), agencyType: .administration, category: .medication, personID: Self.person,
                                                     holderAgencyID: nil, now: time), file: DisclosureFile(breakGlass: [access]), statusWithoutConsent: true)
        }
        #expect(decide(admin, at: Self.now) == .allowed(.breakGlass(access.id)))
        #expect(!decide(UUID(), at: Self.now).isAllowed)
        #expect(!decide(admin, at: Self.now.addingTimeInterval(7200)).isAllowed)
    }

    @Test(arguments: [
        ([DataCategory](), "categories"), ([.contact], "categories[0]"),
    ])
    func aConsentNamesHealthCategories(categories: [DataCategory], field: String) {
        do {
            try ConsentGrant.check(categories: categories, validFrom: Self.now, validUntil: Self.now.addingTimeInterval(86_400), now: Self.now)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.field).contains(field))
        }
    }

    @Test(arguments: [
        (nil as TimeInterval?, 86_400.0 as TimeInterval?, "validFrom"), (0, nil, "validUntil"), (0, -60, "validUntil"), (0, 86_400 * 2000, "validUntil"),
    ])
    func aConsentHasABoundedPeriod(from: TimeInterval?, until: TimeInterval?, field: String) {
        do {
            try ConsentGrant.check(categories: [.attendance], validFrom: from.map(Self.now.addingTimeInterval), validUntil: until.map(Self.now.addingTimeInterval), now: Self.now)
            Issue.record("accepted")
        } catch {
            #expect(error.errors.map(\.field).contains(field))
        }
    }
}
