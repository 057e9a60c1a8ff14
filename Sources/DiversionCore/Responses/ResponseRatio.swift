import Foundation

/// Incentives against sanctions over recorded responses; treatment adjustments are neither and are counted apart.
public struct ResponseRatio: Sendable, Equatable, Codable {
    /// Treatment-court practice aims for at least four incentives to each sanction.
    public static let standardTarget = 4.0

    public var incentives: Int
    public var sanctions: Int
    public var treatmentAdjustments: Int
    public var target: Double

    public init(incentives: Int, sanctions: Int, treatmentAdjustments: Int = 0, target: Double = standardTarget) {
        self.incentives = incentives
        self.sanctions = sanctions
        self.treatmentAdjustments = treatmentAdjustments
        self.target = target
    }

    /// Counts the responses by the kind of option chosen.
    public init(_ responses: some Sequence<RecordedResponse>, target: Double = standardTarget) {
        var counts: [ResponseKind: Int] = [:]
        for r in responses { counts[r.option.kind, default: 0] += 1 }
        self.init(incentives: counts[.incentive] ?? 0, sanctions: counts[.sanction] ?? 0,
                  treatmentAdjustments: counts[.treatmentAdjustment] ?? 0, target: target)
    }

    /// Incentives per sanction; nil when there has been no sanction, since no ratio can then fall short.
    public var ratio: Double? { sanctions == 0 ? nil : Double(incentives) / Double(sanctions) }

    /// Fewer incentives per sanction than the target, and at least one sanction.
    public var belowTarget: Bool {
        // Compared as counts (incentives < target × sanctions), so exactly 4:1 is never flagged by rounding.
        sanctions > 0 && Double(incentives) < target * Double(sanctions)
    }

    /// The ratio as a person reads it, such as "12 incentives to 3 sanctions (4.0:1)".
    public var summary: String {
        let i = "\(incentives) incentive\(incentives == 1 ? "" : "s")"
        let s = "\(sanctions) sanction\(sanctions == 1 ? "" : "s")"
        guard let ratio else { return incentives == 0 ? "No incentives or sanctions yet" : "\(i) and no sanctions" }
        let flag = belowTarget ? ", below the \(Self.format(target)):1 aim" : ""
        return "\(i) to \(s) (\(Self.format(ratio)):1\(flag))"
    }

    private enum CodingKeys: String, CodingKey {
        case incentives, sanctions, treatmentAdjustments, target, ratio, belowTarget
    }

    /// Reads the counts and target; the ratio and flag are worked out again rather than trusted.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(incentives: try c.decode(Int.self, forKey: .incentives), sanctions: try c.decode(Int.self, forKey: .sanctions),
                  treatmentAdjustments: try c.decodeIfPresent(Int.self, forKey: .treatmentAdjustments) ?? 0,
                  target: try c.decodeIfPresent(Double.self, forKey: .target) ?? Self.standardTarget)
    }

    /// Writes the ratio and the flag beside the counts, so a page or an export shows them as they are.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(incentives, forKey: .incentives)
        try c.encode(sanctions, forKey: .sanctions)
        try c.encode(treatmentAdjustments, forKey: .treatmentAdjustments)
        try c.encode(target, forKey: .target)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(belowTarget, forKey: .belowTarget)
    }

    /// One ratio per person.
    public static func byPerson(_ responses: [RecordedResponse], target: Double = standardTarget) -> [UUID: ResponseRatio] {
        Dictionary(grouping: responses, by: \.personID).mapValues { ResponseRatio($0, target: target) }
    }

    /// One ratio per programme.
    public static func byProgramme(_ responses: [RecordedResponse], target: Double = standardTarget) -> [UUID: ResponseRatio] {
        Dictionary(grouping: responses, by: \.programmeID).mapValues { ResponseRatio($0, target: target) }
    }

    static func format(_ value: Double) -> String {
        String(format: "%.1f", (value * 10).rounded(.down) / 10)
    }
}
