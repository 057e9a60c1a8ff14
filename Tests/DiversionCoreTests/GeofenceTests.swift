import Foundation
import Testing
@testable import DiversionCore

/// A closed ring from `[lon, lat]` pairs, as GeoJSON writes them; the first pair is repeated at the end here.
private func ring(_ pairs: [[Double]]) -> [GeoPoint] {
    let points = pairs.map { GeoPoint(latitude: $0[1], longitude: $0[0]) }
    return points + [points[0]]
}

private func polygon(_ outer: [[Double]], holes: [[[Double]]] = []) throws(ValidationFailure) -> GeoPolygon {
    try GeoPolygon(outer: ring(outer), holes: holes.map(ring))
}

/// The point `east` and `north` metres from `p`, on the local flat approximation the tests need.
func metresFrom(_ p: GeoPoint, east: Double = 0, north: Double = 0) -> GeoPoint {
    MonitoringBenchmark.offset(p, east: east, north: north)
}

private let square = [[0.0, 0.0], [10, 0], [10, 10], [0, 10]]
/// A U shape: the notch between x = 3 and x = 7 is open to the north above y = 3.
private let horseshoe = [[0.0, 0.0], [10, 0], [10, 10], [7, 10], [7, 3], [3, 3], [3, 10], [0, 10]]
/// Two degrees wide across the 180th meridian, written as GeoJSON tools usually write it.
private let acrossTheDateLine = [[179.0, -1.0], [-179, -1], [-179, 1], [179, 1]]

@Suite("Geofence maths")
struct GeofenceTests {
    @Test(arguments: [
        (5.0, 5.0, true), (15, 5, false), (-1, 5, false), (5, -0.5, false), (5, 10.5, false),
        (0, 5, true), (10, 5, true), (5, 0, true), (5, 10, true), // on an edge
        (0, 0, true), (10, 10, true), (10, 0, true), // on a vertex
        (10.000_001, 5, false), (9.999_999, 5, true),
    ])
    func aSquareHoldsItsInsideAndItsEdges(lon: Double, lat: Double, inside: Bool) throws {
        let shape = try polygon(square)
        #expect(shape.contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
        // Ring orientation is not part of the meaning.
        let reversed = try GeoPolygon(outer: Array(shape.outer.reversed()))
        #expect(reversed.contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
    }

    @Test(arguments: [
        (5.0, 5.0, false), (5, 9, false), // in the notch
        (5, 2, true), (1, 9, true), (8, 9, true),
        (5, 3, true), (7, 6, true), (3, 10, true), (7, 3, true), // on the notch's edges and corners
        (5, 10, false), // across the mouth of the notch: no edge there
        (1, 3, true), (9, 3, true), (-1, 3, false), (11, 10, false), (-1, 10, false), // rays through vertices
    ])
    func aConcavePolygonLeavesItsNotchOutside(lon: Double, lat: Double, inside: Bool) throws {
        #expect(try polygon(horseshoe).contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
    }

    @Test(arguments: [
        (5.0, 5.0, false), (4, 6, false), // in the hole
        (1, 1, true), (8, 8, true), (5, 1, true),
        (3, 5, true), (7, 7, true), (3, 3, true), // on the hole's edge or corner: still the polygon's boundary
        (0, 5, true), (11, 5, false),
    ])
    func aPointInAHoleIsOutside(lon: Double, lat: Double, inside: Bool) throws {
        let shape = try polygon(square, holes: [[[3, 3], [7, 3], [7, 7], [3, 7]]])
        #expect(shape.contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
    }

    @Test func aPolygonMayHaveSeveralHoles() throws {
        let shape = try polygon(square, holes: [[[1, 1], [3, 1], [3, 3], [1, 3]], [[6, 6], [9, 6], [9, 9], [6, 9]]])
        #expect(!shape.contains(GeoPoint(latitude: 2, longitude: 2)))
        #expect(!shape.contains(GeoPoint(latitude: 7, longitude: 7)))
        #expect(shape.contains(GeoPoint(latitude: 5, longitude: 5)))
        #expect(shape.holes.count == 2)
    }

