import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("The people pages")
struct PeoplePagesTests {
    @Test func caseworkRolesSeePeopleInTheNavigationAndOthersDoNot() async throws {
        try await TestApp.run { t in
            for user in caseworkUsers + nonCaseworkUsers {
                let (jar, _) = try await t.browserSignIn(user)
                let home = try await t.send(.GET, "/home", headers: [jar.header])
                #expect(home.text.contains(#"href="/people""#) == caseworkUsers.contains(user), "\(user)")
            }
        }
    }

    @Test func aSearchListsMatchingPeopleAndAuditsThem() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let before = try await AuditLedger().count(on: t.app.db)
            let page = try await t.send(.GET, "/people?q=silva", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="results""#))
            let shown = page.text.components(separatedBy: #"<a href="/people/"#).count - 1
            #expect(shown > 0)
            #expect(try await AuditLedger().count(on: t.app.db) == before + shown)
            let none = try await t.send(.GET, "/people?q=zzzz", headers: [jar.header])
            #expect(none.text.contains(#"id="no-results""#))
            let bad = try await t.send(.GET, "/people?birthDate=1990-02-31", headers: [jar.header])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains(#"id="search-errors""#))
        }
    }

    @Test func registeringAPersonShowsEveryProblemThenTheRecord() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("provider")
            let formPage = try await t.send(.GET, "/people/new", headers: [jar.header])
            #expect(formPage.status == .ok)
            let csrf = try #require(hiddenField("csrf", in: formPage.text))
            let invalid = try await t.send(
                .POST, "/people", headers: [jar.header],
                body: form(["csrf": csrf, "givenName": "", "familyName": "Okafor", "birthDate": "2999-01-01", "sex": ""]),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.text.contains(#"id="form-errors""#))
            #expect(invalid.text.contains(##"href="#givenName""##))
            #expect(invalid.text.contains(##"href="#birthDate""##))
            #expect(invalid.text.contains(#"value="Okafor""#))

            let valid = try await t.send(
                .POST, "/people", headers: [jar.header],
                body: form(["csrf": csrf, "givenName": "Chidi", "familyName": "Okafor", "birthDate": "1988-07-14", "sex": "male", "nationality": "nga"])
                    + "&flags%5B%5D=homeless&flags%5B%5D=disability",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(valid.status == .seeOther)
            let location = try #require(valid.headers.first(name: .location))
            #expect(location.hasPrefix("/people/") && location.hasSuffix("?registered=1"))
            let record = try await t.send(.GET, location, headers: [jar.header])
            #expect(record.status == .ok)
            #expect(record.text.contains("Chidi Okafor"))
            #expect(record.text.contains("NGA"))
            #expect(record.text.contains("Without stable housing"))
            #expect(record.text.contains(#"id="notice""#))
        }
    }

    @Test func registeringWithoutTheCSRFTokenIsRefused() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let response = try await t.send(
                .POST, "/people", headers: [jar.header],
                body: form(["givenName": "Chidi", "familyName": "Okafor", "birthDate": "1988-07-14", "sex": "male"]),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(response.status == .forbidden)
            let stored = try await PersonIdentityModel.query(on: t.app.db).filter(\.$familyName == "Okafor").filter(\.$givenName == "Chidi").count()
            #expect(stored == 0)
        }
    }

    @Test(arguments: nonCaseworkUsers)
    func analystsAndAdministratorsAreRefusedThePeoplePages(user: String) async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn(user)
            for path in ["/people", "/people/new", "/people/\(UUID().uuidString)"] {
                let response = try await t.send(.GET, path, headers: [jar.header])
                #expect(response.status == .forbidden, "\(user) \(path)")
                #expect(response.text.contains("Your role does not allow this."))
            }
        }
    }
}
