import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation
import NIOConcurrencyHelpers
import FluentKit
import SQLKit
import Vapor

/// `diversion bench pings`: pings ingested per second through the real HTTP API, beside pings checked per second in the core.
struct PingsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pings",
        abstract: "Pings ingested per second through POST /api/v1/monitoring/pings, against raw inserts of the same rows and the core's pings checked per second.",
        discussion: """
        Without --url the server runs in this process on a fresh database: an SQLite file in a temporary folder, or the \
        PostgreSQL database DATABASE_URL names (it should be empty). It creates --devices people, each sentenced to electronic \
        monitoring with a curfew and an exclusion zone, assigns a device to each, then posts batches of pings as a supervision \
        officer from --concurrency clients for --seconds. With --url it does the same against a running demo server.
        """
    )

    @ArgumentParser.Option(help: "Devices (and people with a monitored measure) to create.") var devices = 100
    @ArgumentParser.Option(help: "Seconds to post pings.") var seconds: Double = 10
    @ArgumentParser.Option(help: "Pings per batch (at most 5000).") var batch = 1000
    @ArgumentParser.Option(help: "Clients posting batches at once.") var concurrency = 4
    @ArgumentParser.Option(help: "Seconds to measure the core's rules alone.") var coreSeconds: Double = 5
    @ArgumentParser.Option(help: "A running server seeded with the demo jurisdiction, such as http://127.0.0.1:8080; left out, one starts in this process.") var url: String?
    @ArgumentParser.Option(help: "The demo users' password, with --url.") var password = DemoJurisdiction.password

    func validate() throws {
        guard (1...10_000).contains(devices) else { throw ValidationError("--devices must be from 1 to 10000") }
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be above 0 and at most 600") }
        guard (1...5000).contains(batch) else { throw ValidationError("--batch must be from 1 to 5000") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 64") }
        guard coreSeconds > 0 && coreSeconds <= 600 else { throw ValidationError("--core-seconds must be above 0 and at most 600") }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diversion-bench-pings-\(UUID().uuidString.prefix(8))")
        var config: AppConfiguration
        do {
            config = try AppConfiguration.fromEnvironment()
        } catch {
            throw CommandFailure("\(error)")
        }
        if url == nil && env["DATABASE_URL"] == nil { config.database = .sqliteFile(path: folder.appendingPathComponent("bench.sqlite").path) }
        config.logLevel = .error

        // The in-process server's clock starts a week back, so devices are assigned before the pings they will send;
        // it is set to the real time once the setup is done.
        let offset = NIOLockedValueBox<TimeInterval>(url == nil ? -7 * 86_400 + 600 : 0)
        let app = try await Application.make(Environment(name: "production", arguments: ["diversion"]))
        app.logger.logLevel = .error
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let base: String
            if let url {
                base = url.hasSuffix("/") ? String(url.dropLast()) : url
            } else {
                base = try await startBenchServer(app, config, now: { Date().addingTimeInterval(offset.withLockedValue { $0 }) })
            }
            let client = BenchClient(app: app, base: base)
            say("server: \(url ?? "in process, database \(config.database)"); \(ProcessInfo.processInfo.activeProcessorCount) cores")
            let setupClock = Date()
            let deviceIDs = try await setUp(client)
            say(String(format: "setup: %d people sentenced to monitoring with a curfew and a zone, %d devices assigned (%.1f s)",
                       devices, deviceIDs.count, Date().timeIntervalSince(setupClock)))
            offset.withLockedValue { $0 = 0 }
            let token = try await client.token("supervisor", password)
            let result = try await post(client, token: token, devices: deviceIDs, fromInProcess: url == nil)
            var raw: (rows: Int, seconds: Double)?
            if url == nil {
                await app.server.shutdown()
                raw = try await rawInserts(app.db)
            }
            let core = MonitoringBenchmark.run(seconds: coreSeconds)
            let ingested = Double(result.accepted) / result.seconds
            say(String(format: "API:  %12.0f pings ingested per second (%d in %.1f s, %d batches of %d, %d clients; %.1f ms per batch)",
                       ingested, result.accepted, result.seconds, result.batches, batch, concurrency, 1000 * result.seconds * Double(concurrency) / Double(max(result.batches, 1))))
            say("      \(result.alertsOpened) alerts opened, \(result.alertsClosed) closed, \(result.duplicates) duplicates, \(result.rejected) rejected, \(result.failures) failed batches")
            if let reason = Self.firstRejection.withLockedValue({ $0 }) { say("      first refusal: \(reason)") }
            if let raw {
                let perSecond = Double(raw.rows) / raw.seconds
                say(String(format: "raw:  %12.0f rows inserted per second (%d in %.1f s: the same columns in multi-row INSERTs of %d, one transaction each, %d clients, no checks)",
                           perSecond, raw.rows, raw.seconds, batch, concurrency))
                say(String(format: "API / raw inserts = %.2f", ingested / perSecond))
            }
            say(String(format: "core: %12.0f pings checked per second (%d in %.1f s, one thread)", core.perSecond, core.pings, core.seconds))
            say(String(format: "ingested / checked = %.3f", ingested / core.perSecond))
            try await app.asyncShutdown()
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw CommandFailure.describing(error)
        }
    }

    /// People, cases, decisions and devices, through the API as each role would create them.
    private func setUp(_ client: BenchClient) async throws -> [String] {
        let officer = try await client.token("officer", password)
        let prosecutor = try await client.token("prosecutor", password)
        let judge = try await client.token("judge", password)
        let supervisor = try await client.token("supervisor", password)
        let now = try await client.serverNow()
        let today = CalendarDate(now)
        let run = UUID().uuidString.prefix(6).lowercased()
        let zone = MonitoringBenchmark.rules().zones.first?.area.polygons.first?.outer.map { [$0.longitude, $0.latitude] } ?? []
        let home = MonitoringBenchmark.rules().curfew?.home.centre ?? GeoPoint(latitude: 38.7223, longitude: -9.1393)
        let conditions: [[String: AnyJSON]] = [
            ["type": "curfew", "parameters": .object([
                "place": "Home", "latitude": .number(home.latitude), "longitude": .number(home.longitude), "radiusMeters": 100, "start": "21:00",
                "end": "06:00", "days": .array(Curfew.Weekday.allCases.map { .string($0.rawValue) }), "timeZone": "Europe/Lisbon",
            ])],
            ["type": "exclusion_zone", "parameters": .object([
                "name": "School", "geometry": .object(["type": "Polygon", "coordinates": .array([.array(zone.map { .array($0.map(AnyJSON.number)) })])]),
            ])],
        ]
        var ids: [String] = []
        for i in 0..<devices {
            let person: [String: AnyJSON] = ["givenName": "Bench", "familyName": .string("Person \(Self.letters(i))"), "birthDate": "1990-05-06", "sex": "female"]
            let personID = try await client.post("/api/v1/persons", token: officer, person, expect: .created)["id"]?.string ?? ""
            let caseID = try await client.post("/api/v1/cases", token: prosecutor, ["personId": .string(personID)], expect: .created)["id"]?.string ?? ""
            let decision: [String: AnyJSON] = [
                "stage": "sentencing",
                "measures": .array([.object([
                    "type": "electronic_monitoring", "start": .string(today.description), "plannedEnd": .string(today.adding(days: 180).description),
                    "conditions": .array(conditions.map(AnyJSON.object)),
                ])]),
                "proportionality": .object(["gravity": "Possession for personal use.", "circumstances": "Benchmark person.", "reasons": "Monitoring at home."]),
            ]
            let decided = try await client.post("/api/v1/cases/\(caseID)/decisions", token: judge, decision, expect: .created)
            guard case .array(let measures)? = decided["measures"], case .object(let measure)? = measures.first, let measureID = measure["id"]?.string else {
                throw CommandFailure("the decision answered no measure")
            }
            let deviceID = "bench-\(run)-\(i)"
            _ = try await client.post("/api/v1/monitoring/devices", token: supervisor, ["deviceId": .string(deviceID), "measureId": .string(measureID)], expect: .created)
            ids.append(deviceID)
        }
        return ids
    }

    struct Totals {
        var accepted = 0, duplicates = 0, rejected = 0, alertsOpened = 0, alertsClosed = 0, batches = 0, failures = 0
        var seconds = 0.0
    }

    /// Posts batches from `concurrency` clients, each with its own devices, so every device's pings arrive in time order.
    private func post(_ client: BenchClient, token: String, devices ids: [String], fromInProcess: Bool) async throws -> Totals {
        let positions = MonitoringBenchmark.positions()
        let now = try await client.serverNow()
        // In process the pings fill the past week (ten seconds apart per device); against a server they follow the assignment closely.
        // Every device was assigned before now - 7 days + 600 s by the server's clock (see `run`).
        let start = fromInProcess ? now.addingTimeInterval(-7 * 86_400 + 605) : now.addingTimeInterval(1)
        let step = fromInProcess ? 10.0 : 0.002
        let deadline = Date().addingTimeInterval(seconds)
        let clock = Date()
        let batch = batch
        var totals = Totals()
        try await withThrowingTaskGroup(of: Totals.self) { group in
            for worker in 0..<concurrency {
                let mine = ids.enumerated().filter { $0.offset % concurrency == worker }.map(\.element)
                guard !mine.isEmpty else { continue }
                group.addTask {
                    var t = Totals()
                    var counts = [Int](repeating: 0, count: mine.count)
                    var cursor = 0
                    while Date() < deadline {
                        var pings: [PingInputBody] = []
                        pings.reserveCapacity(batch)
                        for _ in 0..<batch {
                            let d = cursor % mine.count
                            let (point, accuracy) = positions[(cursor / mine.count + d) % positions.count]
                            let time = start.addingTimeInterval(Double(counts[d]) * step)
                            pings.append(PingInputBody(deviceId: mine[d], time: time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
                                                       lat: point.latitude, lon: point.longitude, accuracyMeters: accuracy))
                            counts[d] += 1
                            cursor += 1
                        }
                        t.batches += 1
                        guard let answer = try? await client.pings(token: token, pings) else {
                            t.failures += 1
                            continue
                        }
                        t.accepted += answer.accepted
                        t.duplicates += answer.duplicates
                        t.rejected += answer.rejected
                        t.alertsOpened += answer.alertsOpened
                        t.alertsClosed += answer.alertsClosed
                    }
                    return t
                }
            }
            for try await t in group {
                totals.accepted += t.accepted
                totals.duplicates += t.duplicates
                totals.rejected += t.rejected
                totals.alertsOpened += t.alertsOpened
                totals.alertsClosed += t.alertsClosed
                totals.batches += t.batches
                totals.failures += t.failures
            }
        }
        totals.seconds = Date().timeIntervalSince(clock)
        return totals
    }

    /// The baseline: ping rows written straight into the table, as many clients and rows per transaction as the API run,
    /// for as long, with no authentication, checks, alerts or audit; devices of their own so nothing conflicts.
    private func rawInserts(_ db: any Database) async throws -> (rows: Int, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        let started = Date()
        let batch = batch, run = UUID().uuidString.prefix(6).lowercased()
        let rows = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var written = 0
                    let origin = Date(timeIntervalSince1970: 1_700_000_000)
                    while Date() < deadline {
                        let first = written
                        try await db.transaction { transaction in
                            guard let tx = transaction as? any SQLDatabase else { throw CommandFailure("the database does not speak SQL") }
                            for start in stride(from: 0, to: batch, by: 2_500) {
                                var insert = tx.insert(into: "monitoring_pings")
                                    .columns("device_id", "time", "latitude", "longitude", "accuracy_meters", "received_at")
                                for i in start..<min(start + 2_500, batch) {
                                    let n = first + i
                                    insert = insert.values(SQLBind("raw-\(run)-\(worker)-\(n % 100)"), SQLBind(origin.addingTimeInterval(Double(n / 100) * 10)),
                                                           SQLBind(38.72 + Double(n % 7) * 1e-4), SQLBind(-9.14), SQLBind(12.0), SQLBind(Date()))
                                }
                                try await insert.run()
                            }
                        }
                        written += batch
                    }
                    return written
                }
            }
            return try await group.reduce(0, +)
        }
        return (rows, Date().timeIntervalSince(started))
    }

    /// Why the first refused ping was refused, to show when a run refuses any.
    static let firstRejection = NIOLockedValueBox<String?>(nil)

    /// Family names must be letters: 0 → A, 25 → Z, 26 → BA.
    static func letters(_ n: Int) -> String {
        var n = n, text = ""
        repeat {
            text = String(UnicodeScalar(UInt8(65 + n % 26))) + text
            n /= 26
        } while n > 0
        return text
    }
}

