import Foundation

/// A programme's graduated responses as a document a policy can carry: phases, and per behaviour and phase the escalating responses.
public struct ResponseMatrix: Sendable, Equatable, Codable {
    /// What a participant must show before leaving a phase; in the last phase, before graduating.
    public struct PromotionCriteria: Sendable, Equatable, Codable {
        public var minDaysInPhase: Int
        public var minConsecutiveNegativeTests: Int
        /// The share of scheduled sessions attended, from 0 to 1.
        public var minAttendanceRate: Double

        public init(minDaysInPhase: Int, minConsecutiveNegativeTests: Int, minAttendanceRate: Double) {
            self.minDaysInPhase = minDaysInPhase
            self.minConsecutiveNegativeTests = minConsecutiveNegativeTests
            self.minAttendanceRate = minAttendanceRate
        }
    }

    /// One phase of the programme, numbered from 1.
    public struct Phase: Sendable, Equatable, Codable {
        public var number: Int
        public var name: String
        public var promotion: PromotionCriteria

        public init(number: Int, name: String, promotion: PromotionCriteria) {
            self.number = number
            self.name = name
            self.promotion = promotion
        }
    }

    /// The responses to one behaviour, escalating with each occurrence inside the look-back window.
    public struct Rule: Sendable, Equatable, Codable {
        public var behaviour: Behaviour
        /// The phase this rule answers; nil answers every phase that has no rule of its own.
        public var phase: Int?
        /// Overrides the matrix's window, since a new arrest, say, stays relevant for longer than a late arrival.
        public var lookBackDays: Int?
        /// Option codes by occurrence: `steps[0]` for the first, the last step for every later one; the first code in a step leads.
        public var steps: [[String]]

        public init(behaviour: Behaviour, phase: Int? = nil, lookBackDays: Int? = nil, steps: [[String]]) {
            self.behaviour = behaviour
            self.phase = phase
            self.lookBackDays = lookBackDays
            self.steps = steps
        }
    }

    /// How substance use early in treatment is answered when a rule names no treatment adjustment of its own.
    public struct EarlyTreatment: Sendable, Equatable, Codable {
        /// Days since treatment began during which substance use calls for a treatment change first (phase 1 always does).
        public var days: Int
        /// Treatment adjustments by occurrence, like a rule's steps.
        public var steps: [[String]]

        public init(days: Int, steps: [[String]]) {
            self.days = days
            self.steps = steps
        }
    }

    public var options: [ResponseOption]
    public var phases: [Phase]
    public var rules: [Rule]
    /// Occurrences of the same behaviour within this many days count towards escalation.
    public var lookBackDays: Int
    public var earlyTreatment: EarlyTreatment
    /// Incentives per sanction the programme aims for; below it the ratio is flagged.
    public var incentiveRatioTarget: Double

    public init(
        options: [ResponseOption] = ResponseOption.catalogue, phases: [Phase], rules: [Rule], lookBackDays: Int = 30,
        earlyTreatment: EarlyTreatment, incentiveRatioTarget: Double = ResponseRatio.standardTarget
    ) {
        self.options = options
        self.phases = phases
        self.rules = rules
        self.lookBackDays = lookBackDays
        self.earlyTreatment = earlyTreatment
        self.incentiveRatioTarget = incentiveRatioTarget
    }

    public func option(_ code: String) -> ResponseOption? {
        options.first { $0.code == code }
    }

    public func phase(_ number: Int) -> Phase? {
        phases.first { $0.number == number }
    }

    /// The rule for `behaviour` in `phase`: the phase's own rule, else the one for every phase.
    public func rule(for behaviour: Behaviour, phase: Int) -> Rule? {
        rules.first { $0.behaviour == behaviour && $0.phase == phase } ?? rules.first { $0.behaviour == behaviour && $0.phase == nil }
    }

    public static let lookBackRange = 1...365
    public static let earlyTreatmentRange = 0...730

    /// Rules a policy author must respect; each problem names its path under `prefix` (such as `responseMatrix`).
    public func validate(prefix: String = "") -> [PolicyProblem] {
        var found: [PolicyProblem] = []
        func add(_ path: String, _ message: String) {
            found.append(PolicyProblem(path: prefix.isEmpty ? path : "\(prefix).\(path)", message: message))
        }

        if options.isEmpty { add("options", "List at least one response option.") }
        var codes: Set<String> = []
        for (i, o) in options.enumerated() {
            let path = "options[\(i)]"
            if !codes.insert(o.code).inserted { add("\(path).code", "The code '\(o.code)' is used twice.") }
            if o.code.isEmpty || !o.code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
                add("\(path).code", "Codes use lowercase letters, digits and '_', such as verbal_warning.")
            }
            if o.name.trimmingCharacters(in: .whitespaces).isEmpty { add("\(path).name", "Name the response as a person reads it.") }
            if !ResponseOption.magnitudes.contains(o.magnitude) {
                add("\(path).magnitude", "The magnitude is a whole number from 1 (lightest) to 5 (last resort).")
            }
        }

