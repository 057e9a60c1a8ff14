import Foundation

/// An area bounded by an outer ring, less any holes, as a GeoJSON Polygon describes it.
///
/// Rules of the geometry, chosen for monitoring:
/// - A point exactly on an edge or a vertex, of the outer ring or of a hole, is inside. For an exclusion zone this errs
///   toward raising an alert; for an inclusion zone it errs toward not raising one. Both lean toward the reading a person
///   standing on the line would expect from the order that drew it.
/// - A point in a hole is outside.
/// - Each edge runs the short way round the globe, so a ring with longitudes 179 → -179 spans the 180th meridian instead of
///   circling the Earth the long way. Longitudes are unwrapped along the ring and each point is compared in the ring's own frame.
/// - Ring orientation does not matter (GeoJSON's right-hand rule is not enforced: many tools ignore it).
/// - A ring that goes round a pole is refused; it cannot be told apart from its complement without a winding convention.
/// - Holes are not checked to lie within the outer ring; a hole outside it simply never matters.
public struct GeoPolygon: GeoRegion, Equatable {
    /// The outer ring then the holes, each closed: the last point repeats the first.
    public let rings: [[GeoPoint]]
    let planar: [PlanarRing]

    public var outer: [GeoPoint] { rings[0] }
    public var holes: [[GeoPoint]] { Array(rings.dropFirst()) }

    /// The rings as GeoJSON Polygon coordinates, `[[[lon, lat], …], …]`.
    public var coordinates: [[[Double]]] { rings.map { $0.map { [$0.longitude, $0.latitude] } } }

    public static func == (a: GeoPolygon, b: GeoPolygon) -> Bool { a.rings == b.rings }

    public init(outer: [GeoPoint], holes: [[GeoPoint]] = [], field: String = "coordinates") throws(ValidationFailure) {
        var errors = FieldErrors()
        let polygon = Self.checked([outer] + holes, field: field, into: &errors)
        try errors.throwIfAny()
        self = polygon!
    }

    /// From GeoJSON Polygon coordinates: `[[[lon, lat], …]]`, the outer ring first, then the holes.
    public init(coordinates: [[[Double]]], field: String = "coordinates") throws(ValidationFailure) {
        var errors = FieldErrors()
        var rings: [[GeoPoint]] = []
        for (r, ring) in coordinates.enumerated() {
            var points: [GeoPoint] = []
            for (i, position) in ring.enumerated() {
                guard position.count >= 2 else {
                    errors.add("\(field)[\(r)][\(i)]", "A position is [longitude, latitude]; this one has \(position.count) number\(position.count == 1 ? "" : "s").")
                    continue
                }
                points.append(GeoPoint(latitude: position[1], longitude: position[0]))
            }
            rings.append(points)
        }
        let polygon = errors.isEmpty ? Self.checked(rings, field: field, into: &errors) : nil
        try errors.throwIfAny()
        self = polygon!
    }

    private init(rings: [[GeoPoint]], planar: [PlanarRing]) {
        self.rings = rings
        self.planar = planar
    }

    /// Checks every ring, adding a named error for each problem; nil when there was any.
    static func checked(_ rings: [[GeoPoint]], field: String, into errors: inout FieldErrors) -> GeoPolygon? {
        let before = errors.all.count
        if rings.isEmpty { errors.add(field, "A polygon needs its outer ring.") }
        var planar: [PlanarRing] = []
        for (r, ring) in rings.enumerated() {
            let ringField = "\(field)[\(r)]"
            var fine = true
            for (i, p) in ring.enumerated() {
                if !p.longitude.isFinite || !p.latitude.isFinite {
                    errors.add("\(ringField)[\(i)]", "A position needs finite numbers.")
                    fine = false
                    continue
                }
                if !(-180...180).contains(p.longitude) {
                    errors.add("\(ringField)[\(i)]", "Longitude \(Eligibility.format(p.longitude)) is out of range; use -180 to 180.")
                    fine = false
                }
                if !(-90...90).contains(p.latitude) {
                    errors.add("\(ringField)[\(i)]", "Latitude \(Eligibility.format(p.latitude)) is out of range; use -90 to 90.")
                    fine = false
                }
            }
            if ring.count < 4 {
                errors.add(ringField, "A ring needs at least 4 positions, the first repeated at the end; this one has \(ring.count).")
                continue
            }
            if ring.first != ring.last {
                errors.add(ringField, "The ring is not closed: its last position must repeat the first.")
                continue
            }
            guard fine else { continue }
            switch PlanarRing.unwrap(ring) {
            case .success(let p): planar.append(p)
            case .failure(let reason): errors.add(ringField, reason.message)
            }
        }
        guard errors.all.count == before else { return nil }
        return GeoPolygon(rings: rings, planar: planar)
    }

    public func contains(_ point: GeoPoint) -> Bool {
        switch planar[0].locate(point) {
        case .outside: return false
        case .boundary: return true
        case .inside:
            // Inside a hole is outside the polygon, but a hole's own edge still belongs to the polygon.
            return !planar.dropFirst().contains { $0.locate(point) == .inside }
        }
    }