    @Test(arguments: [
        (179.9, 0.0, true), (-179.9, 0, true), (180, 0, true), (-180, 0, true), (179.5, 0.5, true), (-179.5, -0.5, true),
        (179, 0, true), (-179, 0.9, true), // on the edges
        (0, 0, false), (178.9, 0, false), (-178.9, 0, false), (179.5, 1.5, false), (90, 0, false), (-90, 0, false),
    ])
    func aPolygonAcrossTheAntimeridianTakesTheShortWayRound(lon: Double, lat: Double, inside: Bool) throws {
        #expect(try polygon(acrossTheDateLine).contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
    }

    @Test(arguments: [
        (179.5, -17.5, true), (-179.5, -17.5, true), (-178.2, -18.5, true), (178.5, -16.2, true),
        (-178.2, -16.2, false), // inside the bounding box but in the bite taken out of the north-east corner
        (177, -17, false), (-177, -17, false),
    ])
    func aConcavePolygonAcrossTheAntimeridianWorksToo(lon: Double, lat: Double, inside: Bool) throws {
        // Roughly Fiji's waters, with a notch so the ring is concave; two of its edges cross 180°.
        let shape = try polygon([[178, -19], [-178, -19], [-178, -17], [-179, -17], [-179, -16], [178, -16]])
        #expect(shape.contains(GeoPoint(latitude: lat, longitude: lon)) == inside)
    }

    @Test func aVertexOnTheAntimeridianItselfIsTheSameMeridianFromEitherSide() throws {
        let east = try polygon([[170, 0], [180, 0], [180, 10], [170, 10]])
        #expect(east.contains(GeoPoint(latitude: 5, longitude: -180)))
        #expect(!east.contains(GeoPoint(latitude: 5, longitude: -179.99)))
        #expect(east.contains(GeoPoint(latitude: 5, longitude: 179.99)))
    }

    @Test(arguments: [
        (25.0, 86.0, true), (11, 85.5, true), (25, 88, false), (205, 86, false), (-155, 86, false), (25, 84.9, false),
    ])
    func aPolygonNearTheNorthPoleWorksInItsOwnFrame(lon: Double, lat: Double, inside: Bool) throws {
        let shape = try polygon([[10, 85], [40, 85], [40, 87], [10, 87]])
        #expect(shape.contains(GeoPoint(latitude: lat, longitude: Geo.wrapped(lon))) == inside)
    }

