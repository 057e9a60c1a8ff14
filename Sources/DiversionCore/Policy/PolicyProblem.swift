import Foundation

/// One thing wrong in a policy file, at a place a legal officer can find.
public struct PolicyProblem: Sendable, Equatable, CustomStringConvertible {
    /// The path of the offending value, such as `substances[2].threshold`.
    public var path: String
    public var message: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?

    public init(path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        let place = line.map { "\($0):\(column ?? 1)" } ?? "-"
        return "\(place): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

extension JurisdictionPolicy {
    /// Rules between fields that a reader of the file must respect; each problem names its path.
    public func problems() -> [PolicyProblem] {
        var found: [PolicyProblem] = []
        func add(_ path: String, _ message: String) { found.append(PolicyProblem(path: path, message: message)) }

        if jurisdiction.trimmingCharacters(in: .whitespaces).isEmpty { add("jurisdiction", "Name the jurisdiction.") }
        if version.trimmingCharacters(in: .whitespaces).isEmpty { add("version", "Give the policy a version, such as 2026.1.") }
        if !(10...25).contains(ageOfMajority) { add("ageOfMajority", "The age of majority must be between 10 and 25.") }
        if substances.isEmpty { add("substances", "List at least one substance.") }
        var codes: Set<String> = []
        for (i, s) in substances.enumerated() {
            let path = "substances[\(i)]"
            if !codes.insert(s.code).inserted { add("\(path).code", "The code '\(s.code)' is used twice.") }
            if s.code.isEmpty || !s.code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
                add("\(path).code", "Codes use lowercase letters, digits and '_', such as cannabis_herb.")
            }
            if !(s.threshold > 0) { add("\(path).threshold", "The threshold must be above 0.") }
            if s.traffickingMultiple < 1 { add("\(path).traffickingMultiple", "The trafficking multiple must be 1 or more.") }
            if let purity = s.assumedPurityPercent, !(purity > 0 && purity <= 100) {
                add("\(path).assumedPurityPercent", "A purity is a percentage above 0 and at most 100.")
            }
            if s.basis == .pure && s.assumedPurityPercent == nil {
                add("\(path).assumedPurityPercent", "A pure-basis substance needs the purity to assume when it was not tested.")
            }
            if s.basis == .pure && s.unit.grams == nil {
                add("\(path).basis", "A count of \(s.unit.rawValue) has no purity: use basis gross.")
            }
        }
        if !(nearThresholdBand.fromPercent > 0 && nearThresholdBand.fromPercent < nearThresholdBand.toPercent && nearThresholdBand.toPercent <= 100) {
            add("nearThresholdBand", "The band runs from a percentage above 0 to a larger one of at most 100, such as 80 to 100.")
        }
        var categories: Set<String> = []
        for (i, c) in offenceCategories.enumerated() where !categories.insert(c.code).inserted {
            add("offenceCategories[\(i)].code", "The code '\(c.code)' is used twice.")
        }
        if offenceCategories.isEmpty { add("offenceCategories", "List at least one offence category.") }
        if let years = exclusions.priorSeriousConvictionYears, years < 1 {
            add("exclusions.priorSeriousConvictionYears", "Give a number of years of 1 or more, or leave it out.")
        }
        if let limit = exclusions.maxDiversions, limit.count < 0 || limit.years < 1 {
            add("exclusions.maxDiversions", "Give a count of 0 or more and a number of years of 1 or more.")
        }
        var pairs: Set<String> = []
        for (i, r) in routes.enumerated() {
            if r.routes.isEmpty { add("routes[\(i)].routes", "List at least one route, or remove the entry.") }
            if !pairs.insert("\(r.authority.rawValue)/\(r.stage.rawValue)").inserted {
                add("routes[\(i)]", "\(r.authority.rawValue) at \(r.stage.rawValue) is listed twice; put all its routes in one entry.")
            }
            for (field, route) in [("diversion", r.diversion), ("otherwise", r.otherwise)] {
                if let route, !r.routes.contains(route) {
                    add("routes[\(i)].\(field)", "'\(route)' is not among this entry's routes (\(r.routes.joined(separator: ", "))).")
                }
            }
        }
        if instruments.minors != .crafft { add("instruments.minors", "Minors are screened with crafft.") }
        if instruments.adults == .crafft { add("instruments.adults", "CRAFFT is for people under 22; choose assist, dast10, audit or auditc.") }
        for (field, value, range) in [("referralAcceptHours", timeLimits.referralAcceptHours, 1...720), ("intakeDays", timeLimits.intakeDays, 1...180),
                                      ("reviewDays", timeLimits.reviewDays, 1...730)] where !range.contains(value) {
            add("timeLimits.\(field)", "Give a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        var menus = Set<String>()
        for (i, m) in measures.enumerated() {
            if !menus.insert("\(m.authority.rawValue)/\(m.stage.rawValue)").inserted {
                add("measures[\(i)]", "\(m.authority.rawValue) at \(m.stage.rawValue) is listed twice; put all its measures in one entry.")
            }
            if m.allowed.isEmpty { add("measures[\(i)].allowed", "Name at least one measure, or leave the entry out.") }
            if m.authority == .police && m.allowed.contains(where: { $0 != .cautionWarning }) {
                add("measures[\(i)].allowed", "The police may only caution; other measures are ordered by a prosecutor or a court.")
            }
        }
        if let n = treatmentRequiredFromContact, n < 1 { add("treatmentRequiredFromContact", "Give a contact number of 1 or more, or leave it out.") }
        if TimeZone(identifier: supervision.timeZone) == nil {
            add("supervision.timeZone", "'\(supervision.timeZone.prefix(40))' is not a time zone; use an IANA name such as Europe/Lisbon.")
        }
        if !MonitoringRules.noSignalMinutesRange.contains(supervision.noSignalMinutes) {
            add("supervision.noSignalMinutes", "Give whole minutes from \(MonitoringRules.noSignalMinutesRange.lowerBound) to \(MonitoringRules.noSignalMinutesRange.upperBound).")
        }
        found += supervision.responses.validate(prefix: "supervision.responses")
        if let allowed = juvenile.allowed, allowed.isEmpty {
            add("juvenile.allowed", "List the measures minors may be given, or leave the list out to allow the whole menu.")
        }
        if sealing.onCompletion && sealing.outcomes.isEmpty {
            add("sealing.outcomes", "Name the outcomes that seal a case, such as [completed], or set onCompletion to false.")
        }
        if Set(sealing.outcomes).count != sealing.outcomes.count { add("sealing.outcomes", "Name each outcome once.") }
        if !Sealing.afterDaysRange.contains(sealing.afterDays) {
            add("sealing.afterDays", "Give whole days from \(Sealing.afterDaysRange.lowerBound) to \(Sealing.afterDaysRange.upperBound).")
        }
        for kind in RetainedRecord.allCases {
            if let days = retention.days[kind], !Retention.daysRange.contains(days) {
                add("retention.\(kind.rawValue)", "Give whole days from \(Retention.daysRange.lowerBound) to \(Retention.daysRange.upperBound), or never.")
            }
        }
        let notice = disclosure.redisclosureNotice.trimmingCharacters(in: .whitespacesAndNewlines)
        if notice.isEmpty || notice.count > 2000 { add("disclosure.redisclosureNotice", "Write the redisclosure notice every disclosure carries, in at most 2000 characters.") }
        return found
    }
}
