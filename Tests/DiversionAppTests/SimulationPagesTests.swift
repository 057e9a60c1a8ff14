import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("The policy simulation page")
struct SimulationPagesTests {
    /// 10 contacts with 10 g of cannabis herb (eligible under the demo policy) and 8 with 27 g (over its 25 g threshold).
    func seeded(_ t: TestApp) async throws {
        let day = CalendarDate(year: 2026, month: 3, day: 2)
        let facts = (0..<18).map { i in
            ContactFact(
                source: .historical, contactKey: "S:c\(i)", personKey: "S:p\(i)", occurredOn: day, sex: i % 3 == 0 ? .male : .female, age: 20 + i,
                region: "R1", nationality: nil, offence: "possession_personal_use", substance: "cannabis_herb",
                seizures: [SeizureRecord(substance: "cannabis_herb", quantity: i < 10 ? 10 : 27, unit: "g")], eligible: i < 10, diverted: i < 10
            )
        }
        try await EvidenceStore().insert(facts, tests: [], source: .historical, on: t.app.db)
    }

    var demoDocument: String {
        get throws { try String(contentsOf: AppResources.directory.appendingPathComponent("Policies/demo.yaml"), encoding: .utf8) }
    }

    func post(_ t: TestApp, _ jar: CookieJar, document: String, extra: String = "") async throws -> TestingHTTPResponse {
        let page = try await t.send(.GET, "/analysis/simulation", headers: [jar.header])
        let csrf = try #require(hiddenField("csrf", in: page.text))
        return try await t.send(.POST, "/analysis/simulation", headers: [jar.header], body: form(["csrf": csrf, "document": document]) + extra,
                                contentType: "application/x-www-form-urlencoded")
    }

    @Test func theAnalystGetsTheFormWithTheActivePolicyToStartFrom() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("analyst")
            let page = try await t.send(.GET, "/analysis/simulation", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Policy simulation</h1>"))
            #expect(page.text.contains(#"<textarea id="document" name="document""#) && page.text.contains("jurisdiction: Demo Republic"))
            #expect(page.text.contains(#"name="by[]" value="age_group" id="by-age_group" checked"#))
            #expect(!page.text.contains(#"id="simulation-result""#))
        }
    }

    @Test(arguments: ["officer", "admin", "judge"])
    func otherRolesMayNotSimulate(_ username: String) async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn(username)
            #expect(try await t.send(.GET, "/analysis/simulation", headers: [jar.header]).status == .forbidden)
            let refused = try await t.send(.POST, "/analysis/simulation", headers: [jar.header], body: form(["document": "x"]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .forbidden)
        }
    }

    @Test func aBadCandidateShowsEachProblemWithItsLineAndColumn() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let response = try await post(t, jar, document: "jurisdiction: X\nversion: \"1\"\nsubstances:\n  - {code: bad, unit: kg}\n")
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains(#"id="policy-problems""#))
            #expect(response.text.contains("<code>4:23</code> <code>substances[0].unit</code> &#39;kg&#39; is not a unit")
                    || response.text.contains("<code>4:23</code> <code>substances[0].unit</code> 'kg' is not a unit"))
            #expect(!response.text.contains(#"id="simulation-result""#))
            #expect(response.text.contains("{code: bad, unit: kg}")) // the document comes back to be corrected

            let badDate = try await post(t, jar, document: try demoDocument, extra: "&from=2026-13-01")
            #expect(badDate.status == .unprocessableEntity && badDate.text.contains(##"href="#from""##))
        }
    }

    @Test func aRaisedThresholdIsReportedWithTheRuleTheCountsAndTheCost() async throws {
        try await TestApp.run { t in
            try await seeded(t)
            let (jar, _) = try await t.browserSignIn("analyst")
            let raised = try demoDocument.replacingOccurrences(of: "threshold: 25,", with: "threshold: 30,")
                .replacingOccurrences(of: "version: \"2026.1\"", with: "version: \"2026.1-raised\"")
            let response = try await post(t, jar, document: raised, extra: "&by%5B%5D=sex")
            #expect(response.status == .ok)
            let html = response.text
            #expect(html.contains(#"id="simulation-result""#))
            #expect(html.contains(#"<span id="candidate">Demo Republic 2026.1-raised</span>"#))
            #expect(html.contains("<li>Threshold for Cannabis herb raised from 25 g to 30 g: 8 contacts became eligible.</li>"))
            #expect(html.contains(#"<tr class="total" id="total-row"><th scope="row">All contacts</th><td id="total-contacts">18</td>"#))
            #expect(html.contains(#"<td id="total-baseline">10</td>"#) && html.contains(#"<td id="total-candidate">18</td>"#))
            #expect(html.contains(#"<td id="total-difference">+8</td>"#))
            #expect(html.contains(#"<th scope="col">Sex</th>"#) || html.contains(#"<th scope="col">sex</th>"#))
            // 8 × 30 custody days; the saving is 240 × (97 − 9) euros a day.
            #expect(html.contains(#"<td id="custody-difference">+240</td>"#) && html.contains(#"<td id="saving-difference">21,120</td>"#))
            #expect(html.contains("Saving = custody days avoided × (prison 97 − referral to treatment 9) a day, in EUR"))
            #expect(html.contains("Officers follow the recommendation"))
            #expect(html.contains("Counts below 5 are suppressed"))
            let entries = try await t.auditEntries()
            #expect(entries.contains { $0.event.resourceType == "policy_simulation" && $0.event.resourceID == "Demo Republic 2026.1-raised" && $0.event.username == "analyst" })

            // The active policy itself changes nothing.
            let same = try await post(t, jar, document: try demoDocument)
            #expect(same.status == .ok && same.text.contains(#"id="no-rules""#) && same.text.contains(#"<td id="total-difference">0</td>"#))
        }
    }
}
