import Foundation

/// A monitored person's curfew and zones, and the pure rules that turn each ping into alerts opening and closing.
///
/// How alerts behave:
/// - An alert already open is never opened again, however many pings show the same thing, so one episode is one alert.
/// - An alert opens only on a clear violation (the whole accuracy radius on the wrong side, see `GeoPlacement`) and closes
///   when the reported point is back on the right side; pings in between change nothing, so a fix wobbling on a line
///   cannot flood anyone with alerts.
/// - A curfew alert belongs to one curfew period and also closes when that period ends; the next night is a new alert.
/// - No signal opens when more than `noSignalAfter` passes without a ping (by a sweep, or noticed when the late ping
///   arrives) and closes with the next ping.
/// - Pings must be checked with `PingCheck` first and given in time order. A ping older than the newest one used changes
///   nothing: a buffered fix from an hour ago says nothing about where the person is now, and letting it through would
///   close (or reopen) alerts that newer pings had settled.
public struct MonitoringRules: Sendable, Equatable {
    public let curfew: Curfew?
    public let zones: [Zone]
    public let noSignalAfter: TimeInterval

    /// Longer than a day without a ping is not a monitoring arrangement any more.
    public static let noSignalMinutesRange = 1...1440

    public init(curfew: Curfew?, zones: [Zone], noSignalMinutes: Int) throws(ValidationFailure) {
        var errors = FieldErrors()
        if !Self.noSignalMinutesRange.contains(noSignalMinutes) {
            errors.add("noSignalMinutes", "Give from \(Self.noSignalMinutesRange.lowerBound) to \(Self.noSignalMinutesRange.upperBound) minutes.")
        }
        var seen: Set<String> = []
        for (i, zone) in zones.enumerated() {
            let id = zone.id.trimmingCharacters(in: .whitespaces)
            if id.isEmpty || id.count > 100 {
                errors.add("zones[\(i)].id", "Give the zone an id of 1 to 100 characters.")
            } else if !seen.insert(zone.id).inserted {
                errors.add("zones[\(i)].id", "'\(zone.id.prefix(40))' is already the id of another zone.")
            }
            if zone.area.polygons.isEmpty { errors.add("zones[\(i)].area", "A zone needs at least one polygon.") }
        }
        try errors.throwIfAny()
        self.curfew = curfew
        self.zones = zones
        self.noSignalAfter = TimeInterval(noSignalMinutes * 60)
    }

    /// Whether the signal is overdue at `now`: more than `threshold` since the last ping.
    public static func noSignal(now: Date, lastPing: Date, threshold: TimeInterval) -> Bool {
        now.timeIntervalSince(lastPing) > threshold
    }

    /// Applies one ping (already checked by `PingCheck`) to the person's state.
    public func check(_ ping: Ping, state: MonitoringState) -> MonitoringStep {
        if let latest = state.latestPing, ping.time < latest {
            return MonitoringStep(opened: [], closed: [], state: state, outOfOrder: true)
        }
        var change = Changes(state.openAlerts)
        let now = ping.time

        if let latest = state.latestPing, Self.noSignal(now: now, lastPing: latest, threshold: noSignalAfter) {
            // The gap is over by the time we see it: record it as an alert that opened when the signal became overdue.
            change.open(.noSignal, at: latest.addingTimeInterval(noSignalAfter))
        }
        change.close(.noSignal, at: now)

        let point = ping.point
        let period = curfew?.period(containing: now)
        for case .leftHomeDuringCurfew(let day) in change.open where day != period?.day {
            // That period is over (or the curfew was lifted); the alert ends with it.
            let end = curfew?.period(startingOn: day)?.end
            change.close(.leftHomeDuringCurfew(day: day), at: min(end ?? now, now))
        }
        if let curfew, let period {
            let alert = MonitoringAlert.leftHomeDuringCurfew(day: period.day)
            switch curfew.home.placement(of: point, accuracyMeters: ping.accuracyMeters) {
            case .outside: change.open(alert, at: now)
            case .inside, .probablyInside: change.close(alert, at: now)
            case .probablyOutside: break
            }
        }

        var ruled: Set<String> = []
        for zone in zones where zone.schedule.isActive(at: now) {
            ruled.insert(zone.id)
            let placement = zone.area.placement(of: point, accuracyMeters: ping.accuracyMeters)
            switch zone.kind {
            case .exclusion:
                let alert = MonitoringAlert.enteredExclusionZone(zoneID: zone.id)
                if placement == .inside { change.open(alert, at: now) } else if !placement.pointIsInside { change.close(alert, at: now) }
            case .inclusion:
                let alert = MonitoringAlert.leftInclusionZone(zoneID: zone.id)
                if placement == .outside { change.open(alert, at: now) } else if placement.pointIsInside { change.close(alert, at: now) }
            }
        }
        // A zone that was removed, or is not in force now, no longer has anything to say about its alert.
        for alert in change.open {
            if let id = alert.zoneID, !ruled.contains(id) { change.close(alert, at: now) }
        }
        return change.step(latestPing: now, outOfOrder: false)
    }

