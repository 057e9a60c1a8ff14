import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension TestApp {
    /// Registers a person through the API and returns their id.
    func registerPerson(
        _ token: String, givenName: String = "Rui", familyName: String = "Lopes", birthDate: String = "1986-05-01", sex: String = "male",
        language: String? = "en", flags: [String]? = nil
    ) async throws -> String {
        let input = PersonInput(givenName: givenName, familyName: familyName, birthDate: birthDate, sex: sex, preferredLanguage: language, flags: flags)
        let response = try await send(.POST, "/api/v1/persons", token: token, json: input)
        try #require(response.status == .created, "registering \(givenName) answered \(response.status)")
        return try response.json(PersonController.PersonResponse.self).id
    }

    /// Adds a user with the demo password to a named agency (staff of another agency than the demo users') and signs them in.
    func addStaff(_ username: String, role: Role, agency name: String) async throws -> String {
        let agency = try #require(try await AccountStore().agency(name, on: app.db), "no agency \(name)")
        let hash = try await app.password.async.hash(DemoJurisdiction.password)
        _ = try await AccountStore().createUser(
            username: username, displayName: "Staff \(username)", passwordHash: hash, roles: [role], agencyID: try agency.requireID(), on: app.db
        )
        return try await token(username)
    }

    /// The id of a demo agency, lowercased as the API writes ids.
    func agencyID(_ name: String) async throws -> String {
        let agency = try #require(try await AccountStore().agency(name, on: app.db), "no agency \(name)")
        return try agency.requireID().uuidString.lowercased()
    }
}

/// A contact body; `subject` is the JSON that names the person (`"personId":"…"` or `"person":{…}`).
func contactBody(
    _ subject: String, occurredAt: String = "2026-11-18T09:00:00Z", region: String = "R1",
    seizures: String = #"[{"substance":"cannabis_herb","quantity":12,"unit":"g"}]"#, extra: String = ""
) -> String {
    #"{\#(subject),"occurredAt":"\#(occurredAt)","region":"\#(region)","offences":[{"category":"possession_personal_use"}],"seizures":\#(seizures)\#(extra)}"#
}

func grams(_ quantity: Double, of substance: String = "cannabis_herb") -> String {
    #"[{"substance":"\#(substance)","quantity":\#(quantity),"unit":"g"}]"#
}

@Suite("Contacts through the API")
struct ContactAPITests {
    func record(_ t: TestApp, _ token: String, _ body: String, headers: [(String, String)] = []) async throws -> ContactResponse {
        let response = try await t.send(.POST, "/api/v1/contacts", token: token, headers: headers, body: body, contentType: "application/json")
        try #require(response.status == .created, "recording a contact answered \(response.status): \(response.text)")
        return try response.json(ContactResponse.self)
    }

    @Test func anOfficerRecordsAContactThatKeepsItsEvaluation() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let body = contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-17T21:40:00Z", seizures: grams(12.5),
                                   extra: #","latitude":38.72,"longitude":-9.14,"circumstances":{"violence":false,"weapon":false}"#)
            let response = try await t.send(.POST, "/api/v1/contacts", token: token, body: body, contentType: "application/json")
            #expect(response.status == .created)
            let contact = try response.json(ContactResponse.self)
            #expect(response.headers.first(name: .location) == "/api/v1/contacts/\(contact.id)")
            #expect(contact.id == contact.id.lowercased())
            #expect(contact.personId == personId)
            #expect(contact.region == "R1")
            #expect(contact.latitude == 38.72 && contact.longitude == -9.14)
            #expect(contact.offences.map(\.category) == ["possession_personal_use"])
            #expect(contact.seizures.first?.quantity == 12.5)
            #expect(contact.officer.name == "Officer Dana Reyes")
            #expect(contact.agencyId == (try await t.agencyID("R1 Police Service")))
            #expect(contact.decision == nil)
            let evaluation = contact.evaluation
            #expect(evaluation.eligible)
            #expect(evaluation.route == "referral_to_treatment")
            #expect(evaluation.policyVersion == "2026.1")
            #expect(evaluation.recommendedDecision == "divert")
            #expect(evaluation.reviewBy == "2026-12-17") // 30 days after the contact
            #expect(evaluation.reasons.contains { $0.detail == "Cannabis herb 12.5 g ≤ 25 g personal-use threshold (gross)." })
            #expect(evaluation.reasons.allSatisfy { $0.passed })
            let active = try #require(try await t.app.diversion.policies.active(on: t.app.db))
            #expect(evaluation.policyId == active.id.uuidString.lowercased())

