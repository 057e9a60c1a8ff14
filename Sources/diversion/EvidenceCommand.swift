import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation

/// `diversion evidence generate|refresh`: the fact tables the indicators are counted from.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "The evidence fact tables behind the indicators.", subcommands: [Generate.self, Refresh.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the generated contacts with a new synthetic data set under the active policy (never real data; "
                + "for trying the indicators and measuring the database). The same seed gives the same data."
        )

        @ArgumentParser.Option(help: "How many contacts to generate.") var contacts: Int = 10_000
        @ArgumentParser.Option(help: "The seed of the random draws.") var seed: UInt64 = 1
        @ArgumentParser.Option(help: "The last day of the three years generated, YYYY-MM-DD; today when omitted.") var end: String?

        func validate() throws {
            guard contacts >= 0, contacts <= 10_000_000 else { throw ValidationError("Give --contacts from 0 to 10000000.") }
            if let end, CalendarDate(end) == nil { throw ValidationError("'\(end)' is not a date; write --end YYYY-MM-DD.") }
        }

        func run() async throws {
            let count = contacts, seed = self.seed
            let endDay = end.flatMap { CalendarDate($0) }
            try await withApplication(migrate: true) { app, _ in
                let policy = try await activePolicy(of: app)
                let now = Date()
                let ending = endDay ?? CalendarDate(now)
                let clock = ContinuousClock()
                var generated: (facts: [ContactFact], tests: [TestFact]) = ([], [])
                let generation = clock.measure {
                    generated = SyntheticEvidence.generate(contacts: count, seed: seed, policy: policy, endingOn: ending)
                }
                let (facts, tests) = generated
                let rows = facts.count + tests.count
                let g = generation.seconds
                say("Generated \(facts.count) contacts and \(tests.count) drug tests ending \(ending) (seed \(seed)) in \(formatSeconds(g)): "
                    + "\(perSecond(facts.count, g)) contacts, \(perSecond(rows, g)) rows per second.")
                let write = try await clock.measure {
                    _ = try await AuditTrail(database: app.db).perform { db in
                        try await EvidenceStore().replace(source: .generated, facts: facts, tests: tests, at: now, on: db)
                        return (facts.count, [AuditEvent(
                            occurredAt: now, userID: nil, username: "command line", agencyID: nil, action: .update, resourceType: "evidence",
                            resourceID: FactSource.generated.rawValue,
                            purpose: "generated evidence replaced: \(facts.count) synthetic contacts, \(tests.count) tests, seed \(seed)"
                        )])
                    }
                }.seconds
                say("Database write: \(formatSeconds(write)), \(perSecond(facts.count, write)) contacts, \(perSecond(rows, write)) rows per second.")
            }
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the recorded contacts from the pathway's own records under the active policy, in one transaction."
        )

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                let policy = try await activePolicy(of: app)
                let clock = ContinuousClock()
                var counts = (contacts: 0, tests: 0)
                let elapsed = try await clock.measure {
                    counts = try await EvidenceRefresh().run(policy: policy, at: Date(), on: app.db)
                }.seconds
                say("Recorded evidence rebuilt: \(counts.contacts) contacts and \(counts.tests) drug tests in \(formatSeconds(elapsed)).")
            }
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
