import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension TestApp {
    /// Suggestions for `body`, which must be answered 200.
    func suggestions(_ token: String, _ body: String) async throws -> ReferralController.SuggestionResponse {
        let response = try await send(.POST, "/api/v1/referrals/suggestions", token: token, body: body, contentType: "application/json")
        try #require(response.status == .ok, "suggestions answered \(response.status): \(response.text)")
        return try response.json(ReferralController.SuggestionResponse.self)
    }

    /// Sends a referral of `personId` to the named demo service, which must be answered 201.
    func refer(_ token: String, personId: String, to serviceName: String, extra: String = "") async throws -> ReferralResponse {
        let service = try await service(named: serviceName)
        let body = #"{"personId":"\#(personId)","serviceId":"\#(service.id)","reason":"Screened at a street contact; wants help with cannabis use."\#(extra)}"#
        let response = try await send(.POST, "/api/v1/referrals", token: token, body: body, contentType: "application/json")
        try #require(response.status == .created, "referring answered \(response.status): \(response.text)")
        return try response.json(ReferralResponse.self)
    }

    /// Records an event on a referral and returns the answer as it came.
    @discardableResult
    func referralEvent(_ token: String, _ id: String, _ body: String) async throws -> TestingHTTPResponse {
        try await send(.POST, "/api/v1/referrals/\(id)/events", token: token, body: body, contentType: "application/json")
    }

    func referral(_ token: String, _ id: String) async throws -> ReferralResponse {
        let response = try await send(.GET, "/api/v1/referrals/\(id)", token: token)
        try #require(response.status == .ok, "reading the referral answered \(response.status)")
        return try response.json(ReferralResponse.self)
    }

    func referrals(_ token: String, query: String = "") async throws -> [ReferralResponse] {
        let response = try await send(.GET, "/api/v1/referrals\(query)", token: token)
        try #require(response.status == .ok, "the referral list answered \(response.status): \(response.text)")
        return try response.json(ReferralController.ReferralList.self).items
    }
}

/// A 40-year-old man who speaks English, given inline.
let manInline = #""person":{"birthDate":"1986-05-01","sex":"male","preferredLanguage":"en"}"#

