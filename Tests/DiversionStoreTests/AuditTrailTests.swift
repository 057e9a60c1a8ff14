import DiversionCore
import FluentKit
import Foundation
import SQLKit
import NIOPosix
import Testing
@testable import DiversionStore

/// Tampering needs the guards out of the way first, as it would for anyone rewriting the trail.
func dropAuditGuards(_ db: any Database) async throws {
    try await AddAuditEntryGuards().revert(on: db)
}

@Suite("The stored audit trail")
struct AuditTrailTests {
    @Test func theDatabaseRefusesToChangeOrRemoveAuditEntries() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            try await trail.record([event(1), event(2)])
            let sql = try #require(t.db as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_entries SET username = 'x' WHERE seq = 1").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_entries WHERE seq = 2").run() }
            #expect(try await AuditLedger().verify(on: t.db) == .intact(entries: 2))
        }
    }

    func event(_ n: Int, person: UUID? = nil) -> AuditEvent {
        AuditEvent(occurredAt: Date(), userID: UUID(), username: "officer", agencyID: UUID(), action: .read,
                   resourceType: "person", resourceID: "p\(n)", personID: person, purpose: nil, requestID: "r\(n)")
    }

    @Test func sha256MatchesTheStandardTestVector() {
        #expect(AuditChain.sha256.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func concurrentAppendsFormOneUnbrokenChain() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<200 {
                    group.addTask { try await trail.record([event(n)]) }
                }
                try await group.waitForAll()
            }
            #expect(try await AuditLedger().count(on: t.db) == 200)
            #expect(try await AuditLedger().verify(on: t.db) == .intact(entries: 200))
            // Group commit: far fewer transactions than requests.
            #expect(await trail.batches < 200)
        }
    }

    @Test func anAlteredRowIsReportedWithItsSequenceNumber() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            for n in 1...5 { try await trail.record([event(n)]) }
            let sql = try #require(t.db as? any SQLDatabase)
            try await dropAuditGuards(t.db)
            try await sql.raw("UPDATE audit_entries SET username = 'intruder' WHERE seq = 3").run()
            #expect(try await AuditLedger().verify(on: t.db) == .broken(.hashMismatch(sequence: 3)))
        }
    }

    @Test func aRemovedRowIsReported() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            for n in 1...5 { try await trail.record([event(n)]) }
            let sql = try #require(t.db as? any SQLDatabase)
            try await dropAuditGuards(t.db)
            try await sql.raw("DELETE FROM audit_entries WHERE seq = 2").run()
            #expect(try await AuditLedger().verify(on: t.db) == .broken(.sequenceGap(expected: 2, found: 3)))
        }
    }

    @Test func reorderedRowsAreReported() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            for n in 1...5 { try await trail.record([event(n)]) }
            let sql = try #require(t.db as? any SQLDatabase)
            try await dropAuditGuards(t.db)
            // Swap the contents of entries 2 and 4, keeping their sequence numbers.
            try await sql.raw("UPDATE audit_entries SET seq = -2 WHERE seq = 2").run()
            try await sql.raw("UPDATE audit_entries SET seq = 2 WHERE seq = 4").run()
            try await sql.raw("UPDATE audit_entries SET seq = 4 WHERE seq = -2").run()
            let result = try await AuditLedger().verify(on: t.db)
            guard case .broken(let brk) = result else { Issue.record("not detected: \(result)"); return }
            #expect(brk.sequence == 2)
        }
    }

    @Test func aTruncatedTailIsReported() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            for n in 1...5 { try await trail.record([event(n)]) }
            let sql = try #require(t.db as? any SQLDatabase)
            try await dropAuditGuards(t.db)
            try await sql.raw("DELETE FROM audit_entries WHERE seq >= 4").run()
            #expect(try await AuditLedger().verify(on: t.db) == .truncated(lastSequence: 3, headSequence: 5))
        }
    }

    @Test func aFailedWriteLeavesNeitherDataNorAuditEntryAndSparesItsBatch() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            struct Refused: Error {}
            let draft = PersonDraft(givenName: "Ana", familyName: "Silva", birthDate: CalendarDate(year: 1990, month: 1, day: 1), sex: .female)
            let failing = Task<Int, any Error> {
                try await trail.perform { db in
                    _ = try await PersonStore().create(draft, createdByAgency: nil, at: Date(), on: db)
                    throw Refused()
                }
            }
            let reading = Task { try await trail.record([event(1)]) }
            await #expect(throws: Refused.self) { _ = try await failing.value }
            try await reading.value
            #expect(try await PersonModel.query(on: t.db).count() == 0)
            #expect(try await PersonIdentityModel.query(on: t.db).count() == 0)
            #expect(try await AuditLedger().verify(on: t.db) == .intact(entries: 1))
        }
    }

    @Test func anAuditedWriteCommitsTogetherWithItsEntry() async throws {
        try await TestDatabase.with { t in
            let trail = AuditTrail(database: t.db)
            let id = UUID()
            let draft = PersonDraft(givenName: "Ana", familyName: "Silva", birthDate: CalendarDate(year: 1990, month: 1, day: 1), sex: .female)
            let person = try await trail.perform { db in
                let p = try await PersonStore().create(draft, id: id, createdByAgency: nil, at: Date(), on: db)
                return (p, [event(1, person: id)])
            }
            #expect(person.id == id)
            let entries = try await AuditLedger().latest(1, on: t.db)
            #expect(entries.first?.event.personID == id)
        }
    }
}

