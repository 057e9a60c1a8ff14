import Foundation

/// An alternative to conviction or punishment (Tokyo Rules 5 and 8, and post-sentencing release).
public enum MeasureType: String, Sendable, CaseIterable, Codable {
    case cautionWarning = "caution_warning"
    case conditionalDismissal = "conditional_dismissal"
    case deferredProsecution = "deferred_prosecution"
    case preTrialReleaseWithConditions = "pre_trial_release_with_conditions"
    case conditionalDischarge = "conditional_discharge"
    case fine
    case dayFine = "day_fine"
    case restitution
    case suspendedSentence = "suspended_sentence"
    case deferredSentence = "deferred_sentence"
    case probation
    case communityService = "community_service"
    case attendanceCentre = "attendance_centre"
    case homeDetention = "home_detention"
    case electronicMonitoring = "electronic_monitoring"
    case treatmentOrder = "treatment_order"
    case educationProgramme = "education_programme"
    case treatmentCourt = "treatment_court"
    case parole
    case earlyReleaseIntoTreatment = "early_release_into_treatment"
    case aftercare

    /// A caution alone asks nothing of the person; every other measure imposes obligations.
    public var imposesObligations: Bool { self != .cautionWarning }

    /// Measures that restrict liberty; for minors they are a last resort with a recorded reason.
    public var restrictsLiberty: Bool { self == .homeDetention || self == .electronicMonitoring }

    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// Which measures one authority may order at one stage.
public struct MeasureRule: Sendable, Equatable, Codable {
    public var authority: Authority
    public var stage: Stage
    public var allowed: [MeasureType]

    public init(authority: Authority, stage: Stage, allowed: [MeasureType]) {
        self.authority = authority
        self.stage = stage
        self.allowed = allowed
    }

    /// The menu when a policy does not state its own: the typical measures of each stage.
    public static let standard: [MeasureRule] = [
        MeasureRule(authority: .police, stage: .preTrial, allowed: [.cautionWarning]),
        MeasureRule(authority: .prosecution, stage: .preTrial, allowed: [.cautionWarning, .conditionalDismissal, .deferredProsecution, .treatmentOrder, .educationProgramme]),
        MeasureRule(authority: .court, stage: .preTrial, allowed: [.preTrialReleaseWithConditions, .electronicMonitoring, .treatmentOrder]),
        MeasureRule(authority: .court, stage: .trial, allowed: [.conditionalDischarge, .treatmentCourt, .deferredSentence, .treatmentOrder, .educationProgramme]),
        MeasureRule(authority: .court, stage: .sentencing, allowed: [
            .cautionWarning, .conditionalDischarge, .fine, .dayFine, .restitution, .suspendedSentence, .deferredSentence, .probation,
            .communityService, .attendanceCentre, .homeDetention, .electronicMonitoring, .treatmentOrder, .educationProgramme, .treatmentCourt,
        ]),
        MeasureRule(authority: .court, stage: .postSentencing, allowed: [.parole, .earlyReleaseIntoTreatment, .aftercare, .electronicMonitoring, .homeDetention]),
    ]
}