@Suite("Service suggestions through the API")
struct SuggestionAPITests {
    @Test func aManIsNeverOfferedAWomensOrAYouthServiceWhateverHeNeeds() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let needs = #""needs":["outpatient","intensive_outpatient","family_support","brief_intervention","residential","education"],"region":"R1""#
            for subject in [#""personId":"\#(personId)""#, manInline] {
                let answer = try await t.suggestions(token, "{\(subject),\(needs)}")
                #expect(answer.needsSource == "officer")
                #expect(answer.needs.first == "outpatient")
                let names = answer.suggestions.map(\.name)
                #expect(!names.isEmpty)
                #expect(!names.contains { $0.contains("Women's Recovery Service") || $0.contains("Youth Counselling Service") })
                #expect(names.contains("R1 Outpatient Clinic"))
                #expect(answer.suggestions.map(\.rank) == Array(1...answer.suggestions.count))
                #expect(answer.suggestions.allSatisfy { $0.fits.first?.hasPrefix("Offers ") == true })
                #expect(answer.suggestions.count <= 10)
            }
        }
    }

    @Test func aFullServiceCarriesAWarningAndRanksBelowOpenOnesElsewhere() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let answer = try await t.suggestions(token, #"{\#(manInline),"needs":["intensive_outpatient"],"region":"R1"}"#)
            #expect(answer.suggestions.map(\.name) == ["R2 Intensive Day Programme", "R3 Intensive Day Programme", "R1 Intensive Day Programme"])
            #expect(answer.suggestions.map(\.rank) == [1, 2, 3])
            #expect(answer.suggestions[0].warnings == ["In another region (R2)."])
            #expect(answer.suggestions[2].warnings == ["Full: 25 of 25 places taken; waiting list about 21 days."])
            #expect(answer.suggestions[2].fits.contains("In region R1."))
        }
    }

    @Test func aWomanInTheRegionIsOfferedTheWomensServiceFirst() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let body = #"{"person":{"birthDate":"1990-02-02","sex":"female","preferredLanguage":"ar"},"needs":["intensive_outpatient"],"region":"R1"}"#
            let answer = try await t.suggestions(token, body)
            #expect(answer.suggestions.first?.name == "R1 Women's Recovery Service")
            #expect(answer.suggestions.first?.fits.contains("Staff work in ar.") == true)
            // The intensive day programmes work in English and Spanish only.
            #expect(!answer.suggestions.contains { $0.name.contains("Intensive Day Programme") })
        }
    }

    @Test func languagesMatchOnTheirPrimarySubtag() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let brazilian = try await t.registerPerson(token, givenName: "João", familyName: "Santos", language: "pt-BR")
            let answer = try await t.suggestions(token, #"{"personId":"\#(brazilian)","needs":["outpatient"],"region":"R1"}"#)
            let clinic = try #require(answer.suggestions.first { $0.name == "R1 Outpatient Clinic" })
            #expect(clinic.fits.contains("Staff work in pt."))
            #expect(!answer.suggestions.contains { $0.name.contains("Intensive Day Programme") }) // en and es only

            let ukrainian = try await t.suggestions(token, #"{"person":{"birthDate":"1980-01-01","sex":"female","preferredLanguage":"uk-UA"},"needs":["outpatient","brief_intervention"]}"#)
            #expect(!ukrainian.suggestions.isEmpty)
            #expect(ukrainian.suggestions.allSatisfy { $0.fits.contains("Staff work in uk.") })
            #expect(Set(ukrainian.suggestions.map { $0.name.dropFirst(3) }) == ["Opioid Agonist Treatment Unit", "Harm Reduction Drop-in"])
        }
    }

    @Test func aPregnantWomanCaringForChildrenIsNotSentWhereChildrenCannotCome() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let body = #"{"person":{"birthDate":"1995-07-07","sex":"female","preferredLanguage":"pt","flags":["pregnant","caring_for_children"]},"needs":["residential","withdrawal_management"],"region":"R2"}"#
            let answer = try await t.suggestions(token, body)
            #expect(!answer.suggestions.contains { $0.name.contains("Residential Recovery House") })
            let women = try #require(answer.suggestions.first)
            #expect(women.name == "R2 Women's Recovery Service")
            #expect(women.fits.contains("Serves pregnant women."))
            #expect(women.fits.contains("Serves people with children."))
        }
    }

    @Test func aSixteenYearOldIsOfferedOnlyServicesForTheirAge() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let answer = try await t.suggestions(token, #"{"person":{"birthDate":"2010-03-04","sex":"male"},"needs":["brief_intervention","outpatient"],"region":"R3"}"#)
            #expect(Set(answer.suggestions.map(\.name)) == [
                "R1 Youth Counselling Service", "R2 Youth Counselling Service", "R3 Youth Counselling Service",
                "R1 Harm Reduction Drop-in", "R2 Harm Reduction Drop-in", "R3 Harm Reduction Drop-in",
            ])
            #expect(answer.suggestions.first?.name == "R3 Youth Counselling Service")
        }
    }

    @Test func needsComeFromTheOfficerTheLatestScreeningOrTheDefault() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let fallback = try await t.suggestions(token, #"{"personId":"\#(personId)","region":"R1"}"#)
            #expect(fallback.needsSource == "default")
            #expect(fallback.needs == ["brief_intervention", "outpatient"])

            // Daily opioid use with injecting: ASSIST high.
            let screening = #"{"personId":"\#(personId)","instrument":"assist","answers":{"opioids":{"q1":true,"q2":4,"q3":4,"q4":4,"q5":4,"q6":1,"q7":1,"q8":1}}}"#
            let recorded = try await t.send(.POST, "/api/v1/screenings", token: token, body: screening, contentType: "application/json")
            try #require(recorded.status == .created)
            let screened = try await t.suggestions(token, #"{"personId":"\#(personId)","region":"R1"}"#)
            #expect(screened.needsSource == "screening")
            #expect(screened.needs == ["opioid_agonist_treatment", "intensive_outpatient", "residential", "withdrawal_management", "outpatient", "harm_reduction", "hiv_hepatitis"])
            #expect(screened.suggestions.first?.name == "R1 Opioid Agonist Treatment Unit")

            let chosen = try await t.suggestions(token, #"{"personId":"\#(personId)","needs":["housing"],"region":"R1"}"#)
            #expect(chosen.needsSource == "officer")
            #expect(chosen.needs == ["housing"])
            #expect(chosen.suggestions.first?.name == "R1 Faith Community Recovery Circle")

            let personID = try #require(UUID(uuidString: personId))
            let reads = try await t.auditEntries().filter { $0.event.personID == personID && $0.event.resourceType == "person" && $0.event.action == .read }
            #expect(reads.count == 3)
        }
    }

    @Test(arguments: [
        (#"{"needs":["outpatient"]}"#, ["personId"]),
        (#"{"personId":"abc"}"#, ["personId"]),
        (#"{"personId":"3f2c9a1e-0000-4000-8000-000000000000"}"#, ["personId"]),
        (#"{"personId":"abc","needs":["yoga"]}"#, ["needs[0]", "personId"]),
        (#"{\#(manInline),"needs":["outpatient","yoga"]}"#, ["needs[1]"]),
        (#"{"person":{"sex":"male"}}"#, ["person.birthDate"]),
        (#"{"person":{"birthDate":"2999-01-01","sex":"male"}}"#, ["person.birthDate"]),
        (#"{"person":{"birthDate":"1986-05-01","sex":"man"}}"#, ["person.sex"]),
        (#"{"person":{"birthDate":"1986-05-01","sex":"male","preferredLanguage":"??"}}"#, ["person.preferredLanguage"]),
        (#"{"person":{"birthDate":"1986-05-01","sex":"male","flags":["tall"]}}"#, ["person.flags[0]"]),
    ])
    func wrongSuggestionRequestsAre422NamingTheField(body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.POST, "/api/v1/referrals/suggestions", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
        }
    }

    @Test(arguments: ["provider", "supervisor", "analyst", "admin"])
    func onlyTheReferringRolesAskForSuggestions(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            let response = try await t.send(.POST, "/api/v1/referrals/suggestions", token: token, body: "{\(manInline)}", contentType: "application/json")
            #expect(response.status == .forbidden)
        }
    }

    @Test(arguments: ["prosecutor", "judge"])
    func prosecutorsAndJudgesAskForSuggestionsToo(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            #expect(try await !t.suggestions(token, "{\(manInline)}").suggestions.isEmpty)
        }
    }

    @Test func withoutATokenSuggestionsAre401() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/referrals/suggestions", body: "{\(manInline)}", contentType: "application/json")
            #expect(response.status == .unauthorized)
        }
    }
}

@Suite("Referrals through the API")
struct ReferralAPITests {
    @Test func anOfficerSendsAReferralDueWithinTheAcceptanceTime() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let body = #"{"personId":"\#(personId)","serviceId":"\#(clinic.id)","reason":"  Asked for help at a street contact. ","urgency":"urgent","needs":["outpatient","mental_health"]}"#
            let response = try await t.send(.POST, "/api/v1/referrals", token: token, headers: [("X-Purpose", "referral at contact")], body: body, contentType: "application/json")
            #expect(response.status == .created)
            let referral = try response.json(ReferralResponse.self)
            #expect(response.headers.first(name: .location) == "/api/v1/referrals/\(referral.id)")
            #expect(referral.personId == personId)
            #expect(referral.serviceId == clinic.id)
            #expect(referral.status == "sent")
            #expect(referral.reason == "Asked for help at a street contact.")
            #expect(referral.urgency == "urgent")
            #expect(referral.needs == ["outpatient", "mental_health"])
            #expect(referral.referredBy == "Officer Dana Reyes")
            #expect(referral.referringAgencyId == (try await t.agencyID("R1 Police Service")))
            #expect(referral.receivingAgencyId == clinic.agencyId)
            #expect(referral.statusSince == t.clock.now.formatted(.iso8601))
            #expect(referral.dueBy == t.clock.now.addingTimeInterval(48 * 3600).formatted(.iso8601))
            #expect(!referral.overdue)
            #expect(referral.events?.isEmpty == true)

            let personID = try #require(UUID(uuidString: personId))
            let entries = try await t.auditEntries().filter { $0.event.resourceType == "referral" }
            #expect(entries.map(\.event.action) == [.create])
            #expect(entries.first?.event.personID == personID)
            #expect(entries.first?.event.resourceID == referral.id)
            #expect(entries.first?.event.purpose == "referral at contact")
        }
    }

    @Test func aReferralMayNameTheContactItCameFrom() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let created = try await t.send(.POST, "/api/v1/contacts", token: token, body: contactBody(#""personId":"\#(personId)""#), contentType: "application/json")
            let contact = try created.json(ContactResponse.self)
            let referral = try await t.refer(token, personId: personId, to: "R1 Outpatient Clinic", extra: #","contactId":"\#(contact.id)""#)
            #expect(referral.contactId == contact.id)
            #expect(referral.needs == ["brief_intervention", "outpatient"]) // no screening: the default needs
        }
    }

    @Test(arguments: [
        ("a man to the women's service", ["serviceId"]),
        ("a man to the youth service", ["serviceId"]),
        ("no reason", ["reason"]),
        ("blank reason", ["reason"]),
        ("long reason", ["reason"]),
        ("unknown urgency", ["urgency"]),
        ("no person", ["personId"]),
        ("unknown person", ["personId"]),
        ("no service", ["serviceId"]),
        ("unknown service", ["serviceId"]),
        ("malformed contact", ["contactId"]),
        ("another person's contact", ["contactId"]),
        ("unknown need", ["needs[0]"]),
    ])
    func aWrongReferralIs422NamingTheFieldAndSendsNothing(problem: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let personId = try await t.registerPerson(token)
            let otherId = try await t.registerPerson(token, givenName: "Omar", familyName: "Haddad")
            let contact = try await t.send(.POST, "/api/v1/contacts", token: token, body: contactBody(#""personId":"\#(otherId)""#), contentType: "application/json")
                .json(ContactResponse.self)
            let clinic = try await t.service(named: "R1 Outpatient Clinic").id
            var object: [String: Any] = ["personId": personId, "serviceId": clinic, "reason": "Asked for help."]
            switch problem {
            case "a man to the women's service": object["serviceId"] = try await t.service(named: "R1 Women's Recovery Service").id
            case "a man to the youth service": object["serviceId"] = try await t.service(named: "R1 Youth Counselling Service").id
            case "no reason": object["reason"] = nil
            case "blank reason": object["reason"] = "  \n "
            case "long reason": object["reason"] = String(repeating: "r", count: 1001)
            case "unknown urgency": object["urgency"] = "asap"
            case "no person": object["personId"] = nil
            case "unknown person": object["personId"] = UUID().uuidString
            case "no service": object["serviceId"] = nil
            case "unknown service": object["serviceId"] = UUID().uuidString
            case "malformed contact": object["contactId"] = "contact-1"
            case "another person's contact": object["contactId"] = contact.id
            case "unknown need": object["needs"] = ["yoga"]
            default: Issue.record("unknown problem \(problem)")
            }
            let body = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            let response = try await t.send(.POST, "/api/v1/referrals", token: token, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity)
            let problemDocument = try response.problem()
            #expect(problemDocument.errors?.map(\.field) == fields)
            if problem == "a man to the women's service" {
                #expect(problemDocument.errors?.first?.reason == "R1 Women's Recovery Service serves female people only.")
            }
            if problem == "a man to the youth service" {
                #expect(problemDocument.errors?.first?.reason == "R1 Youth Counselling Service serves ages 12–21; the person is 40.")
            }
            #expect(try await ReferralModel.query(on: t.app.db).count() == 0)
        }
    }

    @Test(arguments: ["provider", "supervisor", "analyst", "admin"])
    func rolesThatDoNotReferAreRefused(user: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let personId = try await t.registerPerson(officer)
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let token = try await t.token(user)
            let body = #"{"personId":"\#(personId)","serviceId":"\#(clinic.id)","reason":"Asked for help."}"#
            let response = try await t.send(.POST, "/api/v1/referrals", token: token, body: body, contentType: "application/json")
            #expect(response.status == .forbidden)
            #expect(try response.problem().detail.contains("may not create referrals"))
            #expect(try await ReferralModel.query(on: t.app.db).count() == 0)
        }
    }

    @Test func withoutATokenReferralsAre401() async throws {
        try await TestApp.run { t in
            let id = UUID().uuidString
            let create = try await t.send(.POST, "/api/v1/referrals", body: #"{"personId":"\#(id)","serviceId":"\#(id)","reason":"x"}"#, contentType: "application/json")
            let list = try await t.send(.GET, "/api/v1/referrals")
            let read = try await t.send(.GET, "/api/v1/referrals/\(id)")
            let event = try await t.send(.POST, "/api/v1/referrals/\(id)/events", body: #"{"type":"received"}"#, contentType: "application/json")
            #expect([create.status, list.status, read.status, event.status] == [.unauthorized, .unauthorized, .unauthorized, .unauthorized])
        }
    }

    @Test func theWholeLoopRunsAndTheOfficerSeesTheStatusButNeverTheProvidersNote() async throws {
        try await TestApp.run { t in
            var officer = try await t.token("officer")
            var provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")

            t.clock.advance(3600)
            let received = try await t.referralEvent(provider, sent.id, #"{"type":"received"}"#)
            #expect(received.status == .created)
            #expect(try received.json(ReferralResponse.self).status == "received")

            t.clock.advance(3600)
            let accepted = try await t.referralEvent(provider, sent.id, #"{"type":"accepted","note":"History of depression; see intake form."}"#)
            #expect(accepted.status == .created)
            let afterAccepting = try accepted.json(ReferralResponse.self)
            #expect(afterAccepting.status == "accepted")
            #expect(afterAccepting.dueBy == t.clock.now.addingTimeInterval(7 * 86400).formatted(.iso8601))
            #expect(afterAccepting.events?.last?.note == "History of depression; see intake form.") // the service sees its own note

            let missing = try await t.referralEvent(provider, sent.id, #"{"type":"intake_scheduled"}"#)
            #expect(missing.status == .unprocessableEntity)
            #expect(try missing.problem().errors?.map(\.field) == ["scheduledFor"])
            let scheduled = try await t.referralEvent(provider, sent.id, #"{"type":"intake_scheduled","scheduledFor":"2026-11-23T10:00:00Z","note":"Bring ID."}"#)
            #expect(scheduled.status == .created)
            let afterScheduling = try scheduled.json(ReferralResponse.self)
            #expect(afterScheduling.scheduledFor == "2026-11-23T10:00:00Z")
            #expect(afterScheduling.dueBy == "2026-11-23T10:00:00Z")

            t.clock.advance(5 * 86400)
            // API tokens last eight hours: sign in again after the days pass.
            officer = try await t.token("officer")
            provider = try await t.token("provider")
            #expect(try await t.referralEvent(provider, sent.id, #"{"type":"intake_attended"}"#).status == .created)
            let engaged = try await t.referralEvent(provider, sent.id, #"{"type":"engaged","note":"Attending twice a week."}"#)
            #expect(engaged.status == .created)
            let inCare = try engaged.json(ReferralResponse.self)
            #expect(inCare.status == "engaged")
            #expect(inCare.dueBy == nil)
            #expect(!inCare.overdue)

            let seenByOfficer = try await t.referral(officer, sent.id)
            #expect(seenByOfficer.status == "engaged")
            #expect(seenByOfficer.scheduledFor == "2026-11-23T10:00:00Z")
            let events = try #require(seenByOfficer.events)
            #expect(events.map(\.type) == ["received", "accepted", "intake_scheduled", "intake_attended", "engaged"])
            #expect(events.allSatisfy { $0.note == nil })
            #expect(events.allSatisfy { $0.recordedBy == "Dr. Lucía Fernández" })
            #expect(!seenByOfficer.text(contains: "depression"))

            let raw = try await t.send(.GET, "/api/v1/referrals/\(sent.id)", token: officer)
            #expect(!raw.text.contains("depression"))
            #expect(!raw.text.contains("Bring ID"))

            let seenByProvider = try await t.referral(provider, sent.id)
            #expect(seenByProvider.events?.compactMap(\.note) == ["History of depression; see intake form.", "Bring ID.", "Attending twice a week."])

            let updates = try await t.auditEntries().filter { $0.event.resourceType == "referral" && $0.event.action == .update }
            #expect(updates.count == 5)
            #expect(updates.allSatisfy { $0.event.personID?.uuidString.lowercased() == personId && $0.event.username == "provider" })
        }
    }

    @Test func anEngagedReferralCompletesAndIsThenClosed() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            for event in ["accepted", "intake_attended", "engaged", "completed"] {
                let response = try await t.referralEvent(provider, sent.id, #"{"type":"\#(event)"}"#)
                #expect(response.status == .created, "\(event)")
            }
            #expect(try await t.referral(officer, sent.id).status == "completed")
            let after = try await t.referralEvent(provider, sent.id, #"{"type":"engaged"}"#)
            #expect(after.status == .conflict)
            #expect(try after.problem().detail.contains("it is closed"))
        }
    }

    @Test func engagedRightAfterSentIs409AndChangesNothing() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            let response = try await t.referralEvent(provider, sent.id, #"{"type":"engaged"}"#)
            #expect(response.status == .conflict)
            #expect(try response.problem().detail == "A referral that is sent cannot be engaged; next can be received, accepted, declined, withdrawn.")
            let unchanged = try await t.referral(provider, sent.id)
            #expect(unchanged.status == "sent")
            #expect(unchanged.events?.isEmpty == true)
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "referral" && $0.event.action == .update }.isEmpty)
        }
    }

    @Test(arguments: [
        ("provider", #"{"type":"declined","reason":"No places for six weeks."}"#),
        ("officer", #"{"type":"withdrawn","reason":"The person moved to another region."}"#),
    ])
    func aClosedReferralTakesNoFurtherEvent(closer: String, closing: String) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            let closed = try await t.referralEvent(try await t.token(closer), sent.id, closing)
            #expect(closed.status == .created)
            let closedReferral = try closed.json(ReferralResponse.self)
            #expect(closedReferral.dueBy == nil)
            #expect(closedReferral.events?.last?.reason != nil)
            for (token, body) in [(provider, #"{"type":"accepted"}"#), (provider, #"{"type":"declined","reason":"Again."}"#), (officer, #"{"type":"withdrawn","reason":"Again."}"#)] {
                let response = try await t.referralEvent(token, sent.id, body)
                #expect(response.status == .conflict, "\(body)")
            }
            // Both sides see why it closed.
            #expect(try await t.referral(officer, sent.id).events?.first?.reason == closedReferral.events?.last?.reason)
        }
    }

    @Test func eachSideRecordsOnlyItsOwnEvents() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")

            let officerAccepts = try await t.referralEvent(officer, sent.id, #"{"type":"accepted"}"#)
            #expect(officerAccepts.status == .forbidden)
            #expect(try officerAccepts.problem().detail.contains("may withdraw the referral"))

            let providerWithdraws = try await t.referralEvent(provider, sent.id, #"{"type":"withdrawn","reason":"Not for us."}"#)
            #expect(providerWithdraws.status == .forbidden)
            #expect(try providerWithdraws.problem().detail.contains("declines it instead"))

            let otherProvider = try await t.addStaff("provider.r2", role: .provider, agency: "R2 Community Treatment Centre")
            let foreign = try await t.referralEvent(otherProvider, sent.id, #"{"type":"accepted"}"#)
            #expect(foreign.status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/referrals/\(sent.id)", token: otherProvider).status == .forbidden)

            let socialProvider = try await t.addStaff("provider.social", role: .provider, agency: "R1 Social Support Service")
            #expect(try await t.referralEvent(socialProvider, sent.id, #"{"type":"received"}"#).status == .forbidden)

            let prosecutor = try await t.token("prosecutor") // another agency, on neither side
            #expect(try await t.referralEvent(prosecutor, sent.id, #"{"type":"withdrawn","reason":"Dropped."}"#).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/referrals/\(sent.id)", token: prosecutor).status == .forbidden)

            for user in ["supervisor", "analyst", "admin"] {
                let token = try await t.token(user)
                #expect(try await t.referralEvent(token, sent.id, #"{"type":"received"}"#).status == .forbidden, "\(user)")
                #expect(try await t.send(.GET, "/api/v1/referrals/\(sent.id)", token: token).status == .forbidden, "\(user)")
            }
            #expect(try await t.referral(officer, sent.id).status == "sent")
            #expect(try await t.auditEntries().filter { $0.event.resourceType == "referral" && $0.event.action == .update }.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"type":"declined"}"#, ["reason"]),
        (#"{"type":"declined","reason":"   "}"#, ["reason"]),
        (#"{"type":"lost"}"#, ["type"]),
        (#"{}"#, ["type"]),
        (#"{"type":"accepted","scheduledFor":"next tuesday"}"#, ["scheduledFor"]),
        (#"{"type":"accepted","note":""# + String(repeating: "n", count: 4001) + #""}"#, ["note"]),
        (#"{"type":"declined","reason":""# + String(repeating: "r", count: 1001) + #""}"#, ["reason"]),
    ])
    func aWrongEventIs422NamingTheField(body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            let response = try await t.referralEvent(provider, sent.id, body)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
            #expect(try await t.referral(provider, sent.id).status == "sent")
        }
    }

    @Test func anUnknownReferralIs404AndAMalformedIdIs422() async throws {
        try await TestApp.run { t in
            let provider = try await t.token("provider")
            let officer = try await t.token("officer")
            let id = UUID().uuidString
            #expect(try await t.send(.GET, "/api/v1/referrals/\(id)", token: officer).status == .notFound)
            let event = try await t.referralEvent(provider, id, #"{"type":"received"}"#)
            #expect(event.status == .notFound)
            #expect(try event.problem().status == 404)
            let malformed = try await t.send(.GET, "/api/v1/referrals/ref-1", token: officer)
            #expect(malformed.status == .unprocessableEntity)
            #expect(try malformed.problem().errors?.map(\.field) == ["id"])
        }
    }

    @Test func theProviderInboxAndTheOfficersSentListFlagOverdueReferrals() async throws {
        try await TestApp.run { t in
            var officer = try await t.token("officer")
            var provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let mine = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            t.clock.advance(60)
            let elsewhere = try await t.refer(officer, personId: personId, to: "R2 Outpatient Clinic")

            let inbox = try await t.referrals(provider)
            #expect(inbox.map(\.id) == [mine.id]) // a referral to another agency's service is not in this inbox
            #expect(inbox.allSatisfy { !$0.overdue && $0.events == nil })
            let sentList = try await t.referrals(officer)
            #expect(sentList.map(\.id) == [mine.id, elsewhere.id]) // the earliest due first
            #expect(try await t.referrals(officer, query: "?side=received").isEmpty)

            t.clock.advance(49 * 3600)
            // API tokens last eight hours: sign in again.
            provider = try await t.token("provider")
            officer = try await t.token("officer")
            #expect(try await t.referrals(provider).map(\.overdue) == [true])
            #expect(try await t.referrals(officer).map(\.overdue) == [true, true])
            #expect(try await t.referral(officer, mine.id).overdue)

            // Accepting sets a new due date, a week away.
            try await t.referralEvent(provider, mine.id, #"{"type":"accepted"}"#)
            let afterAccepting = try await t.referrals(provider)
            #expect(afterAccepting.map(\.status) == ["accepted"])
            #expect(afterAccepting.map(\.overdue) == [false])
            #expect(try await t.referrals(officer, query: "?status=sent").map(\.id) == [elsewhere.id])
            #expect(try await t.referrals(officer, query: "?status=accepted").map(\.id) == [mine.id])

            let searches = try await t.auditEntries().filter { $0.event.resourceType == "referral" && $0.event.action == .search }
            #expect(searches.count == 9)
            #expect(searches.allSatisfy { $0.event.personID?.uuidString.lowercased() == personId })
        }
    }

    @Test func markingAReferralReceivedDoesNotExtendTheTimeToAcceptIt() async throws {
        try await TestApp.run { t in
            var officer = try await t.token("officer")
            var provider = try await t.token("provider")
            let personId = try await t.registerPerson(officer)
            let sent = try await t.refer(officer, personId: personId, to: "R1 Outpatient Clinic")
            let due = try #require(sent.dueBy)
            t.clock.advance(47 * 3600)
            provider = try await t.token("provider")
            let received = try await t.referralEvent(provider, sent.id, #"{"type":"received"}"#).json(ReferralResponse.self)
            // The policy gives 48 hours from sending to accept or decline; receiving is not accepting.
            #expect(received.dueBy == due)
            t.clock.advance(2 * 3600)
            officer = try await t.token("officer")
            #expect(try await t.referrals(officer).first?.overdue == true)
        }
    }

    @Test(arguments: [("?side=both", ["side"]), ("?status=lost", ["status"]), ("?side=sideways&status=lost", ["side", "status"])])
    func aWrongListFilterIs422(query: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let response = try await t.send(.GET, "/api/v1/referrals\(query)", token: token)
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == fields)
        }
    }

    @Test(arguments: ["supervisor", "analyst", "admin"])
    func rolesOutsideTheLoopDoNotListReferrals(user: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(user)
            #expect(try await t.send(.GET, "/api/v1/referrals", token: token).status == .forbidden)
        }
    }
}

extension ReferralResponse {
    /// Whether any text the API answered for this referral contains `fragment`.
    func text(contains fragment: String) -> Bool {
        ([reason] + (events ?? []).flatMap { [$0.reason, $0.note].compactMap { $0 } }).contains { $0.contains(fragment) }
    }
}
