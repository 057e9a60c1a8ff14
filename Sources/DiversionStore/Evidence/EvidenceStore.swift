import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// Reads and writes the evidence fact tables; every indicator is one GROUP BY over them.
public struct EvidenceStore: Sendable {
    public init() {}

    static let contactColumns = [
        "contact_key", "source", "person_key", "occurred_day", "period_month", "period_quarter", "period_year", "sex", "age", "region",
        "nationality", "offence", "substance", "seizures", "circumstances", "serious_convictions", "stage", "measure_type", "screened",
        "eligible", "diverted", "referral_sent", "referral_accepted", "referral_engaged", "treatment_modality", "intake_day",
        "dropped_day", "measure_start_day", "measure_end_day", "measure_outcome", "incentives", "sanctions", "testing_start_day",
        "last_test_day", "relapse_day",
    ]

    // MARK: Writing

    /// Appends facts and tests, without linking follow-ups (`linkFollowUps` does that). Callers wrap it in a transaction
    /// when all-or-nothing matters (imports).
    public func insert(_ facts: [ContactFact], tests: [TestFact], source: FactSource, on db: any Database) async throws {
        try await write(facts, next: nil, tests: tests, source: source, on: db)
    }

    /// Writes facts with their follow-ups worked out here (`FollowUp`), which saves walking the table afterwards: only
    /// when `facts` are every contact of their source.
    func writeLinked(_ facts: [ContactFact], tests: [TestFact], source: FactSource, on db: any Database) async throws {
        try await write(facts, next: FollowUp.nextContactDays(facts), tests: tests, source: source, on: db)
    }

    func write(_ facts: [ContactFact], next: [Int?]?, tests: [TestFact], source: FactSource, on db: any Database) async throws {
        try await BulkInsert.run(into: "evidence_contacts", columns: Self.contactColumns + ["next_contact_day"], rows: facts.indices, on: db) { i in
            Self.values(facts[i]) + [BulkValue(next?[i])]
        }
        try await BulkInsert.run(
            into: "evidence_tests", columns: ["contact_key", "source", "test_day", "period_month", "period_quarter", "period_year", "negative"],
            rows: tests, on: db
        ) { t in
            let p = Self.periods(t.testOn)
            return [.text(t.contactKey), .text(source.rawValue), .integer(t.testOn.dayNumber), .text(p.0), .text(p.1), .text(p.2), .integer(t.negative ? 1 : 0)]
        }
    }

    /// Replaces every fact of one source (the recorded pathway is rebuilt whole), links follow-ups and notes the time.
    public func replace(source: FactSource, facts: [ContactFact], tests: [TestFact], at now: Date, on db: any Database) async throws {
        try await db.transaction { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            try await sql.raw("DELETE FROM evidence_tests WHERE source = \(bind: source.rawValue)").run()
            try await sql.raw("DELETE FROM evidence_contacts WHERE source = \(bind: source.rawValue)").run()
            try await writeLinked(facts, tests: tests, source: source, on: tx)
            try await noteRefresh(source: source, at: now, contacts: facts.count, tests: tests.count, on: tx)
        }
    }

    /// Sets each contact's `next_contact_day`: the same person's next contact, which recidivism counts. With `source`,
    /// only that source's contacts are linked: each source keys its people its own way (historical keys carry a prefix),
    /// so a person never spans two sources, and an import need not walk the other sources' millions of rows.
    public func linkFollowUps(source: FactSource? = nil, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if let source {
            try await sql.raw("""
                UPDATE evidence_contacts SET next_contact_day = (
                  SELECT MIN(n.occurred_day) FROM evidence_contacts n
                  WHERE n.person_key = evidence_contacts.person_key AND n.occurred_day > evidence_contacts.occurred_day
                    AND n.source = \(bind: source.rawValue))
                WHERE source = \(bind: source.rawValue)
                """).run()
            return
        }
        try await sql.raw("""
            UPDATE evidence_contacts SET next_contact_day = (
              SELECT MIN(n.occurred_day) FROM evidence_contacts n
              WHERE n.person_key = evidence_contacts.person_key AND n.occurred_day > evidence_contacts.occurred_day)
            """).run()
    }

