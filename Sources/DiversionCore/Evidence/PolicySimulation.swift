import Foundation

/// A way to cut the counts of a policy simulation.
public enum SimulationDimension: String, Sendable, Codable, CaseIterable {
    case sex
    case ageGroup = "age_group"
    case region
    case nationality
    /// The primary substance of the contact.
    case substance
    /// The policy's offence category code.
    case offence

    /// Parses `sex,age_group`, naming what is wrong; no repeats, at most four.
    public static func parse(_ text: String?) throws(ValidationFailure) -> [SimulationDimension] {
        var errors = FieldErrors()
        var out: [SimulationDimension] = []
        let parts = (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for part in parts {
            guard let d = SimulationDimension(rawValue: part) else {
                errors.add("by", "'\(part.prefix(40))' is not a dimension; use any of \(allCases.map(\.rawValue).joined(separator: ", ")).")
                continue
            }
            if out.contains(d) { errors.add("by", "'\(part)' is given twice.") }
            out.append(d)
        }
        if out.count > 4 { errors.add("by", "Cut by at most 4 dimensions at once.") }
        try errors.throwIfAny()
        return out
    }
}

/// What replaying the recorded contacts under a candidate policy changes against the active one.
public struct SimulationReport: Sendable, Equatable, Codable {
    /// Which policy a side of the comparison is.
    public struct PolicyName: Sendable, Equatable, Codable {
        public var jurisdiction: String
        public var version: String
    }

    /// The counts of one group (or of all contacts when `group` is empty).
    public struct GroupRow: Sendable, Equatable, Codable {
        /// One label per dimension, in the order of `dimensions`.
        public var group: [String]
        public var contacts: Int
        /// As recorded at the time, for comparison.
        public var recordedEligible: Int
        public var recordedDiverted: Int
        /// Eligible under the active policy in the replay, and therefore diverted in it.
        public var baselineDiverted: Int
        /// Eligible under the candidate in the replay, and therefore diverted in it.
        public var candidateDiverted: Int

        public var difference: Int { candidateDiverted - baselineDiverted }
    }

    /// Custody avoided by the diversions of each side and what it saves, with the figures it used.
    public struct Custody: Sendable, Equatable, Codable {
        public var currency: String
        public var prisonPerDay: Double
        /// The route an eligible contact takes, whose daily cost stands for the alternative.
        public var alternative: String
        public var alternativePerDay: Double
        public var baselineDays: Int
        public var candidateDays: Int
        public var baselineSaving: Double
        public var candidateSaving: Double
        /// Where the cost figures come from.
        public var source: String

        public var daysDifference: Int { candidateDays - baselineDays }
        public var savingDifference: Double { candidateSaving - baselineSaving }
    }

    /// One rule whose result decided the contacts that changed, and how many changed each way.
    public struct RuleChange: Sendable, Equatable, Codable {
        /// The rule as `Eligibility` names it (`personal_use_threshold`, `exclusion.weapon`, …).
        public var rule: String
        /// The substance or offence category the rule was about, when it is about one.
        public var subject: String?
        /// What differs in the rule between the two policies ("Threshold for Cannabis herb raised from 25 g to 30 g").
        public var change: String
        public var becameEligible: Int
        public var becameIneligible: Int
        /// A sentence a person can read: what changed in the rule and what it did.
        public var sentence: String
    }

    public var baseline: PolicyName
    public var candidate: PolicyName
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var dimensions: [SimulationDimension]
    public var total: GroupRow
    /// One row per group of the dimensions, in reading order; empty without dimensions.
    public var groups: [GroupRow]
    public var custody: Custody
    public var rules: [RuleChange]
    public var assumptions: [String]
    /// Counts from 1 to this minus one are suppressed when the report is published.
    public var suppressionThreshold: Int
}

/// Replays recorded contacts under candidate policies and compares each with the active policy.
///
/// Assumptions, printed with every report: contacts are decided as the police decide them at the pre-trial stage;
/// officers follow the recommendation, so a contact eligible under a policy counts as diverted under it and the
/// diversion-limit rule counts the diversions the replay made, not the recorded ones; serious convictions come from
/// the record; a contact a policy cannot read is not eligible under it.
public enum PolicySimulation {
    /// Whole numbers with a comma between thousands ("1,204"), as the report's sentences write them.
    public static func format(count: Int) -> String { RuleWording.count(count) }

