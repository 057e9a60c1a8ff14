import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// Police and prosecution never receive treatment data on any route: every GET route of the API and the pages is
/// called with their credentials, ids filled with a person whose health service recorded results and attendance
/// (shared with supervision under a consent), and no answer may carry them.
@Suite("Purpose limitation over every route")
struct PurposeLimitationTests {
    static let markers = ["HEALTH-17", "HEALTH-SESSION"]

    @Test(arguments: ["officer", "prosecutor"])
    func noRouteGivesTreatmentDataToPoliceOrProsecution(role: String) async throws {
        try await TestApp.run { t in
            let scene = try await DisclosureMatrixTests.scene(t, .toSupervision)
            let supervisor = try await t.token("supervisor")
            // Make sure the data is there to leak: supervision, under the consent, does see it.
            #expect(try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/tests", token: supervisor).text.contains("HEALTH-17"))
            let officer = try await t.token("officer")
            let referral = try await t.refer(officer, personId: scene.personId, to: "R1 Outpatient Clinic")
            let measureID = try #require(UUID(uuidString: scene.measureId))
            let measure = try #require(try await MeasureStore().find(measureID, on: t.app.db))
            let caseId = measure.caseID.uuidString.lowercased()
            let ids: [String: String] = [
                "persons": scene.personId, "people": scene.personId, "measures": scene.measureId, "referrals": referral.id, "cases": caseId,
                "ServiceRequest": referral.id, "Task": referral.id,
            ]
            let token = try await t.token(role)
            let (jar, _) = try await t.browserSignIn(role)
            var called = 0
            for route in t.app.routes.all where route.method == .GET {
                let parts = route.path.map(\.description)
                var path: [String] = []
                var resolvable = true
                for (i, part) in parts.enumerated() {
                    if part.hasPrefix(":") {
                        guard i > 0, let id = ids[parts[i - 1]] else { resolvable = false; break }
                        path.append(id)
                    } else if part == "*" || part == "**" {
                        resolvable = false
                        break
                    } else {
                        path.append(part)
                    }
                }
                guard resolvable else { continue }
                let url = "/" + path.joined(separator: "/") + (path.last == "measures" || path.last == "cases" ? "?personId=\(scene.personId)" : "")
                let api = path.first == "api"
                let response = api ? try await t.send(.GET, url, token: token) : try await t.send(.GET, url, headers: [jar.header])
                called += 1
                for marker in Self.markers {
                    #expect(!response.text.contains(marker), "\(role) GET \(url) answered \(response.status) with \(marker)")
                }
            }
            #expect(called > 40, "only \(called) routes were called")
        }
    }
}

extension PurposeLimitationTests {
    @Test func aServicesScreeningIsAnAssessmentThatPoliceNeverReadAndCourtsReadUnderConsent() async throws {
        try await TestApp.run { t in
            let provider = try await t.token("provider")
            let personId = try await CaseAPITests.person(t)
            let created = try await t.send(.POST, "/api/v1/screenings", token: provider, body: #"{"personId":"\#(personId)","instrument":"auditc","answers":[1,1,1]}"#,
                                           contentType: "application/json")
            let id = try created.json(ScreeningController.RecordedResponse.self).id
            #expect(try await t.send(.GET, "/api/v1/screenings/\(id)", token: provider).status == .ok)
            let officer = try await t.token("officer")
            #expect(try await t.send(.GET, "/api/v1/screenings/\(id)", token: officer).status == .forbidden)
            // An officer's own screening at a contact stays theirs.
            let own = try await t.send(.POST, "/api/v1/screenings", token: officer, body: #"{"personId":"\#(personId)","instrument":"auditc","answers":[0,0,0]}"#,
                                       contentType: "application/json").json(ScreeningController.RecordedResponse.self).id
            #expect(try await t.send(.GET, "/api/v1/screenings/\(own)", token: officer).status == .ok)
        }
    }
}
