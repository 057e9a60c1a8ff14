import Foundation

/// Measures pings checked per second for one person with a curfew and three detailed zones, for `diversion bench`.
public enum MonitoringBenchmark {
    /// How many pings went through the rules in how long, and how many alerts they opened (so the work cannot be skipped).
    public struct Result: Sendable {
        public let pings: Int
        public let seconds: Double
        public let alertsOpened: Int

        public var perSecond: Double { Double(pings) / seconds }
    }

    static let home = GeoPoint(latitude: 38.7223, longitude: -9.1393)

    /// A star with `points` tips around `centre`: concave, with `2 × points` vertices, closed.
    static func star(_ centre: GeoPoint, points: Int, outerMeters: Double, innerMeters: Double, turn: Double = 0) -> [GeoPoint] {
        let ring = (0..<(2 * points)).map { i -> GeoPoint in
            let angle = turn + Double(i) * .pi / Double(points)
            let r = i.isMultiple(of: 2) ? outerMeters : innerMeters
            return GeoPoint(
                latitude: centre.latitude + r * sin(angle) / Geo.metersPerDegree,
                longitude: centre.longitude + r * cos(angle) / (Geo.metersPerDegree * cos(centre.latitude * Geo.radiansPerDegree))
            )
        }
        return ring + [ring[0]]
    }

    static func offset(_ p: GeoPoint, east: Double, north: Double) -> GeoPoint {
        GeoPoint(
            latitude: p.latitude + north / Geo.metersPerDegree,
            longitude: p.longitude + east / (Geo.metersPerDegree * cos(p.latitude * Geo.radiansPerDegree))
        )
    }

    /// The person the benchmark follows: a nightly curfew at home, two exclusion zones (one with a hole), one inclusion zone.
    public static func rules() -> MonitoringRules {
        // The literals are valid, so these cannot fail; `try!` keeps the benchmark free of error plumbing.
        let curfew = try! Curfew(
            home: home, radiusMeters: 100, start: "21:00", end: "06:00",
            days: Curfew.Weekday.allCases.map(\.rawValue), timeZone: "Europe/Lisbon"
        )
        let school = offset(home, east: 1200, north: 300)
        let market = offset(home, east: -900, north: -700)
        let zones = try! [
            MonitoringRules.Zone(id: "school", kind: .exclusion, polygon: GeoPolygon(outer: star(school, points: 25, outerMeters: 400, innerMeters: 250))),
            MonitoringRules.Zone(id: "market", kind: .exclusion, polygon: GeoPolygon(
                outer: star(market, points: 25, outerMeters: 500, innerMeters: 350),
                holes: [star(market, points: 6, outerMeters: 150, innerMeters: 100, turn: 0.3)]
            )),
            MonitoringRules.Zone(id: "city", kind: .inclusion, polygon: GeoPolygon(outer: star(home, points: 25, outerMeters: 3000, innerMeters: 2200))),
        ]
        return try! MonitoringRules(curfew: curfew, zones: zones, noSignalMinutes: 30)
    }

    /// Positions within about 3 km of home, from a fixed seed so every run checks the same pings.
    public static func positions(count: Int = 1000) -> [(GeoPoint, Double)] {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { _ in
            (offset(home, east: (next() * 2 - 1) * 3200, north: (next() * 2 - 1) * 3200), 5 + next() * 45)
        }
    }

    public static func run(seconds: Double) -> Result {
        let rules = rules()
        let positions = positions()
        // 2026-11-20 12:00 UTC, one ping a minute, so the run crosses curfew hours many times.
        let start = Date(timeIntervalSince1970: 1_795_608_000)
        var state = MonitoringState()
        var count = 0
        var opened = 0
        let clock = Date()
        while Date().timeIntervalSince(clock) < seconds {
            for (point, accuracy) in positions {
                let ping = Ping(deviceID: "bench", time: start.addingTimeInterval(Double(count) * 60), latitude: point.latitude,
                                longitude: point.longitude, accuracyMeters: accuracy)
                let step = rules.check(ping, state: state)
                opened += step.opened.count
                state = step.state
                count += 1
            }
        }
        return Result(pings: count, seconds: Date().timeIntervalSince(clock), alertsOpened: opened)
    }
}