    /// One report per candidate, in the candidates' order. Only contacts from `from` to `to` are counted; every
    /// earlier contact still counts as history. Candidates run in parallel, one per core.
    public static func run(
        contacts set: ReplayContacts, baseline: JurisdictionPolicy, candidates: [JurisdictionPolicy],
        groupBy dimensions: [SimulationDimension] = [], from: CalendarDate? = nil, to: CalendarDate? = nil
    ) -> [SimulationReport] {
        let groups = Grouping(set, dimensions: dimensions, ageBands: baseline.evidence.ageBands,
                              from: from.map { Int32(clamping: $0.dayNumber) } ?? .min, to: to.map { Int32(clamping: $0.dayNumber) } ?? .max)
        let costs = baseline.evidence.costs
        let custody = set.codes.offences.map { costs.custodyDays(for: $0) }
        let base = Baseline(set, CompiledPolicy(baseline, for: set), groups: groups, custody: custody)
        let results = Slots<SimulationReport>(count: candidates.count)
        DispatchQueue.concurrentPerform(iterations: candidates.count) { i in
            let tally = Tally(set, CompiledPolicy(candidates[i], for: set), baseline: base, groups: groups, custody: custody)
            results.put(i, report(tally, base: base, baseline: baseline, candidate: candidates[i], groups: groups, set: set, from: from, to: to))
        }
        return results.values
    }

    /// The counted contacts' group of each contact (-1 outside the period) and each group's labels.
    struct Grouping: Sendable {
        let dimensions: [SimulationDimension]
        let of: [Int32]
        let labels: [[String]]
        let contacts: [Int]
        let recordedEligible: [Int]
        let recordedDiverted: [Int]

        init(_ set: ReplayContacts, dimensions: [SimulationDimension], ageBands: [Int], from: Int32, to: Int32) {
            self.dimensions = dimensions
            let ages = AgeGroups(bands: ageBands)
            let ageLabels = ages.labels
            // Ages 0…150 map to their label once; anything else is "unknown".
            let ageIndex: [Int] = (0...150).map { ageLabels.firstIndex(of: ages.label($0)) ?? ageLabels.count - 1 }
            let sexes = Sex.allCases.map(\.rawValue)
            func value(_ d: SimulationDimension, _ c: ReplayContact) -> (Int, Int) {
                switch d {
                case .sex: (Int(c.sex), sexes.count)
                case .ageGroup: (c.age >= 0 && c.age <= 150 ? ageIndex[Int(c.age)] : ageLabels.count - 1, ageLabels.count)
                case .region: (Int(c.region), set.codes.regions.count)
                case .nationality: (c.nationality < 0 ? set.codes.nationalities.count : Int(c.nationality), set.codes.nationalities.count + 1)
                case .substance: (c.primarySubstance < 0 ? set.codes.substances.count : Int(c.primarySubstance), set.codes.substances.count + 1)
                case .offence: (Int(c.offence), set.codes.offences.count)
                }
            }
            func label(_ d: SimulationDimension, _ v: Int) -> String {
                switch d {
                case .sex: sexes[v]
                case .ageGroup: ageLabels[v]
                case .region: set.codes.regions[v]
                case .nationality: v < set.codes.nationalities.count ? set.codes.nationalities[v] : "unknown"
                case .substance: v < set.codes.substances.count ? set.codes.substances[v] : "none"
                case .offence: set.codes.offences[v]
                }
            }
            var index: [Int: Int32] = [:]
            var keys: [[Int]] = []
            var of = [Int32](repeating: -1, count: set.count)
            var contacts: [Int] = [], eligible: [Int] = [], diverted: [Int] = []
            for (i, c) in set.contacts.enumerated() where c.day >= from && c.day <= to {
                var code = 0
                var parts: [Int] = []
                for d in dimensions {
                    let (v, radix) = value(d, c)
                    code = code &* max(radix, 1) &+ v
                    parts.append(v)
                }
                let g: Int32
                if let known = index[code] { g = known } else {
                    g = Int32(keys.count)
                    index[code] = g
                    keys.append(parts)
                    contacts.append(0)
                    eligible.append(0)
                    diverted.append(0)
                }
                of[i] = g
                contacts[Int(g)] += 1
                if c.recordedEligible { eligible[Int(g)] += 1 }
                if c.recordedDiverted { diverted[Int(g)] += 1 }
            }
            self.of = of
            labels = keys.map { parts in zip(dimensions, parts).map { label($0, $1) } }
            self.contacts = contacts
            recordedEligible = eligible
            recordedDiverted = diverted
        }
    }

    /// The active policy's replay: each contact's decision, kept to find which rule changed it under a candidate.
    struct Baseline: Sendable {
        let failed: [UInt16]
        let detail: [Int32]
        let diverted: [Int]
        let custodyDays: Int

