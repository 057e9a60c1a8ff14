import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Role × consent state × route: who sees a health service's drug-test result and attendance, and who only supervision's
/// own records. Police and analysts never see either; revocation takes effect at once.
@Suite("Disclosure matrix over the routes that show health data")
struct DisclosureMatrixTests {
    enum ConsentState: String, CaseIterable {
        case none, toSupervision, toCourt, revoked, courtOrder
    }

    static let roles = ["officer", "prosecutor", "judge", "provider", "supervisor", "analyst", "admin"]

    /// Whether `role` should see the health service's records for the person in `state`.
    static func seesHealth(_ role: String, _ state: ConsentState) -> Bool {
        switch role {
        case "provider": true
        case "supervisor": state == .toSupervision
        // A consent to courts names court agencies only; a court order for a court decision reaches the prosecutor too.
        case "judge": state == .toCourt || state == .courtOrder
        case "prosecutor": state == .courtOrder
        default: false
        }
    }

    /// Roles the access policy lets read test results, compliance and reports at all.
    static let readsMeasures: Set<String> = ["prosecutor", "judge", "provider", "supervisor"]

    struct Scene {
        var personId: String
        var measureId: String
    }

    /// A measure with daily testing; the provider records the 17th (negative, health data) and an attended session,
    /// the supervisor records the 18th (positive, supervision's own record); then the consent state is set up.
    static func scene(_ t: TestApp, _ state: ConsentState) async throws -> Scene {
        let ordered = try await DrugTestingAPITests.order(t)
        let provider = try await t.token("provider")
        let supervisor = try await t.token("supervisor")
        let byProvider = try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/tests", token: provider,
                                          json: DrugTestingAPITests.result("2026-11-17", collectedAt: "2026-11-17T09:00:00Z", chainOfCustody: "HEALTH-17"))
        try #require(byProvider.status == .created, "\(byProvider.text)")
        let bySupervisor = try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/tests", token: supervisor,
                                            body: #"{"testDay":"2026-11-18","outcome":"positive","substances":["cocaine"],"collectedAt":"2026-11-18T10:00:00Z","chainOfCustody":"SUPERVISION-18"}"#,
                                            contentType: "application/json")
        try #require(bySupervisor.status == .created, "\(bySupervisor.text)")
        let session = try await t.send(.POST, "/api/v1/measures/\(ordered.measureId)/compliance", token: provider,
                                       body: #"{"kind":"appointment","at":"2026-11-17T15:00:00Z","service":"Counselling HEALTH-SESSION","attendance":"attended","note":""}"#,
                                       contentType: "application/json")
        try #require(session.status == .created, "\(session.text)")
        let from = t.clock.now.addingTimeInterval(-3600).formatted(.iso8601)
        let until = t.clock.now.addingTimeInterval(86_400 * 90).formatted(.iso8601)
        func consent(_ recipient: String, _ purpose: String) async throws -> ConsentResponse {
            let body = #"{"recipientAgencyType":"\#(recipient)","categories":["drug_test_results","attendance"],"purpose":"\#(purpose)","validFrom":"\#(from)","validUntil":"\#(until)","method":"signed_paper"}"#
            let response = try await t.send(.POST, "/api/v1/persons/\(ordered.personId)/consents", token: provider, body: body, contentType: "application/json")
            try #require(response.status == .created, "\(response.text)")
            return try response.json(ConsentResponse.self)
        }
        switch state {
        case .none: break
        case .toSupervision: _ = try await consent("supervision", "supervision")
        case .toCourt: _ = try await consent("court", "court_decision")
        case .revoked:
            let given = try await consent("supervision", "supervision")
            let court = try await consent("court", "court_decision")
            #expect(try await t.send(.POST, "/api/v1/consents/\(given.id)/revoke", token: provider).status == .ok)
            #expect(try await t.send(.POST, "/api/v1/consents/\(court.id)/revoke", token: provider).status == .ok)
        case .courtOrder:
            let judge = try await t.token("judge")
            let order = #"{"categories":["drug_test_results","attendance"],"purpose":"court_decision","validFrom":"\#(from)","validUntil":"\#(until)","reference":"2026/301"}"#
            #expect(try await t.send(.POST, "/api/v1/persons/\(ordered.personId)/court-orders", token: judge, body: order, contentType: "application/json").status == .created)
        }
        return Scene(personId: ordered.personId, measureId: ordered.measureId)
    }

    @Test(arguments: ConsentState.allCases)
    func eachRoleSeesExactlyWhatItsConsentStateAllows(state: ConsentState) async throws {
        try await TestApp.run { t in
            let scene = try await Self.scene(t, state)
            var cells = 0
            for role in Self.roles {
                let token = try await t.token(role)
                let health = Self.seesHealth(role, state)
                let reads = Self.readsMeasures.contains(role)

                // 1. The results: supervision's own result always; the health service's only under consent or order.
                let tests = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/tests", token: token)
                if reads {
                    #expect(tests.status == .ok, "\(role) \(state) tests")
                    #expect(tests.text.contains("SUPERVISION-18"), "\(role) \(state) tests: supervision's own result")
                    #expect(tests.text.contains("HEALTH-17") == health, "\(role) \(state) tests: health result")
                    #expect(tests.text.contains("redisclosureNotice") == (health && role != "provider"), "\(role) \(state) tests: notice")
                } else {
                    #expect(tests.status == .forbidden, "\(role) \(state) tests")
                }
                cells += 1

                // 2. Compliance: the attended session is attendance, health data.
                let compliance = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/compliance", token: token)
                if reads {
                    #expect(compliance.status == .ok, "\(role) \(state) compliance")
                    #expect(compliance.text.contains("HEALTH-SESSION") == health, "\(role) \(state) compliance: attendance")
                    #expect(compliance.text.contains("redisclosureNotice") == (health && role != "provider"), "\(role) \(state) compliance: notice")
                } else {
                    #expect(compliance.status == .forbidden, "\(role) \(state) compliance")
                }
                cells += 1

                // 3. The progress report counts only what the reader may see.
                let report = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/report?from=2026-11-16&to=2026-11-18", token: token)
                if reads {
                    let body = try report.json(ProgressReport.self)
                    #expect(body.tests?.negative == (health ? 1 : 0), "\(role) \(state) report negatives")
                    #expect(body.tests?.positive == 1, "\(role) \(state) report positives")
                    #expect(body.withheld.isEmpty == health, "\(role) \(state) report withheld")
                } else {
                    #expect(report.status == .forbidden, "\(role) \(state) report")
                }
                cells += 1

                // 4. The timeline page.
                let (jar, _) = try await t.browserSignIn(role)
                let timeline = try await t.send(.GET, "/people/\(scene.personId)/timeline", headers: [jar.header])
                if role == "analyst" || role == "admin" {
                    #expect(timeline.status == .forbidden, "\(role) \(state) timeline")
                } else {
                    #expect(timeline.status == .ok, "\(role) \(state) timeline")
                    #expect(timeline.text.contains("Nov 17, 2026 · Negative") == (health && reads), "\(role) \(state) timeline: health result")
                    #expect(timeline.text.contains(#"id="redisclosure-notice""#) == (health && reads && role != "provider"), "\(role) \(state) timeline: notice")
                    if role == "officer" { #expect(!timeline.text.contains("timeline-test"), "police never see tests") }
                }
                cells += 1
            }
            #expect(cells == Self.roles.count * 4)
            // Every disclosure to a reader outside the holder is accounted for, with its basis.
            let provider = try await t.token("provider")
            let accounting = try await t.send(.GET, "/api/v1/persons/\(scene.personId)/disclosures", token: provider).json(ConsentController.DisclosureReport.self)
            let recipients = Set(accounting.items.map(\.recipient))
            switch state {
            case .toSupervision: #expect(recipients == ["Supervision Officer Tomás Silva"] && accounting.items.allSatisfy { $0.basis == "consent" })
            case .toCourt: #expect(recipients == ["Judge Irena Novak"] && accounting.items.allSatisfy { $0.basis == "consent" })
            case .courtOrder:
                #expect(recipients == ["Judge Irena Novak", "Prosecutor Samir Haddad"] && accounting.items.allSatisfy { $0.basis == "court_order" })
                // The provider whose records were disclosed under the order is told of each use.
                let told = try await t.send(.GET, "/api/v1/disclosures/notifications", token: provider).json(ConsentController.NotificationList.self)
                #expect(told.items.count == accounting.items.count && told.items.allSatisfy { $0.personId == scene.personId })
                let (jar, _) = try await t.browserSignIn("provider")
                let page = try await t.send(.GET, "/disclosures/notifications", headers: [jar.header])
                #expect(page.status == .ok && page.text.contains("Judge Irena Novak") && page.text.contains("Court order"))
            case .none, .revoked: #expect(accounting.items.isEmpty)
            }
        }
    }
}
