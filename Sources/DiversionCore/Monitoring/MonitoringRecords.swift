import Foundation

/// A monitoring device and the measure it is assigned to, with what the rules know so far about its wearer.
public struct MonitoringDevice: Sendable, Equatable {
    /// The device's own id, as it sends it with every ping.
    public var deviceID: String
    public var measureID: UUID
    public var personID: UUID
    public var assignedAt: Date
    /// False once the device has been taken off the measure.
    public var active: Bool
    public var state: MonitoringState

    public init(deviceID: String, measureID: UUID, personID: UUID, assignedAt: Date, active: Bool = true, state: MonitoringState = MonitoringState()) {
        self.deviceID = deviceID
        self.measureID = measureID
        self.personID = personID
        self.assignedAt = assignedAt
        self.active = active
        self.state = state
    }

    /// Longest device id accepted; real ids are serial numbers or IMEIs.
    public static let maxIDLength = 100

    /// Checks a device id as a person or a device sends it: 1 to 100 printable characters without spaces.
    public static func checkID(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text.count <= maxIDLength,
              text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value < 127 })
        else { return nil }
        return text
    }

    /// The state the sweep reasons from: a device that has never sent anything counts its silence from its assignment.
    public var sweepState: MonitoringState {
        var s = state
        if s.latestPing == nil { s.latestPing = assignedAt }
        return s
    }
}

/// An alert as it is kept: which device and measure it is about, when it opened and closed, and who looked at it.
public struct StoredAlert: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var deviceID: String
    public var measureID: UUID
    public var personID: UUID
    public var alert: MonitoringAlert
    public var openedAt: Date
    public var closedAt: Date?
    public var acknowledgement: Acknowledgement?

    /// A supervision officer's note that they have seen the alert and what they did.
    public struct Acknowledgement: Sendable, Equatable {
        public var byName: String
        public var at: Date
        public var note: String

        public init(byName: String, at: Date, note: String) {
            self.byName = byName
            self.at = at
            self.note = note
        }
    }

    public init(id: UUID, deviceID: String, measureID: UUID, personID: UUID, alert: MonitoringAlert, openedAt: Date,
                closedAt: Date? = nil, acknowledgement: Acknowledgement? = nil) {
        self.id = id
        self.deviceID = deviceID
        self.measureID = measureID
        self.personID = personID
        self.alert = alert
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.acknowledgement = acknowledgement
    }

    public var isOpen: Bool { closedAt == nil }

    public static let maxNoteLength = 4000

    /// Checks an acknowledgement note: required, so the record says what was done about the alert.
    public static func checkNote(_ note: String?) throws(ValidationFailure) -> String {
        let trimmed = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw ValidationFailure([FieldError("note", "Say briefly what you did about the alert, for the record.")]) }
        if trimmed.count > maxNoteLength { throw ValidationFailure([FieldError("note", "Keep the note to \(maxNoteLength) characters.")]) }
        return trimmed
    }
}

extension MonitoringAlert {
    /// The alert a stored code, zone and curfew day describe, or nil for a code this version does not know.
    public init?(code: String, zoneID: String?, curfewDay: CalendarDate?) {
        switch code {
        case "no_signal": self = .noSignal
        case "left_home_during_curfew":
            guard let curfewDay else { return nil }
            self = .leftHomeDuringCurfew(day: curfewDay)
        case "left_inclusion_zone":
            guard let zoneID else { return nil }
            self = .leftInclusionZone(zoneID: zoneID)
        case "entered_exclusion_zone":
            guard let zoneID else { return nil }
            self = .enteredExclusionZone(zoneID: zoneID)
        default: return nil
        }
    }

    /// One text naming the alert within its device, so the store can keep at most one open alert of each.
    public var key: String {
        [code, zoneID ?? "", curfewDay?.description ?? ""].joined(separator: "|")
    }
}

/// One batch's worth of changes to write for monitored devices: new states, alerts opened and closed.
public struct MonitoringChanges: Sendable {
    /// Devices whose state changed, with their new state.
    public var states: [String: MonitoringState] = [:]
    /// Alerts to insert (an alert opened and closed in the same batch comes with its `closedAt`).
    public var opened: [StoredAlert] = []
    /// Alerts already stored that closed, by id.
    public var closed: [UUID: Date] = [:]

    public init() {}

    public var isEmpty: Bool { states.isEmpty && opened.isEmpty && closed.isEmpty }

    /// Applies one step of a device's rules: alerts that closed are matched to the stored open ones or the ones opened in this batch.
    public mutating func record(_ step: MonitoringStep, device: MonitoringDevice, openStored: inout [String: UUID], newID: () -> UUID) {
        // Openings first: a gap in the signal is seen only when it has ended, so its alert opens and closes in one step.
        for change in step.opened {
            let alert = StoredAlert(id: newID(), deviceID: device.deviceID, measureID: device.measureID, personID: device.personID,
                                    alert: change.alert, openedAt: change.at)
            opened.append(alert)
            openStored[change.alert.key] = alert.id
        }
        for change in step.closed {
            let key = change.alert.key
            if let id = openStored.removeValue(forKey: key) {
                if let i = opened.lastIndex(where: { $0.id == id }) { opened[i].closedAt = change.at } else { closed[id] = change.at }
            }
        }
    }
}
