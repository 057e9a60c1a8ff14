import Foundation

/// Something a participant did that the team answers with a response.
public enum Behaviour: String, Sendable, CaseIterable, Codable {
    case missedTest = "missed_test"
    case positiveTest = "positive_test"
    case diluteOrAdulteratedTest = "dilute_or_adulterated_test"
    case missedAppointment = "missed_appointment"
    case lateAppointment = "late_appointment"
    case newArrest = "new_arrest"
    case curfewViolation = "curfew_violation"
    case zoneViolation = "zone_violation"
    case negativeTestRun = "negative_test_run"
    case completedHours = "completed_hours"
    case phaseCriteriaMet = "phase_criteria_met"
    case attendedAllSessions = "attended_all_sessions"
    case paymentMade = "payment_made"
    case paymentMissed = "payment_missed"

    /// Progress the programme wants more of; it is answered with incentives, never sanctions.
    public var isDesired: Bool {
        switch self {
        case .negativeTestRun, .completedHours, .phaseCriteriaMet, .attendedAllSessions, .paymentMade: true
        default: false
        }
    }

    /// A test that shows or may hide use: early on it calls for a treatment change first, and alone it never justifies custody.
    public var isSubstanceUse: Bool { self == .positiveTest || self == .diluteOrAdulteratedTest }

    /// The behaviour as a noun phrase for reasons, such as "missed test".
    public var words: String {
        switch self {
        case .missedTest: "missed test"
        case .positiveTest: "positive test"
        case .diluteOrAdulteratedTest: "dilute or adulterated test"
        case .missedAppointment: "missed appointment"
        case .lateAppointment: "late arrival at an appointment"
        case .newArrest: "new arrest"
        case .curfewViolation: "curfew violation"
        case .zoneViolation: "zone violation"
        case .negativeTestRun: "run of negative tests"
        case .completedHours: "completion of required hours"
        case .phaseCriteriaMet: "phase criteria met"
        case .attendedAllSessions: "full attendance at sessions"
        case .paymentMade: "payment made"
        case .paymentMissed: "missed payment"
        }
    }
}

/// One earlier occurrence of a behaviour, which is what escalation counts.
public struct BehaviourRecord: Sendable, Equatable, Codable {
    public var behaviour: Behaviour
    public var occurredAt: Date

    public init(behaviour: Behaviour, occurredAt: Date) {
        self.behaviour = behaviour
        self.occurredAt = occurredAt
    }
}
