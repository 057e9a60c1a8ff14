import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import FluentKit
import Foundation
import SQLKit

/// `diversion bench indicator`: a four-way disaggregated indicator against one hand-written GROUP BY on the same facts.
struct IndicatorBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicator",
        abstract: "Time a four-way disaggregated indicator (with suppression) against one hand-written SQL GROUP BY, on the configured database."
    )

    @Option(help: "Generated contacts to measure over (replaces the generated facts).") var contacts: Int = 1_000_000
    @Option(help: "Seed of the generated data set.") var seed: UInt64 = 2026
    @Option(help: "Runs of each side; the median is reported.") var runs: Int = 5
    @Flag(help: "Measure the generated facts already in the database instead of generating them again.") var reuse = false

    func validate() throws {
        guard (1_000...20_000_000).contains(contacts) else { throw ValidationError("--contacts must be from 1000 to 20000000") }
        guard (1...50).contains(runs) else { throw ValidationError("--runs must be from 1 to 50") }
    }

    func run() async throws {
        try await withApplication(migrate: true) { app, config in
            let db = app.db
            let policy = try await activePolicy(of: app)
            let end = CalendarDate(year: 2026, month: 10, day: 31)
            if !reuse {
                let started = Date()
                let (facts, tests) = SyntheticEvidence.generate(contacts: contacts, seed: seed, policy: policy, endingOn: end)
                let generated = Date().timeIntervalSince(started)
                let writing = Date()
                try await EvidenceStore().replace(source: .generated, facts: facts, tests: tests, at: Date(), on: db)
                say(String(format: "generated %d contacts in %.1f s; written with follow-up links in %.1f s (%.0f rows per second)",
                           facts.count, generated, Date().timeIntervalSince(writing), Double(facts.count) / Date().timeIntervalSince(writing)))
            }
            guard let sql = db as? any SQLDatabase, let indicator = IndicatorCatalogue.named("diverted_share") else { return }
            let total = try await sql.raw("SELECT COUNT(*) AS n FROM evidence_contacts").first()?.decode(column: "n", as: Int.self) ?? 0
            let by: [EvidenceDimension] = [.sex, .ageGroup, .region, .substance]
            let query = IndicatorQuery(indicator: indicator, by: by, asOf: end)
            let ages = AgeGroups(bands: policy.evidence.ageBands)
            // The baseline an analyst would write by hand: the same cut and counts, no suppression, no service.
            var ageCase = "CASE WHEN age IS NULL OR age < 0 THEN 'unknown'"
            if let first = ages.bands.first { ageCase += " WHEN age < \(first) THEN 'under \(first)'" }
            for (i, lower) in ages.bands.enumerated() where i + 1 < ages.bands.count {
                ageCase += " WHEN age < \(ages.bands[i + 1]) THEN '\(lower)-\(ages.bands[i + 1] - 1)'"
            }
            ageCase += " ELSE '\(ages.bands.last ?? 0)+' END"
            let baseline = """
                SELECT sex, \(ageCase) AS age_group, region, COALESCE(substance, 'none') AS substance, COUNT(*) AS n, SUM(diverted) AS diverted
                FROM evidence_contacts GROUP BY 1, 2, 3, 4
                """
            var ours: [Double] = [], theirs: [Double] = []
            var rows = 0, suppressed = 0, baselineRows = 0
            for _ in 0..<runs {
                var t = Date()
                let table = try await EvidenceStore().table(query, policy: policy, on: db)
                ours.append(Date().timeIntervalSince(t))
                rows = table.rows.count
                suppressed = table.rows.filter(\.suppressed).count
                t = Date()
                baselineRows = try await sql.raw(SQLQueryString(baseline)).all().count
                theirs.append(Date().timeIntervalSince(t))
            }
            func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
            say("database: \(config.database); \(total) contacts in the fact table; \(ProcessInfo.processInfo.activeProcessorCount) cores")
            say("indicator diverted_share by sex, age_group, region, substance: \(rows) cells (\(suppressed) suppressed, zero cells filled in)")
            say(String(format: "indicator (query, suppression, assembly): median %.3f s over %d runs", median(ours), runs))
            say(String(format: "hand-written GROUP BY (%d rows):          median %.3f s over %d runs", baselineRows, median(theirs), runs))
            say(String(format: "indicator / GROUP BY = %.2f", median(ours) / median(theirs)))
        }
    }
}
