import DiversionCore
import DiversionStore
import Foundation
import Fluent
import SQLKit
import Vapor

/// The app's dependencies, created once by `configure` and injectable by tests.
struct DiversionServices: Sendable {
    var configuration: AppConfiguration
    var policy: AccessPolicy
    var auditTrail: AuditTrail
    var accounts: AccountStore
    var people: PersonStore
    var throttle: LoginThrottle
    var localizer: Localizer
    var wording: InstrumentWording
    /// Field error reasons in each interface language.
    var fieldMessages = FieldMessageTranslator(catalogues: [:])
    var policies = PolicyCache()
    /// The clock, injected so tests can move time (lockouts, idle sessions).
    var now: @Sendable () -> Date
    /// Asks the database for a trivial answer; replaceable so tests can play an outage.
    var databaseProbe: @Sendable (any Database) async throws -> Void = { db in
        guard let sql = db as? any SQLDatabase else { throw DatabaseUnavailable("not an SQL database") }
        try await sql.raw("SELECT 1").run()
    }
}

extension Application {
    private struct ServicesKey: StorageKey {
        typealias Value = DiversionServices
    }

    var diversion: DiversionServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                fatalError("configure(_:_:) sets the services before any route runs")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}

extension Request {
    var diversion: DiversionServices { application.diversion }
    var now: Date { application.diversion.now() }
}