        if phases.isEmpty { add("phases", "List at least one phase.") }
        for (i, p) in phases.enumerated() {
            let path = "phases[\(i)]"
            if p.number != i + 1 { add("\(path).number", "Phases are numbered 1, 2, 3… in order; this one should be \(i + 1), not \(p.number).") }
            if p.name.trimmingCharacters(in: .whitespaces).isEmpty { add("\(path).name", "Name the phase, such as Stabilisation.") }
            if !(0...3650).contains(p.promotion.minDaysInPhase) {
                add("\(path).promotion.minDaysInPhase", "Give a whole number of days from 0 to 3650.")
            }
            if !(0...1000).contains(p.promotion.minConsecutiveNegativeTests) {
                add("\(path).promotion.minConsecutiveNegativeTests", "Give a whole number of tests from 0 to 1000.")
            }
            if !(p.promotion.minAttendanceRate >= 0 && p.promotion.minAttendanceRate <= 1) {
                add("\(path).promotion.minAttendanceRate", "An attendance rate runs from 0 to 1, such as 0.8 for 80 %.")
            }
        }
        let numbers = Set(phases.map(\.number))

        if !Self.lookBackRange.contains(lookBackDays) { add("lookBackDays", "Give a whole number of days from 1 to 365.") }
        if !(incentiveRatioTarget > 0) { add("incentiveRatioTarget", "Give the incentives aimed for per sanction, above 0, such as 4.") }
        if !Self.earlyTreatmentRange.contains(earlyTreatment.days) { add("earlyTreatment.days", "Give a whole number of days from 0 to 730.") }
        if earlyTreatment.steps.isEmpty { add("earlyTreatment.steps", "List at least one step of treatment adjustments.") }
        for (j, step) in earlyTreatment.steps.enumerated() {
            if step.isEmpty { add("earlyTreatment.steps[\(j)]", "List at least one treatment adjustment, such as reassessment.") }
            for (k, code) in step.enumerated() {
                let path = "earlyTreatment.steps[\(j)][\(k)]"
                guard let o = option(code) else { add(path, "There is no option '\(code)' in options."); continue }
                if o.kind != .treatmentAdjustment { add(path, "'\(code)' is a \(o.kind.words); early substance use is answered here with treatment adjustments.") }
            }
        }

        var seen: [String: Int] = [:]
        for (i, r) in rules.enumerated() {
            let path = "rules[\(i)]"
            let key = "\(r.behaviour.rawValue)/\(r.phase.map(String.init) ?? "*")"
            if let first = seen[key] {
                let which = r.phase.map { "in phase \($0)" } ?? "for every phase"
                add(path, "A rule for \(r.behaviour.rawValue) \(which) is already given at rules[\(first)]; put its steps in one rule.")
            } else {
                seen[key] = i
            }
            if let p = r.phase, !numbers.contains(p) {
                add("\(path).phase", "There is no phase \(p); the phases run from 1 to \(phases.count).")
            }
            if let days = r.lookBackDays, !Self.lookBackRange.contains(days) {
                add("\(path).lookBackDays", "Give a whole number of days from 1 to 365, or leave it out to use the matrix's.")
            }
            if r.steps.isEmpty { add("\(path).steps", "List at least one step of responses.") }
            for (j, step) in r.steps.enumerated() {
                if step.isEmpty { add("\(path).steps[\(j)]", "List at least one response option, such as verbal_warning.") }
                var inStep: Set<String> = []
                for (k, code) in step.enumerated() {
                    let codePath = "\(path).steps[\(j)][\(k)]"
                    if !inStep.insert(code).inserted { add(codePath, "'\(code)' is listed twice in this step.") }
                    guard let o = option(code) else { add(codePath, "There is no option '\(code)' in options."); continue }
                    if r.behaviour.isDesired && o.kind != .incentive {
                        add(codePath, "\(r.behaviour.rawValue) is progress and is answered with incentives; '\(code)' is a \(o.kind.words).")
                    }
                    if !r.behaviour.isDesired && o.kind == .incentive {
                        add(codePath, "'\(code)' is an incentive; answer \(r.behaviour.rawValue) with a sanction or a treatment adjustment.")
                    }
                    if o.isLastResort && j == 0 {
                        add(codePath, "'\(code)' is a last resort and cannot answer a first occurrence.")
                    }
                    if o.isLastResort && r.behaviour.isSubstanceUse {
                        add(codePath, "'\(code)' is a last resort and never answers substance use alone.")
                    }
                }
            }
        }
        // Every behaviour needs an answer in every phase, so the advisor never falls silent.
        for phase in numbers.sorted() {
            for b in Behaviour.allCases where rule(for: b, phase: phase) == nil {
                add("rules", "No rule answers \(b.rawValue) in phase \(phase); add one for that phase or for every phase.")
            }
        }
        return found
    }
}
