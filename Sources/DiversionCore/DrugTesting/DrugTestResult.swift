import Foundation

/// What a test showed, or why there is no specimen.
public enum DrugTestOutcome: Sendable, Equatable, Codable {
    case negative
    case positive(substances: [String])
    /// Too diluted to read; often handled like a positive, which is the program's decision, not this type's.
    case dilute
    /// The specimen was tampered with.
    case adulterated
    /// The person did not give a specimen on a test day.
    case missed
    /// The test was waived, for a reason on record (illness, a court date, a hospital stay).
    case excused(reason: String)

    /// The outcome's name as stored and shown.
    public var code: String {
        switch self {
        case .negative: "negative"
        case .positive: "positive"
        case .dilute: "dilute"
        case .adulterated: "adulterated"
        case .missed: "missed"
        case .excused: "excused"
        }
    }

    /// Whether a specimen was collected, which is what needs a collection time and a chain of custody.
    public var hasSpecimen: Bool {
        switch self {
        case .negative, .positive, .dilute, .adulterated: true
        case .missed, .excused: false
        }
    }
}

/// The result of one test day, checked when made so a stored result is always complete and consistent.
public struct DrugTestResult: Sendable, Equatable, Codable {
    /// The test day the result belongs to (a result for a day that was not drawn is an unscheduled test).
    public let testDay: CalendarDate
    /// Usually the condition's; another is recorded as it was when the usual one could not be taken.
    public let specimen: DrugTestSpecimen
    /// When the specimen was collected; nil when none was (missed, excused).
    public let collectedAt: Date?
    public let outcome: DrugTestOutcome
    /// Whether a laboratory confirmed the result; a screening cup alone is not confirmation.
    public let labConfirmed: Bool
    /// The number on the chain-of-custody form that follows the specimen to the laboratory.
    public let chainOfCustody: String?

    public static let maxChainOfCustodyLength = 64
    public static let maxSubstanceLength = 80
    public static let maxReasonLength = 500

    /// Checks and normalises a result, naming every field that is wrong.
    public init(
        testDay: CalendarDate, specimen: DrugTestSpecimen, collectedAt: Date?, outcome: DrugTestOutcome,
        labConfirmed: Bool = false, chainOfCustody: String?
    ) throws(ValidationFailure) {
        var errors = FieldErrors()
        var outcome = outcome
        switch outcome {
        case .positive(let substances):
            var kept: [String] = []
            for (i, raw) in substances.enumerated() {
                let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if name.isEmpty {
                    errors.add("outcome.substances[\(i)]", "Name the substance or remove the empty entry.")
                } else if name.count > Self.maxSubstanceLength || Self.hasControlCharacters(name) {
                    errors.add("outcome.substances[\(i)]", "Name the substance in at most \(Self.maxSubstanceLength) printable characters.")
                } else if !kept.contains(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
                    kept.append(name)
                }
            }
            if substances.isEmpty {
                errors.add("outcome.substances", "A positive result names at least one substance found.")
            }
            outcome = .positive(substances: kept)
        case .excused(let raw):
            let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if reason.isEmpty {
                errors.add("outcome.reason", "Say why the test was excused, so the decision can be reviewed.")
            } else if reason.count > Self.maxReasonLength {
                errors.add("outcome.reason", "Keep the reason under \(Self.maxReasonLength + 1) characters.")
            }
            outcome = .excused(reason: reason)
        case .negative, .dilute, .adulterated, .missed:
            break
        }

        let custody = chainOfCustody?.trimmingCharacters(in: .whitespacesAndNewlines)
        if outcome.hasSpecimen {
            if collectedAt == nil {
                errors.add("collectedAt", "Give the time the specimen was collected.")
            }
            if let custody, !custody.isEmpty {
                if custody.count > Self.maxChainOfCustodyLength || Self.hasControlCharacters(custody) {
                    errors.add("chainOfCustody", "Write the chain-of-custody number in at most \(Self.maxChainOfCustodyLength) printable characters.")
                }
            } else {
                errors.add("chainOfCustody", "Give the chain-of-custody number, so the specimen can be traced to the laboratory.")
            }
        } else {
            // Nothing was collected, so anything that describes a specimen would be invented.
            if collectedAt != nil {
                errors.add("collectedAt", "A \(outcome.code) test has no collection time.")
            }
            if let custody, !custody.isEmpty {
                errors.add("chainOfCustody", "A \(outcome.code) test has no specimen and no chain-of-custody number.")
            }
            if labConfirmed {
                errors.add("labConfirmed", "A \(outcome.code) test has no specimen for a laboratory to confirm.")
            }
        }
        try errors.throwIfAny()

        self.testDay = testDay
        self.specimen = specimen
        self.collectedAt = collectedAt
        self.outcome = outcome
        self.labConfirmed = labConfirmed
        self.chainOfCustody = outcome.hasSpecimen ? custody : nil
    }

    /// The record of a test day on which no specimen was given.
    public static func missed(on testDay: CalendarDate, specimen: DrugTestSpecimen) -> DrugTestResult {
        DrugTestResult(unchecked: testDay, specimen: specimen, outcome: .missed)
    }

    private init(unchecked testDay: CalendarDate, specimen: DrugTestSpecimen, outcome: DrugTestOutcome) {
        self.testDay = testDay
        self.specimen = specimen
        collectedAt = nil
        self.outcome = outcome
        labConfirmed = false
        chainOfCustody = nil
    }

    private enum CodingKeys: String, CodingKey {
        case testDay, specimen, collectedAt, outcome, labConfirmed, chainOfCustody
    }

    /// Decodes through the checks, so a stored or submitted result can never skip them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                testDay: try c.decode(CalendarDate.self, forKey: .testDay),
                specimen: try c.decode(DrugTestSpecimen.self, forKey: .specimen),
                collectedAt: try c.decodeIfPresent(Date.self, forKey: .collectedAt),
                outcome: try c.decode(DrugTestOutcome.self, forKey: .outcome),
                labConfirmed: try c.decodeIfPresent(Bool.self, forKey: .labConfirmed) ?? false,
                chainOfCustody: try c.decodeIfPresent(String.self, forKey: .chainOfCustody)
            )
        } catch let failure as ValidationFailure {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: failure.summary))
        }
    }

    /// Whether the specimen was collected outside the collection window of its test day.
    ///
    /// The window is the condition's window on `testDay`, start included and end excluded, so an unscheduled
    /// test is judged by the same hours. False when nothing was collected: a missed test is its own finding.
    public func isOutsideWindow(of plan: DrugTestPlan) -> Bool {
        guard let collectedAt else { return false }
        let window = plan.condition.window(on: testDay)
        return collectedAt < window.start || collectedAt >= window.end
    }

    private static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }
    }
}
