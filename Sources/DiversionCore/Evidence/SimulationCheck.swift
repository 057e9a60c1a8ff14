import Foundation

/// Compares the compiled evaluator of the simulation with `Eligibility.evaluate` on generated questions, rule by rule,
/// so a policy can be checked before its figures are trusted.
public enum SimulationCheck {
    /// A question on which the two evaluators disagree.
    public struct Mismatch: Sendable, CustomStringConvertible {
        public let question: EligibilityQuestion
        /// The rules the full evaluation failed (`unreadable` when it refused the question).
        public let full: RuleSet
        public let compiled: RuleSet

        public var description: String {
            "\(question.occurredOn) \(question.offences) \(question.seizures.map { "\($0.substance) \($0.quantity) \($0.unit) \($0.purityPercent.map { "\($0) %" } ?? "")" }) "
                + "circumstances \(FactEncoding.circumstances(question.circumstances)) diversions \(question.history.diversions) convictions \(question.history.seriousConvictions): "
                + "full failed \(full.code.isEmpty ? "nothing" : full.code), compiled failed \(compiled.code.isEmpty ? "nothing" : compiled.code)"
        }
    }

    /// What a comparison found: how many questions, how many eligible, how often each rule failed, and the disagreements.
    public struct Outcome: Sendable {
        public let questions: Int
        public let eligible: Int
        /// Questions on which each rule family failed (in the full evaluation), by `RuleSet.inOrder` position.
        public let failures: [Int]
        public let mismatches: [Mismatch]
    }

    /// The rule families a full evaluation failed; `unreadable` when it refused the question.
    public static func failedRules(_ question: EligibilityQuestion, under policy: JurisdictionPolicy) -> RuleSet {
        guard let answer = try? Eligibility.evaluate(question, under: policy) else { return .unreadable }
        var failed: RuleSet = []
        for reason in answer.reasons where !reason.passed {
            if let rule = RuleSet.inOrder.first(where: { $0.code == reason.rule }) { failed.insert(rule) }
        }
        return failed
    }

    /// Decides each question with both evaluators (police, pre-trial; one offence each) and lists where they disagree.
    public static func compare(_ policy: JurisdictionPolicy, questions: [EligibilityQuestion]) -> Outcome {
        var builder = ReplayContactsBuilder(expectedCount: questions.count)
        for (i, q) in questions.enumerated() {
            builder.append(ContactFact(
                source: .generated, contactKey: "q\(i)", personKey: "q\(i)", occurredOn: q.occurredOn, sex: .unknown, age: nil, region: "R",
                nationality: nil, offence: q.offences.first ?? "", substance: q.seizures.first?.substance, seizures: q.seizures,
                circumstances: q.circumstances, seriousConvictions: q.history.seriousConvictions
            ))
        }
        let set = builder.build()
        let compiled = CompiledPolicy(policy, for: set)
        var mismatches: [Mismatch] = []
        var failures = [Int](repeating: 0, count: RuleSet.inOrder.count)
        var eligible = 0
        for (i, q) in questions.enumerated() {
            let prior = q.history.diversions.map { Int32(clamping: $0.dayNumber) }.sorted()
            let decision = compiled.decide(set.contacts[i], in: set, priorDiversions: prior)
            let full = failedRules(q, under: policy)
            if full.isEmpty { eligible += 1 }
            for (k, rule) in RuleSet.inOrder.enumerated() where full.contains(rule) { failures[k] += 1 }
            // A refused question is only unreadable; otherwise every failed rule must match.
            if decision.failed != full || q.offences.count != 1 {
                mismatches.append(Mismatch(question: q, full: full, compiled: decision.failed))
            }
        }
        return Outcome(questions: questions.count, eligible: eligible, failures: failures, mismatches: mismatches)
    }

