import Foundation

/// Where a referral stands in the closed loop.
public enum ReferralStatus: String, Sendable, CaseIterable, Codable {
    case sent, received, accepted, declined
    case intakeScheduled = "intake_scheduled"
    case intakeAttended = "intake_attended"
    case engaged, completed, disengaged, withdrawn

    /// No further event can follow.
    public var isClosed: Bool { [.declined, .completed, .disengaged, .withdrawn].contains(self) }
}

/// Something that happens to a referral; each one moves it to the status of the same name.
public enum ReferralEventType: String, Sendable, CaseIterable, Codable {
    case received, accepted, declined
    case intakeScheduled = "intake_scheduled"
    case intakeAttended = "intake_attended"
    case engaged, completed, disengaged, withdrawn

    public var resultingStatus: ReferralStatus {
        switch self {
        case .received: .received
        case .accepted: .accepted
        case .declined: .declined
        case .intakeScheduled: .intakeScheduled
        case .intakeAttended: .intakeAttended
        case .engaged: .engaged
        case .completed: .completed
        case .disengaged: .disengaged
        case .withdrawn: .withdrawn
        }
    }

    /// Only the referring side withdraws; every other event is recorded by the receiving service.
    public var recordedByReferrer: Bool { self == .withdrawn }

    /// Declining and withdrawing must say why, so the other side can act on it.
    public var needsReason: Bool { self == .declined || self == .withdrawn }
}

/// How soon the service should act.
public enum ReferralUrgency: String, Sendable, CaseIterable, Codable {
    case routine, urgent
}

/// The side of a referral a user is on, which decides what they may record and see.
public enum ReferralSide: Sendable, Equatable {
    /// Staff of the agency that runs the receiving service.
    case receiving
    /// Staff of the agency that sent the referral.
    case referring
    case neither
}

/// A refusal of an event, with words a person can act on.
public enum ReferralRuleError: Error, Equatable, Sendable {
    /// The event cannot follow the current status (HTTP 409).
    case impossible(String)
    /// This side may not record this event (HTTP 403).
    case notYourSide(String)
    /// A field is missing or wrong (HTTP 422).
    case invalid(field: String, message: String)
}

/// The closed loop of a referral: which events may follow which status, who records them, and when it is overdue.
public enum ReferralFlow {
    /// The events that may follow each status.
    public static func allowedEvents(from status: ReferralStatus) -> [ReferralEventType] {
        switch status {
        case .sent: [.received, .accepted, .declined, .withdrawn]
        case .received: [.accepted, .declined, .withdrawn]
        case .accepted: [.intakeScheduled, .intakeAttended, .disengaged, .withdrawn]
        case .intakeScheduled: [.intakeScheduled, .intakeAttended, .disengaged, .withdrawn]
        case .intakeAttended: [.engaged, .disengaged]
        case .engaged: [.completed, .disengaged]
        case .declined, .completed, .disengaged, .withdrawn: []
        }
    }

    /// The status after `event`, or why it cannot be recorded.
    public static func apply(
        _ event: ReferralEventType, to status: ReferralStatus, by side: ReferralSide, reason: String?, scheduledFor: Date?
    ) throws(ReferralRuleError) -> ReferralStatus {
        switch side {
        case .neither:
            throw .notYourSide("Only staff of the receiving service or of the referring agency record events on this referral.")
        case .referring where !event.recordedByReferrer:
            throw .notYourSide("Only staff of the receiving service record '\(event.rawValue)'; the referring agency may withdraw the referral.")
        case .receiving where event.recordedByReferrer:
            throw .notYourSide("Only the referring agency withdraws a referral; the service declines it instead.")
        default:
            break
        }
        guard allowedEvents(from: status).contains(event) else {
            let next = allowedEvents(from: status).map(\.rawValue)
            throw .impossible(
                "A referral that is \(status.rawValue) cannot be \(event.rawValue)"
                    + (next.isEmpty ? "; it is closed." : "; next can be \(next.joined(separator: ", ")).")
            )
        }
        if event.needsReason && (reason?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true) {
            throw .invalid(field: "reason", message: "Say why the referral is \(event.rawValue), so the other side can act on it.")
        }
        if event == .intakeScheduled && scheduledFor == nil {
            throw .invalid(field: "scheduledFor", message: "Give the intake appointment time, such as 2026-11-27T10:00:00Z.")
        }
        return event.resultingStatus
    }

    /// When the next step is due: acceptance after sending, intake after acceptance; nil once the person is in care or the loop is closed.
    public static func dueBy(status: ReferralStatus, since: Date, scheduledFor: Date? = nil, limits: JurisdictionPolicy.TimeLimits) -> Date? {
        switch status {
        case .sent, .received: since.addingTimeInterval(Double(limits.referralAcceptHours) * 3600)
        case .accepted: since.addingTimeInterval(Double(limits.intakeDays) * 86400)
        case .intakeScheduled: scheduledFor ?? since.addingTimeInterval(Double(limits.intakeDays) * 86400)
        default: nil
        }
    }

    /// The due time after `event`: marking a referral received keeps the time to answer that started when it was sent.
    public static func dueBy(after event: ReferralEventType, at time: Date, current: Date?, scheduledFor: Date?, limits: JurisdictionPolicy.TimeLimits) -> Date? {
        if event == .received { return current }
        return dueBy(status: event.resultingStatus, since: time, scheduledFor: scheduledFor, limits: limits)
    }
}
