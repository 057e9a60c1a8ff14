import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension CaptureAPITests {
    /// The id of the demo service of region R1 whose name ends with `name`.
    func serviceID(_ t: TestApp, _ name: String) async throws -> String {
        let services = try await ServiceStore().list(region: "R1", on: t.app.db)
        return try #require(services.first { $0.profile.name.hasSuffix(name) }).id.uuidString.lowercased()
    }

    /// A capture of a new adult woman, decided `divert` (or as given, or undecided when empty), referring to `service`.
    func referringBody(_ service: String, decision: String = "divert", extra: String = "") -> String {
        let decided = decision.isEmpty ? "" : #","decision":{"decision":"\#(decision)","reason":"Seen on patrol."}"#
        return captureBody(newPersonSubject, extra: #"\#(decided),"referral":{"serviceId":"\#(service)"\#(extra)}"#)
    }

    @Test func aCaptureWithAReferralSendsItWithTheContactAndARetrySendsItOnce() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let clinic = try await serviceID(t, "Outpatient Clinic")
            let before = try await count(ReferralModel.self, t)
            let key = UUID().uuidString
            let body = referringBody(clinic, extra: #","urgency":"urgent","needs":["outpatient"]"#)
            let first = try await capture(t, officer, key: key, body)
            try #require(first.status == .created, "capture answered \(first.status): \(first.text)")
            let recorded = try first.json(CaptureService.Recorded.self)
            let outcome = try #require(recorded.referral)
            #expect(outcome.status == CaptureReferralOutcome.sent && outcome.serviceId == clinic && outcome.problem == nil)
            let referralID = try #require(UUID(uuidString: outcome.referralId ?? ""))
            let stored = try #require(try await ReferralStore().find(referralID, on: t.app.db))
            #expect(stored.contactID?.uuidString.lowercased() == recorded.contact.id)
            #expect(stored.personID.uuidString.lowercased() == recorded.personId)
            #expect(stored.status == .sent && stored.urgency == .urgent && stored.needs == [.outpatient] && stored.dueBy != nil)
            #expect(!stored.reason.isEmpty, "the default reason names the contact")
            let audit = try await t.auditEntries().filter { $0.event.personID?.uuidString.lowercased() == recorded.personId }
            #expect(audit.contains { $0.event.action == .create && $0.event.resourceType == "referral" && $0.event.resourceID == outcome.referralId })

            t.clock.advance(60)
            let again = try await capture(t, officer, key: key, body)
            #expect(again.status == .created && again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(again.text == first.text)
            #expect(try await count(ReferralModel.self, t) == before + 1, "a retry sent the referral again")
        }
    }

    @Test(arguments: [("Intensive Day Programme", "service_full"), ("Youth Counselling Service", "service_cannot_take")])
    func aServiceThatCannotTakeThePersonLeavesTheContactRecordedAndTheReferralNeedingAttention(service: String, problem: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let id = try await serviceID(t, service)
            let (contacts, referrals) = (try await count(ContactModel.self, t), try await count(ReferralModel.self, t))
            let key = UUID().uuidString
            let response = try await capture(t, officer, key: key, referringBody(id))
            try #require(response.status == .created, "capture answered \(response.status): \(response.text)")
            let recorded = try response.json(CaptureService.Recorded.self)
            let outcome = try #require(recorded.referral, "the referral part was dropped silently")
            #expect(outcome.status == CaptureReferralOutcome.needsAttention && outcome.problem == problem)
            #expect(outcome.referralId == nil && outcome.serviceId == id)
            #expect(outcome.detail?.contains(service) == true, "the reason names the service: \(outcome.detail ?? "")")
            #expect(outcome.referOnline == "/contacts/\(recorded.contact.id)#suggestions")
            #expect(recorded.contact.decision?.decision == "divert")
            #expect(try await count(ContactModel.self, t) == contacts + 1)
            #expect(try await count(ReferralModel.self, t) == referrals)
            // The retry answers the same problem and still writes nothing more.
            let again = try await capture(t, officer, key: key, referringBody(id))
            #expect(again.text == response.text)
            #expect(try await count(ContactModel.self, t) == contacts + 1)
        }
    }

    @Test(arguments: ["prosecutor", "provider", "analyst"])
    func onlyPoliceOfficersSendReferralsWithACapture(username: String) async throws {
        try await TestApp.run { t in
            let clinic = try await serviceID(t, "Outpatient Clinic")
            let referrals = try await count(ReferralModel.self, t)
            let response = try await capture(t, try await t.token(username), key: UUID().uuidString, referringBody(clinic))
            #expect(response.status == .forbidden)
            #expect(try await count(ReferralModel.self, t) == referrals)
        }
    }

    @Test(arguments: [
        (#"not-a-service"#, "divert", "", "referral.serviceId"),
        ("5b0c1e0e-0000-4000-8000-000000000000", "divert", "", "referral.serviceId"),
        ("", "divert", #","urgency":"whenever""#, "referral.urgency"),
        ("", "divert", #","needs":["surfing"]"#, "referral.needs[0]"),
        ("", "refer_to_prosecutor", "", "referral"),
        ("", "", "", "referral"),
    ])
    func aBadReferralIsA422AndNothingIsRecorded(service: String, decision: String, extra: String, field: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let id = service.isEmpty ? try await serviceID(t, "Outpatient Clinic") : service
            let (contacts, referrals) = (try await count(ContactModel.self, t), try await count(ReferralModel.self, t))
            let response = try await capture(t, officer, key: UUID().uuidString, referringBody(id, decision: decision, extra: extra))
            #expect(response.status == .unprocessableEntity, "answered \(response.status): \(response.text)")
            let named = try response.problem().errors?.map(\.field) ?? []
            #expect(named.contains(field), "named \(named)")
            #expect(try await count(ContactModel.self, t) == contacts)
            #expect(try await count(ReferralModel.self, t) == referrals)
        }
    }

    @Test func theOfficersPageKeepsTheDirectoryOfTheirRegion() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let directory = try await t.send(.GET, "/contacts/offline/services.json", headers: [jar.header])
            try #require(directory.status == .ok, "answered \(directory.status)")
            let items = try directory.json(ServiceController.ServiceList.self).items
            #expect(!items.isEmpty)
            #expect(items.allSatisfy { $0.region == "R1" }, "regions \(Set(items.map(\.region)))")
            let signedOut = try await t.send(.GET, "/contacts/offline/services.json")
            #expect(signedOut.status != .ok)
            let api = try await t.send(.GET, "/api/v1/captures/directory", token: try await t.token("officer"))
            #expect(api.status == .ok)
            #expect(try api.json(ServiceController.ServiceList.self).items.map(\.id) == items.map(\.id), "the API and the page list the same directory")
            let bundle = try await t.send(.GET, "/contacts/offline/bundle.json", headers: [jar.header])
            let messages = (try JSONSerialization.jsonObject(with: Data(buffer: bundle.body)) as? [String: Any])?["messages"] as? [String: String]
            #expect(messages?["modality_outpatient"] != nil, "the page names needs in the officer's language")
        }
    }

    @Test func aPersonsPageLinksOfficersToTheOfflineCaptureForThatPerson() async throws {
        try await TestApp.run { t in
            let person = try await t.registerPerson(try await t.token("officer"))
            let (officer, _) = try await t.browserSignIn("officer")
            let page = try await t.send(.GET, "/people/\(person)", headers: [officer.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"href="/contacts/offline?personId=\#(person)" id="offline-capture-link""#))
            let (prosecutor, _) = try await t.browserSignIn("prosecutor")
            let other = try await t.send(.GET, "/people/\(person)", headers: [prosecutor.header])
            #expect(other.status == .ok && !other.text.contains("offline-capture-link"))
        }
    }
}
