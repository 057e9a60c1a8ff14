import Foundation

/// One or more polygons taken as one place, as a zone's GeoJSON Polygon or MultiPolygon describes it.
public struct GeoArea: GeoRegion, Equatable {
    public let polygons: [GeoPolygon]

    /// An area with no polygons contains nothing; rules refuse such zones before they are used.
    public init(_ polygons: [GeoPolygon]) {
        self.polygons = polygons
    }

    public init(_ polygon: GeoPolygon) {
        self.polygons = [polygon]
    }

    public func contains(_ point: GeoPoint) -> Bool {
        polygons.contains { $0.contains(point) }
    }

    /// Negative inside any polygon (as deep as the deepest one), otherwise the distance to the nearest polygon.
    /// Overlapping polygons make the depth an underestimate, which only ever delays an exclusion alert by a metre or so.
    public func signedDistance(to point: GeoPoint) -> Double {
        var outside = Double.infinity
        var inside = 0.0
        var isInside = false
        for polygon in polygons {
            let d = polygon.signedDistance(to: point)
            if d <= 0 {
                inside = isInside ? min(inside, d) : d
                isInside = true
            } else {
                outside = min(outside, d)
            }
        }
        return isInside ? inside : outside
    }
}

extension GeoArea {
    static let geoJSONExample = "{\"type\": \"Polygon\", \"coordinates\": [[[lon, lat], …]]}"

    /// Reads a GeoJSON Polygon, MultiPolygon, or a Feature holding one, naming each problem under `field`.
    public init(geoJSON data: Data, field: String = "geometry") throws(ValidationFailure) {
        let value: AnswerValue
        do {
            value = try JSONDecoder().decode(AnswerValue.self, from: data)
        } catch {
            throw ValidationFailure([FieldError(field, "This is not JSON; give a GeoJSON object such as \(Self.geoJSONExample).")])
        }
        try self.init(geoJSON: value, field: field)
    }

    public init(geoJSON value: AnswerValue, field: String = "geometry") throws(ValidationFailure) {
        var errors = FieldErrors()
        let polygons = Self.read(value, field: field, into: &errors)
        try errors.throwIfAny()
        self.init(polygons)
    }

    static func read(_ value: AnswerValue, field: String, into errors: inout FieldErrors, allowMulti: Bool = true) -> [GeoPolygon] {
        guard case .object(let object) = value else {
            errors.add(field, "Give a GeoJSON object such as \(geoJSONExample).")
            return []
        }
        guard case .string(let type)? = object["type"] else {
            errors.add("\(field).type", "Say the geometry type: \(allowMulti ? "Polygon or MultiPolygon" : "Polygon").")
            return []
        }
        if type == "Feature" {
            guard let geometry = object["geometry"], geometry != .null else {
                errors.add("\(field).geometry", "The feature has no geometry; give a Polygon\(allowMulti ? " or MultiPolygon" : "").")
                return []
            }
            return read(geometry, field: "\(field).geometry", into: &errors, allowMulti: allowMulti)
        }
        guard type == "Polygon" || (type == "MultiPolygon" && allowMulti) else {
            let wanted = allowMulti ? "Polygon or MultiPolygon" : "Polygon"
            let what = type == "MultiPolygon" ? "Only one polygon is expected here" : "'\(type.prefix(40))' is not an area"
            errors.add("\(field).type", "\(what); use \(wanted).")
            return []
        }
        let coordinatesField = "\(field).coordinates"
        guard case .array(let coordinates)? = object["coordinates"] else {
            errors.add(coordinatesField, "Give the coordinates as \(type == "Polygon" ? "[[[lon, lat], …]]" : "[[[[lon, lat], …]]]").")
            return []
        }
        if type == "Polygon" {
            return polygon(coordinates, field: coordinatesField, into: &errors).map { [$0] } ?? []
        }
        if coordinates.isEmpty { errors.add(coordinatesField, "A MultiPolygon needs at least one polygon.") }
        var polygons: [GeoPolygon] = []
        for (p, item) in coordinates.enumerated() {
            guard case .array(let rings) = item else {
                errors.add("\(coordinatesField)[\(p)]", "Each polygon is a list of rings, [[[lon, lat], …]].")
                continue
            }
            if let polygon = polygon(rings, field: "\(coordinatesField)[\(p)]", into: &errors) { polygons.append(polygon) }
        }
        return polygons
    }

    /// One polygon's rings, with every position checked before the rings are.
    static func polygon(_ rings: [AnswerValue], field: String, into errors: inout FieldErrors) -> GeoPolygon? {
        let before = errors.all.count
        var points: [[GeoPoint]] = []
        for (r, ring) in rings.enumerated() {
            guard case .array(let positions) = ring else {
                errors.add("\(field)[\(r)]", "A ring is a list of positions, [[lon, lat], …].")
                continue
            }
            var ringPoints: [GeoPoint] = []
            for (i, position) in positions.enumerated() {
                // A third number (altitude) is allowed by GeoJSON and ignored here.
                guard case .array(let numbers) = position, numbers.count >= 2, case .number(let lon) = numbers[0], case .number(let lat) = numbers[1] else {
                    errors.add("\(field)[\(r)][\(i)]", "A position is [longitude, latitude] in numbers.")
                    continue
                }
                ringPoints.append(GeoPoint(latitude: lat, longitude: lon))
            }
            points.append(ringPoints)
        }
        guard errors.all.count == before else { return nil }
        return GeoPolygon.checked(points, field: field, into: &errors)
    }
}

extension GeoPolygon {
    /// Reads a GeoJSON Polygon (or a Feature holding one); a MultiPolygon belongs in a `GeoArea`.
    public init(geoJSON data: Data, field: String = "geometry") throws(ValidationFailure) {
        let value: AnswerValue
        do {
            value = try JSONDecoder().decode(AnswerValue.self, from: data)
        } catch {
            throw ValidationFailure([FieldError(field, "This is not JSON; give a GeoJSON object such as \(GeoArea.geoJSONExample).")])
        }
        try self.init(geoJSON: value, field: field)
    }

    public init(geoJSON value: AnswerValue, field: String = "geometry") throws(ValidationFailure) {
        var errors = FieldErrors()
        let polygons = GeoArea.read(value, field: field, into: &errors, allowMulti: false)
        try errors.throwIfAny()
        self = polygons[0]
    }
}
