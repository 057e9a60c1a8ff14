import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Pathway pages")
struct PathwayPagesTests {
    @Test func anOfficerRecordsAContactAndSeesEveryReason() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let page = try await t.send(.GET, "/contacts/new", headers: [jar.header])
            #expect(page.status == .ok)
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let time = String(t.clock.now.addingTimeInterval(-3600).formatted(.iso8601).prefix(16))
            let created = try await t.send(.POST, "/contacts", headers: [jar.header], body: form([
                "csrf": csrf, "personId": "", "givenName": "Rui", "familyName": "Teste", "birthDate": "1990-02-03", "sex": "male",
                "occurredAt": time, "region": "R1", "offence": "possession_personal_use",
                "seizures[0][substance]": "cannabis_herb", "seizures[0][quantity]": "12,5", "seizures[0][unit]": "g",
                "seizures[1][substance]": "", "seizures[1][quantity]": "",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(created.status == .seeOther)
            let location = try #require(created.headers.first(name: .location))
            let result = try await t.send(.GET, location, headers: [jar.header])
            #expect(result.status == .ok)
            #expect(result.text.contains("Cannabis herb 12.5 g ≤ 25 g personal-use threshold (gross)."))
            #expect(result.text.contains(#"class="verdict yes""#))
            #expect(result.text.contains(#"id="suggestion-1""#))
        }
    }

    @Test func aRefusedDecisionKeepsTheOfficersChoiceAndReason() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: token, json: [
                "givenName": "Ana", "familyName": "Costa", "birthDate": "1991-03-04", "sex": "female",
            ]).json(PersonController.PersonResponse.self)
            let body = #"{"personId":"\#(person.id)","occurredAt":"\#(t.clock.now.addingTimeInterval(-60).formatted(.iso8601))","region":"R1","offences":[{"category":"possession_personal_use"}],"seizures":[{"substance":"cannabis_herb","quantity":40,"unit":"g"}]}"#
            let contact = try await t.send(.POST, "/api/v1/contacts", token: token, body: body, contentType: "application/json").json(ContactResponse.self)
            #expect(contact.evaluation.eligible == false)
            let (jar, _) = try await t.browserSignIn("officer")
            let page = try await t.send(.GET, "/contacts/\(contact.id)", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/contacts/\(contact.id)/decision", headers: [jar.header],
                                           body: form(["csrf": csrf, "decision": "no_further_action", "reason": " "]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("departs from the recommendation (refer to the prosecutor)"))
            #expect(refused.text.contains(#"value="no_further_action" checked"#))
        }
    }

    @Test func aPolicyLargerThanOneNetworkReadPassesTheFormCheck() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("admin")
            let page = try await t.send(.GET, "/admin/policies", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            var document = try String(contentsOf: AppResources.directory.appendingPathComponent("Policies/demo.yaml"), encoding: .utf8)
            document = document.replacingOccurrences(of: #"version: "2026.1""#, with: #"version: "2026.2-large""#)
            document += String(repeating: "# padding so the form spans several network reads\n", count: 200)
            #expect(document.utf8.count > 10_000)
            let activated = try await t.send(.POST, "/admin/policies", headers: [jar.header],
                                             body: form(["csrf": csrf, "document": document, "action": "activate"]),
                                             contentType: "application/x-www-form-urlencoded", overTheNetwork: true)
            // Over the network the client follows the redirect to the policies page and its notice.
            #expect(activated.status == .ok)
            #expect(activated.text.contains(#"id="notice""#))
            #expect(try await PolicyStore().versions(on: t.app.db).first { $0.active }?.version == "2026.2-large")
        }
    }

    @Test func aPolicyWithProblemsIsShownWithLineAndColumn() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("admin")
            let page = try await t.send(.GET, "/admin/policies", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let checked = try await t.send(.POST, "/admin/policies", headers: [jar.header],
                                           body: form(["csrf": csrf, "document": "jurisdiction: X\nversion: [", "action": "check"]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(checked.status == .unprocessableEntity)
            #expect(checked.text.contains(#"id="policy-problems""#))
            #expect(checked.text.range(of: #"<code>[0-9]+:[0-9]+</code>"#, options: .regularExpression) != nil)
        }
    }

    @Test(arguments: [
        ("provider", "/contacts/new"), ("analyst", "/referrals"), ("officer", "/admin/policies"), ("officer", "/services/capacity"),
        ("provider", "/admin/services"), ("supervisor", "/contacts/new"),
    ])
    func pagesRefuseRolesThePolicyDoesNotAllow(user: String, path: String) async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn(user)
            let page = try await t.send(.GET, path, headers: [jar.header])
            #expect(page.status == .forbidden, "\(user) \(path)")
        }
    }

    @Test func aProviderCannotOpenAContactThroughTheScreeningForm() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: token, json: [
                "givenName": "Ana", "familyName": "Costa", "birthDate": "1991-03-04", "sex": "female",
            ]).json(PersonController.PersonResponse.self)
            let body = #"{"personId":"\#(person.id)","occurredAt":"\#(t.clock.now.addingTimeInterval(-60).formatted(.iso8601))","region":"R1","offences":[{"category":"possession_personal_use"}],"seizures":[]}"#
            let contact = try await t.send(.POST, "/api/v1/contacts", token: token, body: body, contentType: "application/json").json(ContactResponse.self)
            let (officer, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/contacts/\(contact.id)/screening", headers: [officer.header]).status == .ok)
            let (provider, _) = try await t.browserSignIn("provider")
            #expect(try await t.send(.GET, "/contacts/\(contact.id)/screening", headers: [provider.header]).status == .forbidden)
        }
    }

    @Test func aProviderUpdatesTheCapacityOfTheirOwnServices() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/services/capacity", headers: [jar.header])
            #expect(page.status == .ok)
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let mine = try await ServiceStore().list(region: "R1", on: t.app.db).filter { $0.profile.name == "R1 Outpatient Clinic" }
            let service = try #require(mine.first)
            #expect(page.text.contains("R1 Outpatient Clinic"))
            #expect(!page.text.contains("R2 Outpatient Clinic"))
            let saved = try await t.send(.POST, "/services/\(service.id.uuidString.lowercased())/capacity", headers: [jar.header],
                                         body: form(["csrf": csrf, "capacity": "70", "load": "41", "waitlistDays": "9"]),
                                         contentType: "application/x-www-form-urlencoded")
            #expect(saved.status == .seeOther)
            #expect(try await ServiceStore().find(service.id, on: t.app.db)?.profile.waitlistDays == 9)
            let bad = try await t.send(.POST, "/services/\(service.id.uuidString.lowercased())/capacity", headers: [jar.header],
                                       body: form(["csrf": csrf, "waitlistDays": "-3"]), contentType: "application/x-www-form-urlencoded")
            #expect(bad.status == .unprocessableEntity)
        }
    }
}
