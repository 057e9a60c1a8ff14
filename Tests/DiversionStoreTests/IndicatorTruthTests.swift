import DiversionCore
import FluentKit
import Foundation
import Testing
@testable import DiversionStore

/// The end of follow-up every table is asked for, and the last day of the generated data.
private let asOf = CalendarDate(year: 2025, month: 12, day: 31)

/// The demo policy with its evidence section (national country, age bands, costs with per-measure rates).
private func demoPolicy() throws -> JurisdictionPolicy {
    try PolicyFile.read(String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)).get()
}

/// The cuts every indicator is asked for, plus one period-and-region filter.
private let cuts: [(by: [EvidenceDimension], from: CalendarDate?, to: CalendarDate?, region: String?)] = [
    ([], nil, nil, nil),
    ([.sex], nil, nil, nil),
    ([.ageGroup], nil, nil, nil),
    ([.sex, .ageGroup, .region, .year], nil, nil, nil),
    ([.nationality], nil, nil, nil),
    ([.offence], nil, nil, nil),
    ([.pathway], nil, nil, nil),
    ([.comparison], nil, nil, nil),
    ([.measureType, .stage], nil, nil, nil),
    ([.substance, .pathway], nil, nil, nil),
    ([.sex, .pathway], CalendarDate(year: 2024, month: 1, day: 1), CalendarDate(year: 2024, month: 12, day: 31), "R2"),
]

/// One generated data set in a fresh database, and the facts it came from.
private func withGeneratedFacts(_ body: (any Database, JurisdictionPolicy, Truth) async throws -> Void) async throws {
    let policy = try demoPolicy()
    let data = SyntheticEvidence.generate(contacts: 3000, seed: 2_025_12_31, policy: policy, endingOn: asOf)
    try await TestDatabase.with { test in
        let store = EvidenceStore()
        try await store.insert(data.facts, tests: data.tests, source: .generated, on: test.db)
        try await store.linkFollowUps(on: test.db)
        try await body(test.db, policy, Truth(facts: data.facts, tests: data.tests, policy: policy))
    }
}

/// One cell counted by hand.
struct TruthCell {
    var support = 0
    var numerator = 0.0
    var denominator = 0.0
    var persons = Set<String>()
    var days: [Int] = []
    /// Contacts that add to a sum (diverted contacts for custody and costs, contacts with responses for the ratio).
    var contributors = 0
}

/// The indicators counted straight from the generated facts, from the definitions in the catalogue.
struct Truth {
    let facts: [ContactFact]
    let tests: [TestFact]
    let policy: JurisdictionPolicy
    let byKey: [String: ContactFact]
    /// The same person's next contact day after each contact, when there is one.
    let nextDay: [String: Int]

    init(facts: [ContactFact], tests: [TestFact], policy: JurisdictionPolicy) {
        self.facts = facts
        self.tests = tests
        self.policy = policy
        var byKey: [String: ContactFact] = [:]
        var days: [String: [Int]] = [:]
        for f in facts {
            byKey[f.contactKey] = f
            days[f.personKey, default: []].append(f.occurredOn.dayNumber)
        }
        self.byKey = byKey
        var next: [String: Int] = [:]
        for f in facts {
            let day = f.occurredOn.dayNumber
            if let later = days[f.personKey]?.filter({ $0 > day }).min() { next[f.contactKey] = later }
        }
        nextDay = next
    }

    func key(_ d: EvidenceDimension, _ f: ContactFact, test: TestFact?) -> String {
        let e = policy.evidence
        func month(_ c: CalendarDate) -> String { String(format: "%04d-%02d", c.year, c.month) }
        switch d {
        case .sex: return f.sex.rawValue
        case .ageGroup: return e.ageGroup(f.age)
        case .region: return f.region
        case .substance: return f.substance ?? "none"
        case .stage: return f.stage.rawValue
        case .measureType: return f.measureType ?? "none"
        case .nationality:
            guard let country = e.country, let n = f.nationality else { return "unknown" }
            return n == country ? "national" : "foreign"
        case .offence: return e.offenceClass(f.offence).rawValue
        case .pathway: return f.diverted ? "diverted" : "not_diverted"
        case .comparison: return f.diverted ? "diverted" : f.eligible ? "eligible_not_diverted" : "not_eligible"
        case .month: return month(test?.testOn ?? f.occurredOn)
        case .quarter:
            let c = test?.testOn ?? f.occurredOn
            return "\(c.year)-Q\((c.month - 1) / 3 + 1)"
        case .year: return String((test?.testOn ?? f.occurredOn).year)
        }
    }