    public func noteRefresh(source: FactSource, at now: Date, contacts: Int, tests: Int, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM evidence_refreshes WHERE source = \(bind: source.rawValue)").run()
        try await sql.raw("""
            INSERT INTO evidence_refreshes (source, refreshed_at, contacts, tests)
            VALUES (\(bind: source.rawValue), \(bind: now), \(bind: contacts), \(bind: tests))
            """).run()
    }

    /// When each source was last written and how many rows it holds.
    public func refreshes(on db: any Database) async throws -> [(source: String, at: Date, contacts: Int, tests: Int)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.raw("SELECT source, refreshed_at, contacts, tests FROM evidence_refreshes ORDER BY source").all().map {
            (try $0.decode(column: "source", as: String.self), try $0.decode(column: "refreshed_at", as: Date.self),
             try $0.decode(column: "contacts", as: Int.self), try $0.decode(column: "tests", as: Int.self))
        }
    }

    /// Removes every fact of one source (an import taken back).
    public func remove(source: FactSource, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM evidence_tests WHERE source = \(bind: source.rawValue)").run()
        try await sql.raw("DELETE FROM evidence_contacts WHERE source = \(bind: source.rawValue)").run()
        try await sql.raw("DELETE FROM evidence_refreshes WHERE source = \(bind: source.rawValue)").run()
        // No other source's links change: a person never spans two sources (see `linkFollowUps`).
    }

    static func periods(_ d: CalendarDate) -> (String, String, String) {
        let y = String(d.year)
        return (y + "-" + (d.month < 10 ? "0" : "") + String(d.month), y + "-Q" + String((d.month - 1) / 3 + 1), y)
    }

    /// A fact's cells in the order of `contactColumns`.
    static func values(_ f: ContactFact) -> [BulkValue] {
        let p = periods(f.occurredOn)
        func day(_ d: CalendarDate?) -> BulkValue { BulkValue(d?.dayNumber) }
        func flag(_ b: Bool) -> BulkValue { .integer(b ? 1 : 0) }
        return [
            .text(f.contactKey), .text(f.source.rawValue), .text(f.personKey), .integer(f.occurredOn.dayNumber), .text(p.0), .text(p.1),
            .text(p.2), .text(f.sex.rawValue), BulkValue(f.age), .text(f.region), BulkValue(f.nationality), .text(f.offence),
            BulkValue(f.substance), .text(FactEncoding.seizures(f.seizures)), .integer(FactEncoding.circumstances(f.circumstances)),
            .text(FactEncoding.days(f.seriousConvictions)), .text(f.stage.rawValue), BulkValue(f.measureType), flag(f.screened),
            flag(f.eligible), flag(f.diverted), flag(f.referralSent), flag(f.referralAccepted), flag(f.referralEngaged),
            BulkValue(f.treatmentModality), day(f.intakeOn), day(f.treatmentDroppedOn), day(f.measureStartOn), day(f.measureEndOn),
            BulkValue(f.measureOutcome), .integer(f.incentives), .integer(f.sanctions), day(f.testingStartOn), day(f.lastTestOn), day(f.relapseOn),
        ]
    }

    // MARK: Reading

