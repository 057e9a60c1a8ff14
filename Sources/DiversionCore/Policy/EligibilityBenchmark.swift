import Foundation

/// Measures eligibility evaluations per second against a bare threshold comparison on the same questions,
/// so the cost of checking every rule and explaining it is visible as a ratio.
public enum EligibilityBenchmark {
    public struct Result: Sendable {
        public let evaluations: Int
        public let seconds: Double
        public let baselineComparisons: Int
        public let baselineSeconds: Double

        public var perSecond: Double { Double(evaluations) / seconds }
        public var baselinePerSecond: Double { Double(baselineComparisons) / baselineSeconds }
    }

    /// Questions spread over the policy's substances, around their thresholds, each with a short history.
    public static func questions(for policy: JurisdictionPolicy, count: Int = 1000) -> [EligibilityQuestion] {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
        let day = CalendarDate(year: 2026, month: 11, day: 20)
        return (0..<count).map { _ in
            let substance = policy.substances[next(policy.substances.count)]
            let quantity = substance.threshold * Double(10 + next(140)) / 100
            let history = PriorRecord(
                contacts: [day.adding(years: -1), day.adding(days: -90)], diversions: [day.adding(years: -1)],
                nearThresholdSeizures: [NearThresholdEvidence(date: day.adding(days: -90), substance: substance.code, percentOfThreshold: 90)]
            )
            return EligibilityQuestion(
                occurredOn: day, offences: [policy.offenceCategories.first?.code ?? ""],
                seizures: [SeizureRecord(substance: substance.code, quantity: quantity, unit: substance.unit.rawValue)],
                circumstances: ContactCircumstances(weapon: next(20) == 0), history: history
            )
        }
    }

    public static func run(_ policy: JurisdictionPolicy, seconds: Double) -> Result {
        let questions = questions(for: policy)
        var count = 0
        var eligible = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            for q in questions {
                if let answer = try? Eligibility.evaluate(q, under: policy), answer.eligible { eligible += 1 }
            }
            count += questions.count
        }
        let elapsed = Date().timeIntervalSince(start)
        // The baseline only compares the quantity with the threshold: no rules, history or explanation.
        var compared = 0
        var within = 0
        let baseStart = Date()
        while Date().timeIntervalSince(baseStart) < seconds {
            for q in questions {
                for s in q.seizures {
                    if let substance = policy.substance(s.substance), let unit = QuantityUnit(text: s.unit),
                       let amount = unit.convert(s.quantity, to: substance.unit) {
                        let pure = substance.basis == .pure ? amount * (s.purityPercent ?? substance.assumedPurityPercent ?? 100) / 100 : amount
                        if pure <= substance.threshold { within += 1 }
                    }
                }
            }
            compared += questions.count
        }
        let baseElapsed = Date().timeIntervalSince(baseStart)
        // Keep the counters observable so the optimiser cannot drop the loops.
        if eligible < 0 || within < 0 { print(eligible, within) }
        return Result(evaluations: count, seconds: elapsed, baselineComparisons: compared, baselineSeconds: baseElapsed)
    }
}