    func inScope(_ q: IndicatorQuery, _ f: ContactFact, day: CalendarDate) -> Bool {
        if let from = q.from, day < from { return false }
        if let to = q.to, day > to { return false }
        if let region = q.region, f.region != region { return false }
        return true
    }

    /// Every non-empty cell of a non-survival indicator.
    func cells(_ q: IndicatorQuery) -> [[String]: TruthCell] {
        var out: [[String]: TruthCell] = [:]
        let a = q.asOf.dayNumber
        if q.indicator.table == .tests {
            for t in tests {
                guard let f = byKey[t.contactKey], inScope(q, f, day: t.testOn) else { continue }
                let k = q.by.map { key($0, f, test: t) }
                out[k, default: TruthCell()].support += 1
                out[k, default: TruthCell()].denominator += 1
                if t.negative { out[k, default: TruthCell()].numerator += 1 }
            }
            return out
        }
        let costs = policy.evidence.costs
        for f in facts where inScope(q, f, day: f.occurredOn) {
            let k = q.by.map { key($0, f, test: nil) }
            var c = out[k] ?? TruthCell()
            c.support += 1
            let day = f.occurredOn.dayNumber
            func add(_ num: Bool, _ den: Bool = true) {
                if den { c.denominator += 1 }
                if num { c.numerator += 1 }
            }
            switch q.indicator.code {
            case "people_in_contact": c.persons.insert(f.personKey)
            case "contacts": c.numerator += 1
            case "screened_share": add(f.screened)
            case "eligible_share": add(f.eligible)
            case "diverted_share": add(f.diverted)
            case "referrals_sent": c.numerator += f.referralSent ? 1 : 0
            case "referrals_accepted": add(f.referralAccepted, f.referralSent)
            case "referrals_engaged": add(f.referralEngaged, f.referralSent)
            case "days_to_intake": if let intake = f.intakeOn { c.days.append(intake.dayNumber - day) }
            case "retention_30", "retention_90":
                let span = q.indicator.code == "retention_30" ? 30 : 90
                if let intake = f.intakeOn?.dayNumber, intake + span <= a {
                    // Still in treatment on the day `span` days after intake: not dropped by then.
                    add(f.treatmentDroppedOn.map { $0.dayNumber > intake + span } ?? true)
                }
            case "completion_rate": if let outcome = f.measureOutcome { add(outcome == "completed") }
            case "measures": c.numerator += f.measureType == nil ? 0 : 1
            case "incentive_sanction_ratio":
                c.numerator += Double(f.incentives)
                c.denominator += Double(f.sanctions)
                if f.incentives + f.sanctions > 0 { c.contributors += 1 }
            case "recidivism_6", "recidivism_12", "recidivism_24":
                let span = ["recidivism_6": 183, "recidivism_12": 365, "recidivism_24": 730][q.indicator.code] ?? 0
                if day + span <= a { add(nextDay[f.contactKey].map { $0 - day <= span } ?? false) }
            case "relapse":
                if f.testingStartOn != nil { add(f.relapseOn.map { $0.dayNumber <= a } ?? false) }
            case "custody_days_avoided":
                if f.diverted {
                    c.numerator += Double(costs.custodyDays(for: f.offence))
                    c.contributors += 1
                }
            case "cost_difference":
                if f.diverted {
                    c.numerator += costDifference(f, asOf: a)
                    c.contributors += 1
                }
            default: Issue.record("no hand count for \(q.indicator.code)")
            }
            out[k] = c
        }
        for (k, var c) in out {
            if q.indicator.code == "people_in_contact" {
                c.support = c.persons.count
                c.numerator = Double(c.persons.count)
            }
            if q.indicator.code == "days_to_intake" {
                // A median rests on the contacts that reached intake; cells without any have no row.
                c.support = c.days.count
                c.denominator = Double(c.days.count)
                c.numerator = Self.median(c.days) ?? 0
            }
            out[k] = c
        }
        return out
    }

