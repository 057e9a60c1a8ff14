import Foundation
import Testing
@testable import DiversionCore

@Suite("KaplanMeier estimates survival with Greenwood errors and log-log bands")
struct KaplanMeierTests {
    /// The 6-MP arm of Freireich et al. (1963), weeks in remission; + marks censoring.
    static let sixMP = "6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+"
        .split(separator: " ")
        .map { SurvivalObservation(time: Int($0.replacingOccurrences(of: "+", with: "")) ?? -1, event: !$0.hasSuffix("+")) }

    /// The event times of the 6-MP arm with people at risk and events, counted by hand from the list above.
    static let sixMPRiskSets: [(time: Int, atRisk: Int, events: Int)] = [
        (6, 21, 3), (7, 17, 1), (10, 15, 1), (13, 12, 1), (16, 11, 1), (22, 7, 1), (23, 6, 1),
    ]

    /// An independent calculation from the formulas, written as in R's survival package (survfit, conf.type
    /// "log-log"): S = Π (1 − d/n); σ² = Σ d / (n (n − d)); SE = S σ; band exp(−exp(log(−log S) ± z σ / log S)).
    static func byHand(through time: Int) -> (survival: Double, standardError: Double, lower: Double, upper: Double) {
        var survival = 1.0, sum = 0.0
        for step in sixMPRiskSets where step.time <= time {
            survival *= 1 - Double(step.events) / Double(step.atRisk)
            sum += Double(step.events) / Double(step.atRisk * (step.atRisk - step.events))
        }
        let sigma = sum.squareRoot()
        let z = 1.959964
        let a = exp(-exp(log(-log(survival)) + z * sigma / log(survival)))
        let b = exp(-exp(log(-log(survival)) - z * sigma / log(survival)))
        return (survival, survival * sigma, min(a, b), max(a, b))
    }

    @Test("The 6-MP leukaemia arm matches the published product-limit values", arguments: [
        (6, 0.857), (7, 0.807), (10, 0.753), (13, 0.690), (16, 0.627), (22, 0.538), (23, 0.448),
    ])
    func sixMPSurvival(time: Int, published: Double) throws {
        let curve = KaplanMeier.estimate(Self.sixMP)
        let point = try #require(curve.points.first { $0.time == time })
        #expect(abs(point.survival - published) < 0.0005, "S(\(time)) = \(point.survival)")
        let hand = Self.byHand(through: time)
        #expect(abs(point.survival - hand.survival) < 1e-12)
        #expect(abs(point.standardError - hand.standardError) < 1e-12)
        #expect(abs(point.lower - hand.lower) < 1e-12)
        #expect(abs(point.upper - hand.upper) < 1e-12)
        #expect(point.lower < point.survival && point.survival < point.upper)
    }

    @Test("Greenwood errors and log-log bands of the 6-MP arm match the published figures")
    func sixMPErrorsAndBands() throws {
        let curve = KaplanMeier.estimate(Self.sixMP)
        let six = try #require(curve.points.first { $0.time == 6 })
        let twentyThree = try #require(curve.points.first { $0.time == 23 })
        #expect(abs(six.standardError - 0.0764) < 0.0005, "\(six.standardError)")
        #expect(abs(twentyThree.standardError - 0.1346) < 0.0005, "\(twentyThree.standardError)")
        #expect(abs(six.lower - 0.620) < 0.001, "\(six.lower)")
        #expect(abs(six.upper - 0.952) < 0.001, "\(six.upper)")
        #expect(abs(twentyThree.lower - 0.188) < 0.001, "\(twentyThree.lower)")
        #expect(abs(twentyThree.upper - 0.680) < 0.001, "\(twentyThree.upper)")
    }

    @Test("The 6-MP curve has one point per distinct time, counts people at risk and has median 23")
    func sixMPShape() {
        let curve = KaplanMeier.estimate(Self.sixMP)
        #expect(curve.points.map(\.time) == [0, 6, 7, 9, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 34, 35])
        #expect(curve.subjects == 21 && curve.events == 9)
        #expect(curve.points[0] == SurvivalPoint(time: 0, atRisk: 21, events: 0, censored: 0, survival: 1, lower: 1, upper: 1, standardError: 0))
        for step in Self.sixMPRiskSets {
            let point = curve.points.first { $0.time == step.time }
            #expect(point?.atRisk == step.atRisk && point?.events == step.events)
        }
        // Censoring-only times keep the survival of the event before them.
        #expect(curve.points.first { $0.time == 9 }?.survival == curve.points.first { $0.time == 7 }?.survival)
        #expect(curve.points.last?.atRisk == 1 && curve.points.last?.censored == 1)
        #expect(curve.medianTime == 23)
        #expect(curve.survival(at: -1) == 1 && curve.survival(at: 5) == 1)
        #expect(abs(curve.survival(at: 12) - 0.753) < 0.0005)
        #expect(abs(curve.survival(at: 1000) - 0.448) < 0.0005)
    }

