import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation

/// `diversion demo generate`: a synthetic jurisdiction of any size in the pathway's own tables, for benchmarks and
/// for tests whose true values are known.
struct GenerateJurisdiction: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic jurisdiction into the configured database: people, contacts evaluated under the active policy, "
            + "decisions, referrals, cases and measures with outcomes, screenings, drug-test results and graduated responses. "
            + "Never real data; the same seed gives the same jurisdiction."
    )

    @ArgumentParser.Option(help: "How many people to generate (each with one to four contacts over three years).") var people: Int = 10_000
    @ArgumentParser.Option(help: "The seed of the random draws.") var seed: UInt64 = 1
    @ArgumentParser.Option(help: "The last day of the three years generated, YYYY-MM-DD; today when omitted.") var end: String?

    func validate() throws {
        guard people >= 1, people <= 5_000_000 else { throw ValidationError("Give --people from 1 to 5000000.") }
        if let end, CalendarDate(end) == nil { throw ValidationError("'\(end)' is not a date; write --end YYYY-MM-DD.") }
    }

    func run() async throws {
        let count = people, seed = self.seed
        let endDay = end.flatMap { CalendarDate($0) }
        try await withApplication(migrate: true) { app, _ in
            // The staff, services and policy the records are attributed to: the demo jurisdiction's, seeded if missing.
            try await DemoJurisdiction.seed(app)
            let policy = try await activePolicy(of: app)
            guard let policyID = try await PolicyStore().activeID(on: app.db) else { throw CommandFailure("no policy is active") }
            let staff = try await DemoJurisdiction.generationStaff(policyVersionID: policyID, on: app.db)
            let now = Date()
            let ending = endDay ?? CalendarDate(now)
            let generator = GeneratedJurisdiction(policy: policy, staff: staff)
            let clock = ContinuousClock()
            let started = clock.now
            let step = max(count / 10, 1)
            let summary = try await generator.write(people: count, seed: seed, endingOn: ending, on: app.db) { written in
                if written / step != (written - 1) / step || written == count { say("  \(written) of \(count) people written") }
            }
            let seconds = (clock.now - started).seconds
            try await AuditTrail(database: app.db).record([AuditEvent(
                occurredAt: Date(), userID: nil, username: "command line", agencyID: nil, action: .create, resourceType: "generated_jurisdiction",
                resourceID: "seed-\(seed)", purpose: "synthetic jurisdiction generated: \(summary.people) people, \(summary.contacts) contacts, seed \(seed)"
            )])
            say("Generated \(summary.people) people, \(summary.contacts) contacts (\(summary.eligible) eligible, \(summary.diverted) diverted), "
                + "\(summary.referrals) referrals with \(summary.referralEvents) events, \(summary.cases) cases and \(summary.measures) measures, "
                + "ending \(ending) (seed \(seed)).")
            say("Supervision: \(summary.screenings) screenings, \(summary.drugTests) drug tests (\(summary.positiveTests) positive) under "
                + "\(summary.testedMeasures) testing plans with \(summary.relapses) relapses, \(summary.incentives) incentives and \(summary.sanctions) sanctions.")
            say("\(summary.rows) rows in \(formatSeconds(seconds)): \(perSecond(summary.rows, seconds)) rows, \(perSecond(summary.people, seconds)) people per second.")
        }
    }
}
