import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation
import SQLKit
import Vapor

/// `diversion bench pathway`: the officer's pathway over HTTP against the configured database, request by request,
/// beside the same server's `/healthz`.
struct PathwayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathway",
        abstract: "The officer's pathway timed request by request against the configured database, beside /healthz.",
        discussion: """
        A server starts in this process on the database DATABASE_URL names (fill it first with `diversion demo generate \
        --people 1000000`). One officer then walks --flows people drawn from those on record, one request at a time: finds \
        the person by name and birth date, records a contact (its eligibility evaluated with the person's history and \
        audited), records a screening (ASSIST, or CRAFFT under 18), and asks for the services that fit. It prints p50, p95 and p99 of each \
        request and of the whole flow, and of as many /healthz requests, and the server's resident memory before and after.
        """
    )

    @ArgumentParser.Option(help: "Flows to time (each is four requests).") var flows = 500
    @ArgumentParser.Option(help: "Flows run first and not counted, so caches and connections are warm.") var warmup = 50

    func validate() throws {
        guard (10...100_000).contains(flows) else { throw ValidationError("--flows must be from 10 to 100000") }
        guard (0...10_000).contains(warmup) else { throw ValidationError("--warmup must be from 0 to 10000") }
    }

    func run() async throws {
        var config: AppConfiguration
        do { config = try AppConfiguration.fromEnvironment() } catch { throw CommandFailure("\(error)") }
        config.logLevel = .error
        let app = try await Application.make(Environment(name: "production", arguments: ["diversion"]))
        app.logger.logLevel = .error
        do {
            let client = BenchClient(app: app, base: try await startBenchServer(app, config))
            guard let sql = app.db as? any SQLDatabase else { throw CommandFailure("the database does not speak SQL") }
            let people = try await sql.raw("SELECT COUNT(*) AS n FROM persons").first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
            // Ordered by the random person id: a sample spread over the whole table, the same on every run.
            let sample = try await sql.raw("""
                SELECT i.person_id AS id, i.family_name AS name, p.birth_date AS birth FROM person_identities i
                JOIN persons p ON p.id = i.person_id WHERE p.anonymised_at IS NULL ORDER BY i.person_id LIMIT \(unsafeRaw: String(flows + warmup))
                """).all().map { (id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self),
                                  birth: try $0.decode(column: "birth", as: String.self)) }
            guard !sample.isEmpty else { throw CommandFailure("no person is on record; run `diversion demo generate` first") }
            say("database: \(config.database); \(people) people on record; \(ProcessInfo.processInfo.activeProcessorCount) cores")
            let rssBefore = Self.residentMegabytes()
            let token = try await client.token("officer", DemoJurisdiction.password)

            var steps: [String: [Double]] = [:]
            var totals: [Double] = []
            let names = ["find person", "record contact + eligibility", "record screening", "suggest services"]
            for (n, person) in sample.enumerated() {
                let times = try await flow(client, token: token, person: person)
                guard n >= warmup else { continue }
                for (name, t) in zip(names, times) { steps[name, default: []].append(t) }
                totals.append(times.reduce(0, +))
            }
            var health: [Double] = []
            for n in 0..<(totals.count + warmup) {
                let answer = try await client.timed(.GET, "/healthz", token: nil)
                if n >= warmup { health.append(answer.seconds) }
            }
            let rssAfter = Self.residentMegabytes()
            await app.server.shutdown()

            say("request".padding(toLength: 31, withPad: " ", startingAt: 0) + "     p50       p95       p99")
            for name in names { say(Self.line(name, steps[name] ?? [])) }
            say(Self.line("whole flow (4 requests)", totals))
            say(Self.line("/healthz", health))
            let worst = names.map { Self.percentile(steps[$0] ?? [], 0.95) }.max() ?? 0
            say(String(format: "slowest pathway request p95 %.1f ms (target 25 ms); against /healthz p95 %.1f ms: ratio %.2f",
                       worst * 1000, Self.percentile(health, 0.95) * 1000, Self.percentile(health, 0.95) / max(worst, 1e-9)))
            say("server resident memory: \(rssBefore.map { "\($0) MB" } ?? "unknown") before, \(rssAfter.map { "\($0) MB" } ?? "unknown") after the flows")
            try await app.asyncShutdown()
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw CommandFailure.describing(error)
        }
    }

    /// One officer's flow for a person on record: the seconds each of the four requests took.
    private func flow(_ client: BenchClient, token: String, person: (id: UUID, name: String, birth: String)) async throws -> [Double] {
        let query = person.name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? person.name
        let found = try await client.timed(.GET, "/api/v1/persons?q=\(query)&birthDate=\(person.birth)&limit=10", token: token)
        try Self.expect(found, .ok, "the person search")
        let id = person.id.uuidString.lowercased()
        let contact: [String: AnyJSON] = [
            "personId": .string(id), "occurredAt": .string(ISO8601DateFormatter().string(from: Date())), "region": "R1",
            "offences": .array([.object(["category": "possession_personal_use"])]),
            "seizures": .array([.object(["substance": "cannabis_herb", "quantity": .number(7.5), "unit": "g"])]),
        ]
        let recorded = try await client.timed(.POST, "/api/v1/contacts", token: token, body: contact)
        try Self.expect(recorded, .created, "recording the contact")
        // The policy screens people under 18 with CRAFFT and adults with ASSIST.
        let minor = CalendarDate(person.birth).map { $0.completedYears(on: CalendarDate(Date())) < 18 } ?? false
        let screening: [String: AnyJSON] = minor
            ? ["personId": .string(id), "instrument": "crafft", "answers": .object([
                "partA": .object(["alcoholDays": 2, "cannabisDays": 4, "otherDays": 0]),
                "partB": .array([.bool(false), .bool(true), .bool(true), .bool(false), .bool(false), .bool(false)]),
            ])]
            : ["personId": .string(id), "instrument": "assist",
               "answers": .object(["cannabis": .object(["q1": .bool(true), "q2": 3, "q3": 2, "q4": 1, "q5": 0, "q6": 1, "q7": 0])])]
        let screened = try await client.timed(.POST, "/api/v1/screenings", token: token, body: screening)
        try Self.expect(screened, .created, "recording the screening")
        let suggested = try await client.timed(.POST, "/api/v1/referrals/suggestions", token: token, body: ["personId": .string(id), "region": "R1"])
        try Self.expect(suggested, .ok, "suggesting services")
        return [found.seconds, recorded.seconds, screened.seconds, suggested.seconds]
    }

    static func expect(_ answer: (status: HTTPStatus, seconds: Double, json: [String: AnyJSON]?), _ wanted: HTTPStatus, _ what: String) throws {
        guard answer.status == wanted else {
            let detail = answer.json.map { ": \(String(describing: $0).prefix(400))" } ?? ""
            throw CommandFailure("\(what) answered \(answer.status.code), not \(wanted.code)\(detail)")
        }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func line(_ name: String, _ values: [Double]) -> String {
        name.padding(toLength: 31, withPad: " ", startingAt: 0)
            + String(format: "%6.1f ms %6.1f ms %6.1f ms", percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000, percentile(values, 0.99) * 1000)
    }

    /// This process's resident set in megabytes (Linux /proc), or nil elsewhere.
    static func residentMegabytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = line.split(separator: " ").compactMap({ Int($0) }).first else { return nil }
        return kb / 1024
    }
}