/// A ping as the benchmark sends it.
struct PingInputBody: Content {
    var deviceId: String
    var time: String
    var lat: Double
    var lon: Double
    var accuracyMeters: Double
}

/// The parts of a batch answer the benchmark adds up.
struct PingAnswer: Decodable {
    struct Rejected: Decodable {
        struct Reason: Decodable {
            var field: String
            var reason: String
        }
        var errors: [Reason]
    }
    var accepted: Int
    var duplicates: Int
    var rejected: [Rejected]
    var alertsOpened: Int
    var alertsClosed: Int
}

/// Any JSON value, for request bodies built by hand.
indirect enum AnyJSON: Codable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String), number(Double), bool(Bool), array([AnyJSON]), object([String: AnyJSON]), null

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }

    var string: String? { if case .string(let s) = self { s } else { nil } }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }
}

/// Starts the app on `config`'s database in this process, migrated and with the demo jurisdiction, on a free loopback
/// port; answers its base URL. Benchmarks send real HTTP to it, so the whole request path is measured.
func startBenchServer(_ app: Application, _ config: AppConfiguration, now: @escaping @Sendable () -> Date = { Date() }) async throws -> String {
    try await configure(app, config, now: now)
    try await app.autoMigrate()
    try await DemoJurisdiction.seed(app)
    try await app.asyncBoot()
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    guard let port = app.http.server.shared.localAddress?.port else { throw CommandFailure("the in-process server did not start") }
    return "http://127.0.0.1:\(port)"
}