    /// The cost model as its assumptions are printed: custody avoided at the prison rate, less the measure's days to its
    /// end or the end of follow-up, less treatment from intake until it ends (or 180 days when no end is recorded).
    func costDifference(_ f: ContactFact, asOf a: Int) -> Double {
        let costs = policy.evidence.costs
        var total = Double(costs.custodyDays(for: f.offence)) * costs.prisonPerDay
        if let start = f.measureStartOn?.dayNumber, start <= a, let type = f.measureType {
            let end = min(f.measureEndOn?.dayNumber ?? a, a)
            total -= Double(end - start) * costs.measureCost(type)
        }
        if let intake = f.intakeOn?.dayNumber, intake <= a {
            let end = min(f.treatmentDroppedOn?.dayNumber ?? intake + 180, a)
            total -= Double(end - intake) * (f.treatmentModality.map(costs.treatmentCost) ?? costs.treatmentCost("outpatient"))
        }
        return total
    }

    static func median(_ values: [Int]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Subjects and events of a survival indicator per group.
    func survival(_ q: IndicatorQuery) -> [[String]: (subjects: Int, events: Int)] {
        var out: [[String]: (subjects: Int, events: Int)] = [:]
        let a = q.asOf.dayNumber
        for f in facts where inScope(q, f, day: f.occurredOn) {
            let subject: Bool, event: Bool
            if q.indicator.code == "time_to_relapse" {
                subject = f.testingStartOn.map { $0.dayNumber <= a } ?? false
                event = f.relapseOn.map { $0.dayNumber <= a } ?? false
            } else {
                subject = f.occurredOn.dayNumber <= a
                event = nextDay[f.contactKey].map { $0 <= a } ?? false
            }
            guard subject else { continue }
            let k = q.by.map { key($0, f, test: nil) }
            var c = out[k] ?? (0, 0)
            c.subjects += 1
            if event { c.events += 1 }
            out[k] = c
        }
        return out
    }

    /// What each of `shownCounts` counts, for messages.
    static func shownCountNames(_ indicator: Indicator) -> [String] {
        switch indicator.kind {
        case .count: return ["count"]
        case .percent: return ["numerator", "denominator", "denominator less numerator"]
        case .ratio: return ["sanctions", "contacts with responses"]
        case .medianDays: return ["intakes"]
        case .days, .money: return ["diverted contacts"]
        case .survival: return []
        }
    }

    /// The counts a row shows or is made of, which must be withheld when from 1 to the threshold − 1.
    static func shownCounts(_ indicator: Indicator, _ c: TruthCell) -> [Int] {
        let num = Int(c.numerator.rounded()), den = Int(c.denominator.rounded())
        switch indicator.kind {
        case .count: return [num]
        case .percent: return [num, den, den - num]
        case .ratio: return [den, c.contributors]
        case .medianDays: return [den]
        case .days, .money: return [c.contributors]
        case .survival: return []
        }
    }
}

/// What a table got wrong against the hand count: wrong figures in `numbers`, protection missed in `protection`.
private struct Review {
    var numbers: [String] = []
    var protection: [String] = []
    var suppressed = 0
    var published = 0
}

/// Compares one table with the hand count.
private func review(_ table: IndicatorTable, _ q: IndicatorQuery, truth: Truth, threshold: Int) -> Review {
    let expected = truth.cells(q)
    let cut = q.by.isEmpty ? "no cut" : q.by.map(\.rawValue).joined(separator: "+")
    let scope = [q.from.map { "from \($0)" }, q.to.map { "to \($0)" }, q.region.map { "region \($0)" }].compactMap { $0 }.joined(separator: " ")
    let label = "\(q.indicator.code) by \(cut)\(scope.isEmpty ? "" : " (\(scope))")"
    var out = Review()
    var seen = Set<[String]>()
    func small(_ n: Int) -> Bool { n > 0 && n < threshold }
    /// Every count a row's figure is made of, its support included.
    func counts(_ c: TruthCell) -> [Int] { [c.support] + Truth.shownCounts(q.indicator, c) }
    for row in table.rows {
        let keys = q.by.map { row.dimensions[$0.rawValue] ?? "?" }
        if !seen.insert(keys).inserted { out.numbers.append("\(label) \(keys): the row appears twice") }
        let truthCell = expected[keys] ?? TruthCell()
        let at = "\(label) \(keys.isEmpty ? "" : "\(keys) ")"
        if row.suppressed {
            out.suppressed += 1
            continue
        }
        out.published += 1
        if let bad = counts(truthCell).firstIndex(where: small) {
            let name = (["contacts"] + Truth.shownCountNames(q.indicator))[bad]
            out.protection.append("\(at)is published although its \(name) is \(counts(truthCell)[bad]) (counts 1 to \(threshold - 1) are withheld)")
        }
        let num = truthCell.numerator
        if abs((row.numerator ?? .nan) - num) > 1e-6 * max(1, abs(num)) {
            out.numbers.append("\(at)numerator: expected \(num), got \(row.numerator.map { "\($0)" } ?? "nil")")
        }
        if q.indicator.denominator != nil, q.indicator.kind != .count {
            let den = truthCell.denominator
            if abs((row.denominator ?? .nan) - den) > 1e-6 { out.numbers.append("\(at)denominator: expected \(den), got \(row.denominator.map { "\($0)" } ?? "nil")") }
        }
        let value: Double? = switch q.indicator.kind {
        case .percent: truthCell.denominator > 0 ? truthCell.numerator / truthCell.denominator * 100 : nil
        case .ratio: truthCell.denominator > 0 ? truthCell.numerator / truthCell.denominator : nil
        case .medianDays: truthCell.days.isEmpty ? nil : truthCell.numerator
        default: truthCell.numerator
        }
        switch (value, row.value) {
        case (nil, nil): break
        case (let v?, let got?) where abs(v - got) <= 0.1 || (q.indicator.kind == .money && abs(v - got) <= 1e-6 * abs(v)): break
        default: out.numbers.append("\(at)value: expected \(value.map { "\($0)" } ?? "nil"), got \(row.value.map { "\($0)" } ?? "nil")")
        }
    }
    // Published and withheld rows together hold every counted cell, so the grand total is kept.
    for (keys, cell) in expected where cell.support > 0 && !seen.contains(keys) {
        out.numbers.append("\(label) \(keys): a cell of \(cell.support) has no row")
    }
    let total = expected.values.reduce(0) { $0 + $1.support }
    let inRows = seen.reduce(0) { $0 + (expected[$1]?.support ?? 0) }
    if total != inRows { out.numbers.append("\(label): published and withheld rows hold \(inRows) of \(total)") }

    // Withholding only where a count is small, or as its complement.
    if out.suppressed > 0, !expected.values.contains(where: { counts($0).contains(where: small) }) {
        out.protection.append("\(label): \(out.suppressed) rows are withheld although no count in the table is small")
    }
    return out
}

/// The figures of a row that add up along a line, so a line total less the published rows gives a withheld one.
private func additive(_ indicator: Indicator, _ row: IndicatorRow) -> [(name: String, value: Double?)] {
    switch indicator.kind {
    case .count, .days, .money: return [("numerator", row.numerator)]
    case .percent, .ratio: return [("numerator", row.numerator), ("denominator", row.denominator)]
    case .medianDays: return [("denominator", row.denominator)]
    case .survival: return []
    }
}

/// Rows withheld because they rest on a small count that can still be worked out: the only withheld row on a line
/// (rows equal in every dimension but one) whose total the coarser table publishes.
private func workedOut(_ table: IndicatorTable, _ q: IndicatorQuery, truth: Truth, threshold: Int,
                       margin: ([EvidenceDimension]) async throws -> IndicatorTable) async throws -> [String] {
    // Distinct people do not add up across age groups, years or regions (one person can be in several).
    guard q.indicator.code != "people_in_contact" else { return [] }
    let expected = truth.cells(q)
    var problems: [String] = []
    func small(_ n: Int) -> Bool { n > 0 && n < threshold }
    let keyed = table.rows.map { row in (keys: q.by.map { row.dimensions[$0.rawValue] ?? "?" }, row: row) }
    for d in q.by.indices {
        var lines: [[String]: [(keys: [String], row: IndicatorRow)]] = [:]
        for entry in keyed {
            var line = entry.keys
            line.remove(at: d)
            lines[line, default: []].append(entry)
        }
        var coarser: IndicatorTable?
        for (line, members) in lines where members.count > 1 {
            let withheld = members.filter(\.row.suppressed)
            guard withheld.count == 1, let lone = withheld.first else { continue }
            let cell = expected[lone.keys] ?? TruthCell()
            let names = ["contacts"] + Truth.shownCountNames(q.indicator)
            guard let reasonIndex = ([cell.support] + Truth.shownCounts(q.indicator, cell)).firstIndex(where: small) else { continue }
            let reason = "\(names[reasonIndex]) \(([cell.support] + Truth.shownCounts(q.indicator, cell))[reasonIndex])"
            if coarser == nil {
                var by = q.by
                by.remove(at: d)
                coarser = try await margin(by)
            }
            let dims = q.by.enumerated().filter { $0.offset != d }.map(\.element)
            guard let total = coarser?.rows.first(where: { r in dims.map { r.dimensions[$0.rawValue] ?? "?" } == line }), !total.suppressed else { continue }
            for (i, figure) in additive(q.indicator, total).enumerated() {
                guard let whole = figure.value else { continue }
                let published = members.filter { !$0.row.suppressed }.reduce(0.0) { $0 + (additive(q.indicator, $1.row)[i].value ?? 0) }
                let scope = [q.from.map { "from \($0)" }, q.to.map { "to \($0)" }, q.region.map { "region \($0)" }].compactMap { $0 }.joined(separator: " ")
                let cut = q.by.map(\.rawValue).joined(separator: "+") + (scope.isEmpty ? "" : " (\(scope))")
                let truthValue = figure.name == "numerator" ? cell.numerator : cell.denominator
                problems.append("\(q.indicator.code) by \(cut): \(lone.keys) is withheld (\(reason)), yet its \(figure.name) is "
                    + "\(whole - published) (counted by hand: \(truthValue)): the total \(whole) of \(line.isEmpty ? "the table without a cut" : "\(line)") less the published rows along \(q.by[d].rawValue)")
                break
            }
        }
    }
    return problems
}

@Suite("Indicators against the facts counted by hand")
struct IndicatorTruthTests {
    @Test("Each indicator under each cut has the hand-counted figures in every published row, keeps every contact in its rows, and withholds what rests on a small count so that no coarser table gives it away",
          arguments: IndicatorCatalogue.all.filter { $0.kind != .survival }.map(\.code))
    func matchesHandCount(code: String) async throws {
        let indicator = try #require(IndicatorCatalogue.named(code))
        try await withGeneratedFacts { db, policy, truth in
            var all = Review()
            var extraCuts = cuts
            if indicator.table == .tests { extraCuts += [([.month], nil, nil, nil), ([.pathway, .month], nil, nil, nil)] }
            for cut in extraCuts {
                let q = IndicatorQuery(indicator: indicator, by: cut.by, from: cut.from, to: cut.to, region: cut.region, asOf: asOf)
                let table = try await EvidenceStore().table(q, policy: policy, on: db)
                let found = review(table, q, truth: truth, threshold: policy.evidence.suppressionThreshold)
                all.numbers += found.numbers
                all.protection += found.protection
                all.protection += try await workedOut(table, q, truth: truth, threshold: policy.evidence.suppressionThreshold) { by in
                    try await EvidenceStore().table(IndicatorQuery(indicator: indicator, by: by, from: q.from, to: q.to, region: q.region, asOf: asOf), policy: policy, on: db)
                }
                all.suppressed += found.suppressed
                all.published += found.published
            }
            #expect(all.numbers.isEmpty, "\(all.numbers.count) figures differ from the hand count:\n\(all.numbers.prefix(30).joined(separator: "\n"))")
            #expect(all.protection.isEmpty, "\(all.protection.count) protection problems:\n\(all.protection.prefix(30).joined(separator: "\n"))")
            // The data set is large enough to publish and small enough to withhold somewhere, so both checks ran.
            #expect(all.published > 0)
            #expect(all.suppressed > 0)
        }
    }

