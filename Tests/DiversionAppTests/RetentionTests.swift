import DiversionCore
import DiversionStore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import DiversionApp

@Suite("Retention of personal data")
struct RetentionTests {
    static let elevenYears: TimeInterval = 11 * 365 * 86_400

    /// The active (demo) policy's retention periods.
    static func run(_ t: TestApp, dryRun: Bool) async throws -> [String: Int] {
        let document = try #require(try await PolicyStore().activeDocument(on: t.app.db)).document
        let policy = try PolicyFile.read(document).get()
        let lines = try await RetentionRun(retention: policy.retention, policyName: "\(policy.jurisdiction) \(policy.version)")
            .run(now: t.clock.now, dryRun: dryRun, trail: t.app.diversion.auditTrail, on: t.app.db)
        return Dictionary(uniqueKeysWithValues: lines.map { ($0.kind, $0.count) })
    }

    static func ping(_ t: TestApp, device: String, at time: Date) async throws {
        let sql = try #require(t.app.db as? any SQLDatabase)
        try await sql.insert(into: "monitoring_pings")
            .columns("device_id", "time", "latitude", "longitude", "accuracy_meters", "received_at")
            .values(SQLBind(device), SQLBind(time), SQLBind(38.7), SQLBind(-9.1), SQLBind(10.0), SQLBind(time))
            .run()
    }

