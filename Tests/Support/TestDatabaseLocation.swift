import DiversionStore
import Foundation

/// Where a test's data lives: in-memory SQLite by default, or, when `DIVERSION_TEST_DATABASE_URL`
/// names a PostgreSQL server, a schema of its own there so that parallel tests never meet.
public struct TestDatabaseLocation: Sendable {
    public let location: DatabaseLocation
    /// The schema to create before migrating and drop afterwards (PostgreSQL only).
    public let schema: String?

    public static func fresh(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TestDatabaseLocation {
        guard let url = environment["DIVERSION_TEST_DATABASE_URL"], !url.isEmpty else {
            return TestDatabaseLocation(location: .sqliteMemory, schema: nil)
        }
        let location = try DatabaseLocation.parse(url)
        guard case .postgres(var p) = location else { return TestDatabaseLocation(location: location, schema: nil) }
        let name = "t_" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
        p.searchPath = [name]
        return TestDatabaseLocation(location: .postgres(p), schema: name)
    }
}
