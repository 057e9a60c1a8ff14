import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// A capture body; `subject` is the JSON naming the person, `extra` more top-level members.
func captureBody(
    _ subject: String, occurredAt: String = "2026-11-18T09:00:00Z", region: String = "R1", extra: String = ""
) -> String {
    #"{\#(subject),"contact":{"occurredAt":"\#(occurredAt)","region":"\#(region)","offences":[{"category":"possession_personal_use"}],"seizures":[{"substance":"cannabis_herb","quantity":4.5,"unit":"g"}]}\#(extra)}"#
}

let newPersonSubject = #""person":{"givenName":"Inês","familyName":"Moura","birthDate":"1990-02-03","sex":"female"}"#
let dast10Screening = #","screening":{"instrument":"dast10","answers":[true,false,false,false,true,false,false,false,false,false]}"#

@Suite("Offline captures: idempotent, atomic and never overwriting")
struct CaptureAPITests {
    func capture(_ t: TestApp, _ token: String, key: String, _ body: String) async throws -> TestingHTTPResponse {
        try await t.send(.POST, "/api/v1/captures", token: token, headers: [("Idempotency-Key", key)], body: body, contentType: "application/json")
    }

    func count<M: Model>(_ model: M.Type, _ t: TestApp) async throws -> Int {
        try await M.query(on: t.app.db).count()
    }

