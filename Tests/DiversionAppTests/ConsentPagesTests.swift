import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Consent and disclosure pages")
struct ConsentPagesTests {
    @Test func aProviderRecordsPrintsInThePersonsLanguageAndRevokesAConsent() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let person = try await t.send(.POST, "/api/v1/persons", token: officer, json: [
                "givenName": "Inés", "familyName": "Lorca", "birthDate": "1992-02-02", "sex": "female", "preferredLanguage": "es",
            ]).json(PersonController.PersonResponse.self)
            let (jar, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/people/\(person.id)/consents", headers: [jar.header])
            #expect(page.status == .ok && page.text.contains(#"id="consent-form""#) && page.text.contains(#"id="no-consents""#))
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let from = formTime(t.clock.now)
            let until = formTime(t.clock.now.addingTimeInterval(90 * 86_400))
            let recorded = try await t.send(.POST, "/people/\(person.id)/consents", headers: [jar.header], body: form([
                "csrf": csrf, "recipientAgencyType": "supervision", "categories[]": "drug_test_results", "purpose": "supervision",
                "validFrom": from, "validUntil": until, "method": "witnessed", "measureId": "",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(recorded.status == .seeOther, "\(recorded.text)")
            let listed = try await t.send(.GET, "/people/\(person.id)/consents?notice=consent_recorded", headers: [jar.header])
            #expect(listed.text.contains("The consent is recorded.") && listed.text.contains("In force"))
            let personID = try #require(UUID(uuidString: person.id))
            let consent = try #require(try await ConsentStore().consents(of: personID, on: t.app.db).first)
            let id = consent.id.uuidString.lowercased()
            let printed = try await t.send(.GET, "/consents/\(id)/print", headers: [jar.header])
            #expect(printed.status == .ok && printed.text.contains(#"lang="es""#))
            #expect(printed.text.contains("Consentimiento para compartir información de salud"))
            #expect(printed.text.contains("Resultados de análisis de drogas"))
            let revoked = try await t.send(.POST, "/consents/\(id)/revoke", headers: [jar.header], body: form(["csrf": csrf]),
                                           contentType: "application/x-www-form-urlencoded")
            #expect(revoked.status == .seeOther)
            let after = try await t.send(.GET, "/people/\(person.id)/consents", headers: [jar.header])
            #expect(after.text.contains("Not in force"))
        }
    }

    @Test func aConsentWithoutCategoriesIsRefusedWithWhatWasChosenKept() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let (jar, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/people/\(personId)/consents", headers: [jar.header])
            let csrf = try #require(hiddenField("csrf", in: page.text))
            let refused = try await t.send(.POST, "/people/\(personId)/consents", headers: [jar.header], body: form([
                "csrf": csrf, "recipientAgencyType": "court", "purpose": "court_decision", "validFrom": formTime(t.clock.now),
                "validUntil": formTime(t.clock.now.addingTimeInterval(86_400)), "method": "electronic",
            ]), contentType: "application/x-www-form-urlencoded")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Name at least one category"))
            #expect(refused.text.contains(#"<option value="court" selected"#))
        }
    }

    @Test func theDisclosuresPageListsWhatTheMatrixDisclosedAndOthersCannotOpenIt() async throws {
        try await TestApp.run { t in
            let scene = try await DisclosureMatrixTests.scene(t, .toSupervision)
            let supervisor = try await t.token("supervisor")
            _ = try await t.send(.GET, "/api/v1/measures/\(scene.measureId)/tests", token: supervisor)
            let (jar, _) = try await t.browserSignIn("provider")
            let page = try await t.send(.GET, "/people/\(scene.personId)/disclosures", headers: [jar.header])
            #expect(page.status == .ok && page.text.contains("Supervision Officer Tomás Silva") && page.text.contains("Drug test results"))
            #expect(page.text.contains("do not pass it on"))
            let (officer, _) = try await t.browserSignIn("officer")
            #expect(try await t.send(.GET, "/people/\(scene.personId)/disclosures", headers: [officer.header]).status == .forbidden)
            #expect(try await t.send(.GET, "/people/\(scene.personId)/consents", headers: [officer.header]).status == .forbidden)
        }
    }
}