        init(_ set: ReplayContacts, _ compiled: CompiledPolicy, groups: Grouping, custody: [Int]) {
            var failed = [UInt16](repeating: 0, count: set.count)
            var detail = [Int32](repeating: -1, count: set.count)
            var diverted = [Int](repeating: 0, count: groups.labels.count)
            var days = 0
            var history: [Int32] = []
            history.reserveCapacity(64)
            var person: Int32 = -1
            for (i, c) in set.contacts.enumerated() {
                if c.person != person {
                    history.removeAll(keepingCapacity: true)
                    person = c.person
                }
                let d = compiled.decide(c, in: set, priorDiversions: history)
                failed[i] = d.failed.rawValue
                detail[i] = PolicySimulation.detail(d, c)
                if d.eligible {
                    history.append(c.day)
                    let g = groups.of[i]
                    if g >= 0 {
                        diverted[Int(g)] += 1
                        days += custody[Int(c.offence)]
                    }
                }
            }
            self.failed = failed
            self.detail = detail
            self.diverted = diverted
            custodyDays = days
        }
    }

    /// What a rule that failed was about: the substance for thresholds, the offence for the category, else -1.
    @inline(__always)
    static func detail(_ d: ReplayDecision, _ c: ReplayContact) -> Int32 {
        switch d.failed.first {
        case RuleSet.threshold?: d.thresholdSubstance
        case RuleSet.trafficking?: d.traffickingSubstance
        case RuleSet.offence?: c.offence
        default: -1
        }
    }

    /// A candidate's replay, counted against the baseline without keeping anything per contact.
    struct Tally: Sendable {
        let diverted: [Int]
        let custodyDays: Int
        /// Changed contacts by (rule family, detail + 1, direction): index `(family * width + detail + 1) * 2 + (became ineligible ? 1 : 0)`.
        let flips: [Int]
        let width: Int

        init(_ set: ReplayContacts, _ compiled: CompiledPolicy, baseline: Baseline, groups: Grouping, custody: [Int]) {
            let width = max(set.codes.substances.count, set.codes.offences.count) + 1
            var flips = [Int](repeating: 0, count: RuleSet.inOrder.count * width * 2)
            var diverted = [Int](repeating: 0, count: groups.labels.count)
            var days = 0
            var history: [Int32] = []
            history.reserveCapacity(64)
            var person: Int32 = -1
            for (i, c) in set.contacts.enumerated() {
                if c.person != person {
                    history.removeAll(keepingCapacity: true)
                    person = c.person
                }
                let d = compiled.decide(c, in: set, priorDiversions: history)
                if d.eligible { history.append(c.day) }
                let g = groups.of[i]
                guard g >= 0 else { continue }
                if d.eligible {
                    diverted[Int(g)] += 1
                    days += custody[Int(c.offence)]
                }
                let was = baseline.failed[i]
                guard d.eligible != (was == 0) else { continue }
                // The side that is not eligible failed first at the rule that made the difference.
                let family: Int, subject: Int32
                if d.eligible {
                    family = Int(was.trailingZeroBitCount)
                    subject = baseline.detail[i]
                } else {
                    family = d.failed.position
                    subject = PolicySimulation.detail(d, c)
                }
                flips[(family * width + Int(subject) + 1) * 2 + (d.eligible ? 0 : 1)] += 1
            }
            self.diverted = diverted
            custodyDays = days
            self.flips = flips
            self.width = width
        }
    }