    /// What the clock alone can change, for a sweeper running without pings: open no signal, end finished curfew alerts.
    public func sweep(now: Date, state: MonitoringState) -> MonitoringStep {
        var change = Changes(state.openAlerts)
        if let latest = state.latestPing, Self.noSignal(now: now, lastPing: latest, threshold: noSignalAfter) {
            change.open(.noSignal, at: latest.addingTimeInterval(noSignalAfter))
        }
        for case .leftHomeDuringCurfew(let day) in change.open {
            // Only a period known to be over closes; the person's position is unknown, so nothing else can.
            // A curfew lifted or changed so that day has no period any more ends the alert now.
            let end = curfew?.period(startingOn: day)?.end ?? now
            if end <= now { change.close(.leftHomeDuringCurfew(day: day), at: end) }
        }
        return change.step(latestPing: state.latestPing, outOfOrder: false)
    }
}

extension MonitoringRules {
    /// A place the person must keep out of (exclusion) or stay within (inclusion).
    public struct Zone: Sendable, Equatable {
        /// Whether the person must keep out of the area or stay within it.
        public enum Kind: String, Sendable, CaseIterable, Codable {
            case exclusion, inclusion
        }

        /// When a zone is in force. Only `always` for now; timed zones (school hours) will add cases here.
        public enum Schedule: Sendable, Equatable {
            case always

            public func isActive(at instant: Date) -> Bool {
                switch self {
                case .always: true
                }
            }
        }

        public let id: String
        public let kind: Kind
        public let area: GeoArea
        public let schedule: Schedule

        public init(id: String, kind: Kind, area: GeoArea, schedule: Schedule = .always) {
            self.id = id
            self.kind = kind
            self.area = area
            self.schedule = schedule
        }

        public init(id: String, kind: Kind, polygon: GeoPolygon, schedule: Schedule = .always) {
            self.init(id: id, kind: kind, area: GeoArea(polygon), schedule: schedule)
        }
    }
}

/// Collects openings and closings against the alerts open so far, so nothing opens twice or closes when not open.
private struct Changes {
    private(set) var open: Set<MonitoringAlert>
    private var opened: [AlertChange] = []
    private var closed: [AlertChange] = []

    init(_ open: Set<MonitoringAlert>) { self.open = open }

    mutating func open(_ alert: MonitoringAlert, at time: Date) {
        if open.insert(alert).inserted { opened.append(AlertChange(alert, at: time)) }
    }

    mutating func close(_ alert: MonitoringAlert, at time: Date) {
        if open.remove(alert) != nil { closed.append(AlertChange(alert, at: time)) }
    }

    func step(latestPing: Date?, outOfOrder: Bool) -> MonitoringStep {
        MonitoringStep(
            opened: opened.sorted { $0.alert < $1.alert }, closed: closed.sorted { $0.alert < $1.alert },
            state: MonitoringState(openAlerts: open, latestPing: latestPing), outOfOrder: outOfOrder
        )
    }
}