            let read = try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token)
            #expect(read.status == .ok)
            let stored = try read.json(ContactResponse.self)
            #expect(stored.evaluation.reasons.map(\.detail) == evaluation.reasons.map(\.detail))
            #expect(stored.evaluation.policyVersion == "2026.1")
            #expect(stored.occurredAt == "2026-11-17T21:40:00Z")
        }
    }

    @Test func aStoredContactKeepsThePolicyVersionItWasEvaluatedUnder() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let before = try await record(t, token, contactBody(#""personId":"\#(personId)""#, seizures: grams(22)))
            #expect(before.evaluation.eligible)

            // A new version lowers the cannabis herb threshold to 20 g.
            let admin = try await t.token("admin")
            let document = try shippedPolicy("demo")
                .replacingOccurrences(of: #"version: "2026.1""#, with: #"version: "2026.2""#)
                .replacingOccurrences(of: "threshold: 25,", with: "threshold: 20,")
            let published = try await t.send(.POST, "/api/v1/policy/versions", token: admin, json: PublishBody(document: document))
            try #require(published.status == .created)

            let kept = try await t.send(.GET, "/api/v1/contacts/\(before.id)", token: token).json(ContactResponse.self)
            #expect(kept.evaluation.policyVersion == "2026.1")
            #expect(kept.evaluation.policyId == before.evaluation.policyId)
            #expect(kept.evaluation.eligible)
            #expect(kept.evaluation.reasons.contains { $0.detail == "Cannabis herb 22 g ≤ 25 g personal-use threshold (gross)." })

            let after = try await record(t, token, contactBody(#""personId":"\#(personId)""#, seizures: grams(22)))
            #expect(after.evaluation.policyVersion == "2026.2")
            #expect(after.evaluation.policyId != before.evaluation.policyId)
            #expect(!after.evaluation.eligible)
        }
    }

    @Test func aSecondNearThresholdContactRaisesTheRepeatIndicatorAndCountsTheEarlierDiversion() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            // 22 g is 88 % of the 25 g threshold, inside the 80–100 % band.
            let first = try await record(t, token, contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-10T20:00:00Z", seizures: grams(22)))
            #expect(first.evaluation.indicators.isEmpty)
            let decided = try await t.send(.POST, "/api/v1/contacts/\(first.id)/decision", token: token, json: ["decision": "divert"])
            #expect(decided.status == .ok)

            let second = try await record(t, token, contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-17T22:00:00Z", seizures: grams(23)))
            #expect(second.evaluation.eligible) // an indicator never decides
            let indicator = try #require(second.evaluation.indicators.first { $0.code == "near_threshold_repeat" })
            #expect(indicator.detail.contains("92 % of the threshold again"))
            #expect(indicator.detail.contains("2026-11-10 at 88 %"))
            #expect(second.evaluation.reasons.first { $0.rule == "exclusion.diversion_limit" }?.detail == "1 earlier diversion in 5 years; the limit is 3.")

            // Another person with the same amount has no history, so no indicator.
            let otherId = try await t.registerPerson(token, givenName: "Omar", familyName: "Haddad")
            let other = try await record(t, token, contactBody(#""personId":"\#(otherId)""#, occurredAt: "2026-11-17T22:00:00Z", seizures: grams(23)))
            #expect(other.evaluation.indicators.isEmpty)
            #expect(other.evaluation.reasons.first { $0.rule == "exclusion.diversion_limit" }?.detail == "0 earlier diversions in 5 years; the limit is 3.")
        }
    }

    @Test func anEvaluationForANamedPersonCountsTheirStoredContactsAndStoresNothing() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let first = try await record(t, token, contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-10T20:00:00Z", seizures: grams(22)))
            try await t.send(.POST, "/api/v1/contacts/\(first.id)/decision", token: token, json: ["decision": "divert"])
            let body = contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-18T08:00:00Z", seizures: grams(24))
            let response = try await t.send(.POST, "/api/v1/eligibility/evaluate", token: token, body: body, contentType: "application/json")
            #expect(response.status == .ok)
            let answer = try response.json(EvaluationResponse.self)
            #expect(answer.indicators.map(\.code) == ["near_threshold_repeat"])
            #expect(answer.reasons.first { $0.rule == "exclusion.diversion_limit" }?.detail == "1 earlier diversion in 5 years; the limit is 3.")
            #expect(answer.reviewBy == "2026-12-18")
            #expect(answer.screeningInstrument == "assist")
            #expect(try await ContactModel.query(on: t.app.db).count() == 1)
        }
    }

    @Test func aContactThatHappenedBeforeTheEarlierRecordDoesNotCountIt() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            _ = try await record(t, token, contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-10T20:00:00Z", seizures: grams(22)))
            // Recorded later, but it happened before the first one.
            let older = try await record(t, token, contactBody(#""personId":"\#(personId)""#, occurredAt: "2026-11-01T20:00:00Z", seizures: grams(23)))
            #expect(older.evaluation.indicators.isEmpty)
        }
    }

    @Test func anInlinePersonIsCreatedWithTheContactAndBothAreAudited() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let person = #""person":{"givenName":"Ana","familyName":"Silva","birthDate":"1994-05-17","sex":"female","preferredLanguage":"pt"}"#
            let contact = try await record(t, token, contactBody(person), headers: [("X-Purpose", "street contact")])
            #expect(try await PersonModel.query(on: t.app.db).count() == 37)
            let read = try await t.send(.GET, "/api/v1/persons/\(contact.personId)", token: token)
            #expect(read.status == .ok)
            let created = try read.json(PersonController.PersonResponse.self)
            #expect(created.givenName == "Ana" && created.birthDate == "1994-05-17" && created.preferredLanguage == "pt")

            let personID = try #require(UUID(uuidString: contact.personId))
            let entries = try await t.auditEntries().filter { $0.event.personID == personID }
            #expect(entries.map(\.event.resourceType) == ["person", "contact", "person"])
            #expect(entries.map(\.event.action) == [.create, .create, .read])
            #expect(entries[0].event.resourceID == contact.personId)
            #expect(entries[1].event.resourceID == contact.id)
            #expect(entries[1].event.purpose == "street contact")
            #expect(entries.allSatisfy { $0.event.username == "officer" && $0.event.requestID != nil })
        }
    }

    @Test func everyWriteAndReadOfAContactIsAuditedAgainstThePerson() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let personID = try #require(UUID(uuidString: personId))
            let contact = try await record(t, token, contactBody(#""personId":"\#(personId)""#))
            try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token, headers: [("X-Purpose", "follow-up")])
            try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": "divert"])
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "contact" }
            #expect(entries.map(\.event.action) == [.create, .read, .update])
            #expect(entries.allSatisfy { $0.event.personID == personID && $0.event.resourceID == contact.id })
            #expect(entries[1].event.purpose == "follow-up")
            #expect(try await AuditLedger().verify(on: t.app.db) == .intact(entries: Int64(try await AuditLedger().count(on: t.app.db))))
        }
    }

    @Test(arguments: [
        (contactBody(#""personId":"PERSON""#).replacingOccurrences(of: #""occurredAt":"2026-11-18T09:00:00Z","#, with: ""), ["occurredAt"]),
        (contactBody(#""personId":"PERSON""#, occurredAt: "2026-11-19T12:00:00Z"), ["occurredAt"]),
        (contactBody(#""personId":"PERSON""#, occurredAt: "yesterday"), ["occurredAt"]),
        (contactBody(#""personId":"PERSON""#, occurredAt: "1999-12-31T23:00:00Z"), ["occurredAt"]),
        (contactBody(#""personId":"PERSON""#).replacingOccurrences(of: #""region":"R1","#, with: ""), ["region"]),
        (contactBody(#""personId":"PERSON""#, region: "R 1"), ["region"]),
        (contactBody(#""personId":"PERSON""#, extra: #","latitude":91,"longitude":0"#), ["latitude"]),
        (contactBody(#""personId":"PERSON""#, extra: #","latitude":38.7"#), ["longitude"]),
        (contactBody(#""personId":"PERSON""#, extra: #","stage":"arrest""#), ["stage"]),
        (contactBody(#""stage":"pre_trial""#), ["personId"]),
        (contactBody(#""personId":"abc""#), ["personId"]),
        (contactBody(#""personId":"3f2c9a1e-0000-4000-8000-000000000000""#), ["personId"]),
        (contactBody(#""personId":"PERSON","person":{"givenName":"Ana","familyName":"Silva","birthDate":"1994-05-17","sex":"female"}"#), ["person"]),
        (contactBody(#""person":{"givenName":"Ana","familyName":"Silva","birthDate":"2999-05-17","sex":"female"}"#), ["person.birthDate"]),
        (contactBody(#""person":{"birthDate":"1994-05-17","sex":"female"}"#), ["person.givenName", "person.familyName"]),
        (contactBody(#""personId":"PERSON""#).replacingOccurrences(of: #""offences":[{"category":"possession_personal_use"}],"#, with: ""), ["offences"]),
        (contactBody(#""personId":"PERSON""#).replacingOccurrences(of: #"{"category":"possession_personal_use"}"#, with: "{}"), ["offences[0].category"]),
        (contactBody(#""personId":"PERSON""#).replacingOccurrences(of: "possession_personal_use", with: "jaywalking"), ["offences[0].category"]),
        (contactBody(#""personId":"PERSON""#, seizures: grams(1, of: "kratom")), ["seizures[0].substance"]),
        (contactBody(#""personId":"PERSON""#, seizures: #"[{"substance":"cannabis_herb","unit":"g"}]"#), ["seizures[0].quantity"]),
        (contactBody(#""personId":"PERSON""#, seizures: "[" + Array(repeating: #"{"substance":"cannabis_herb","quantity":1,"unit":"g"}"#, count: 21).joined(separator: ",") + "]"), ["seizures"]),
        (contactBody(#""personId":"PERSON""#, seizures: #"[{"substance":"cannabis_herb","quantity":1,"unit":"g","packaging":["box"]}]"#), ["seizures[0].packaging[0]"]),
    ])
    func badContactsAre422NamingTheFieldAndStoreNothing(body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let response = try await t.send(.POST, "/api/v1/contacts", token: token,
                                            body: body.replacingOccurrences(of: "PERSON", with: personId), contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
            #expect(try await ContactModel.query(on: t.app.db).count() == 0)
            #expect(try await PersonModel.query(on: t.app.db).count() == 37) // the demo people and the one registered here
        }
    }

    @Test(arguments: ["provider", "analyst", "admin", "prosecutor", "judge", "supervisor"])
    func onlyPoliceOfficersRecordContacts(user: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer)
            let token = try await t.token(user)
            let response = try await t.send(.POST, "/api/v1/contacts", token: token, body: contactBody(#""personId":"\#(personId)""#), contentType: "application/json")
            #expect(response.status == .forbidden)
            #expect(try response.problem().detail.contains("may not create contacts"))
            #expect(try await ContactModel.query(on: t.app.db).count() == 0)
        }
    }

    @Test(arguments: ["provider", "analyst", "admin"])
    func providersAnalystsAndAdministratorsNeverReadContacts(user: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer)
            let contact = try await record(t, officer, contactBody(#""personId":"\#(personId)""#))
            let token = try await t.token(user)
            let one = try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token)
            let mine = try await t.send(.GET, "/api/v1/contacts", token: token)
            let theirs = try await t.send(.GET, "/api/v1/contacts?personId=\(personId)", token: token)
            let decision = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": "divert"])
            #expect([one.status, mine.status, theirs.status, decision.status] == [.forbidden, .forbidden, .forbidden, .forbidden])
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "contact" }.map(\.event.username) == ["officer"])
        }
    }

    @Test(arguments: ["prosecutor", "judge", "supervisor"])
    func otherJusticeRolesReadContactsButDoNotDecide(user: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer)
            let contact = try await record(t, officer, contactBody(#""personId":"\#(personId)""#))
            let token = try await t.token(user)
            let read = try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token)
            #expect(read.status == .ok)
            #expect(try read.json(ContactResponse.self).evaluation.policyVersion == "2026.1")
            let listed = try await t.send(.GET, "/api/v1/contacts?personId=\(personId)", token: token)
            #expect(try listed.json(ContactController.ContactList.self).items.map(\.id) == [contact.id])
            let decision = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": "divert"])
            #expect(decision.status == .forbidden)
        }
    }

    @Test func withoutATokenContactsAre401() async throws {
        try await TestApp.run { t in
            let id = UUID().uuidString
            let create = try await t.send(.POST, "/api/v1/contacts", body: contactBody(#""personId":"\#(id)""#), contentType: "application/json")
            let list = try await t.send(.GET, "/api/v1/contacts")
            let read = try await t.send(.GET, "/api/v1/contacts/\(id)")
            let decide = try await t.send(.POST, "/api/v1/contacts/\(id)/decision", json: ["decision": "divert"])
            #expect([create.status, list.status, read.status, decide.status] == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
        }
    }

    @Test func anUnknownContactIs404AndAMalformedIdIs422() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let id = UUID().uuidString
            let read = try await t.send(.GET, "/api/v1/contacts/\(id)", token: token)
            #expect(read.status == .notFound)
            #expect(try read.problem().status == 404)
            let decide = try await t.send(.POST, "/api/v1/contacts/\(id)/decision", token: token, json: ["decision": "divert"])
            #expect(decide.status == .notFound)
            let malformed = try await t.send(.GET, "/api/v1/contacts/12345", token: token)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.first?.field == "id")
        }
    }

    @Test func theOfficerRecordsOneDecisionAndASecondIs409() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let contact = try await record(t, token, contactBody(#""personId":"\#(personId)""#))
            let first = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token,
                                         json: ["decision": "refer_to_prosecutor", "reason": "  Third contact this year; the prosecutor should look at it. "])
            #expect(first.status == .ok)
            let decided = try first.json(ContactResponse.self)
            #expect(decided.decision?.decision == "refer_to_prosecutor")
            #expect(decided.decision?.reason == "Third contact this year; the prosecutor should look at it.")
            #expect(decided.decision?.decidedAt == t.clock.now.formatted(.iso8601))

            let second = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": "divert"])
            #expect(second.status == .conflict)
            #expect(try second.problem().detail.contains("refer_to_prosecutor"))
            let stored = try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token).json(ContactResponse.self)
            #expect(stored.decision?.decision == "refer_to_prosecutor")
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "contact" && $0.event.action == .update }.count == 1)
        }
    }

    @Test(arguments: [
        (#"{"decision":"charge"}"#, 12.0, "reason"),
        (#"{"decision":"no_further_action","reason":"   "}"#, 12.0, "reason"),
        (#"{"decision":"release"}"#, 12.0, "decision"),
        (#"{"reason":"because"}"#, 12.0, "decision"),
        (#"{"decision":"divert"}"#, 30.0, "decision"), // 30 g is above the threshold: the police may not divert
        (#"{"decision":"divert","reason":"The person asked for treatment."}"#, 30.0, "decision"),
        (#"{"decision":"charge","reason":""# + String(repeating: "r", count: 1001) + #""}"#, 30.0, "reason"),
    ])
    func aWrongDecisionIs422NamingTheFieldAndLeavesTheContactUndecided(body: String, quantity: Double, field: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let contact = try await record(t, token, contactBody(#""personId":"\#(personId)""#, seizures: grams(quantity)))
            let response = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == [field])
            let recommended = contact.evaluation.recommendedDecision
            let then = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": recommended])
            #expect(then.status == .ok)
        }
    }

    @Test func anIneligibleContactIsReferredToTheProsecutorWithoutAReason() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let contact = try await record(t, token, contactBody(#""personId":"\#(personId)""#, seizures: grams(30)))
            #expect(!contact.evaluation.eligible)
            #expect(contact.evaluation.route == "refer_to_prosecutor")
            #expect(contact.evaluation.recommendedDecision == "refer_to_prosecutor")
            let decided = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: token, json: ["decision": "refer_to_prosecutor"])
            #expect(decided.status == .ok)
            #expect(try decided.json(ContactResponse.self).decision?.reason == nil)
        }
    }

    @Test func anOfficerOfAnotherAgencyMayNotDecide() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let contact = try await record(t, token, contactBody(#""personId":"\#(personId)""#))
            let other = try await t.addStaff("officer.r2", role: .officer, agency: "R2 Police Service")
            let response = try await t.send(.POST, "/api/v1/contacts/\(contact.id)/decision", token: other, json: ["decision": "divert"])
            #expect(response.status == .forbidden)
            let stored = try await t.send(.GET, "/api/v1/contacts/\(contact.id)", token: token).json(ContactResponse.self)
            #expect(stored.decision == nil)
        }
    }

    @Test func theOfficerListsTheirOwnContactsAndAPersonsContactsNewestFirst() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let ana = try await t.registerPerson(token, givenName: "Ana", familyName: "Costa", sex: "female")
            let rui = try await t.registerPerson(token)
            let older = try await record(t, token, contactBody(#""personId":"\#(ana)""#, occurredAt: "2026-11-01T10:00:00Z"))
            t.clock.advance(60)
            let newer = try await record(t, token, contactBody(#""personId":"\#(ana)""#, occurredAt: "2026-11-15T10:00:00Z"))
            t.clock.advance(60)
            let ruis = try await record(t, token, contactBody(#""personId":"\#(rui)""#, occurredAt: "2026-11-10T10:00:00Z"))

            let anas = try await t.send(.GET, "/api/v1/contacts?personId=\(ana)", token: token)
            #expect(anas.status == .ok)
            #expect(try anas.json(ContactController.ContactList.self).items.map(\.id) == [newer.id, older.id])
            let mine = try await t.send(.GET, "/api/v1/contacts", token: token).json(ContactController.ContactList.self)
            #expect(mine.items.map(\.id) == [ruis.id, newer.id, older.id])
            let searches = try await t.auditEntries().filter { $0.event.resourceType == "contact" && $0.event.action == .search }
            #expect(searches.count == 5)

            let stranger = try await t.addStaff("officer.r3", role: .officer, agency: "R3 Police Service")
            #expect(try await t.send(.GET, "/api/v1/contacts", token: stranger).json(ContactController.ContactList.self).items.isEmpty)

            let malformed = try await t.send(.GET, "/api/v1/contacts?personId=abc", token: token)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.map(\.field) == ["personId"])
        }
    }
}