    /// Metres to the nearest edge of any ring, negative inside.
    ///
    /// Edges are measured in an equirectangular projection centred on the point: exact enough (well under 1 %) within the
    /// few kilometres an accuracy radius covers, and cheap. Far from the point the figure is only a rough guide, and near
    /// the poles it stretches east–west distances; it is only ever compared with a device's accuracy.
    public func signedDistance(to point: GeoPoint) -> Double {
        var nearest = Double.infinity
        for ring in planar { nearest = min(nearest, ring.distance(to: point)) }
        return contains(point) ? -nearest : nearest
    }
}

/// A ring with its longitudes unwrapped into one continuous frame, ready for planar tests.
struct PlanarRing: Sendable {
    enum Location: Equatable { case inside, boundary, outside }

    struct Refusal: Error {
        let message: String
    }

    /// About 0.1 mm: a point this close to an edge is taken to be on it, so rounding in the input cannot move it off.
    static let tolerance = 1e-9

    let xs: [Double]
    let ys: [Double]
    let centre: Double
    let minX: Double, maxX: Double, minY: Double, maxY: Double

    static func unwrap(_ ring: [GeoPoint]) -> Result<PlanarRing, Refusal> {
        var xs = [ring[0].longitude]
        xs.reserveCapacity(ring.count)
        for i in 1..<ring.count {
            let step = Geo.wrapped(ring[i].longitude - ring[i - 1].longitude)
            if abs(step) == 180 {
                return .failure(Refusal(message: "An edge spans exactly 180° of longitude, so its direction is unclear; add a position between \(i - 1) and \(i)."))
            }
            xs.append(xs[i - 1] + step)
        }
        // A closed ring that comes back 360° away has gone round a pole.
        if abs(xs[xs.count - 1] - xs[0]) > 1 {
            return .failure(Refusal(message: "The ring goes round a pole; split the area into parts that do not."))
        }
        xs[xs.count - 1] = xs[0]
        let ys = ring.map(\.latitude)
        var twiceArea = 0.0
        for i in 0..<(xs.count - 1) { twiceArea += xs[i] * ys[i + 1] - xs[i + 1] * ys[i] }
        if abs(twiceArea) < 1e-12 {
            return .failure(Refusal(message: "The ring has no area: its positions lie on one line."))
        }
        let minX = xs.min()!, maxX = xs.max()!
        return .success(PlanarRing(xs: xs, ys: ys, centre: (minX + maxX) / 2, minX: minX, maxX: maxX, minY: ys.min()!, maxY: ys.max()!))
    }

    /// The point's longitude in this ring's frame: the copy of it (±360°) nearest the ring's middle.
    @inline(__always) func x(of point: GeoPoint) -> Double {
        centre + Geo.wrapped(point.longitude - centre)
    }

    /// Even–odd ray casting, with a separate test for lying on an edge so the boundary is never left to rounding.
    func locate(_ point: GeoPoint) -> Location {
        let x = x(of: point), y = point.latitude
        let e = Self.tolerance
        if x < minX - e || x > maxX + e || y < minY - e || y > maxY + e { return .outside }
        var inside = false
        for i in 0..<(xs.count - 1) {
            let x1 = xs[i], y1 = ys[i], x2 = xs[i + 1], y2 = ys[i + 1]
            if x >= min(x1, x2) - e, x <= max(x1, x2) + e, y >= min(y1, y2) - e, y <= max(y1, y2) + e {
                let dx = x2 - x1, dy = y2 - y1
                let length = (dx * dx + dy * dy).squareRoot()
                let cross = dx * (y - y1) - dy * (x - x1)
                if length == 0 || abs(cross) <= e * length { return .boundary }
            }
            if (y1 > y) != (y2 > y) {
                let crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                if x < crossing { inside.toggle() }
            }
        }
        return inside ? .inside : .outside
    }

    /// Metres from the point to the nearest edge, in an equirectangular projection centred on the point.
    func distance(to point: GeoPoint) -> Double {
        let px = x(of: point), py = point.latitude
        let kx = cos(py * Geo.radiansPerDegree) * Geo.metersPerDegree, ky = Geo.metersPerDegree
        var best = Double.infinity
        var ax = (xs[0] - px) * kx, ay = (ys[0] - py) * ky
        for i in 1..<xs.count {
            let bx = (xs[i] - px) * kx, by = (ys[i] - py) * ky
            let dx = bx - ax, dy = by - ay
            let squared = dx * dx + dy * dy
            // The point is the origin: project it onto the segment and clamp to the ends.
            let t = squared == 0 ? 0 : min(1, max(0, -(ax * dx + ay * dy) / squared))
            let cx = ax + t * dx, cy = ay + t * dy
            best = min(best, cx * cx + cy * cy)
            ax = bx
            ay = by
        }
        return best.squareRoot()
    }
}
