import DiversionCore
import DiversionStore
import DiversionTestSupport
import Foundation
import NIOCore
import SQLKit
import Synchronization
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A configured, migrated, demo-seeded app on a fresh database (see `TestDatabaseLocation`).
struct TestApp {
    let app: Application
    let clock: TestClock

    static func run(_ body: (TestApp) async throws -> Void) async throws {
        await TestSlots.shared.acquire()
        do {
            try await runApp(body)
        } catch {
            await TestSlots.shared.release()
            throw error
        }
        await TestSlots.shared.release()
    }

    private static func runApp(_ body: (TestApp) async throws -> Void) async throws {
        let fresh = try TestDatabaseLocation.fresh()
        let schema = fresh.schema
        var config = AppConfiguration(database: fresh.location)
        config.bcryptCost = 4
        // Suites run in parallel, each app with its own pool: keep them within the server's connection limit.
        config.connectionsPerEventLoop = 1
        let clock = TestClock()
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        do {
            try await configure(app, config, now: { clock.now })
            if let schema, let sql = app.db as? any SQLDatabase {
                try await sql.raw("CREATE SCHEMA \(ident: schema)").run()
            }
            try await app.autoMigrate()
            try await DemoJurisdiction.seed(app)
            try await body(TestApp(app: app, clock: clock))
        } catch {
            // PostgreSQL errors describe themselves only when asked to reflect.
            print("test app failed: \(String(reflecting: error))")
            await drop(schema, app)
            try await app.asyncShutdown()
            throw error
        }
        await drop(schema, app)
        try await app.asyncShutdown()
    }

    private static func drop(_ schema: String?, _ app: Application) async {
        if let schema, let sql = app.db as? any SQLDatabase {
            try? await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
        }
    }

    /// Sends a request through the whole middleware stack.
    @discardableResult
    func send(
        _ method: HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [],
        json: (any Encodable)? = nil, body: String? = nil, contentType: String? = nil, overTheNetwork: Bool = false
    ) async throws -> TestingHTTPResponse {
        var h = HTTPHeaders(headers)
        if let token { h.bearerAuthorization = BearerAuthorization(token: token) }
        var buffer = ByteBuffer()
        if let json {
            let data = try JSONEncoder().encode(json)
            buffer.writeBytes(data)
            h.replaceOrAdd(name: .contentType, value: contentType ?? "application/json")
        } else if let body {
            buffer.writeString(body)
            if let contentType { h.replaceOrAdd(name: .contentType, value: contentType) }
        }
        let request = TestingHTTPRequest(method: method, url: URI(string: path), headers: h, body: buffer)
        // Over the network the body streams in, so limits that apply while it arrives are exercised too.
        guard overTheNetwork else { return try await app.testing().performTest(request: request) }
        // A random port may be taken by another suite or process; try a few.
        var attempt = 0
        while true {
            attempt += 1
            do {
                let tester = try app.testing(method: .running(hostname: "127.0.0.1", port: Int.random(in: 20_000..<60_000)))
                return try await tester.performTest(request: request)
            } catch let error as IOError where error.errnoCode == EADDRINUSE && attempt < 5 {
                continue
            }
        }
    }

    /// Signs in through the API and returns the bearer token.
    func token(_ username: String, password: String = "demo") async throws -> String {
        let response = try await send(.POST, "/api/v1/auth/token", json: ["username": username, "password": password])
        try #require(response.status == .ok, "sign-in of \(username) answered \(response.status)")
        return try response.content.decode(AuthController.TokenResponse.self).token
    }

    func auditEntries() async throws -> [AuditEntry] {
        try await AuditLedger().latest(10_000, on: app.db).reversed()
    }
}

extension TestingHTTPResponse {
    /// The problem document of an error answer, checking its media type on the way.
    func problem() throws -> Problem {
        #expect(headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
        return try JSONDecoder().decode(Problem.self, from: Data(buffer: body))
    }

    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(buffer: body))
    }

    var text: String { String(buffer: body) }
}

/// Every role of the demo jurisdiction, by username.
let caseworkUsers = ["officer", "prosecutor", "judge", "provider", "supervisor"]
let nonCaseworkUsers = ["analyst", "admin"]

/// Bounds how many test apps run at once, so parallel suites stay within PostgreSQL's connection limit.
actor TestSlots {
    static let shared = TestSlots(limit: 12)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