    static func report(
        _ tally: Tally, base: Baseline, baseline: JurisdictionPolicy, candidate: JurisdictionPolicy, groups: Grouping,
        set: ReplayContacts, from: CalendarDate?, to: CalendarDate?
    ) -> SimulationReport {
        var rows: [SimulationReport.GroupRow] = groups.labels.indices.map { g in
            .init(group: groups.labels[g], contacts: groups.contacts[g], recordedEligible: groups.recordedEligible[g],
                  recordedDiverted: groups.recordedDiverted[g], baselineDiverted: base.diverted[g], candidateDiverted: tally.diverted[g])
        }
        let ageLabels = AgeGroups(bands: baseline.evidence.ageBands).labels
        let sexes = Sex.allCases.map(\.rawValue)
        // Groups read in a natural order: sexes as listed, age groups youngest first, other codes alphabetically, unknown last.
        func rank(_ d: SimulationDimension, _ label: String) -> (Int, Int, String) {
            switch d {
            case .sex: (0, sexes.firstIndex(of: label) ?? sexes.count, label)
            case .ageGroup: (0, ageLabels.firstIndex(of: label) ?? ageLabels.count, label)
            default: (label == "unknown" || label == "none" ? 1 : 0, 0, label)
            }
        }
        rows.sort { a, b in
            for (k, d) in groups.dimensions.enumerated() where a.group[k] != b.group[k] {
                return rank(d, a.group[k]) < rank(d, b.group[k])
            }
            return false
        }
        if groups.dimensions.isEmpty { rows = [] }
        let total = SimulationReport.GroupRow(
            group: [], contacts: groups.contacts.reduce(0, +), recordedEligible: groups.recordedEligible.reduce(0, +),
            recordedDiverted: groups.recordedDiverted.reduce(0, +), baselineDiverted: base.diverted.reduce(0, +),
            candidateDiverted: tally.diverted.reduce(0, +)
        )
        let costs = baseline.evidence.costs
        let route = baseline.routeRule(.police, .preTrial)?.diversion ?? candidate.routeRule(.police, .preTrial)?.diversion ?? "alternative"
        let alternativePerDay = costs.measureCost(route)
        let custody = SimulationReport.Custody(
            currency: costs.currency, prisonPerDay: costs.prisonPerDay, alternative: route, alternativePerDay: alternativePerDay,
            baselineDays: base.custodyDays, candidateDays: tally.custodyDays,
            baselineSaving: Double(base.custodyDays) * (costs.prisonPerDay - alternativePerDay),
            candidateSaving: Double(tally.custodyDays) * (costs.prisonPerDay - alternativePerDay), source: costs.source
        )
        var rules: [SimulationReport.RuleChange] = []
        for (family, rule) in RuleSet.inOrder.enumerated() {
            for detail in -1..<(tally.width - 1) {
                let at = (family * tally.width + detail + 1) * 2
                let up = tally.flips[at], down = tally.flips[at + 1]
                guard up + down > 0 else { continue }
                let subject: String? = switch rule {
                case .threshold, .trafficking: detail >= 0 && detail < set.codes.substances.count ? set.codes.substances[detail] : nil
                case .offence: detail >= 0 && detail < set.codes.offences.count ? set.codes.offences[detail] : nil
                default: nil
                }
                let what = RuleWording.change(rule, subject: subject, baseline: baseline, candidate: candidate)
                rules.append(.init(rule: rule.code, subject: subject, change: what, becameEligible: up, becameIneligible: down,
                                   sentence: RuleWording.sentence(what, becameEligible: up, becameIneligible: down)))
            }
        }
        return SimulationReport(
            baseline: .init(jurisdiction: baseline.jurisdiction, version: baseline.version),
            candidate: .init(jurisdiction: candidate.jurisdiction, version: candidate.version),
            from: from, to: to, dimensions: groups.dimensions, total: total, groups: rows, custody: custody, rules: rules,
            assumptions: assumptions(costs: costs, route: route, alternativePerDay: alternativePerDay, from: from, to: to),
            suppressionThreshold: baseline.evidence.suppressionThreshold
        )
    }

    static func assumptions(costs: JurisdictionPolicy.Costs, route: String, alternativePerDay: Double, from: CalendarDate?, to: CalendarDate?) -> [String] {
        let f = Eligibility.format
        var out = [
            "Every contact is decided as the police would decide it at the pre-trial stage, under each policy's own rules.",
            "Officers follow the recommendation: a contact eligible under a policy counts as diverted under it, and the diversion limit counts the diversions of the replay, not the recorded ones.",
            "Serious convictions are those on record before each contact.",
            "A contact a policy cannot read (an offence category, substance or unit it does not know, or a quantity or purity out of range) is not eligible under it.",
            "Custody days avoided: for each diverted contact, the custody days a case of its offence category would typically receive (\(costs.custodyDays(for: "default")) days unless the active policy's evidence costs name the category).",
            "Saving = custody days avoided × (prison \(f(costs.prisonPerDay)) \(costs.currency) a day − \(route.replacingOccurrences(of: "_", with: " ")) \(f(alternativePerDay)) \(costs.currency) a day): the alternative is assumed to last as long as the custody it replaces. Costs are the active policy's for both sides. \(costs.source)",
        ]
        if from != nil || to != nil {
            out.append("Only contacts \(from.map { "from \($0) " } ?? "")\(to.map { "up to \($0) " } ?? "")are counted; earlier contacts still count as history.")
        }
        return out
    }
}

/// Results written by concurrent workers, one slot each.
final class Slots<Value: Sendable>: @unchecked Sendable {
    private var items: [Value?]
    private let lock = NSLock()

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func put(_ i: Int, _ value: Value) {
        lock.lock()
        items[i] = value
        lock.unlock()
    }

    var values: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return items.compactMap { $0 }
    }
}
