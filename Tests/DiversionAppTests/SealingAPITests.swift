import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Sealing a case that ends well")
struct SealingAPITests {
    /// A case with one contact and one measure, as the demo policy seals it once the measure is completed.
    struct Ended {
        var personId: String
        var caseId: String
        var contactId: String
        var measureId: String
    }

    /// Records a contact, opens a case on it, orders probation from 2026-11-10 and ends it with `outcome`.
    static func ended(_ t: TestApp, outcome: String? = "completed") async throws -> Ended {
        let officer = try await t.token("officer")
        let personId = try await t.registerPerson(officer, givenName: "Marta", familyName: "Seixas")
        let recorded = try await t.send(.POST, "/api/v1/contacts", token: officer, body: contactBody(#""personId":"\#(personId)""#), contentType: "application/json")
        try #require(recorded.status == .created, "the contact answered \(recorded.status): \(recorded.text)")
        let contactId = try recorded.json(ContactResponse.self).id
        let judge = try await t.token("judge")
        let opened = try await t.send(.POST, "/api/v1/cases", token: judge, body: #"{"personId":"\#(personId)","contactIds":["\#(contactId)"]}"#, contentType: "application/json")
        try #require(opened.status == .created, "opening the case answered \(opened.status): \(opened.text)")
        let caseId = try opened.json(CaseResponse.self).id
        let decided = try await t.send(.POST, "/api/v1/cases/\(caseId)/decisions", token: judge, body: MeasureAPITests.sentencing(), contentType: "application/json")
        try #require(decided.status == .created, "the decision answered \(decided.status): \(decided.text)")
        let measureId = try #require(try decided.json(CaseResponse.self).measures.first?.id)
        if let outcome {
            let ended = try await t.send(.POST, "/api/v1/measures/\(measureId)/outcome", token: judge,
                                         json: ["outcome": outcome, "date": "2026-11-18", "note": "All sixty hours done and reported."])
            try #require(ended.status == .ok, "the outcome answered \(ended.status): \(ended.text)")
        }
        return Ended(personId: personId, caseId: caseId, contactId: contactId, measureId: measureId)
    }

    /// Every route through which `user` could see the case, with what it answered.
    static func sees(_ t: TestApp, _ user: String, _ e: Ended) async throws -> [String: Bool] {
        let token = try await t.token(user)
        var seen: [String: Bool] = [:]
        func status(_ path: String) async throws -> HTTPStatus { try await t.send(.GET, path, token: token).status }
        func listed(_ path: String, _ id: String) async throws -> Bool {
            let response = try await t.send(.GET, path, token: token)
            return response.status == .ok && response.text.contains(id)
        }
        seen["case list"] = try await listed("/api/v1/cases?personId=\(e.personId)", e.caseId)
        seen["case read"] = try await status("/api/v1/cases/\(e.caseId)") == .ok
        seen["contact list"] = try await listed("/api/v1/contacts?personId=\(e.personId)", e.contactId)
        seen["contact read"] = try await status("/api/v1/contacts/\(e.contactId)") == .ok
        if user != "officer" {
            seen["measure list"] = try await listed("/api/v1/measures?personId=\(e.personId)", e.measureId)
            seen["measure read"] = try await status("/api/v1/measures/\(e.measureId)") == .ok
        }
        let (jar, _) = try await t.browserSignIn(user)
        seen["person page"] = try await t.send(.GET, "/people/\(e.personId)", headers: [jar.header]).text.contains(e.caseId)
        seen["timeline"] = try await t.send(.GET, "/people/\(e.personId)/timeline", headers: [jar.header]).text.contains(e.contactId)
        return seen
    }

    @Test func aCompletedCaseDisappearsFromPoliceAndProsecutionOnEveryRoute() async throws {
        try await TestApp.run { t in
            let e = try await Self.ended(t)
            for user in ["officer", "prosecutor"] {
                let seen = try await Self.sees(t, user, e)
                #expect(seen.filter(\.value).isEmpty, "\(user) still sees \(seen.filter(\.value).keys.sorted())")
            }
            let prosecutor = try await t.token("prosecutor")
            let absent = try await t.send(.GET, "/api/v1/cases/\(e.caseId)", token: prosecutor)
            #expect(absent.status == .notFound)
            #expect(try absent.problem().detail.contains("No case has the id"))
            let decide = try await t.send(.POST, "/api/v1/cases/\(e.caseId)/decisions", token: prosecutor, body: CaseAPITests.decision(), contentType: "application/json")
            #expect(decide.status == .notFound)
            let seal = try await t.auditEntries().filter { $0.event.resourceType == "case_seal" }
            #expect(seal.count == 1)
            #expect(seal.first?.event.resourceID == e.caseId)
        }
    }

    @Test func judgesAndSupervisionOfficersStillSeeASealedCase() async throws {
        try await TestApp.run { t in
            let e = try await Self.ended(t)
            let judge = try await Self.sees(t, "judge", e)
            #expect(judge.filter { !$0.value }.isEmpty, "the judge misses \(judge.filter { !$0.value }.keys.sorted())")
            let supervisor = try await t.token("supervisor")
            #expect(try await t.send(.GET, "/api/v1/cases/\(e.caseId)", token: supervisor).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/measures/\(e.measureId)", token: supervisor).status == .ok)
        }
    }

    @Test func aCaseStillRunningOrRevokedIsNotSealed() async throws {
        try await TestApp.run { t in
            let running = try await Self.ended(t, outcome: nil)
            let revoked = try await Self.ended(t, outcome: "revoked")
            for e in [running, revoked] {
                let seen = try await Self.sees(t, "prosecutor", e)
                #expect(seen.filter { !$0.value }.isEmpty, "the prosecutor misses \(seen.filter { !$0.value }.keys.sorted())")
            }
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "case_seal" }.isEmpty)
        }
    }

    @Test func sealingDeletesNothingSoStatisticsStillCountTheCase() async throws {
        try await TestApp.run { t in
            let e = try await Self.ended(t)
            let caseID = try #require(UUID(uuidString: e.caseId))
            let contactID = try #require(UUID(uuidString: e.contactId))
            #expect(try await CaseStore().find(caseID, .shown, on: t.app.db) != nil)
            #expect(try await CaseStore().find(caseID, .hidden(asOf: t.clock.now), on: t.app.db) == nil)
            #expect(try await ContactStore().find(contactID, .shown, on: t.app.db) != nil)
            #expect(try await MeasureStore().forCase(caseID, on: t.app.db).first?.status == .completed)
            let seal = try #require(try await CaseStore().seal(of: caseID, on: t.app.db))
            #expect(seal.reason.contains("completed"))
        }
    }

    @Test func anAdministratorReadsASealedCaseOnlyWithAWrittenReasonThatIsAudited() async throws {
        try await TestApp.run { t in
            let e = try await Self.ended(t)
            let admin = try await t.token("admin")
            let path = "/api/v1/admin/sealed-cases/\(e.caseId)"
            let reason = "Court order 2027/114 asks for the record of this case"
            let noReason = try await t.send(.GET, path, token: admin)
            #expect(noReason.status == .unprocessableEntity)
            #expect(try noReason.problem().errors?.first?.field == "reason")
            #expect(try await t.send(.GET, path + "?reason=because", token: admin).status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/admin/sealed-cases/nope?reason=\(reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", token: admin).status == .unprocessableEntity)
            let encoded = reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            for user in ["prosecutor", "judge", "analyst"] {
                #expect(try await t.send(.GET, path + "?reason=\(encoded)", token: try await t.token(user)).status == .forbidden, "\(user)")
            }
            let response = try await t.send(.GET, path + "?reason=\(encoded)", token: admin)
            #expect(response.status == .ok)
            let body = try response.json(SealedCaseController.SealedCaseResponse.self)
            #expect(body.justiceCase.id == e.caseId)
            #expect(body.contacts.map(\.id) == [e.contactId])
            #expect(body.sealedReason.contains("completed"))
            let read = try await t.auditEntries().filter { $0.event.resourceType == "sealed_case" }
            #expect(read.count == 1)
            #expect(read.first?.event.purpose == reason)
            #expect(read.first?.event.personID?.uuidString.lowercased() == e.personId)
            let running = try await Self.ended(t, outcome: nil)
            #expect(try await t.send(.GET, "/api/v1/admin/sealed-cases/\(running.caseId)?reason=\(encoded)", token: admin).status == .notFound)
        }
    }
}

extension SealingAPITests {
    @Test func aSealedCaseLeavesTheBreachListsAndTheReferralsMadeAtItsContact() async throws {
        try await TestApp.run { t in
            let running = try await Self.ended(t, outcome: nil)
            let supervisor = try await t.token("supervisor")
            let filed = try await t.send(.POST, "/api/v1/measures/\(running.measureId)/breaches", token: supervisor,
                                         body: #"{"description":"Missed two appointments in November."}"#, contentType: "application/json")
            try #require(filed.status == .created)
            let officer = try await t.token("officer")
            let referral = try await t.refer(officer, personId: running.personId, to: "R1 Outpatient Clinic", extra: #","contactId":"\#(running.contactId)""#)
            let judge = try await t.token("judge")
            let ended = try await t.send(.POST, "/api/v1/measures/\(running.measureId)/outcome", token: judge,
                                         json: ["outcome": "completed", "date": "2026-11-18", "note": "Completed after the review."])
            try #require(ended.status == .ok)
            let prosecutor = try await t.token("prosecutor")
            #expect(try await t.send(.GET, "/api/v1/breaches?status=open", token: prosecutor).json(BreachController.BreachList.self).items.isEmpty)
            #expect(try await t.send(.GET, "/api/v1/breaches?status=open", token: judge).json(BreachController.BreachList.self).items.count == 1)
            #expect(!(try await t.referrals(officer)).contains { $0.id == referral.id })
            let provider = try await t.token("provider")
            #expect(try await t.referrals(provider).contains { $0.id == referral.id })
        }
    }
}