    static func pings(_ t: TestApp, device: String) async throws -> Int {
        let sql = try #require(t.app.db as? any SQLDatabase)
        return try await sql.raw("SELECT COUNT(*) AS n FROM monitoring_pings WHERE device_id = \(bind: device)").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    /// A person registered with a located contact, then eleven years pass; a newer person and a fresh ping follow.
    struct Setting {
        var old: UUID
        var oldContact: UUID
        var recent: UUID
    }

    static func setting(_ t: TestApp) async throws -> Setting {
        let officer = try await t.token("officer")
        let old = try await t.registerPerson(officer, givenName: "Helena", familyName: "Antiga", birthDate: "1986-05-01")
        let body = contactBody(#""personId":"\#(old)""#, extra: #","latitude":38.72,"longitude":-9.14"#)
        let contact = try await t.send(.POST, "/api/v1/contacts", token: officer, body: body, contentType: "application/json").json(ContactResponse.self)
        try await ping(t, device: "EM-OLD", at: t.clock.now)
        t.clock.advance(elevenYears)
        try await ping(t, device: "EM-NEW", at: t.clock.now.addingTimeInterval(-86_400))
        let recent = try await t.registerPerson(try await t.token("officer"), givenName: "Rita", familyName: "Nova", birthDate: "1999-02-02")
        return Setting(old: try #require(UUID(uuidString: old)), oldContact: try #require(UUID(uuidString: contact.id)),
                       recent: try #require(UUID(uuidString: recent)))
    }

    @Test func aDryRunCountsWhatIsDueAndChangesNothing() async throws {
        try await TestApp.run { t in
            let s = try await Self.setting(t)
            let before = try await AuditLedger().count(on: t.app.db)
            let due = try await Self.run(t, dryRun: true)
            #expect((due["monitoringPings"] ?? 0) >= 1)
            #expect((due["contacts"] ?? 0) >= 1)
            #expect((due["people"] ?? 0) >= 1)
            #expect(try await Self.pings(t, device: "EM-OLD") == 1)
            #expect(try await PersonStore().find(s.old, on: t.app.db) != nil)
            #expect(try await ContactStore().find(s.oldContact, on: t.app.db)?.latitude == 38.72)
            #expect(try await AuditLedger().count(on: t.app.db) == before)
        }
    }

    @Test func expiredPingsGoAndAnExpiredPersonIsAnonymisedWhileRecentOnesStay() async throws {
        try await TestApp.run { t in
            let s = try await Self.setting(t)
            let mentioningOld = try await t.auditEntries().filter { $0.event.personID == s.old }.count
            #expect(mentioningOld > 0)
            let done = try await Self.run(t, dryRun: false)
            #expect((done["monitoringPings"] ?? 0) >= 1)
            #expect((done["people"] ?? 0) >= 1)
            #expect(try await Self.pings(t, device: "EM-OLD") == 0)
            #expect(try await Self.pings(t, device: "EM-NEW") == 1)

            // The old person is an anonymous stub under the same id: no name, the birth year only.
            #expect(try await PersonStore().find(s.old, on: t.app.db) == nil)
            let stub = try #require(try await PersonModel.find(s.old, on: t.app.db))
            #expect(stub.birthDate == "1986")
            #expect(stub.anonymisedAt != nil)
            #expect(try await PersonIdentityModel.query(on: t.app.db).filter(\.$person.$id == s.old).count() == 0)
            let officer = try await t.token("officer")
            #expect(try await t.send(.GET, "/api/v1/persons/\(s.old.uuidString.lowercased())", token: officer).status == .notFound)
            let contact = try #require(try await ContactStore().find(s.oldContact, on: t.app.db))
            #expect(contact.latitude == nil && contact.longitude == nil)
            #expect(contact.personID == s.old)

            // The recent person is untouched.
            #expect(try await PersonStore().find(s.recent, on: t.app.db)?.details.familyName == "Nova")

            // The audit trail keeps every entry, records the run by counts only, and still verifies.
            #expect(try await t.auditEntries().filter { $0.event.personID == s.old }.count == mentioningOld)
            let runEntries = try await t.auditEntries().filter { $0.event.resourceType == "retention" }
            #expect(runEntries.count == RetainedRecord.allCases.count + 2, "one entry per kind, one for idempotency answers, one for people")
            #expect(runEntries.allSatisfy { $0.event.personID == nil })
            #expect(runEntries.contains { $0.event.resourceID == "people" && $0.event.purpose?.contains("anonymised") == true })
            guard case .intact = try await AuditLedger().verify(on: t.app.db) else {
                Issue.record("the audit chain no longer verifies")
                return
            }

            // A second run finds nothing more to do.
            let again = try await Self.run(t, dryRun: true)
            #expect(again["monitoringPings"] == 0 && again["people"] == 0 && again["contacts"] == 0)
        }
    }

    @Test func aPersonWithARecentRecordIsKept() async throws {
        try await TestApp.run { t in
            let s = try await Self.setting(t)
            let officer = try await t.token("officer")
            let now = t.clock.now.formatted(.iso8601)
            let fresh = contactBody(#""personId":"\#(s.old.uuidString.lowercased())""#, occurredAt: now)
            #expect(try await t.send(.POST, "/api/v1/contacts", token: officer, body: fresh, contentType: "application/json").status == .created)
            _ = try await Self.run(t, dryRun: false)
            #expect(try await PersonStore().find(s.old, on: t.app.db)?.details.familyName == "Antiga")
        }
    }
}

extension RetentionTests {
    @Test func anExpiredCaseLosesItsComplianceDetailAndTheReasonsForResponses() async throws {
        try await TestApp.run { t in
            let decided = try await MeasureAPITests.decided(t)
            let measureId = try #require(decided.measures.first?.id)
            let supervisor = try await t.token("supervisor")
            let hours = try await t.send(.POST, "/api/v1/measures/\(measureId)/compliance", token: supervisor,
                                         body: #"{"kind":"community_service","date":"2026-11-17","hours":4,"site":"Parish food bank","verifiedBy":"M. Alves"}"#,
                                         contentType: "application/json")
            try #require(hours.status == .created, "\(hours.text)")
            let response = try await t.send(.POST, "/api/v1/measures/\(measureId)/responses", token: supervisor,
                                            body: #"{"behaviour":"completed_hours","occurredAt":"2026-11-17T18:00:00Z","option":"verbal_praise","why":"Told the parish coordinator by phone."}"#,
                                            contentType: "application/json")
            try #require(response.status == .created, "\(response.text)")
            let judge = try await t.token("judge")
            let ended = try await t.send(.POST, "/api/v1/measures/\(measureId)/outcome", token: judge,
                                         json: ["outcome": "completed", "date": "2026-11-18", "note": "Done."])
            try #require(ended.status == .ok)
            t.clock.advance(Self.elevenYears)
            _ = try await Self.run(t, dryRun: false)
            let measureID = try #require(UUID(uuidString: measureId))
            #expect(try await ComplianceStore().entries(measureID: measureID, on: t.app.db).isEmpty)
            let whys = try await ResponseStore().responses(measureID: measureID, on: t.app.db).map(\.why)
            #expect(!whys.isEmpty && !whys.contains { $0.contains("parish") })
        }
    }
}