    @Test func aRingAroundAPoleIsRefusedRatherThanGuessed() {
        #expect(throws: ValidationFailure.self) { try polygon([[0, 80], [90, 80], [180 - 1e-6, 80], [-90, 80]]) }
        do {
            _ = try polygon([[0, 80], [90, 80], [179, 80], [-90, 80]])
            Issue.record("a ring around the pole was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["coordinates[0]"])
            #expect(error.errors.first?.reason.contains("goes round a pole") == true)
        }
    }

    @Test(arguments: [
        ([[0.0, 0.0], [180, 0], [180, 10], [0, 10]], "exactly 180°"),
        ([[0.0, 0.0], [1, 1], [2, 2]], "no area"),
    ])
    func ambiguousOrFlatRingsAreRefused(pairs: [[Double]], words: String) {
        do {
            _ = try polygon(pairs)
            Issue.record("\(pairs) was accepted")
        } catch {
            #expect(error.errors.first?.reason.contains(words) == true, "\(error.summary)")
        }
    }

    @Test(arguments: [
        // (from, to, metres, what)
        (GeoPoint(latitude: 38.7223, longitude: -9.1393), GeoPoint(latitude: 41.1579, longitude: -8.6291), 274_000.0, "Lisbon to Porto"),
        (GeoPoint(latitude: 51.5074, longitude: -0.1278), GeoPoint(latitude: 48.8566, longitude: 2.3522), 343_500, "London to Paris"),
        (GeoPoint(latitude: 40.7128, longitude: -74.0060), GeoPoint(latitude: 34.0522, longitude: -118.2437), 3_936_000, "New York to Los Angeles"),
        (GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: 1, longitude: 0), 111_195, "one degree of latitude"),
        (GeoPoint(latitude: 0, longitude: 179.5), GeoPoint(latitude: 0, longitude: -179.5), 111_195, "one degree across the antimeridian"),
        (GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: 0, longitude: 180), 20_015_087, "to the antipode"),
        (GeoPoint(latitude: 90, longitude: 0), GeoPoint(latitude: 90, longitude: 120), 0, "pole to pole by another meridian"),
    ])
    func haversineMatchesKnownDistancesWithinOnePercent(from: GeoPoint, to: GeoPoint, metres: Double, what: String) {
        let d = from.distance(to: to)
        #expect(abs(d - metres) <= max(metres * 0.01, 0.001), "\(what): \(d) m")
        #expect(abs(to.distance(to: from) - d) < 1e-6, "\(what) is not symmetric")
    }

    @Test func aCircleHoldsItsRimAndMeasuresToIt() {
        let home = GeoPoint(latitude: 38.7223, longitude: -9.1393)
        let circle = GeoCircle(centre: home, radiusMeters: 100)
        #expect(circle.contains(home))
        #expect(circle.contains(metresFrom(home, east: 99)))
        #expect(!circle.contains(metresFrom(home, north: 101)))
        #expect(abs(circle.signedDistance(to: metresFrom(home, east: 250)) - 150) < 1)
        #expect(abs(circle.signedDistance(to: home) + 100) < 1e-9)
    }

    @Test func signedDistanceToAPolygonIsNegativeInsideAndMeasuredToTheNearestEdge() throws {
        let home = GeoPoint(latitude: 38.7223, longitude: -9.1393)
        // A 200 m square around home, with a 50 m square hole in the middle.
        let shape = try GeoPolygon(
            outer: [metresFrom(home, east: -100, north: -100), metresFrom(home, east: 100, north: -100), metresFrom(home, east: 100, north: 100),
                    metresFrom(home, east: -100, north: 100), metresFrom(home, east: -100, north: -100)],
            holes: [[metresFrom(home, east: -25, north: -25), metresFrom(home, east: 25, north: -25), metresFrom(home, east: 25, north: 25),
                     metresFrom(home, east: -25, north: 25), metresFrom(home, east: -25, north: -25)]]
        )
        for (east, north, expected) in [(150.0, 0.0, 50.0), (0, -130, 30), (70, 0, -30), (0, 90, -10), (0, 0, 25), (10, 0, 15), (100, 0, 0), (130, 140, 50)] {
            let d = shape.signedDistance(to: metresFrom(home, east: east, north: north))
            #expect(abs(d - expected) <= 0.5, "at \(east) m east, \(north) m north: \(d) m, expected \(expected) m")
        }
    }

    @Test func distanceIsMeasuredTheShortWayAcrossTheAntimeridian() throws {
        let shape = try polygon(acrossTheDateLine)
        // 0.1° east of the eastern edge at -179, and 0.1° west of the western edge at 179.
        #expect(abs(shape.signedDistance(to: GeoPoint(latitude: 0, longitude: -178.9)) - 11_119.5) < 20)
        #expect(abs(shape.signedDistance(to: GeoPoint(latitude: 0, longitude: 178.9)) - 11_119.5) < 20)
        #expect(abs(shape.signedDistance(to: GeoPoint(latitude: 0, longitude: 180)) + 111_195) < 200)
        // A far edge at the same latitude must not look near just because its ends wrap to either side of the point.
        #expect(shape.signedDistance(to: GeoPoint(latitude: 1, longitude: 0)) > 10_000_000)
    }

    @Test(arguments: [
        (-50.0, 10.0, GeoPlacement.inside), (-10, 10, .inside), (-9.9, 10, .probablyInside), (0, 10, .probablyInside),
        (0, 0, .inside), (0.1, 0, .outside), (5, 10, .probablyOutside), (10, 10, .probablyOutside), (10.1, 10, .outside),
        (-5, -3, .inside), // a negative accuracy is read as 0
    ])
    func placementAllowsForTheAccuracyOnBothSides(signedDistance: Double, accuracy: Double, placement: GeoPlacement) {
        #expect(GeoPlacement(signedDistance: signedDistance, accuracyMeters: accuracy) == placement)
    }

    @Test func anAreaOfSeveralPolygonsIsInsideWhenAnyOneIs() throws {
        let area = GeoArea([try polygon([[0, 0], [1, 0], [1, 1], [0, 1]]), try polygon([[5, 5], [6, 5], [6, 6], [5, 6]])])
        #expect(area.contains(GeoPoint(latitude: 0.5, longitude: 0.5)))
        #expect(area.contains(GeoPoint(latitude: 5.5, longitude: 5.5)))
        #expect(!area.contains(GeoPoint(latitude: 3, longitude: 3)))
        #expect(area.signedDistance(to: GeoPoint(latitude: 0.5, longitude: 0.5)) < 0)
        #expect(abs(area.signedDistance(to: GeoPoint(latitude: 5.5, longitude: 6.1)) - 0.1 * 111_195 * cos(5.5 * .pi / 180)) < 50)
        #expect(GeoArea([]).signedDistance(to: GeoPoint(latitude: 0, longitude: 0)) == .infinity)
    }
}