    @Test("Survival indicators have the hand-counted subjects and events in every group, and withhold groups under the threshold",
          arguments: IndicatorCatalogue.all.filter { $0.kind == .survival }.map(\.code))
    func survivalMatchesHandCount(code: String) async throws {
        let indicator = try #require(IndicatorCatalogue.named(code))
        try await withGeneratedFacts { db, policy, truth in
            let threshold = policy.evidence.suppressionThreshold
            var problems: [String] = []
            var published = 0, withheld = 0
            for cut in cuts {
                let q = IndicatorQuery(indicator: indicator, by: cut.by, from: cut.from, to: cut.to, region: cut.region, asOf: asOf)
                let label = "\(code) by \(cut.by.map(\.rawValue).joined(separator: "+"))\(cut.region.map { " in \($0)" } ?? "")"
                let table = try await EvidenceStore().table(q, policy: policy, on: db)
                let expected = truth.survival(q)
                var seen = Set<[String]>()
                for (row, curve) in zip(table.rows, table.curves) {
                    let keys = q.by.map { row.dimensions[$0.rawValue] ?? "?" }
                    seen.insert(keys)
                    let truthGroup = expected[keys] ?? (0, 0)
                    if truthGroup.subjects < threshold {
                        if !row.suppressed || !curve.suppressed { problems.append("\(label) \(keys): \(truthGroup.subjects) subjects, yet published") }
                        withheld += 1
                        continue
                    }
                    published += 1
                    if row.suppressed { problems.append("\(label) \(keys): \(truthGroup.subjects) subjects, yet withheld") }
                    if row.denominator != Double(truthGroup.subjects) {
                        problems.append("\(label) \(keys) subjects: expected \(truthGroup.subjects), got \(row.denominator.map { "\($0)" } ?? "nil")")
                    }
                    let events = truthGroup.events
                    let shown: Double? = events > 0 && events < threshold ? nil : Double(events)
                    if row.numerator != shown { problems.append("\(label) \(keys) events: expected \(shown.map { "\($0)" } ?? "withheld (\(events))"), got \(row.numerator.map { "\($0)" } ?? "nil")") }
                    if let points = curve.curve?.points {
                        if points.contains(where: { $0.atRisk < threshold }) { problems.append("\(label) \(keys): the curve shows fewer than \(threshold) at risk") }
                        if let first = points.first, first.atRisk > truthGroup.subjects { problems.append("\(label) \(keys): \(first.atRisk) at risk of \(truthGroup.subjects) subjects") }
                    }
                }
                for (keys, group) in expected where !seen.contains(keys) {
                    problems.append("\(label) \(keys): a group of \(group.subjects) subjects has no row")
                }
                if table.rows.count != table.curves.count { problems.append("\(label): \(table.rows.count) rows but \(table.curves.count) curves") }
            }
            #expect(problems.isEmpty, "\(problems.count) disagreements:\n\(problems.prefix(30).joined(separator: "\n"))")
            #expect(published > 0 && withheld > 0)
        }
    }
}
