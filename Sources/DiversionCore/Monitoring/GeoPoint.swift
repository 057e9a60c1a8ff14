import Foundation

/// A place on the Earth in WGS 84 degrees, as GPS devices and GeoJSON give it.
public struct GeoPoint: Sendable, Hashable, Codable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Finite and within -90…90 latitude and -180…180 longitude.
    public var isValid: Bool {
        latitude.isFinite && longitude.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude)
    }

    /// Great-circle distance in metres (haversine on a sphere of the Earth's mean radius).
    /// The sphere is off the ellipsoid by at most about 0.5 %, far below a GPS fix's own error at the distances that matter here.
    public func distance(to other: GeoPoint) -> Double {
        let φ1 = latitude * Geo.radiansPerDegree, φ2 = other.latitude * Geo.radiansPerDegree
        let dφ = φ2 - φ1
        let dλ = Geo.wrapped(other.longitude - longitude) * Geo.radiansPerDegree
        let a = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        // min(1, …) because rounding can push `a` a hair above 1 for antipodal points, and asin would return NaN.
        return 2 * Geo.earthRadiusMeters * asin(min(1, a.squareRoot()))
    }
}

/// Constants and small helpers shared by the geofence maths.
public enum Geo {
    /// The IUGG mean Earth radius.
    public static let earthRadiusMeters = 6_371_008.8
    public static let radiansPerDegree = Double.pi / 180
    public static let metersPerDegree = earthRadiusMeters * radiansPerDegree

    /// A longitude difference brought into -180..<180, so the short way round the globe is always taken.
    public static func wrapped(_ degrees: Double) -> Double {
        guard degrees < -180 || degrees >= 180 else { return degrees }
        return degrees - 360 * ((degrees + 180) / 360).rounded(.down)
    }
}

/// Anything a position can be inside or outside of: a polygon, a set of polygons, the circle around a home.
public protocol GeoRegion: Sendable {
    /// Metres from `point` to the region's boundary: zero or negative inside (the boundary counts as inside), positive outside.
    func signedDistance(to point: GeoPoint) -> Double
    /// Whether `point` is inside the region; points exactly on the boundary are inside.
    func contains(_ point: GeoPoint) -> Bool
}

extension GeoRegion {
    public func contains(_ point: GeoPoint) -> Bool { signedDistance(to: point) <= 0 }

    /// Where a fix with `accuracyMeters` of error lies relative to the region.
    public func placement(of point: GeoPoint, accuracyMeters: Double) -> GeoPlacement {
        GeoPlacement(signedDistance: signedDistance(to: point), accuracyMeters: accuracyMeters)
    }
}

/// Where a position lies relative to a region once the fix's accuracy is allowed for.
///
/// A device reports a point and an accuracy radius; the person may be anywhere in that radius. A rule only counts a
/// violation when the whole radius is on the wrong side (`.inside` for an exclusion zone, `.outside` for an inclusion zone
/// or a home), so a wobbling fix beside a boundary does not raise alerts. Closing an alert asks less: the reported point
/// itself is back on the right side. The gap between the two is a band where an open alert stays open and a closed one stays
/// closed, which is what stops alerts from flapping open and shut while a person stands near a line.
public enum GeoPlacement: String, Sendable, CaseIterable, Codable {
    /// Inside by at least the accuracy; with an accuracy of 0 this includes the boundary itself.
    case inside
    /// Inside (or on the boundary), but nearer the boundary than the accuracy.
    case probablyInside = "probably_inside"
    /// Outside, but nearer the boundary than the accuracy.
    case probablyOutside = "probably_outside"
    /// Outside by more than the accuracy.
    case outside

    public init(signedDistance: Double, accuracyMeters: Double) {
        let accuracy = max(0, accuracyMeters)
        if signedDistance <= 0 {
            self = -signedDistance >= accuracy ? .inside : .probablyInside
        } else {
            self = signedDistance > accuracy ? .outside : .probablyOutside
        }
    }

    /// The reported point itself is inside (or on the boundary).
    public var pointIsInside: Bool { self == .inside || self == .probablyInside }
}