@Suite("GeoJSON polygons")
struct GeoJSONTests {
    func failure(_ json: String, single: Bool = false) -> [FieldError] {
        do {
            if single { _ = try GeoPolygon(geoJSON: Data(json.utf8)) } else { _ = try GeoArea(geoJSON: Data(json.utf8)) }
            return []
        } catch {
            return error.errors
        }
    }

    @Test func aPolygonWithAHoleIsRead() throws {
        let json = #"{"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]], [[3,3],[7,3],[7,7],[3,7],[3,3]]]}"#
        let shape = try GeoPolygon(geoJSON: Data(json.utf8))
        #expect(shape.holes.count == 1)
        #expect(shape.contains(GeoPoint(latitude: 1, longitude: 1)))
        #expect(!shape.contains(GeoPoint(latitude: 5, longitude: 5)))
        #expect(shape.coordinates[1][2] == [7, 7])
        #expect(try GeoPolygon(coordinates: shape.coordinates) == shape)
    }

    @Test func aMultiPolygonAndAFeatureAreRead() throws {
        let multi = #"{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]], [[[179,-1],[-179,-1],[-179,1],[179,1],[179,-1]]]]}"#
        let area = try GeoArea(geoJSON: Data(multi.utf8))
        #expect(area.polygons.count == 2)
        #expect(area.contains(GeoPoint(latitude: 0, longitude: -179.9)))
        let feature = #"{"type": "Feature", "properties": {"name": "Park"}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}"#
        #expect(try GeoArea(geoJSON: Data(feature.utf8)).contains(GeoPoint(latitude: 0.5, longitude: 0.5)))
        // Altitude, the optional third number of a position, is ignored.
        let high = #"{"type": "Polygon", "coordinates": [[[0,0,12],[1,0,12],[1,1,12],[0,0,12]]]}"#
        #expect(try GeoPolygon(geoJSON: Data(high.utf8)).outer.count == 4)
    }

