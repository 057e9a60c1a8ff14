import Foundation

/// How a referral's status reads in FHIR, following the SDOH Clinical Care referral pattern, and how a Task a
/// service posts back reads as one of our events.
///
/// The SDOHCC referral Task status value set is R4's task-status without `ready` and `received`, and it leaves
/// the business status free; ours carries the exact referral status (system `urn:diversion:referral-status`), so
/// the steps the Task status lumps together (sent and received; intake scheduled, attended, engaged) stay apart.
public enum ReferralTaskStatus {
    /// Every code of R4's task-status.
    public static let allTaskStatuses = [
        "draft", "requested", "received", "accepted", "rejected", "ready", "cancelled", "in-progress", "on-hold", "failed", "completed",
        "entered-in-error",
    ]

    /// The Task status for a referral status: the service accepts or rejects, works on it (in progress), completes
    /// it or fails to (the person disengaged); the referring agency cancels it (withdraws).
    public static func taskStatus(_ status: ReferralStatus) -> String {
        switch status {
        case .sent, .received: "requested"
        case .accepted: "accepted"
        case .declined: "rejected"
        case .intakeScheduled, .intakeAttended, .engaged: "in-progress"
        case .completed: "completed"
        case .disengaged: "failed"
        case .withdrawn: "cancelled"
        }
    }

    /// The ServiceRequest status: active while the loop is open; a referral ended early is revoked.
    public static func serviceRequestStatus(_ status: ReferralStatus) -> String {
        switch status {
        case .completed: "completed"
        case .declined, .disengaged, .withdrawn: "revoked"
        default: "active"
        }
    }

    /// The business status: our status as a coding, with words.
    public static func businessStatus(_ status: ReferralStatus) -> FHIRCodeableConcept {
        let words = status.rawValue.replacingOccurrences(of: "_", with: " ")
        return FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.referralStatus, code: status.rawValue, display: words)], text: words)
    }

    /// The event a posted Task asks for, nil when it asks for nothing new.
    ///
    /// `appointment` is the intake time the Task gives; a new time on a scheduled intake reschedules it. Whether
    /// the event may follow the current status is left to `ReferralFlow.apply`, except a step back to `requested`,
    /// which no event expresses.
    public static func event(
        status text: String?, businessStatus: FHIRCodeableConcept?, current: ReferralStatus, currentAppointment: Date?, appointment: Date?
    ) throws(ReferralRuleError) -> ReferralEventType? {
        guard let text, !text.isEmpty else {
            throw .invalid(field: "status", message: "Give the Task status, such as accepted, rejected, in-progress or completed.")
        }
        let taken = ["requested", "received", "accepted", "rejected", "cancelled", "in-progress", "failed", "completed"]
        guard taken.contains(text) else {
            let known = allTaskStatuses.contains(text)
            throw .invalid(
                field: "status",
                message: (known ? "'\(text)' is not a step of a referral here" : "'\(text.prefix(40))' is not an R4 Task status")
                    + "; use one of \(taken.joined(separator: ", "))."
            )
        }
        let rescheduled = current == .intakeScheduled && appointment != nil && appointment != currentAppointment
        if let coding = businessStatus?.coding?.first(where: { $0.system == FHIRSystem.referralStatus }) {
            guard let code = coding.code, let wanted = ReferralStatus(rawValue: code) else {
                throw .invalid(
                    field: "businessStatus.coding",
                    message: "Use a code of \(FHIRSystem.referralStatus): \(ReferralStatus.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            guard taskStatus(wanted) == text || (wanted == .received && text == "received") else {
                throw .invalid(field: "businessStatus", message: "The business status \(code) goes with the Task status \(taskStatus(wanted)), not \(text).")
            }
            if wanted == current { return rescheduled ? .intakeScheduled : nil }
            guard let event = ReferralEventType(rawValue: code) else {
                throw .impossible("A referral that is \(current.rawValue) cannot go back to \(code).")
            }
            return event
        }
        if text == taskStatus(current) || (text == "received" && current == .received) {
            return rescheduled ? .intakeScheduled : nil
        }
        switch text {
        case "requested": throw .impossible("A referral that is \(current.rawValue) cannot go back to requested.")
        case "received": return .received
        case "accepted": return .accepted
        case "rejected": return .declined
        case "cancelled": return .withdrawn
        case "failed": return .disengaged
        case "completed": return .completed
        default:
            // In progress covers three steps: an intake time says which one, otherwise the business status must.
            if appointment != nil { return .intakeScheduled }
            throw .invalid(
                field: "businessStatus",
                message: "An in-progress Task needs a business status coded in \(FHIRSystem.referralStatus): intake_scheduled, intake_attended or engaged."
            )
        }
    }
}