    @Test("At a tied time events count before censorings, so those censored that day are still at risk")
    func eventsBeforeCensorings() {
        let curve = KaplanMeier.estimate([
            .init(time: 5, event: true), .init(time: 5, event: false), .init(time: 8, event: true),
        ])
        // At risk at day 5: all three, so S(5) = 2/3 (censoring first would give 1/2). At day 8: one, so S = 0.
        #expect(abs(curve.survival(at: 5) - 2.0 / 3) < 1e-12)
        #expect(curve.points.map(\.atRisk) == [3, 3, 1])
        #expect(curve.survival(at: 8) == 0)
    }

    @Test("With no events the curve stays at 1 with a collapsed band and no median")
    func noEvents() {
        let curve = KaplanMeier.estimate([.init(time: 10, event: false, count: 4), .init(time: 30, event: false)])
        #expect(curve.points.map(\.time) == [0, 10, 30])
        for point in curve.points {
            #expect(point.survival == 1 && point.lower == 1 && point.upper == 1 && point.standardError == 0)
        }
        #expect(curve.medianTime == nil && curve.events == 0 && curve.subjects == 5)
    }

    @Test("When everyone has the event at once the curve drops to 0 with no NaN anywhere")
    func allAtOnce() throws {
        let curve = KaplanMeier.estimate([.init(time: 14, event: true, count: 6)])
        let point = try #require(curve.points.last)
        #expect(point.time == 14 && point.atRisk == 6 && point.events == 6)
        #expect(point.survival == 0 && point.lower == 0 && point.upper == 0 && point.standardError == 0)
        #expect(curve.medianTime == 14)
        // Later points after reaching 0 stay well defined too, and the whole curve encodes as JSON.
        let later = KaplanMeier.estimate([.init(time: 3, event: true, count: 2), .init(time: 9, event: false)])
        #expect(later.points.allSatisfy { !$0.survival.isNaN && !$0.lower.isNaN && !$0.upper.isNaN && !$0.standardError.isNaN })
        #expect(throws: Never.self) { try JSONEncoder().encode(curve) }
        #expect(throws: Never.self) { try JSONEncoder().encode(later) }
    }

    @Test("Grouped observations give the same curve as the same people listed one by one")
    func countsEqualExpanded() {
        let grouped: [SurvivalObservation] = [
            .init(time: 30, event: true, count: 4), .init(time: 30, event: false, count: 2),
            .init(time: 90, event: true, count: 3), .init(time: 180, event: false, count: 10),
            .init(time: 60, event: true), .init(time: 45, event: false, count: 0),
        ]
        let expanded = grouped.flatMap { Array(repeating: SurvivalObservation(time: $0.time, event: $0.event), count: max(0, $0.count)) }
        #expect(KaplanMeier.estimate(grouped) == KaplanMeier.estimate(expanded.reversed()))
        #expect(KaplanMeier.estimate(grouped).subjects == 20)
        // An observation with a count of 0 adds no point.
        #expect(!KaplanMeier.estimate(grouped).points.contains { $0.time == 45 })
    }

    @Test("The median is the first time survival reaches one half or below", arguments: [
        ([SurvivalObservation(time: 1, event: true), .init(time: 2, event: true)], 1 as Int?),
        ([.init(time: 4, event: true), .init(time: 6, event: false), .init(time: 9, event: true), .init(time: 12, event: false)], 9),
        ([.init(time: 4, event: true), .init(time: 6, event: false, count: 3)], nil),
        // 3/4 · 2/3 is one half only up to rounding.
        ([.init(time: 1, event: true), .init(time: 2, event: true), .init(time: 3, event: false, count: 2)], 2),
        ([.init(time: 1, event: true), .init(time: 2, event: true), .init(time: 3, event: false, count: 4)], nil),
    ])
    func median(observations: [SurvivalObservation], expected: Int?) {
        #expect(KaplanMeier.estimate(observations).medianTime == expected)
    }

    @Test("Events on day 0 count at the first point and negative times count as day 0")
    func dayZero() {
        let curve = KaplanMeier.estimate([.init(time: 0, event: true), .init(time: -3, event: false), .init(time: 5, event: true, count: 2)])
        #expect(curve.points.map(\.time) == [0, 5])
        #expect(curve.points[0].atRisk == 4 && curve.points[0].events == 1 && curve.points[0].censored == 1)
        #expect(abs(curve.points[0].survival - 0.75) < 1e-12)
        #expect(KaplanMeier.estimate([]).points == [SurvivalPoint(time: 0, atRisk: 0, events: 0, censored: 0, survival: 1, lower: 1, upper: 1, standardError: 0)])
    }

    @Test("A wider z widens the band and an invalid z falls back to 95 %")
    func confidence() throws {
        let narrow = try #require(KaplanMeier.estimate(Self.sixMP, confidence: 1.0).points.first { $0.time == 13 })
        let wide = try #require(KaplanMeier.estimate(Self.sixMP, confidence: 2.5758).points.first { $0.time == 13 })
        #expect(wide.lower < narrow.lower && wide.upper > narrow.upper)
        #expect(KaplanMeier.estimate(Self.sixMP, confidence: .nan) == KaplanMeier.estimate(Self.sixMP))
        #expect(KaplanMeier.estimate(Self.sixMP, confidence: -1) == KaplanMeier.estimate(Self.sixMP))
    }
}