    /// Questions that probe every rule of `policy` at its edges: quantities at, just over and far from the thresholds and
    /// trafficking presumptions, in convertible and unconvertible units, tested and untested purities, unknown
    /// substances, units and offences, typing errors, circumstances, and diversions and convictions on the very edges
    /// of the look-back windows (29 February included).
    public static func questions(for policy: JurisdictionPolicy, count: Int, seed: UInt64 = 1) -> [EligibilityQuestion] {
        var random = SimulationBenchmark.Generator(state: seed)
        let massUnits: [QuantityUnit] = [.g, .mg, .µg]
        let days = [
            CalendarDate(year: 2024, month: 2, day: 29), CalendarDate(year: 2028, month: 2, day: 29), CalendarDate(year: 2025, month: 3, day: 1),
            CalendarDate(year: 2026, month: 12, day: 31), CalendarDate(year: 2027, month: 1, day: 1),
        ]
        let yearsUsed = Array(Set([policy.exclusions.priorSeriousConvictionYears, policy.exclusions.maxDiversions?.years, 1, 3, 5].compactMap { $0 }))
        func edgeDate(_ day: CalendarDate) -> CalendarDate {
            let years = yearsUsed[random.next(yearsUsed.count)]
            let since = day.adding(years: -years)
            switch random.next(7) {
            case 0: return since
            case 1: return since.adding(days: 1)
            case 2: return since.adding(days: -1)
            case 3: return day
            case 4: return day.adding(days: 1 + random.next(30))
            default: return day.adding(days: -random.next(years * 365))
            }
        }
        return (0..<count).map { _ in
            let day = random.chance(30) ? days[random.next(days.count)] : CalendarDate(dayNumber: CalendarDate(year: 2024, month: 1, day: 1).dayNumber + random.next(1500))
            let offence: String
            if random.chance(4) || policy.offenceCategories.isEmpty { offence = random.chance(50) ? "loitering" : "" } else {
                offence = random.chance(70) ? policy.offenceCategories[0].code : policy.offenceCategories[random.next(policy.offenceCategories.count)].code
            }
            var seizures: [SeizureRecord] = []
            let seizureCount = random.chance(8) ? 0 : random.chance(75) ? 1 : 2 + random.next(2)
            for _ in 0..<seizureCount {
                guard !policy.substances.isEmpty, !random.chance(3) else {
                    seizures.append(SeizureRecord(substance: "khat", quantity: 1, unit: "g"))
                    continue
                }
                let s = policy.substances[random.next(policy.substances.count)]
                var unit = s.unit
                var unitText: String?
                switch random.next(40) {
                case 0..<22: break
                case 22..<32: if s.unit.grams != nil { unit = massUnits[random.next(massUnits.count)] }
                case 32..<36: unit = QuantityUnit.allCases[random.next(QuantityUnit.allCases.count)]
                case 36: unitText = ["kg", "ug", "mcg", "μg", "G"][random.next(5)]
                default: break
                }
                let purity: Double?
                switch random.next(30) {
                case 0..<15: purity = nil
                case 15..<24: purity = Double(1 + random.next(100))
                case 24..<29: purity = [100, 0.5, 35, s.assumedPurityPercent ?? 50][random.next(4)]
                default: purity = [0, -5, 150, .nan][random.next(4)]
                }
                // The amount in the policy unit that the purity (tested or assumed) brings to the chosen edge.
                let effective = s.basis == .pure ? (purity ?? s.assumedPurityPercent ?? 100) / 100 : 1
                let target: Double
                switch random.next(12) {
                case 0, 1: target = s.threshold
                case 2: target = s.threshold.nextUp
                case 3: target = s.threshold * s.traffickingMultiple
                case 4: target = (s.threshold * s.traffickingMultiple).nextDown
                case 5: target = s.threshold * 0.999_999_9
                default: target = s.threshold * Double(5 + random.next(200)) / 100
                }
                var quantity = effective > 0 && effective.isFinite ? target / effective : target
                if unit != s.unit, let from = s.unit.grams, let to = unit.grams { quantity = quantity * from / to }
                switch random.next(100) {
                case 0: quantity = 0
                case 1: quantity = -1
                case 2: quantity = Eligibility.largestQuantity * 2
                case 3: quantity = .infinity
                case 4: quantity = Eligibility.largestQuantity
                default: break
                }
                let packaging = random.chance(10) ? [PackagingSign.allCases[random.next(PackagingSign.allCases.count)].rawValue] : []
                seizures.append(SeizureRecord(substance: s.code, quantity: quantity, unit: unitText ?? unit.rawValue, purityPercent: purity, packaging: packaging))
            }
            let bits = random.chance(20) ? 1 << random.next(5) | (random.chance(20) ? 1 << random.next(5) : 0) : 0
            let diversions = (0..<random.next(5)).map { _ in edgeDate(day) }.sorted()
            let convictions = random.chance(25) ? (0..<(1 + random.next(2))).map { _ in edgeDate(day) } : []
            return EligibilityQuestion(
                occurredOn: day, offences: [offence], seizures: seizures, circumstances: FactEncoding.circumstances(bits),
                history: PriorRecord(contacts: diversions, diversions: diversions, seriousConvictions: convictions)
            )
        }
    }
}
