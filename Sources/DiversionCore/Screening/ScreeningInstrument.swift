/// A validated screening instrument, scored exactly as its authors publish it.
public enum ScreeningInstrument: String, Sendable, CaseIterable, Codable {
    case assist
    case dast10
    case audit
    case auditc
    case crafft

    /// The version every recorded screening keeps beside its score.
    public var version: String {
        switch self {
        case .assist: "3.1"
        case .dast10: "1982"
        case .audit: "2001"
        case .auditc: "1998"
        case .crafft: "2.1"
        }
    }

    public var name: String {
        switch self {
        case .assist: "WHO ASSIST"
        case .dast10: "DAST-10"
        case .audit: "AUDIT"
        case .auditc: "AUDIT-C"
        case .crafft: "CRAFFT"
        }
    }
}

/// The outcome of scoring one screening.
public struct ScreeningResult: Sendable, Equatable {
    /// One substance's involvement score (ASSIST only).
    public struct SubstanceScore: Sendable, Equatable {
        public let substance: String
        public let score: Int
        public let level: String

        public init(substance: String, score: Int, level: String) {
            self.substance = substance
            self.score = score
            self.level = level
        }
    }

    public let instrument: ScreeningInstrument
    public let score: Int
    public let level: String
    public let recommendation: String
    public let substances: [SubstanceScore]?

    public var version: String { instrument.version }

    public init(instrument: ScreeningInstrument, score: Int, level: String, recommendation: String, substances: [SubstanceScore]?) {
        self.instrument = instrument
        self.score = score
        self.level = level
        self.recommendation = recommendation
        self.substances = substances
    }
}

/// Scores screenings; impossible answers are refused with the item named.
public enum Screening {
    public static func score(
        _ instrument: ScreeningInstrument, answers: AnswerValue, sex: Sex?
    ) throws(ValidationFailure) -> ScreeningResult {
        switch instrument {
        case .dast10: try DAST10.score(answers)
        case .audit: try AUDIT.score(answers)
        case .auditc: try AUDIT.scoreConsumption(answers, sex: sex)
        case .assist: try ASSIST.score(answers)
        case .crafft: try CRAFFT.score(answers)
        }
    }
}

/// Which instrument fits whom: CRAFFT for minors, and CRAFFT only within its validated ages.
public enum ScreeningRules {
    public static let crafftAges = 12...21

    /// Why `instrument` does not fit a person of `age`, or nil when it does.
    public static func instrumentProblem(_ instrument: ScreeningInstrument, age: Int, ageOfMajority: Int) -> String? {
        if age < ageOfMajority && instrument != .crafft {
            return "This person is \(age): people under \(ageOfMajority) are screened with CRAFFT."
        }
        if instrument == .crafft && !crafftAges.contains(age) {
            return "CRAFFT is validated for ages \(crafftAges.lowerBound) to \(crafftAges.upperBound); this person is \(age)."
        }
        return nil
    }
}
