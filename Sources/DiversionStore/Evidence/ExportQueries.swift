import DiversionCore
import FluentKit
import Foundation
import SQLKit

/// The GROUP BY queries behind the statistical exports, over `evidence_contacts`. Policy values are written as quoted
/// literals and groups are named by position, so each statement runs unchanged on SQLite and PostgreSQL. The
/// categories are the ones `UNCTSMapping` and `TDIMapping` define; `StatisticalExportsStoreTests` checks the counts
/// against the mappings' own counting of the same facts.
public struct ExportQueries: Sendable {
    public init() {}

    /// The export of one year under the policy, counted by the database and protected by the core.
    public func export(_ standard: ExportStandard, year: Int, policy: JurisdictionPolicy, generatedAt: Date, on db: any Database) async throws -> StatisticalExport {
        let threshold = policy.evidence.suppressionThreshold
        switch standard {
        case .uncts:
            let mapping = UNCTSMapping(policy: policy)
            let counts = try await uncts(year: year, mapping: mapping, on: db)
            return try StatisticalExports.uncts(
                cells: counts.cells, alternatives: counts.alternatives, mapping: mapping, year: year,
                jurisdiction: policy.jurisdiction, generatedAt: generatedAt, threshold: threshold
            )
        case .tdi:
            let entries = try await tdi(year: year, on: db)
            return try StatisticalExports.tdi(
                entries: entries, mapping: TDIMapping(policy: policy), year: year,
                jurisdiction: policy.jurisdiction, generatedAt: generatedAt, threshold: threshold
            )
        }
    }

    /// Persons per UN-CTS cell and level, and persons per alternative, for contacts in `year`.
    public func uncts(year: Int, mapping: UNCTSMapping, on db: any Database) async throws -> (cells: [UNCTSMapping.Count], alternatives: [UNCTSMapping.AlternativeCount]) {
        guard let sql = db as? any SQLDatabase else { throw EvidenceQueryError.notSQL }
        let text = ExportSQL(mapping: mapping, year: year)
        guard let alternativesQuery = text.unctsAlternatives() else { return ([], []) }
        var cells: [UNCTSMapping.Count] = []
        for breakdown in UNCTSMapping.Breakdown.allCases {
            guard let query = text.unctsCells(breakdown) else { continue }
            cells += try await sql.raw(SQLQueryString(query)).all().map { row in
                UNCTSMapping.Count(
                    breakdown: breakdown, keys: [try row.decode(column: "d0", as: String.self), try row.decode(column: "d1", as: String.self)],
                    formalContact: try row.decode(column: "n0", as: Int.self), prosecuted: try row.decode(column: "n1", as: Int.self),
                    convicted: try row.decode(column: "n2", as: Int.self)
                )
            }
        }
        let alternatives = try await sql.raw(SQLQueryString(alternativesQuery)).all().map { row in
            UNCTSMapping.AlternativeCount(
                measure: try row.decode(column: "d0", as: String.self), stage: try row.decode(column: "d1", as: String.self),
                sex: try row.decode(column: "d2", as: String.self), persons: try row.decode(column: "n", as: Int.self)
            )
        }
        return (cells, alternatives)
    }

    /// People entering treatment in `year`, one per person at the first intake, grouped by what TDI reads.
    public func tdi(year: Int, on db: any Database) async throws -> [TDIMapping.Entry] {
        guard let sql = db as? any SQLDatabase else { throw EvidenceQueryError.notSQL }
        return try await sql.raw(SQLQueryString(ExportSQL.tdiEntries(year: year))).all().map { row in
            TDIMapping.Entry(
                sex: try row.decode(column: "d0", as: String.self), ageAtEntry: try row.decode(column: "d1", as: Int?.self),
                substance: try row.decode(column: "d2", as: String?.self),
                stage: Stage(rawValue: try row.decode(column: "d3", as: String.self)) ?? .preTrial,
                measureType: try row.decode(column: "d4", as: String?.self), modality: try row.decode(column: "d5", as: String?.self),
                persons: try row.decode(column: "n", as: Int.self)
            )
        }
    }

    /// The first and last year with a contact or an intake on record, or nil when there is none.
    public func years(on db: any Database) async throws -> ClosedRange<Int>? {
        guard let sql = db as? any SQLDatabase,
              let row = try await sql.raw("""
                SELECT MIN(occurred_day) AS lo, MAX(occurred_day) AS hi, MAX(intake_day) AS intake
                FROM evidence_contacts WHERE source <> \(bind: FactSource.generated.rawValue)
                """).first(),
              let lo = try row.decode(column: "lo", as: Int?.self), let hi = try row.decode(column: "hi", as: Int?.self)
        else { return nil }
        let last = max(hi, try row.decode(column: "intake", as: Int?.self) ?? hi)
        return CalendarDate(dayNumber: lo).year...CalendarDate(dayNumber: last).year
    }
}

/// Why an evidence query could not run.
public enum EvidenceQueryError: Error, Sendable {
    /// The database does not speak SQL.
    case notSQL
}

/// The statements of the exports.
struct ExportSQL {
    let mapping: UNCTSMapping
    let year: Int

    /// Text as a quoted SQL literal, as the indicator statements write it.
    static func text(_ s: String) -> String { EvidenceSQL.text(s) }
    static func list(_ values: [String]) -> String { values.sorted().map(text).joined(separator: ", ") }