    /// The published table of one indicator: counted by the database, protected by the core.
    public func table(_ query: IndicatorQuery, policy: JurisdictionPolicy, on db: any Database) async throws -> IndicatorTable {
        guard let sql = db as? any SQLDatabase else { throw EvidenceStoreError.notSQL }
        let e = policy.evidence
        let threshold = e.suppressionThreshold
        let sqlText = EvidenceSQL(policy: policy, query: query)
        let dims = query.by.count
        func keys(_ row: any SQLRow) throws -> [String] {
            try (0..<dims).map { try row.decode(column: "d\($0)", as: String?.self) ?? "unknown" }
        }
        switch query.indicator.kind {
        case .survival:
            var groups: [[String]: [SurvivalObservation]] = [:]
            for row in try await sql.raw(SQLQueryString(sqlText.survival())).all() {
                let k = try keys(row)
                groups[k, default: []].append(SurvivalObservation(
                    time: try row.decode(column: "t", as: Int.self), event: try row.decode(column: "ev", as: Int.self) == 1,
                    count: try row.decode(column: "n", as: Int.self)))
            }
            return IndicatorAssembly.survival(query, groups: groups.map { ($0.key, $0.value) }, threshold: threshold)
        case .medianDays:
            var groups: [[String]: [(value: Int, count: Int)]] = [:]
            for row in try await sql.raw(SQLQueryString(sqlText.distribution())).all() {
                groups[try keys(row), default: []].append((try row.decode(column: "v", as: Int.self), try row.decode(column: "n", as: Int.self)))
            }
            let cells = groups.map { k, dist in
                let n = dist.reduce(0) { $0 + $1.count }
                return IndicatorCell(keys: k, support: n, numerator: IndicatorAssembly.median(dist) ?? 0, denominator: Double(n))
            }
            return IndicatorAssembly.table(query, cells: cells, threshold: threshold)
        default:
            let cells = try await sql.raw(SQLQueryString(sqlText.grouped())).all().map { row in
                IndicatorCell(
                    keys: try keys(row), support: try row.decode(column: "support", as: Int?.self) ?? 0,
                    numerator: try row.decode(column: "num", as: Double?.self) ?? 0, denominator: try row.decode(column: "den", as: Double?.self) ?? 0,
                    contacts: try row.decode(column: "contacts", as: Int?.self) ?? 0)
            }
            let assumptions = query.indicator.kind == .money || query.indicator.kind == .days ? CostAssumptions.lines(e.costs) : []
            return IndicatorAssembly.table(query, cells: cells, threshold: threshold, assumptions: assumptions)
        }
    }

    /// The distinct regions on record, for the filter menus.
    public func regions(on db: any Database) async throws -> [String] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.raw("SELECT DISTINCT region FROM evidence_contacts ORDER BY region").all().map { try $0.decode(column: "region", as: String.self) }
    }

    /// The first and last contact day on record, or nil when there is none.
    public func span(on db: any Database) async throws -> (CalendarDate, CalendarDate)? {
        guard let sql = db as? any SQLDatabase,
              let row = try await sql.raw("SELECT MIN(occurred_day) AS lo, MAX(occurred_day) AS hi FROM evidence_contacts").first(),
              let lo = try row.decode(column: "lo", as: Int?.self), let hi = try row.decode(column: "hi", as: Int?.self)
        else { return nil }
        return (CalendarDate(dayNumber: lo), CalendarDate(dayNumber: hi))
    }
}

public enum EvidenceStoreError: Error, Sendable {
    case notSQL
}

/// The cost model's assumptions in words, printed beside every cost or custody figure.
public enum CostAssumptions {
    public static func lines(_ c: JurisdictionPolicy.Costs) -> [String] {
        func money(_ v: Double) -> String { "\(Eligibility.format(v)) \(c.currency)" }
        let custody = c.custodyDays.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \($0.value) days" }
        var out = [
            "Custody a case would typically have received: \(custody.joined(separator: "; ")).",
            "Prison \(money(c.prisonPerDay)) per day; pre-trial detention \(money(c.pretrialDetentionPerDay)); probation \(money(c.probationPerDay)).",
        ]
        if !c.measurePerDay.isEmpty {
            out.append("Measures per day: " + c.measurePerDay.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \(money($0.value))" }.joined(separator: "; ") + "; others as probation.")
        }
        out.append("Treatment per day: " + c.treatmentPerDay.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")) \(money($0.value))" }.joined(separator: "; ") + ".")
        out.append("Treatment lasts from intake until the person disengages or withdraws, or 180 days when no end is recorded; measures from their start to their end. Both are counted up to the end of follow-up.")
        out.append(c.source)
        return out
    }
}