    @Test func aCaptureRecordsThePersonContactScreeningAndDecisionTogether() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let response = try await capture(t, officer, key: UUID().uuidString, captureBody(newPersonSubject, extra: dast10Screening + #","decision":{"decision":"divert"}"#))
            try #require(response.status == .created, "capture answered \(response.status): \(response.text)")
            let recorded = try response.json(CaptureService.Recorded.self)
            #expect(recorded.personRevision == 1)
            #expect(recorded.contact.personId == recorded.personId)
            #expect(recorded.contact.decision?.decision == "divert")
            let expected = try Screening.score(.dast10, answers: .array([true, false, false, false, true, false, false, false, false, false].map(AnswerValue.bool)), sex: .female)
            #expect(recorded.screening?.instrument == "dast10" && recorded.screening?.score == expected.score)
            let stored = try await ContactStore().find(try #require(UUID(uuidString: recorded.contact.id)), on: t.app.db)
            #expect(stored?.decision == .divert)
            let audit = try await t.auditEntries().filter { $0.event.personID?.uuidString.lowercased() == recorded.personId }
            #expect(Set(audit.map { "\($0.event.action.rawValue) \($0.event.resourceType)" }) == ["create person", "create contact", "create screening"])
        }
    }

    @Test func aRetryWithTheSameKeyAnswersTheSameAndWritesNothing() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let key = UUID().uuidString
            let body = captureBody(newPersonSubject, extra: dast10Screening)
            let first = try await capture(t, officer, key: key, body)
            try #require(first.status == .created, "capture answered \(first.status): \(first.text)")
            let before = (try await count(ContactModel.self, t), try await count(PersonModel.self, t), try await count(ScreeningModel.self, t))
            let audited = try await t.auditEntries().count
            t.clock.advance(60)
            let again = try await capture(t, officer, key: key, body)
            #expect(again.status == .created)
            #expect(again.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(first.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(again.text == first.text, "a replay must answer the first answer, ids and times included")
            #expect(again.headers.first(name: .location) == first.headers.first(name: .location))
            let after = (try await count(ContactModel.self, t), try await count(PersonModel.self, t), try await count(ScreeningModel.self, t))
            #expect(after == before, "a replay wrote something: \(before) -> \(after)")
            // Handing the stored answer out again is a read of the contact, and audited as one.
            let since = try await t.auditEntries().dropFirst(audited).map { "\($0.event.action.rawValue) \($0.event.resourceType)" }
            #expect(since == ["read contact"])
        }
    }

    @Test func theSameKeySentTwiceAtOnceRecordsOnce() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let key = UUID().uuidString
            let body = captureBody(newPersonSubject)
            let before = try await count(ContactModel.self, t)
            async let a = capture(t, officer, key: key, body)
            async let b = capture(t, officer, key: key, body)
            let (x, y) = try await (a, b)
            #expect(x.status == .created && y.status == .created, "answers \(x.status) \(y.status): \(x.text) \(y.text)")
            let (first, second) = (try x.json(CaptureService.Recorded.self), try y.json(CaptureService.Recorded.self))
            #expect(first.contact.id == second.contact.id)
            #expect(try await count(ContactModel.self, t) == before + 1)
        }
    }

    @Test func theSameKeyWithAnotherBodyIsRefusedAndWritesNothing() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let key = UUID().uuidString
            let first = try await capture(t, officer, key: key, captureBody(newPersonSubject))
            try #require(first.status == .created)
            let before = try await count(ContactModel.self, t)
            let other = try await capture(t, officer, key: key, captureBody(newPersonSubject, occurredAt: "2026-11-18T10:00:00Z"))
            #expect(other.status == .unprocessableEntity)
            #expect(try other.problem().errors?.map(\.field) == ["Idempotency-Key"])
            #expect(try await count(ContactModel.self, t) == before)
        }
    }

    @Test func keysBelongToTheirUser() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let colleague = try await t.addStaff("officer2", role: .officer, agency: DemoJurisdiction.agencyName(.police, region: "R1"))
            let key = UUID().uuidString
            let mine = try await capture(t, officer, key: key, captureBody(newPersonSubject))
            let theirs = try await capture(t, colleague, key: key, captureBody(newPersonSubject, occurredAt: "2026-11-18T10:00:00Z"))
            #expect(mine.status == .created && theirs.status == .created, "answers \(mine.status) \(theirs.status): \(theirs.text)")
            #expect(theirs.headers.first(name: "Idempotent-Replayed") == nil)
            let (a, b) = (try mine.json(CaptureService.Recorded.self), try theirs.json(CaptureService.Recorded.self))
            #expect(a.contact.id != b.contact.id)
        }
    }

    @Test func aChangeAgainstAnOlderRevisionIsAConflictWithTheServersValues() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let person = try await t.registerPerson(officer, language: "es")
            // Another session changes the person first.
            let changed = try await t.send(.PATCH, "/api/v1/persons/\(person)/details", token: officer, headers: [("If-Match", "\"1\"")],
                                           body: #"{"preferredLanguage":"fr","flags":["pregnant"]}"#, contentType: "application/json")
            try #require(changed.status == .ok, "the change answered \(changed.status): \(changed.text)")
            #expect(changed.headers.first(name: .eTag) == "\"2\"")
            let contacts = try await count(ContactModel.self, t)
            let key = UUID().uuidString
            let stale = #""personId":"\#(person)","personChange":{"baseRevision":1,"preferredLanguage":"pt","flags":[]}"#
            let conflict = try await capture(t, officer, key: key, captureBody(stale))
            #expect(conflict.status == .conflict)
            #expect(conflict.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            let problem = try conflict.json(RevisionConflictProblem.self)
            #expect(problem.current.revision == 2 && problem.current.preferredLanguage == "fr" && problem.current.flags == ["pregnant"])
            #expect(problem.yours.baseRevision == 1 && problem.yours.preferredLanguage == "pt")
            #expect(try await count(ContactModel.self, t) == contacts, "a conflicting capture recorded its contact")
            let details = try await t.send(.GET, "/api/v1/persons/\(person)/details", token: officer).json(PersonDetailsResponse.self)
            #expect(details.preferredLanguage == "fr" && details.revision == 2, "the server's values were overwritten")

            // Keeping mine: the same key, now against the revision the officer has seen.
            let resolved = try await capture(t, officer, key: key, captureBody(stale.replacingOccurrences(of: #""baseRevision":1"#, with: #""baseRevision":2"#)))
            try #require(resolved.status == .created, "resolving answered \(resolved.status): \(resolved.text)")
            #expect(try resolved.json(CaptureService.Recorded.self).personRevision == 3)
            let now = try await t.send(.GET, "/api/v1/persons/\(person)/details", token: officer).json(PersonDetailsResponse.self)
            #expect(now.preferredLanguage == "pt" && now.flags == [] && now.revision == 3)
            #expect(try await count(ContactModel.self, t) == contacts + 1)
        }
    }

    @Test func changingDetailsNeedsTheCurrentRevision() async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let person = try await t.registerPerson(officer)
            let read = try await t.send(.GET, "/api/v1/persons/\(person)/details", token: officer)
            #expect(read.status == .ok && read.headers.first(name: .eTag) == "\"1\"")
            let path = "/api/v1/persons/\(person)/details"
            let body = #"{"preferredLanguage":"ru"}"#
            let missing = try await t.send(.PATCH, path, token: officer, body: body, contentType: "application/json")
            #expect(missing.status == .unprocessableEntity)
            #expect(try missing.problem().errors?.first?.field == "If-Match")
            let ok = try await t.send(.PATCH, path, token: officer, headers: [("If-Match", "\"1\"")], body: body, contentType: "application/json")
            #expect(ok.status == .ok)
            #expect(try ok.json(PersonDetailsResponse.self).revision == 2)
            let stale = try await t.send(.PATCH, path, token: officer, headers: [("If-Match", "\"1\"")], body: #"{"preferredLanguage":"zh"}"#, contentType: "application/json")
            #expect(stale.status == .conflict)
            #expect(try stale.json(RevisionConflictProblem.self).current.preferredLanguage == "ru")
            let bad = try await t.send(.PATCH, path, token: officer, headers: [("If-Match", "\"2\"")], body: #"{"preferredLanguage":"not a tag","flags":["tall"]}"#, contentType: "application/json")
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(try bad.problem().errors?.map(\.field) ?? []) == ["preferredLanguage", "flags[0]"])
            let audit = try await t.auditEntries().filter { $0.event.resourceType == "person" && $0.event.action == .update }
            #expect(audit.count == 1, "one change was made, \(audit.count) audited")
        }
    }

    @Test(arguments: ["prosecutor", "provider", "analyst"])
    func onlyPoliceOfficersRecordCaptures(username: String) async throws {
        try await TestApp.run { t in
            let token = try await t.token(username)
            let response = try await capture(t, token, key: UUID().uuidString, captureBody(newPersonSubject))
            #expect(response.status == .forbidden)
            #expect(try response.problem().type == "urn:diversion:problem:forbidden")
            let officer = try await t.token("officer")
            let person = try await t.registerPerson(officer)
            let change = try await t.send(.PATCH, "/api/v1/persons/\(person)/details", token: token, headers: [("If-Match", "\"1\"")],
                                          body: #"{"preferredLanguage":"ru"}"#, contentType: "application/json")
            #expect(change.status == .forbidden)
        }
    }

    @Test(arguments: [
        ("", captureBody(newPersonSubject), ["Idempotency-Key"]),
        ("short", captureBody(newPersonSubject), ["Idempotency-Key"]),
        ("k-0000001", #"{\#(newPersonSubject)}"#, ["contact"]),
        ("k-0000002", captureBody(newPersonSubject, region: ""), ["contact.region"]),
        ("k-0000003", captureBody(#""person":{"givenName":"Ana"}"#), ["person.familyName", "person.birthDate", "person.sex"]),
        ("k-0000004", captureBody(newPersonSubject, extra: #","screening":{"instrument":"phq9","answers":[]}"#), ["screening.instrument"]),
        ("k-0000005", captureBody(newPersonSubject, extra: #","decision":{"decision":"no_further_action"}"#), ["decision.reason"]),
        ("k-0000006", captureBody(newPersonSubject, extra: #","personChange":{"baseRevision":1}"#), ["personChange"]),
    ])
    func badInputIsA422NamingTheField(key: String, body: String, fields: [String]) async throws {
        try await TestApp.run { t in
            let officer = try await t.token("officer")
            let before = try await count(ContactModel.self, t)
            let headers = key.isEmpty ? [] : [("Idempotency-Key", key)]
            let response = try await t.send(.POST, "/api/v1/captures", token: officer, headers: headers, body: body, contentType: "application/json")
            #expect(response.status == .unprocessableEntity, "answered \(response.status): \(response.text)")
            let named = Set(try response.problem().errors?.map(\.field) ?? [])
            #expect(Set(fields).isSubset(of: named), "named \(named), expected \(fields)")
            #expect(try await count(ContactModel.self, t) == before)
        }
    }

    @Test func theOfficersPageSendsCapturesWithItsSessionAndFormToken() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let session = try await t.send(.GET, "/contacts/offline/session.json", headers: [jar.header])
            try #require(session.status == .ok)
            let csrf = try session.json(OfflinePages.SessionState.self).csrf
            let key = UUID().uuidString
            let body = captureBody(newPersonSubject, extra: #","csrf":"\#(csrf)""#)
            let sent = try await t.send(.POST, "/contacts/offline/captures", headers: [jar.header, ("Idempotency-Key", key)], body: body, contentType: "application/json")
            #expect(sent.status == .created, "answered \(sent.status): \(sent.text)")
            let forged = try await t.send(.POST, "/contacts/offline/captures", headers: [jar.header, ("Idempotency-Key", UUID().uuidString)],
                                          body: captureBody(newPersonSubject, extra: #","csrf":"forged""#), contentType: "application/json")
            #expect(forged.status == .forbidden)
            // Problems come back as JSON for the page's script, not as an error page.
            let bad = try await t.send(.POST, "/contacts/offline/captures", headers: [jar.header, ("Idempotency-Key", UUID().uuidString)],
                                       body: captureBody(newPersonSubject, region: "", extra: #","csrf":"\#(csrf)""#), contentType: "application/json")
            #expect(bad.status == .unprocessableEntity)
            #expect(try bad.problem().errors?.map(\.field) == ["contact.region"])
            // The API with the same key is another door to the same record: the key belongs to the officer.
            let officer = try await t.token("officer")
            let replay = try await capture(t, officer, key: key, captureBody(newPersonSubject))
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true", "the page's csrf member must not count in the body")
            #expect(replay.text == sent.text)
            let signedOut = try await t.send(.GET, "/contacts/offline/session.json")
            #expect(signedOut.status == .seeOther || signedOut.status == .found, "signed out, session.json answered \(signedOut.status)")
        }
    }

    @Test func theCapturePageIsServedToOfficersWithItsScripts() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let page = try await t.send(.GET, "/contacts/offline", headers: [jar.header])
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<script src="/js/offline.js" defer></script>"#))
            #expect(page.text.contains(#"<script src="/js/rules.js" defer></script>"#))
            #expect(!page.text.contains("<script>"), "no inline scripts")
            #expect(page.text.contains(#"id="offline-needs-js""#), "without JavaScript the page must point to the standard form")
            let bundle = try await t.send(.GET, "/contacts/offline/bundle.json", headers: [jar.header])
            let document = try JSONSerialization.jsonObject(with: Data(buffer: bundle.body)) as? [String: Any]
            let policy = document?["policy"] as? [String: Any]
            #expect(policy?["id"] is String && policy?["substances"] is [Any], "the bundle carries the active policy as the API shows it")
            #expect((document?["messages"] as? [String: String])?["offline_state_conflict"] != nil)
            #expect((document?["wording"] as? [String: String])?["dast10.q1"] != nil)
            let (provider, _) = try await t.browserSignIn("provider")
            let refused = try await t.send(.GET, "/contacts/offline", headers: [provider.header])
            #expect(refused.status == .forbidden)
        }
    }

    @Test func theManifestAndServiceWorkerAreServedWithTheirTypes() async throws {
        try await TestApp.run { t in
            let manifest = try await t.send(.GET, "/manifest.webmanifest")
            #expect(manifest.status == .ok)
            #expect(manifest.headers.first(name: .contentType)?.hasPrefix("application/manifest+json") == true)
            let document = try JSONSerialization.jsonObject(with: Data(buffer: manifest.body)) as? [String: Any]
            #expect(document?["display"] as? String == "standalone")
            #expect(document?["start_url"] as? String == OfflinePages.path)
            #expect((document?["icons"] as? [[String: String]])?.contains { $0["src"] == "/icons/icon.svg" } == true)
            let icon = try await t.send(.GET, "/icons/icon.svg")
            #expect(icon.status == .ok && icon.text.contains("<svg"))

            let worker = try await t.send(.GET, "/sw.js")
            #expect(worker.status == .ok)
            #expect(worker.headers.first(name: .contentType)?.hasPrefix("text/javascript") == true)
            #expect(worker.headers.first(name: "Service-Worker-Allowed") == "/")
            #expect(worker.text.contains("addEventListener('fetch'"))
            let csp = try #require(worker.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("worker-src 'self'") && csp.contains("manifest-src 'self'") && csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
        }
    }
}