@Suite("Storage settings and people")
struct StorageTests {
    @Test(arguments: [
        ("sqlite::memory:", DatabaseLocation.sqliteMemory),
        ("sqlite:///var/lib/diversion/d.sqlite", .sqliteFile(path: "/var/lib/diversion/d.sqlite")),
        ("sqlite://data/diversion.sqlite", .sqliteFile(path: "/srv/app/data/diversion.sqlite")),
        ("postgres://div:s%40cret@db.example:6543/diversion", .postgres(.init(host: "db.example", port: 6543, username: "div", password: "s@cret", database: "diversion", requireTLS: false))),
        ("postgresql://div@localhost/diversion?sslmode=require", .postgres(.init(host: "localhost", port: 5432, username: "div", password: nil, database: "diversion", requireTLS: true))),
    ])
    func databaseURLsAreRead(url: String, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation.parse(url, workingDirectory: "/srv/app") == expected)
    }

    @Test(arguments: ["", "mysql://x@y/z", "sqlite://", "postgres://localhost/db", "postgres://u@/db", "postgres://u@host/", "postgres://u@host/db?sslmode=maybe", "nonsense"])
    func badDatabaseURLsAreRefusedWithAMessage(url: String) {
        #expect(throws: DatabaseURLError.self) { try DatabaseLocation.parse(url) }
    }

    @Test func sqliteFilesUseWALWithFullSyncAndForeignKeys() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diversion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = DatabaseLocation.sqliteFile(path: folder.appendingPathComponent("nested/d.sqlite").path)
        let databases = Databases(threadPool: .singleton, on: MultiThreadedEventLoopGroupSingleton.group)
        try DatabaseSetup.register(location, on: databases)
        let db = try #require(databases.database(logger: .init(label: "t"), on: MultiThreadedEventLoopGroupSingleton.group.any()))
        try await DatabaseSetup.prepare(db, location: location)
        let sql = try #require(db as? any SQLDatabase)
        func pragma(_ name: String) async throws -> String {
            let row = try await sql.raw("PRAGMA \(unsafeRaw: name)").first()
            return try row.map { try $0.decode(column: name, as: String.self) } ?? ""
        }
        #expect(try await pragma("journal_mode") == "wal")
        #expect(try await pragma("synchronous") == "2")
        #expect(try await pragma("foreign_keys") == "1")
        await databases.shutdownAsync()
    }

    @Test func peopleAreFoundByAnyNameWordPrefixAndBirthDate() async throws {
        try await TestDatabase.with { t in
            let store = PersonStore()
            let born = CalendarDate(year: 1990, month: 5, day: 1)
            _ = try await store.create(PersonDraft(givenName: "José María", familyName: "Núñez-García", birthDate: born, sex: .male), createdByAgency: nil, at: Date(), on: t.db)
            _ = try await store.create(PersonDraft(givenName: "Ana", familyName: "García", birthDate: CalendarDate(year: 1985, month: 1, day: 1), sex: .female), createdByAgency: nil, at: Date(), on: t.db)
            _ = try await store.create(PersonDraft(givenName: "Marco", familyName: "Silva", birthDate: born, sex: .male), createdByAgency: nil, at: Date(), on: t.db)
            func names(_ q: String?, _ b: String? = nil) async throws -> [String] {
                try await store.search(PersonQuery.validate(q: q, birthDate: b, limit: nil), on: t.db).map(\.details.givenName)
            }
            #expect(try await names("garc") == ["Ana", "José María"])
            #expect(try await names("GARCIA jose") == ["José María"])
            #expect(try await names("mar") == ["José María", "Marco"])
            #expect(try await names("maria nunez") == ["José María"])
            #expect(try await names(nil, "1990-05-01") == ["José María", "Marco"])
            #expect(try await names("silva", "1990-05-01") == ["Marco"])
            #expect(try await names("arc") == [])
        }
    }

    @Test func identifyingFieldsLiveApartFromThePseudonymousRecord() async throws {
        try await TestDatabase.with { t in
            let sql = try #require(t.db as? any SQLDatabase)
            let id = try await PersonStore().create(
                PersonDraft(givenName: "Ana", familyName: "Silva", birthDate: CalendarDate(year: 1990, month: 1, day: 1), sex: .female),
                createdByAgency: nil, at: Date(), on: t.db
            ).id
            let row = try #require(try await sql.select().column(SQLLiteral.all).from("persons").first())
            #expect(!row.allColumns.contains("given_name"))
            #expect(!row.allColumns.contains("family_name"))
            #expect(try await PersonStore().find(id, on: t.db)?.details.familyName == "Silva")
        }
    }
}

enum MultiThreadedEventLoopGroupSingleton {
    static var group: MultiThreadedEventLoopGroup { MultiThreadedEventLoopGroup.singleton }
}
