import Foundation

/// Something a monitored person's pings (or their absence) show that an officer should look at.
public enum MonitoringAlert: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    case noSignal
    /// The person was away from home during the curfew period that started on `day` (local date).
    case leftHomeDuringCurfew(day: CalendarDate)
    case leftInclusionZone(zoneID: String)
    case enteredExclusionZone(zoneID: String)

    /// A stable name for storage and the API.
    public var code: String {
        switch self {
        case .noSignal: "no_signal"
        case .leftHomeDuringCurfew: "left_home_during_curfew"
        case .leftInclusionZone: "left_inclusion_zone"
        case .enteredExclusionZone: "entered_exclusion_zone"
        }
    }

    public var zoneID: String? {
        switch self {
        case .leftInclusionZone(let id), .enteredExclusionZone(let id): id
        default: nil
        }
    }

    public var curfewDay: CalendarDate? {
        if case .leftHomeDuringCurfew(let day) = self { day } else { nil }
    }

    public var description: String {
        switch self {
        case .noSignal: "no signal"
        case .leftHomeDuringCurfew(let day): "left home during the curfew of \(day)"
        case .leftInclusionZone(let id): "left inclusion zone \(id)"
        case .enteredExclusionZone(let id): "entered exclusion zone \(id)"
        }
    }

    /// A fixed order so every list of alerts comes out the same way for the same input.
    public static func < (a: MonitoringAlert, b: MonitoringAlert) -> Bool {
        func rank(_ alert: MonitoringAlert) -> Int {
            switch alert {
            case .noSignal: 0
            case .leftHomeDuringCurfew: 1
            case .leftInclusionZone: 2
            case .enteredExclusionZone: 3
            }
        }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        if let x = a.curfewDay, let y = b.curfewDay { return x < y }
        return (a.zoneID ?? "") < (b.zoneID ?? "")
    }
}

/// An alert opening or closing, and when: the ping's time, or the moment a gap or a curfew period ran out.
public struct AlertChange: Sendable, Hashable, Codable {
    public let alert: MonitoringAlert
    public let at: Date

    public init(_ alert: MonitoringAlert, at: Date) {
        self.alert = alert
        self.at = at
    }
}

/// What is known about one monitored person between pings: the alerts open now and the newest ping already used.
public struct MonitoringState: Sendable, Equatable, Codable {
    public var openAlerts: Set<MonitoringAlert>
    /// The time of the newest ping the rules have used; older pings arriving later are not allowed to change anything.
    public var latestPing: Date?

    public init(openAlerts: Set<MonitoringAlert> = [], latestPing: Date? = nil) {
        self.openAlerts = openAlerts
        self.latestPing = latestPing
    }
}

/// The outcome of one ping or one sweep: alerts opened and closed (each sorted), and the state to keep.
public struct MonitoringStep: Sendable, Equatable {
    public let opened: [AlertChange]
    public let closed: [AlertChange]
    public let state: MonitoringState
    /// The ping was older than one already used, so it changed nothing (see `MonitoringRules.check`).
    public let outOfOrder: Bool

    public var isQuiet: Bool { opened.isEmpty && closed.isEmpty }
}
