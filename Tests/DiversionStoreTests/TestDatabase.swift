import DiversionStore
import DiversionTestSupport
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// A fresh, migrated database for one test (see `TestDatabaseLocation`).
struct TestDatabase {
    let databases: Databases
    let db: any Database
    let location: DatabaseLocation
    let schema: String?

    static func with<T>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        let fresh = try TestDatabaseLocation.fresh()
        let location = fresh.location, schema = fresh.schema
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        try DatabaseSetup.register(location, on: databases, connectionsPerEventLoop: 1)
        var logger = Logger(label: "test")
        logger.logLevel = .error
        guard let db = databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any()) else {
            throw DatabaseUnavailable("no default database was registered")
        }
        if let schema, let sql = db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA \(ident: schema)").run()
        }
        let migrator = Migrator(databases: databases, migrations: {
            let m = Migrations()
            m.add(DatabaseSetup.migrations)
            return m
        }(), logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        let test = TestDatabase(databases: databases, db: db, location: location, schema: schema)
        do {
            try await migrator.setupIfNeeded().get()
            try await migrator.prepareBatch().get()
            let result = try await body(test)
            await test.tearDown()
            return result
        } catch {
            await test.tearDown()
            throw error
        }
    }

    func tearDown() async {
        if let schema, let sql = db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
        }
        await databases.shutdownAsync()
    }
}