    static let sex = "CASE WHEN c.sex = 'female' THEN 'female' WHEN c.sex = 'male' THEN 'male' ELSE 'other_or_unknown' END"

    /// Contacts in the year for an offence the export reports, never synthetic ones; nil when the policy maps no
    /// offence category to ICCS 06011 or 06012.
    var filter: String? {
        let offences = mapping.iccs.keys.filter { mapping.offenceClass($0) != nil }
        guard !offences.isEmpty else { return nil }
        let days = ExportTables.days(of: year)
        return "c.source <> \(Self.text(FactSource.generated.rawValue)) AND c.occurred_day >= \(days.lowerBound) "
            + "AND c.occurred_day <= \(days.upperBound) AND c.offence IN (\(Self.list(Array(offences))))"
    }

    var iccs: String {
        let whens = mapping.iccs.keys.sorted().compactMap { code in
            mapping.offenceClass(code).map { "WHEN \(Self.text(code)) THEN \(Self.text($0.iccsCode))" }
        }
        return "CASE c.offence \(whens.joined(separator: " ")) END"
    }

    var ageClass: String {
        "CASE WHEN c.age IS NULL OR c.age < 0 THEN 'unknown' WHEN c.age < \(mapping.ageOfMajority) THEN 'juvenile' ELSE 'adult' END"
    }

    var citizenship: String {
        guard let country = mapping.country, !country.isEmpty else { return "'unknown'" }
        return "CASE WHEN c.nationality IS NULL OR c.nationality = '' THEN 'unknown' "
            + "WHEN UPPER(c.nationality) = \(Self.text(country.uppercased())) THEN 'national' ELSE 'foreign' END"
    }

    var prosecuted: String {
        let stages = "c.stage IN (\(Self.list(UNCTSMapping.prosecutedStages.map(\.rawValue))))"
        let measure = mapping.policeMeasures.isEmpty
            ? "c.measure_type IS NOT NULL"
            : "(c.measure_type IS NOT NULL AND c.measure_type NOT IN (\(Self.list(Array(mapping.policeMeasures)))))"
        return "(\(stages) OR \(measure))"
    }

    var convicted: String { "c.stage IN (\(Self.list(UNCTSMapping.convictedStages.map(\.rawValue))))" }

    /// Distinct persons per ICCS class and category of one disaggregation at each level: a person is counted at a
    /// level when any of their contacts in the cell reached it.
    func unctsCells(_ breakdown: UNCTSMapping.Breakdown) -> String? {
        guard let filter else { return nil }
        let category = switch breakdown {
        case .sex: Self.sex
        case .ageClass: ageClass
        case .citizenship: citizenship
        }
        return """
            SELECT \(iccs) AS d0, \(category) AS d1, \
            COUNT(DISTINCT c.person_key) AS n0, \
            COUNT(DISTINCT CASE WHEN \(prosecuted) THEN c.person_key END) AS n1, \
            COUNT(DISTINCT CASE WHEN \(convicted) THEN c.person_key END) AS n2 \
            FROM evidence_contacts c WHERE \(filter) GROUP BY 1, 2
            """
    }

    func unctsAlternatives() -> String? {
        guard let filter else { return nil }
        return """
            SELECT COALESCE(c.measure_type, \(Self.text(UNCTSMapping.officerDiversion))) AS d0, c.stage AS d1, \(Self.sex) AS d2, \
            COUNT(DISTINCT c.person_key) AS n \
            FROM evidence_contacts c WHERE \(filter) AND (c.measure_type IS NOT NULL OR c.diverted = 1) GROUP BY 1, 2, 3
            """
    }

    /// A contact whose intake at a drug-treatment service (or one of unrecorded modality) falls in the year.
    static func treatmentIntake(_ alias: String, year: Int) -> String {
        let days = ExportTables.days(of: year)
        let modalities = list(Array(TDIMapping.centreOfModality.keys))
        return "\(alias).source <> \(text(FactSource.generated.rawValue)) AND \(alias).intake_day >= \(days.lowerBound) "
            + "AND \(alias).intake_day <= \(days.upperBound) "
            + "AND (\(alias).treatment_modality IS NULL OR \(alias).treatment_modality = '' OR \(alias).treatment_modality IN (\(modalities)))"
    }

    /// One row per person at their first such intake of the year (ties on the day go to the lower contact key),
    /// grouped by the facts TDI reads.
    static func tdiEntries(year: Int) -> String {
        """
        SELECT c.sex AS d0, \
        c.age + CASE WHEN c.intake_day > c.occurred_day THEN (c.intake_day - c.occurred_day) / 365 ELSE 0 END AS d1, \
        c.substance AS d2, c.stage AS d3, c.measure_type AS d4, c.treatment_modality AS d5, COUNT(*) AS n \
        FROM evidence_contacts c WHERE \(treatmentIntake("c", year: year)) \
        AND NOT EXISTS (SELECT 1 FROM evidence_contacts e WHERE e.person_key = c.person_key AND \(treatmentIntake("e", year: year)) \
        AND (e.intake_day < c.intake_day OR (e.intake_day = c.intake_day AND e.contact_key < c.contact_key))) \
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    }
}
