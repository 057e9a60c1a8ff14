import Foundation

/// Suggests graduated responses from a matrix: predictable because the same behaviour gets the same answer,
/// graduated because repetition within the window escalates it.
public enum ResponseAdvisor {
    /// One suggested response and the sentence that explains it.
    public struct Suggestion: Sendable, Equatable, Codable {
        public var option: ResponseOption
        public var reason: String

        public init(option: ResponseOption, reason: String) {
            self.option = option
            self.reason = reason
        }
    }

    /// Suggestions for `behaviour` at `now`, most fitting first; only entries of `history` before `now` count as earlier occurrences.
    public static func suggest(
        _ behaviour: Behaviour, phase: Int, history: [BehaviourRecord], daysInTreatment: Int, now: Date, matrix: ResponseMatrix = .standard
    ) -> [Suggestion] {
        let numbers = matrix.phases.map(\.number)
        guard let lowest = numbers.min(), let highest = numbers.max() else { return [] }
        // A phase outside the matrix is answered as its nearest phase rather than left without an answer.
        let phase = min(max(phase, lowest), highest)
        guard let rule = matrix.rule(for: behaviour, phase: phase), !rule.steps.isEmpty else { return [] }

        let window = rule.lookBackDays ?? matrix.lookBackDays
        // Entries at or after `now` are skipped, so the behaviour being answered may already be stored.
        let occurrence = 1 + history.filter {
            $0.behaviour == behaviour && $0.occurredAt < now && now.timeIntervalSince($0.occurredAt) <= Double(window) * 86_400
        }.count
        let allowed = { (o: ResponseOption) -> Bool in
            if behaviour.isDesired { return o.kind == .incentive }
            // Custody is only for repeated behaviour that is more than substance use.
            return !(o.isLastResort && (occurrence == 1 || behaviour.isSubstanceUse))
        }
        // Walk back down the ladder if a step holds only responses that may not be used here.
        var options: [ResponseOption] = []
        var stepIndex = min(occurrence, rule.steps.count) - 1
        while stepIndex >= 0 && options.isEmpty {
            options = unique(rule.steps[stepIndex].compactMap(matrix.option).filter(allowed))
            stepIndex -= 1
        }

        let context = behaviour == .phaseCriteriaMet
            ? "Phase \(phase) criteria met"
            : "\(ordinal(occurrence).capitalisedFirst) \(behaviour.words) in \(window) days"

        let early = behaviour.isSubstanceUse && (phase == 1 || daysInTreatment < matrix.earlyTreatment.days)
        guard early else {
            return options.map { Suggestion(option: $0, reason: reason(for: $0, context: context, occurrence: occurrence, phase: phase, matrix: matrix)) }
        }

        var adjustments = options.filter { $0.kind == .treatmentAdjustment }
        if adjustments.isEmpty, !matrix.earlyTreatment.steps.isEmpty {
            let steps = matrix.earlyTreatment.steps
            adjustments = unique(steps[min(occurrence, steps.count) - 1].compactMap(matrix.option).filter { $0.kind == .treatmentAdjustment })
        }
        let when = daysInTreatment < matrix.earlyTreatment.days
            ? "within the first \(matrix.earlyTreatment.days) days of treatment (day \(daysInTreatment))"
            : "in phase 1 (day \(daysInTreatment) of treatment)"
        let others = options.filter { $0.kind != .treatmentAdjustment }
        return adjustments.map {
            Suggestion(option: $0, reason: "\(context), \(when): \($0.words) first, because substance use this early calls for adjusting treatment before any sanction.")
        } + others.map {
            Suggestion(option: $0, reason: "\(context): \($0.words), only if still needed once the treatment has been adjusted.")
        }
    }

    /// Suggestions counting earlier recorded responses as the history; several responses to one occurrence count once.
    public static func suggest(
        _ behaviour: Behaviour, phase: Int, history: [RecordedResponse], daysInTreatment: Int, now: Date, matrix: ResponseMatrix = .standard
    ) -> [Suggestion] {
        var seen: Set<String> = []
        let records = history.map(\.behaviourRecord).filter { seen.insert("\($0.behaviour.rawValue)@\($0.occurredAt.timeIntervalSince1970)").inserted }
        return suggest(behaviour, phase: phase, history: records, daysInTreatment: daysInTreatment, now: now, matrix: matrix)
    }

    static func reason(for option: ResponseOption, context: String, occurrence: Int, phase: Int, matrix: ResponseMatrix) -> String {
        switch option.kind {
        case .incentive:
            if option.code == "phase_promotion", let next = matrix.phase(phase + 1) {
                return "\(context): promote to phase \(next.number) (\(next.name))."
            }
            return "\(context): \(option.words) as an incentive."
        case .treatmentAdjustment:
            return "\(context): \(option.words) as a treatment adjustment."
        case .sanction:
            if option.isLastResort {
                return "\(context): \(option.words) only as a last resort, when lesser responses have not worked."
            }
            return occurrence == 1 ? "\(context): \(option.words) as a first response." : "\(context): escalate to \(option.words)."
        }
    }

    static func unique(_ options: [ResponseOption]) -> [ResponseOption] {
        var seen: Set<String> = []
        return options.filter { seen.insert($0.code).inserted }
    }

    /// "first", "second" … "tenth", then "11th".
    static func ordinal(_ n: Int) -> String {
        let words = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
        if (1...words.count).contains(n) { return words[n - 1] }
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}

extension String {
    fileprivate var capitalisedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
