import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Consents, court orders and disclosures through the API")
struct ConsentAPITests {
    static func consentBody(_ t: TestApp, recipientType: String = "supervision", categories: [String] = ["drug_test_results", "attendance"],
                            measureId: String? = nil) -> String {
        let from = t.clock.now.addingTimeInterval(-60).formatted(.iso8601)
        let until = t.clock.now.addingTimeInterval(86_400 * 180).formatted(.iso8601)
        let list = categories.map { "\"\($0)\"" }.joined(separator: ",")
        let measure = measureId.map { #","measureId":"\#($0)""# } ?? ""
        return #"{"recipientAgencyType":"\#(recipientType)","categories":[\#(list)],"purpose":"supervision","validFrom":"\#(from)","validUntil":"\#(until)","method":"signed_paper"\#(measure)}"#
    }

    @Test func aProviderRecordsAConsentThatIsInForceUntilRevoked() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let provider = try await t.token("provider")
            let created = try await t.send(.POST, "/api/v1/persons/\(personId)/consents", token: provider, body: Self.consentBody(t), contentType: "application/json")
            #expect(created.status == .created, "\(created.text)")
            let consent = try created.json(ConsentResponse.self)
            #expect(consent.inForce && consent.categories == ["attendance", "drug_test_results"])
            let supervisor = try await t.token("supervisor")
            let listed = try await t.send(.GET, "/api/v1/persons/\(personId)/consents", token: supervisor).json(ConsentController.ConsentList.self)
            #expect(listed.items.map(\.id) == [consent.id])
            let revoked = try await t.send(.POST, "/api/v1/consents/\(consent.id)/revoke", token: provider).json(ConsentResponse.self)
            #expect(!revoked.inForce && revoked.revokedAt != nil)
            #expect(try await t.send(.POST, "/api/v1/consents/\(consent.id)/revoke", token: provider).status == .conflict)
        }
    }

    @Test func aConsentForARunningCourtOrderedMeasureStaysInForceAfterRevocation() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t)
            let measureId = try #require(decided.measures.first?.id)
            let provider = try await t.token("provider")
            let consent = try await t.send(.POST, "/api/v1/persons/\(decided.personId)/consents", token: provider,
                                           body: Self.consentBody(t, measureId: measureId), contentType: "application/json").json(ConsentResponse.self)
            #expect(consent.irrevocableWhileMeasure == measureId && consent.note != nil)
            let revoked = try await t.send(.POST, "/api/v1/consents/\(consent.id)/revoke", token: provider).json(ConsentResponse.self)
            #expect(revoked.inForce && revoked.revokedAt != nil && revoked.note?.contains("until the measure ends") == true)
        }
    }

    @Test func badConsentsAreNamedAndPoliceAreNeverRecipients() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let provider = try await t.token("provider")
            let cases: [(String, String)] = [
                (Self.consentBody(t, recipientType: "police"), "recipientAgencyType"),
                (Self.consentBody(t, categories: []), "categories"),
                (Self.consentBody(t, categories: ["contact"]), "categories[0]"),
                (Self.consentBody(t, categories: ["horoscope"]), "categories[0]"),
                (#"{"recipientAgencyType":"court","categories":["diagnosis"],"purpose":"court_decision","validFrom":"2026-11-01T00:00:00Z","method":"electronic"}"#, "validUntil"),
                (#"{"categories":["diagnosis"],"purpose":"gossip","validFrom":"x","validUntil":"2027-01-01T00:00:00Z","method":"telepathy"}"#, "purpose"),
            ]
            for (body, field) in cases {
                let response = try await t.send(.POST, "/api/v1/persons/\(personId)/consents", token: provider, body: body, contentType: "application/json")
                #expect(response.status == .unprocessableEntity, "\(field)")
                #expect(response.text.contains(#""field":"\#(field)""#), "\(field): \(response.text)")
            }
            #expect(try await t.send(.POST, "/api/v1/persons/\(UUID().uuidString)/consents", token: provider, body: Self.consentBody(t),
                                     contentType: "application/json").status == .notFound)
        }
    }

    @Test func onlyProvidersRecordConsentsAndOnlyJudgesRecordOrders() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            for user in ["officer", "prosecutor", "judge", "supervisor", "analyst", "admin"] {
                let token = try await t.token(user)
                let consent = try await t.send(.POST, "/api/v1/persons/\(personId)/consents", token: token, body: Self.consentBody(t), contentType: "application/json")
                #expect(consent.status == .forbidden, "\(user)")
            }
            let until = t.clock.now.addingTimeInterval(86_400 * 30).formatted(.iso8601)
            let order = #"{"categories":["drug_test_results"],"purpose":"court_decision","validFrom":"\#(t.clock.now.formatted(.iso8601))","validUntil":"\#(until)","reference":"2026/114"}"#
            for user in ["officer", "prosecutor", "provider", "supervisor", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.send(.POST, "/api/v1/persons/\(personId)/court-orders", token: token, body: order, contentType: "application/json").status == .forbidden, "\(user)")
            }
            let judge = try await t.token("judge")
            let created = try await t.send(.POST, "/api/v1/persons/\(personId)/court-orders", token: judge, body: order, contentType: "application/json")
            #expect(created.status == .created)
            #expect(try created.json(CourtOrderResponse.self).inForce)
            let bad = try await t.send(.POST, "/api/v1/persons/\(personId)/court-orders", token: judge,
                                       body: #"{"categories":["drug_test_results"],"purpose":"court_decision","validFrom":"\#(t.clock.now.formatted(.iso8601))","validUntil":"\#(until)"}"#,
                                       contentType: "application/json")
            #expect(bad.status == .unprocessableEntity && bad.text.contains(#""field":"reference""#))
            let officer = try await t.token("officer")
            #expect(try await t.send(.GET, "/api/v1/persons/\(personId)/court-orders", token: officer).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/persons/\(personId)/consents", token: officer).status == .forbidden)
        }
    }

    @Test func emergencyAccessNeedsAReasonIsTimeLimitedAndShowsInReview() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let admin = try await t.token("admin")
            let short = try await t.send(.POST, "/api/v1/persons/\(personId)/break-glass", token: admin, json: ["reason": "urgent"])
            #expect(short.status == .unprocessableEntity)
            let long = try await t.send(.POST, "/api/v1/persons/\(personId)/break-glass", token: admin,
                                        body: #"{"reason":"Hospital reports an overdose; finding the treating service.","hours":12}"#, contentType: "application/json")
            #expect(long.status == .unprocessableEntity && long.text.contains(#""field":"hours""#))
            let opened = try await t.send(.POST, "/api/v1/persons/\(personId)/break-glass", token: admin,
                                          body: #"{"reason":"Hospital reports an overdose; finding the treating service.","hours":2}"#, contentType: "application/json")
            #expect(opened.status == .created)
            let review = try await t.send(.GET, "/api/v1/break-glass", token: admin).json(ConsentController.BreakGlassList.self)
            #expect(review.items.count == 1 && review.items[0].reason.contains("overdose"))
            // While it lasts, the administrator reads the person's whole timeline; after it, nothing.
            let (jar, _) = try await t.browserSignIn("admin")
            #expect(try await t.send(.GET, "/people/\(personId)/emergency", headers: [jar.header]).status == .ok)
            #expect(try await t.send(.GET, "/people/\(personId)/timeline", headers: [jar.header]).status == .forbidden)
            t.clock.advance(3 * 3600)
            let (later, _) = try await t.browserSignIn("admin")
            #expect(try await t.send(.GET, "/people/\(personId)/emergency", headers: [later.header]).status == .forbidden)
            let judge = try await t.token("judge")
            #expect(try await t.send(.POST, "/api/v1/persons/\(personId)/break-glass", token: judge,
                                     body: #"{"reason":"Hospital reports an overdose; finding the treating service."}"#, contentType: "application/json").status == .forbidden)
        }
    }

    @Test func theAccountingListsEachDisclosureWithItsBasisAndTheNotice() async throws {
        try await TestApp.run { t in
            let personId = try await CaseAPITests.person(t)
            let provider = try await t.token("provider")
            let consent = try await t.send(.POST, "/api/v1/persons/\(personId)/consents", token: provider, body: Self.consentBody(t), contentType: "application/json")
                .json(ConsentResponse.self)
            // A disclosure made under the consent, as a route showing test results to a supervisor would account for it.
            let supervisorUser = try #require(try await AccountStore().user(username: "supervisor", on: t.app.db))
            let record = DisclosureRecord(id: UUID(), personID: try #require(UUID(uuidString: personId)), recipientUserID: try #require(supervisorUser.id),
                                          recipientName: supervisorUser.displayName, recipientAgencyID: supervisorUser.$agency.id,
                                          categories: [.drugTestResults], purpose: .supervision, basis: .consent(try #require(UUID(uuidString: consent.id))),
                                          what: "GET /api/v1/measures/{id}/tests", disclosedAt: t.clock.now)
            try await ConsentStore().record(record, on: t.app.db)
            let report = try await t.send(.GET, "/api/v1/persons/\(personId)/disclosures", token: provider).json(ConsentController.DisclosureReport.self)
            #expect(report.items.count == 1 && report.items[0].basis == "consent" && report.items[0].basisId == consent.id)
            #expect(report.redisclosureNotice.contains("do not pass it on"))
            let officer = try await t.token("officer")
            #expect(try await t.send(.GET, "/api/v1/persons/\(personId)/disclosures", token: officer).status == .forbidden)
        }
    }
}

extension ConsentAPITests {
    @Test func whereThePolicyShowsStatusOnlyUnderConsentTheReferringSideSeesThatItExistsAndNoMore() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await CaseAPITests.person(t)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            #expect(try await t.referral(officer, sent.id).status == "sent")
            let admin = try await t.token("admin")
            let document = try shippedPolicy("demo")
                .replacingOccurrences(of: #"version: "2026.1""#, with: #"version: "2026.9-status""#)
                + "\ndisclosure:\n  referralStatusWithoutConsent: false\n"
            let published = try await t.send(.POST, "/api/v1/policy/versions", token: admin, json: PublishBody(document: document))
            try #require(published.status == .created, "\(published.text)")
            let shown = try await t.referral(officer, sent.id)
            #expect(shown.status == ReferralResponse.noConsentOnFile && shown.events == nil && shown.dueBy == nil)
            #expect(try await t.referrals(officer).allSatisfy { $0.status == ReferralResponse.noConsentOnFile })
            // The receiving service keeps seeing its own referral in full.
            let provider = try await t.token("provider")
            #expect(try await t.referral(provider, sent.id).status == "sent")
        }
    }
}
