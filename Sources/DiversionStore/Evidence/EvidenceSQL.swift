import DiversionCore
import Foundation

/// Writes the GROUP BY statement of one indicator query. Policy values are written as literals (numbers are
/// validated, text is quoted), so the same statement runs on SQLite and PostgreSQL and groups by position.
struct EvidenceSQL {
    let policy: JurisdictionPolicy
    let query: IndicatorQuery

    var asOf: Int { query.asOf.dayNumber }
    var onTests: Bool { query.indicator.table == .tests }

    static func text(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    static func number(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : "0" }

    func dimension(_ d: EvidenceDimension) -> String {
        let e = policy.evidence
        switch d {
        case .sex: return "c.sex"
        case .region: return "c.region"
        case .substance: return "COALESCE(c.substance, 'none')"
        case .stage: return "c.stage"
        case .measureType: return "COALESCE(c.measure_type, 'none')"
        case .pathway: return "CASE WHEN c.diverted = 1 THEN 'diverted' ELSE 'not_diverted' END"
        case .comparison: return "CASE WHEN c.diverted = 1 THEN 'diverted' WHEN c.eligible = 1 THEN 'eligible_not_diverted' ELSE 'not_eligible' END"
        case .month: return onTests ? "t.period_month" : "c.period_month"
        case .quarter: return onTests ? "t.period_quarter" : "c.period_quarter"
        case .year: return onTests ? "t.period_year" : "c.period_year"
        case .nationality:
            guard let country = e.country else { return "'unknown'" }
            return "CASE WHEN c.nationality IS NULL THEN 'unknown' WHEN c.nationality = \(Self.text(country)) THEN 'national' ELSE 'foreign' END"
        case .offence:
            let whens = e.iccs.sorted { $0.key < $1.key }.map { "WHEN \(Self.text($0.key)) THEN \(Self.text($0.value.rawValue))" }
            return whens.isEmpty ? "'other'" : "CASE c.offence \(whens.joined(separator: " ")) ELSE 'other' END"
        case .ageGroup:
            let groups = AgeGroups(bands: e.ageBands)
            guard let first = groups.bands.first else { return "CASE WHEN c.age IS NULL THEN 'unknown' ELSE 'all' END" }
            var parts = ["WHEN c.age IS NULL OR c.age < 0 THEN 'unknown'", "WHEN c.age < \(first) THEN \(Self.text("under \(first)"))"]
            for (i, lower) in groups.bands.enumerated() where i + 1 < groups.bands.count {
                parts.append("WHEN c.age < \(groups.bands[i + 1]) THEN \(Self.text("\(lower)-\(groups.bands[i + 1] - 1)"))")
            }
            return "CASE \(parts.joined(separator: " ")) ELSE \(Self.text("\(groups.bands.last ?? first)+")) END"
        }
    }

    /// The custody days a diverted contact avoided, by offence category.
    var custodyDays: String {
        let c = policy.evidence.costs
        let whens = c.custodyDays.filter { $0.key != "default" }.sorted { $0.key < $1.key }.map { "WHEN \(Self.text($0.key)) THEN \($0.value)" }
        let fallback = c.custodyDays["default"] ?? 0
        return whens.isEmpty ? "\(fallback)" : "CASE c.offence \(whens.joined(separator: " ")) ELSE \(fallback) END"
    }

    var costDifference: String {
        let c = policy.evidence.costs
        let measureCost = c.measurePerDay.isEmpty ? Self.number(c.probationPerDay)
            : "CASE c.measure_type \(c.measurePerDay.sorted { $0.key < $1.key }.map { "WHEN \(Self.text($0.key)) THEN \(Self.number($0.value))" }.joined(separator: " ")) ELSE \(Self.number(c.probationPerDay)) END"
        let outpatient = c.treatmentPerDay["outpatient"] ?? 0
        let treatmentCost = c.treatmentPerDay.isEmpty ? "0"
            : "CASE c.treatment_modality \(c.treatmentPerDay.sorted { $0.key < $1.key }.map { "WHEN \(Self.text($0.key)) THEN \(Self.number($0.value))" }.joined(separator: " ")) ELSE \(Self.number(outpatient)) END"
        let measureDays = """
            (CASE WHEN c.measure_start_day IS NULL OR c.measure_start_day > \(asOf) THEN 0 \
            WHEN c.measure_end_day IS NOT NULL AND c.measure_end_day < \(asOf) THEN c.measure_end_day - c.measure_start_day \
            ELSE \(asOf) - c.measure_start_day END)
            """
        let treatmentEnd = "COALESCE(c.dropped_day, c.intake_day + 180)"
        let treatmentDays = """
            (CASE WHEN c.intake_day IS NULL OR c.intake_day > \(asOf) THEN 0 \
            WHEN \(treatmentEnd) < \(asOf) THEN \(treatmentEnd) - c.intake_day ELSE \(asOf) - c.intake_day END)
            """
        return "(\(custodyDays)) * \(Self.number(c.prisonPerDay)) - \(measureDays) * (\(measureCost)) - \(treatmentDays) * (\(treatmentCost))"
    }

    func quantity(_ q: FactQuantity) -> String {
        let a = asOf
        func sum(_ condition: String) -> String { "SUM(CASE WHEN \(condition) THEN 1 ELSE 0 END)" }
        func retained(_ days: Int) -> String {
            "c.intake_day IS NOT NULL AND c.intake_day + \(days) <= \(a) AND (c.dropped_day IS NULL OR c.dropped_day > c.intake_day + \(days))"
        }
        func followed(_ days: Int) -> String { "c.occurred_day + \(days) <= \(a)" }
        func reoffended(_ days: Int) -> String {
            "\(followed(days)) AND c.next_contact_day IS NOT NULL AND c.next_contact_day - c.occurred_day <= \(days)"
        }
        switch q {
        case .contacts: return "COUNT(*)"
        case .persons: return "COUNT(DISTINCT c.person_key)"
        case .screened: return "SUM(c.screened)"
        case .eligible: return "SUM(c.eligible)"
        case .diverted: return "SUM(c.diverted)"
        case .referralSent: return "SUM(c.referral_sent)"
        case .referralAccepted: return "SUM(c.referral_accepted)"
        case .referralEngaged: return "SUM(c.referral_engaged)"
        case .intakes, .daysToIntake: return sum("c.intake_day IS NOT NULL")
        case .retained30: return sum(retained(30))
        case .observable30: return sum("c.intake_day IS NOT NULL AND c.intake_day + 30 <= \(a)")
        case .retained90: return sum(retained(90))
        case .observable90: return sum("c.intake_day IS NOT NULL AND c.intake_day + 90 <= \(a)")
        case .measures: return sum("c.measure_type IS NOT NULL")
        case .measuresEnded: return sum("c.measure_outcome IS NOT NULL")
        case .measuresCompleted: return sum("c.measure_outcome = 'completed'")
        case .incentives: return "SUM(c.incentives)"
        case .sanctions: return "SUM(c.sanctions)"
        case .testsGiven: return "COUNT(*)"
        case .testsNegative: return "SUM(t.negative)"
        case .reoffended6: return sum(reoffended(183))
        case .followed6: return sum(followed(183))
        case .reoffended12: return sum(reoffended(365))
        case .followed12: return sum(followed(365))
        case .reoffended24: return sum(reoffended(730))
        case .followed24: return sum(followed(730))
        case .tested: return sum("c.testing_start_day IS NOT NULL")
        case .relapsed: return sum("c.relapse_day IS NOT NULL AND c.relapse_day <= \(a)")
        case .custodyDaysAvoided: return "SUM(CASE WHEN c.diverted = 1 THEN \(custodyDays) ELSE 0 END)"
        case .costDifference: return "SUM(CASE WHEN c.diverted = 1 THEN \(costDifference) ELSE 0 END)"
        }
    }

    var source: String {
        onTests ? "evidence_tests t JOIN evidence_contacts c ON c.contact_key = t.contact_key" : "evidence_contacts c"
    }

    /// The period and region filters, plus the indicator's own restriction.
    var filters: [String] {
        let day = onTests ? "t.test_day" : "c.occurred_day"
        var out: [String] = []
        if let from = query.from { out.append("\(day) >= \(from.dayNumber)") }
        if let to = query.to { out.append("\(day) <= \(to.dayNumber)") }
        if let region = query.region { out.append("c.region = \(Self.text(region))") }
        if let only = query.indicator.only, let value = query.indicator.onlyValue { out.append("\(dimension(only)) = \(Self.text(value))") }
        return out
    }

    var selectedDimensions: [String] { query.by.enumerated().map { "\(dimension($1)) AS d\($0)" } }

    func statement(select: [String], extraGroups: Int, conditions: [String]) -> String {
        let all = filters + conditions
        let groups = (0..<(query.by.count + extraGroups)).map { String($0 + 1) }
        return "SELECT \((selectedDimensions + select).joined(separator: ", ")) FROM \(source)"
            + (all.isEmpty ? "" : " WHERE " + all.joined(separator: " AND "))
            + (groups.isEmpty ? "" : " GROUP BY " + groups.joined(separator: ", "))
    }

    /// Support, numerator and denominator per cell.
    func grouped() -> String {
        let i = query.indicator
        // What suppression protects: the contacts (or people, or tests) the figure rests on, not every contact in the cell.
        let support: String = switch i.kind {
        case _ where onTests: "COUNT(*)"
        case .count: quantity(i.numerator)
        case .percent: i.denominator.map(quantity) ?? "COUNT(*)"
        case .ratio: "SUM(CASE WHEN c.incentives + c.sanctions > 0 THEN 1 ELSE 0 END)"
        case .days, .money: "SUM(c.diverted)"
        case .medianDays, .survival: "COUNT(*)"
        }
        return statement(select: [
            // Sums of whole numbers are NUMERIC in PostgreSQL: cast so both databases answer a plain integer.
            "CAST(\(support) AS BIGINT) AS support",
            "COUNT(*) AS contacts",
            "CAST(\(quantity(i.numerator)) AS DOUBLE PRECISION) AS num",
            "CAST(\(i.denominator.map(quantity) ?? "COUNT(*)") AS DOUBLE PRECISION) AS den",
        ], extraGroups: 0, conditions: [])
    }

    /// Days from contact to intake with how many contacts took each, per cell.
    func distribution() -> String {
        statement(select: ["c.intake_day - c.occurred_day AS v", "COUNT(*) AS n"], extraGroups: 1, conditions: ["c.intake_day IS NOT NULL"])
    }

    /// Time to the event (or censoring) and whether it happened, with counts, per cell.
    func survival() -> String {
        let a = asOf
        if query.indicator.numerator == .relapsed {
            let event = "c.relapse_day IS NOT NULL AND c.relapse_day <= \(a)"
            let time = "CASE WHEN \(event) THEN c.relapse_day - c.testing_start_day ELSE COALESCE(c.last_test_day, c.testing_start_day) - c.testing_start_day END"
            return statement(select: ["\(time) AS t", "CASE WHEN \(event) THEN 1 ELSE 0 END AS ev", "COUNT(*) AS n"], extraGroups: 2,
                             conditions: ["c.testing_start_day IS NOT NULL", "c.testing_start_day <= \(a)"])
        }
        let event = "c.next_contact_day IS NOT NULL AND c.next_contact_day <= \(a)"
        let time = "CASE WHEN \(event) THEN c.next_contact_day - c.occurred_day ELSE \(a) - c.occurred_day END"
        return statement(select: ["\(time) AS t", "CASE WHEN \(event) THEN 1 ELSE 0 END AS ev", "COUNT(*) AS n"], extraGroups: 2,
                         conditions: ["c.occurred_day <= \(a)"])
    }
}
