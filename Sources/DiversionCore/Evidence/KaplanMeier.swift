import Foundation

/// How long one person (or `count` people with the same history) was followed, and whether the event happened.
public struct SurvivalObservation: Sendable, Equatable {
    /// Days from the start of follow-up to the event or to the end of follow-up.
    public var time: Int
    /// True when the event happened at `time`; false when follow-up ended without it (censored).
    public var event: Bool
    /// How many people share this time and outcome.
    public var count: Int

    public init(time: Int, event: Bool, count: Int = 1) {
        self.time = time
        self.event = event
        self.count = count
    }
}

/// The estimate at one time: who was at risk, what happened, the survival so far and its pointwise band.
public struct SurvivalPoint: Sendable, Equatable, Codable {
    public var time: Int
    /// People still followed and event-free just before `time`.
    public var atRisk: Int
    public var events: Int
    public var censored: Int
    /// Probability of no event up to and including `time`.
    public var survival: Double
    public var lower: Double
    public var upper: Double
    /// Greenwood standard error of `survival`.
    public var standardError: Double

    public init(time: Int, atRisk: Int, events: Int, censored: Int, survival: Double, lower: Double, upper: Double, standardError: Double) {
        self.time = time
        self.atRisk = atRisk
        self.events = events
        self.censored = censored
        self.survival = survival
        self.lower = lower
        self.upper = upper
        self.standardError = standardError
    }
}

/// A Kaplan–Meier curve: a step function, one point per distinct time with an event or a censoring.
public struct SurvivalCurve: Sendable, Equatable, Codable {
    /// Time-ordered; the first point is time 0 (survival 1 unless events happened on day 0).
    public var points: [SurvivalPoint]
    public var subjects: Int
    public var events: Int

    public init(points: [SurvivalPoint], subjects: Int, events: Int) {
        self.points = points
        self.subjects = subjects
        self.events = events
    }

    /// Survival at `time`: the value of the last point at or before it (1 before time 0).
    public func survival(at time: Int) -> Double {
        points.last { $0.time <= time }?.survival ?? 1
    }

    /// The first time at which survival is at most one half; nil when the curve never gets there.
    /// Where the curve sits exactly at one half, R reports the midpoint to the next event time; whole days are
    /// reported here, so this gives the first day instead.
    public var medianTime: Int? {
        // A product such as 2/3 · 3/4 can land a hair above 0.5 in floating point.
        points.first { $0.survival <= 0.5 + 1e-12 }?.time
    }
}

/// The Kaplan–Meier product-limit estimator.
public enum KaplanMeier {
    /// The standard normal quantile for a two-sided 95 % band.
    public static let z95 = 1.959964

    /// Estimates the survival curve.
    ///
    /// - Ties: at one time, events count before censorings, so people censored that day are still at risk
    ///   (the standard convention, as in R's survival package).
    /// - Standard error: Greenwood's formula, Var S(t) = S(t)² Σ d / (n (n − d)).
    /// - Band: the log(−log) transform, as `conf.type = "log-log"` in R's survival package:
    ///   S(t)^exp(±z σ / log S(t)) with σ² = Σ d / (n (n − d)). It stays inside [0, 1] and is asymmetric, which
    ///   suits small groups better than a plain S ± z·SE. Where S is 1 (no events yet) the band is [1, 1] and the
    ///   standard error 0; where S is 0 (everyone at risk had the event) it is [0, 0] and the standard error 0, where
    ///   R reports NA.
    /// - Observations with a count of 0 or less are ignored; a negative time counts as day 0. A `z` that is
    ///   negative or not finite is replaced by the 95 % quantile.
    public static func estimate(_ observations: [SurvivalObservation], confidence z: Double = z95) -> SurvivalCurve {
        let z = z.isFinite && z >= 0 ? z : z95
        var eventsAt: [Int: Int] = [:]
        var censoredAt: [Int: Int] = [:]
        var subjects = 0
        for observation in observations where observation.count > 0 {
            let time = max(0, observation.time)
            if observation.event {
                eventsAt[time, default: 0] += observation.count
            } else {
                censoredAt[time, default: 0] += observation.count
            }
            subjects += observation.count
        }
        let times = Set(eventsAt.keys).union(censoredAt.keys).union([0]).sorted()

        var points: [SurvivalPoint] = []
        var atRisk = subjects
        var survival = 1.0
        var greenwood = 0.0 // Σ d / (n (n − d)): the variance of log S
        var totalEvents = 0
        for time in times {
            let events = eventsAt[time] ?? 0
            let censored = censoredAt[time] ?? 0
            if events > 0 {
                if events >= atRisk {
                    survival = 0
                } else {
                    survival *= Double(atRisk - events) / Double(atRisk)
                    greenwood += Double(events) / (Double(atRisk) * Double(atRisk - events))
                }
            }
            let band = band(survival: survival, logVariance: greenwood, z: z)
            points.append(SurvivalPoint(
                time: time, atRisk: atRisk, events: events, censored: censored,
                survival: survival, lower: band.lower, upper: band.upper,
                standardError: survival > 0 ? survival * greenwood.squareRoot() : 0
            ))
            totalEvents += events
            atRisk -= events + censored
        }
        return SurvivalCurve(points: points, subjects: subjects, events: totalEvents)
    }

    /// The log(−log) band at one point, clamped to [0, 1].
    static func band(survival: Double, logVariance: Double, z: Double) -> (lower: Double, upper: Double) {
        guard survival > 0 else { return (0, 0) }
        guard survival < 1, logVariance > 0 else { return (survival, survival) }
        let logS = log(survival) // negative
        let spread = z * logVariance.squareRoot() / abs(logS)
        let lower = pow(survival, exp(spread))
        let upper = pow(survival, exp(-spread))
        return (min(max(lower, 0), 1), min(max(upper, 0), 1))
    }
}
