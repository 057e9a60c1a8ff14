import Foundation

/// A centre and a radius in metres, such as the area around a home a curfew keeps a person in.
public struct GeoCircle: GeoRegion, Hashable, Codable {
    public var centre: GeoPoint
    public var radiusMeters: Double

    public init(centre: GeoPoint, radiusMeters: Double) {
        self.centre = centre
        self.radiusMeters = radiusMeters
    }

    /// Exact on the sphere, since the distance to a circle's edge is just the distance to its centre less the radius.
    public func signedDistance(to point: GeoPoint) -> Double {
        centre.distance(to: point) - radiusMeters
    }
}