/// Talks to the server over HTTP like any API client.
struct BenchClient: Sendable {
    let app: Application
    let base: String

    func token(_ username: String, _ password: String) async throws -> String {
        let answer = try await post("/api/v1/auth/token", token: nil, ["username": .string(username), "password": .string(password)], expect: .ok)
        guard let token = answer["token"]?.string else { throw CommandFailure("signing in as \(username) answered no token") }
        return token
    }

    /// The server's own time, from its Date header, so ping times suit its clock.
    func serverNow() async throws -> Date {
        let response = try await app.client.get(URI(string: base + "/healthz"))
        guard let text = response.headers.first(name: .date), let date = DateFormatter.http.date(from: text) else { return Date() }
        return date
    }

    func post(_ path: String, token: String?, _ body: [String: AnyJSON], expect: HTTPStatus) async throws -> [String: AnyJSON] {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        let response = try await app.client.post(URI(string: base + path), headers: headers) { try $0.content.encode(body, as: .json) }
        guard response.status == expect else {
            let text = response.body.map { String(buffer: $0) } ?? ""
            throw CommandFailure("POST \(path) answered \(response.status.code): \(text.prefix(300))")
        }
        return try response.content.decode([String: AnyJSON].self)
    }

    /// Sends one request and answers its status and how long the answer took.
    func timed(_ method: HTTPMethod, _ path: String, token: String?, body: [String: AnyJSON]? = nil) async throws -> (status: HTTPStatus, seconds: Double, json: [String: AnyJSON]?) {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.replaceOrAdd(name: "X-Purpose", value: "benchmark")
        let clock = ContinuousClock()
        let started = clock.now
        let response = try await app.client.send(method, headers: headers, to: URI(string: base + path)) { request in
            if let body { try request.content.encode(body, as: .json) }
        }
        let seconds = (clock.now - started).seconds
        // Problem answers are application/problem+json, which the content decoder does not take for JSON.
        let json = response.body.flatMap { try? JSONDecoder().decode([String: AnyJSON].self, from: Data(buffer: $0)) }
        return (response.status, seconds, json)
    }

    func pings(token: String, _ pings: [PingInputBody]) async throws -> (accepted: Int, duplicates: Int, rejected: Int, alertsOpened: Int, alertsClosed: Int) {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        let response = try await app.client.post(URI(string: base + "/api/v1/monitoring/pings"), headers: headers) {
            try $0.content.encode(["pings": pings], as: .json)
        }
        guard response.status == .ok else { throw CommandFailure("a batch answered \(response.status.code)") }
        let answer = try response.content.decode(PingAnswer.self)
        if let first = answer.rejected.first?.errors.first, PingsBench.firstRejection.withLockedValue({ $0 == nil }) {
            PingsBench.firstRejection.withLockedValue { $0 = "\(first.field): \(first.reason)" }
        }
        return (answer.accepted, answer.duplicates, answer.rejected.count, answer.alertsOpened, answer.alertsClosed)
    }
}

extension DateFormatter {
    /// The HTTP Date header's format (RFC 9110 IMF-fixdate).
    fileprivate static let http: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f
    }()
}
