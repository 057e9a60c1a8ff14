/// What a response does: reward, hold to account, or change the treatment.
public enum ResponseKind: String, Sendable, CaseIterable, Codable {
    case incentive, sanction
    case treatmentAdjustment = "treatment_adjustment"

    public var words: String {
        switch self {
        case .incentive: "incentive"
        case .sanction: "sanction"
        case .treatmentAdjustment: "treatment adjustment"
        }
    }
}

/// One response a team may choose, with its place on the escalation ladder.
public struct ResponseOption: Sendable, Hashable, Codable {
    public var code: String
    public var name: String
    public var kind: ResponseKind
    /// 1 (lightest) to 5 (heaviest); a magnitude-5 sanction is a last resort.
    public var magnitude: Int
    /// The name in other interface languages, by language code, for an option a policy defines itself.
    public var labels: [String: String]?

    public static let magnitudes = 1...5

    public init(code: String, name: String, kind: ResponseKind, magnitude: Int, labels: [String: String]? = nil) {
        self.code = code
        self.name = name
        self.labels = labels
        self.kind = kind
        self.magnitude = magnitude
    }

    /// Custody and its equals: never for a first occurrence, never for substance use alone.
    public var isLastResort: Bool { kind == .sanction && magnitude >= Self.magnitudes.upperBound }

    /// The name as it reads inside a sentence ("verbal warning").
    public var words: String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// The catalogue the standard matrix chooses from; a policy may replace it with its own.
    public static let catalogue: [ResponseOption] = [
        // Incentives: frequent, small and immediate rewards do more than rare large ones.
        .init(code: "verbal_praise", name: "Verbal praise from the judge", kind: .incentive, magnitude: 1),
        .init(code: "recognition_in_court", name: "Recognition in court", kind: .incentive, magnitude: 1),
        .init(code: "certificate", name: "Certificate of achievement", kind: .incentive, magnitude: 2),
        .init(code: "gift_voucher", name: "Gift card or voucher", kind: .incentive, magnitude: 2),
        .init(code: "reduced_testing", name: "Reduced testing frequency", kind: .incentive, magnitude: 3),
        .init(code: "fewer_court_appearances", name: "Fewer court appearances", kind: .incentive, magnitude: 3),
        .init(code: "curfew_relaxed", name: "Relaxed curfew", kind: .incentive, magnitude: 3),
        .init(code: "phase_promotion", name: "Promotion to the next phase", kind: .incentive, magnitude: 4),
        .init(code: "graduation", name: "Graduation from the programme", kind: .incentive, magnitude: 5),
        // Sanctions: the lightest that can work, raised only when the behaviour repeats.
        .init(code: "verbal_warning", name: "Verbal warning", kind: .sanction, magnitude: 1),
        .init(code: "reflection_task", name: "Essay or reflection task", kind: .sanction, magnitude: 1),
        .init(code: "more_court_reviews", name: "More frequent court reviews", kind: .sanction, magnitude: 2),
        .init(code: "increased_testing", name: "Increased testing", kind: .sanction, magnitude: 2),
        .init(code: "community_service", name: "Community service hours", kind: .sanction, magnitude: 3),
        .init(code: "curfew_tightened", name: "Tighter curfew", kind: .sanction, magnitude: 3),
        .init(code: "electronic_monitoring", name: "Electronic monitoring", kind: .sanction, magnitude: 4),
        .init(code: "short_jail_stay", name: "Short jail stay", kind: .sanction, magnitude: 5),
        // Treatment adjustments: clinical answers to clinical problems, not punishments.
        .init(code: "reassessment", name: "Clinical reassessment", kind: .treatmentAdjustment, magnitude: 1),
        .init(code: "increase_treatment_intensity", name: "Increase in treatment intensity", kind: .treatmentAdjustment, magnitude: 2),
        .init(code: "mat_review", name: "Review of medication-assisted treatment", kind: .treatmentAdjustment, magnitude: 2),
        .init(code: "change_modality", name: "Change of treatment modality", kind: .treatmentAdjustment, magnitude: 3),
    ]
}
