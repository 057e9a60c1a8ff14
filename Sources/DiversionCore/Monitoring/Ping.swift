import Foundation

/// One position report from a monitoring device.
public struct Ping: Sendable, Equatable, Codable {
    public var deviceID: String
    public var time: Date
    public var latitude: Double
    public var longitude: Double
    /// The device's own estimate of its error, as the radius in metres it is fairly sure the person is within.
    public var accuracyMeters: Double

    public init(deviceID: String, time: Date, latitude: Double, longitude: Double, accuracyMeters: Double) {
        self.deviceID = deviceID
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyMeters = accuracyMeters
    }

    public var point: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }

    enum CodingKeys: String, CodingKey {
        case deviceID = "deviceId", time, latitude, longitude, accuracyMeters
    }
}

/// A ping refused on its own, with its place in the batch so the rest can still be used.
public struct RejectedPing: Sendable {
    public let index: Int
    public let ping: Ping
    public let errors: [FieldError]
}

/// A batch of pings split into those fit to check (in time order) and those refused, each with its reasons.
public struct PingBatch: Sendable {
    public let accepted: [Ping]
    public let rejected: [RejectedPing]
}

/// Checks pings one by one before any rule sees them, so one bad report cannot spoil a batch.
public enum PingCheck {
    /// A fix worse than this says almost nothing about where a person is; 10 km is already a cell-tower guess.
    public static let largestAccuracyMeters = 10_000.0
    /// Device clocks drift; a few minutes ahead is drift, more is a wrong clock or a forged report.
    public static let futureTolerance: TimeInterval = 5 * 60
    /// Devices buffer pings while out of coverage, but a week-old fix cannot change what an officer does now.
    public static let oldestAge: TimeInterval = 7 * 86_400

    /// Every problem with one ping; empty when it is fit to check. `knownDevices` nil means the caller has already matched the device.
    public static func problems(_ ping: Ping, now: Date, knownDevices: Set<String>? = nil) -> [FieldError] {
        var errors = FieldErrors()
        if ping.deviceID.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.add("deviceId", "Give the id of the device that sent the ping.")
        } else if let knownDevices, !knownDevices.contains(ping.deviceID) {
            errors.add("deviceId", "'\(ping.deviceID.prefix(40))' is not a device assigned to anyone being monitored.")
        }
        if !ping.latitude.isFinite {
            errors.add("latitude", "The latitude is not a finite number.")
        } else if !(-90...90).contains(ping.latitude) {
            errors.add("latitude", "Latitude \(Eligibility.format(ping.latitude)) is out of range; a latitude is from -90 to 90.")
        }
        if !ping.longitude.isFinite {
            errors.add("longitude", "The longitude is not a finite number.")
        } else if !(-180...180).contains(ping.longitude) {
            errors.add("longitude", "Longitude \(Eligibility.format(ping.longitude)) is out of range; a longitude is from -180 to 180.")
        }
        if !ping.accuracyMeters.isFinite {
            errors.add("accuracyMeters", "The accuracy is not a finite number.")
        } else if ping.accuracyMeters < 0 {
            errors.add("accuracyMeters", "An accuracy is a radius in metres and cannot be negative.")
        } else if ping.accuracyMeters > largestAccuracyMeters {
            errors.add("accuracyMeters", "An accuracy over \(Int(largestAccuracyMeters)) m is too coarse to check a zone or curfew.")
        }
        let ahead = ping.time.timeIntervalSince(now)
        if !ping.time.timeIntervalSinceReferenceDate.isFinite {
            errors.add("time", "The time is not a valid instant.")
        } else if ahead > futureTolerance {
            errors.add("time", "The ping is \(Int(ahead / 60)) minutes in the future; check the device clock.")
        } else if -ahead > oldestAge {
            errors.add("time", "The ping is more than \(Int(oldestAge / 86_400)) days old and is no longer checked.")
        }
        return errors.all
    }

    /// Throws every problem with one ping together.
    public static func validate(_ ping: Ping, now: Date, knownDevices: Set<String>? = nil) throws(ValidationFailure) {
        let errors = problems(ping, now: now, knownDevices: knownDevices)
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    /// Checks each ping on its own; the accepted ones come back in time order (stable for equal times), ready for the rules.
    public static func sort(_ pings: [Ping], now: Date, knownDevices: Set<String>? = nil) -> PingBatch {
        var accepted: [(Int, Ping)] = []
        var rejected: [RejectedPing] = []
        for (i, ping) in pings.enumerated() {
            let errors = problems(ping, now: now, knownDevices: knownDevices)
            if errors.isEmpty { accepted.append((i, ping)) } else { rejected.append(RejectedPing(index: i, ping: ping, errors: errors)) }
        }
        accepted.sort { ($0.1.time, $0.0) < ($1.1.time, $1.0) }
        return PingBatch(accepted: accepted.map(\.1), rejected: rejected)
    }
}
