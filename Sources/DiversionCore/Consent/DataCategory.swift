import Foundation

/// What a piece of personal data is, which decides who may see it: health-originated categories need a consent or a
/// court order to reach justice agencies; treatment categories never reach the police.
public enum DataCategory: String, Sendable, CaseIterable, Codable, Comparable {
    // Health-originated.
    case referralStatus = "referral_status"
    case attendance
    case drugTestResults = "drug_test_results"
    case treatmentPlan = "treatment_plan"
    case diagnosis
    case medication
    case progressNotes = "progress_notes"
    case assessment
    // Justice-originated.
    case contact
    case decision
    case condition
    case compliance

    /// Categories that come from health and social services.
    public static let health: [DataCategory] = [.referralStatus, .attendance, .drugTestResults, .treatmentPlan, .diagnosis, .medication, .progressNotes, .assessment]

    public var isHealth: Bool { Self.health.contains(self) }

    /// Health categories beyond the bare status of a referral: never for police, whatever a consent says.
    public var isTreatment: Bool { isHealth && self != .referralStatus }

    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    public static func < (a: DataCategory, b: DataCategory) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}

/// Why health data is disclosed to a justice agency.
public enum DisclosurePurpose: String, Sendable, CaseIterable, Codable {
    case supervision
    case courtDecision = "court_decision"
    case careCoordination = "care_coordination"

    /// The purpose a user of this kind of agency works for.
    public static func of(_ agency: AgencyType) -> DisclosurePurpose? {
        switch agency {
        case .supervision: .supervision
        case .court, .prosecution: .courtDecision
        case .healthProvider, .socialService: .careCoordination
        case .police, .analysis, .administration: nil
        }
    }
}