    @Test(arguments: [
        (#"{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1]]]}"#, "geometry.coordinates[0]", "not closed"),
        (#"{"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}"#, "geometry.coordinates[0]", "at least 4 positions"),
        (#"{"type": "Polygon", "coordinates": [[[0,0],[200,0],[1,1],[0,0]]]}"#, "geometry.coordinates[0][1]", "Longitude 200 is out of range"),
        (#"{"type": "Polygon", "coordinates": [[[0,0],[1,-95],[1,1],[0,0]]]}"#, "geometry.coordinates[0][1]", "Latitude -95 is out of range"),
        (#"{"type": "Polygon", "coordinates": [[[0,0],[1,"0"],[1,1],[0,0]]]}"#, "geometry.coordinates[0][1]", "[longitude, latitude]"),
        (#"{"type": "Polygon", "coordinates": [[[0,0],[1],[1,1],[0,0]]]}"#, "geometry.coordinates[0][1]", "[longitude, latitude]"),
        (#"{"type": "Polygon", "coordinates": []}"#, "geometry.coordinates", "outer ring"),
        (#"{"type": "Polygon"}"#, "geometry.coordinates", "coordinates"),
        (#"{"type": "Point", "coordinates": [0, 0]}"#, "geometry.type", "'Point' is not an area"),
        (#"{"type": "LineString", "coordinates": [[0, 0], [1, 1]]}"#, "geometry.type", "'LineString' is not an area"),
        (#"{"coordinates": []}"#, "geometry.type", "Polygon or MultiPolygon"),
        (#"[[[0,0],[1,0],[1,1],[0,0]]]"#, "geometry", "GeoJSON object"),
        (#"{"type": "Polygon", "coord"#, "geometry", "not JSON"),
        (#"{"type": "MultiPolygon", "coordinates": []}"#, "geometry.coordinates", "at least one polygon"),
        (#"{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]], [[[0,0],[1,0],[1,1],[0,1]]]]}"#, "geometry.coordinates[1][0]", "not closed"),
        (#"{"type": "Feature", "geometry": null}"#, "geometry.geometry", "no geometry"),
        (#"{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[0,0]]]}}"#, "geometry.geometry.coordinates[0]", "at least 4"),
    ])
    func eachProblemIsNamedWhereItIs(json: String, field: String, words: String) {
        let errors = failure(json)
        #expect(errors.contains { $0.field == field && $0.reason.contains(words) }, "\(errors)")
    }

    @Test func everyBadPositionIsNamedNotJustTheFirst() {
        let errors = failure(#"{"type": "Polygon", "coordinates": [[[0,0],[181,0],[1,91],[0,0]], [[0,0],[1,0],[0,0]]]}"#)
        #expect(errors.map(\.field) == ["geometry.coordinates[0][1]", "geometry.coordinates[0][2]", "geometry.coordinates[1]"])
    }

    @Test func aSinglePolygonIsNotAMultiPolygon() {
        let errors = failure(#"{"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]]]}"#, single: true)
        #expect(errors == [FieldError("geometry.type", "Only one polygon is expected here; use Polygon.")])
    }

    @Test func theFieldNameCanBePlacedUnderAPath() {
        do {
            _ = try GeoArea(geoJSON: .object(["type": .string("Circle")]), field: "conditions[2].parameters.geometry")
            Issue.record("a circle was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["conditions[2].parameters.geometry.type"])
        }
    }

    @Test func coordinatesGivenInCodeAreCheckedTheSameWay() {
        #expect(throws: ValidationFailure.self) { try GeoPolygon(coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]]) }
        do {
            _ = try GeoPolygon(coordinates: [[[0, 0], [1], [1, 1], [0, 0]]])
            Issue.record("a one-number position was accepted")
        } catch {
            #expect(error.errors.map(\.field) == ["coordinates[0][1]"])
        }
        #expect(throws: ValidationFailure.self) { try GeoPolygon(outer: ring([[0, 0], [1, 0], [.nan, 1]])) }
    }
}
