import DiversionCore
import Foundation
import Yams

/// Reads a jurisdiction policy from YAML, naming every problem with its line and column.
public enum PolicyFile {
    /// The policy in `text`, or every problem found in it: syntax, shape and the rules between fields.
    public static func read(_ text: String) -> Result<JurisdictionPolicy, PolicyProblems> {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return .failure(PolicyProblems([PolicyProblem(path: "", message: "The file is empty.", line: 1, column: 1)]))
            }
            root = node
        } catch let error as YamlError {
            return .failure(PolicyProblems([syntaxProblem(error)]))
        } catch {
            return .failure(PolicyProblems([PolicyProblem(path: "", message: "The file could not be read as YAML: \(error)")]))
        }
        var reader = PolicyNodeReader()
        let policy = reader.policy(root)
        guard let policy, reader.problems.isEmpty else { return .failure(PolicyProblems(reader.problems)) }
        let rules = policy.problems().map { problem in
            var located = problem
            let mark = reader.mark(for: problem.path)
            located.line = mark?.line
            located.column = mark?.column
            return located
        }
        return rules.isEmpty ? .success(policy) : .failure(PolicyProblems(rules))
    }

    static func syntaxProblem(_ error: YamlError) -> PolicyProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PolicyProblem(path: "", message: "YAML syntax: \(problem)", line: mark.line, column: mark.column)
        default:
            return PolicyProblem(path: "", message: "YAML syntax: \(error)")
        }
    }
}

/// Everything wrong with one policy file, in the order found.
public struct PolicyProblems: Error, Sendable, Equatable {
    public let all: [PolicyProblem]
    public init(_ all: [PolicyProblem]) { self.all = all }
}

/// Walks the YAML tree field by field, remembering where each path is so later rules can point at it.
struct PolicyNodeReader {
    var problems: [PolicyProblem] = []
    private var marks: [String: Mark] = [:]

    func mark(for path: String) -> Mark? {
        var p = path
        while !p.isEmpty {
            if let m = marks[p] { return m }
            // Fall back to the nearest enclosing value that was seen.
            if let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) { p = String(p[..<cut]) } else { break }
        }
        return marks[""]
    }

    private mutating func problem(_ path: String, _ message: String, at node: Node?) {
        let mark = node?.mark ?? self.mark(for: path)
        problems.append(PolicyProblem(path: path, message: message, line: mark?.line, column: mark?.column))
    }

    private mutating func note(_ path: String, _ node: Node) {
        if let mark = node.mark { marks[path] = mark }
    }

    /// A mapping's values by key; keys outside `allowed` are reported, never ignored.
    private mutating func mapping(_ node: Node?, _ path: String, allowed: [String], required: Set<String>) -> [String: Node]? {
        // A missing section has already been named by its parent's required fields.
        guard let node else { return nil }
        note(path, node)
        guard case .mapping(let mapping) = node else {
            problem(path, "Expected a mapping of \(allowed.joined(separator: ", ")).", at: node)
            return nil
        }
        var values: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            let child = path.isEmpty ? name : "\(path).\(name)"
            if !allowed.contains(name) {
                problem(child, "Unknown field '\(name)'; this section takes \(allowed.joined(separator: ", ")).", at: key)
                continue
            }
            if values[name] != nil { problem(child, "'\(name)' is given twice.", at: key) }
            values[name] = value
            note(child, value)
        }
        for name in allowed where required.contains(name) && values[name] == nil {
            problem(path.isEmpty ? name : "\(path).\(name)", "The field '\(name)' is required.", at: node)
        }
        return values
    }

    /// A mapping whose keys are codes chosen by the policy (offence categories, modalities), in file order.
    private mutating func codes(_ node: Node?, _ path: String) -> [(String, Node)]? {
        guard let node else { return nil }
        note(path, node)
        guard case .mapping(let mapping) = node else {
            problem(path, "Expected a mapping of codes to values.", at: node)
            return nil
        }
        var out: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            if out.contains(where: { $0.0 == name }) { problem("\(path).\(name)", "'\(name)' is given twice.", at: key) }
            note("\(path).\(name)", value)
            out.append((name, value))
        }
        return out
    }

    private mutating func list(_ node: Node?, _ path: String) -> [Node]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            problem(path, "Expected a list.", at: node)
            return nil
        }
        return Array(sequence)
    }

    private mutating func string(_ node: Node?, _ path: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            problem(path, "Expected text.", at: node)
            return nil
        }
        return scalar.string
    }

    private mutating func number(_ node: Node?, _ path: String) -> Double? {
        guard let node else { return nil }
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            problem(path, "Expected a number.", at: node)
            return nil
        }
        return value
    }

    private mutating func integer(_ node: Node?, _ path: String) -> Int? {
        guard let node else { return nil }
        guard let value = node.int else {
            problem(path, "Expected a whole number.", at: node)
            return nil
        }
        return value
    }

    private mutating func flag(_ node: Node?, _ path: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            problem(path, "Expected true or false.", at: node)
            return nil
        }
        return value
    }

    private mutating func choice<T: RawRepresentable & CaseIterable>(_ node: Node?, _ path: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = T(rawValue: text) else {
            problem(path, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", ")).", at: node)
            return nil
        }
        return value
    }

    private func isNull(_ node: Node?) -> Bool {
        guard let node else { return true }
        return node.null != nil
    }

    mutating func policy(_ root: Node) -> JurisdictionPolicy? {
        let fields = ["jurisdiction", "version", "effectiveDate", "illustrative", "description", "ageOfMajority", "substances",
                      "nearThresholdBand", "offenceCategories", "exclusions", "routes", "instruments", "treatmentRequiredFromContact", "timeLimits", "measures",
                      "supervision", "juvenile", "sealing", "retention", "disclosure", "evidence"]
        let required: Set<String> = ["jurisdiction", "version", "effectiveDate", "ageOfMajority", "substances", "nearThresholdBand",
                                     "offenceCategories", "exclusions", "routes", "instruments"]
        guard let top = mapping(root, "", allowed: fields, required: required) else { return nil }
        let jurisdiction = string(top["jurisdiction"], "jurisdiction")
        let version = string(top["version"], "version")
        var effectiveDate: CalendarDate?
        if let text = string(top["effectiveDate"], "effectiveDate") {
            effectiveDate = CalendarDate(text)
            if effectiveDate == nil { problem("effectiveDate", "Write the date as YYYY-MM-DD.", at: top["effectiveDate"]) }
        }
        let illustrative = isNull(top["illustrative"]) ? false : flag(top["illustrative"], "illustrative")
        let description = isNull(top["description"]) ? nil : string(top["description"], "description")
        let ageOfMajority = integer(top["ageOfMajority"], "ageOfMajority")

        var substances: [JurisdictionPolicy.Substance] = []
        for (i, node) in (list(top["substances"], "substances") ?? []).enumerated() {
            if let s = substance(node, "substances[\(i)]") { substances.append(s) }
        }

        var band: JurisdictionPolicy.Band?
        if let b = mapping(top["nearThresholdBand"], "nearThresholdBand", allowed: ["fromPercent", "toPercent"], required: ["fromPercent", "toPercent"]),
           let from = number(b["fromPercent"], "nearThresholdBand.fromPercent"), let to = number(b["toPercent"], "nearThresholdBand.toPercent") {
            band = .init(fromPercent: from, toPercent: to)
        }

        var categories: [JurisdictionPolicy.OffenceCategory] = []
        for (i, node) in (list(top["offenceCategories"], "offenceCategories") ?? []).enumerated() {
            let path = "offenceCategories[\(i)]"
            guard let c = mapping(node, path, allowed: ["code", "name", "minor", "nonViolent", "labels"], required: ["code", "name", "minor", "nonViolent"]),
                  let code = string(c["code"], "\(path).code"), let name = string(c["name"], "\(path).name"),
                  let minor = flag(c["minor"], "\(path).minor"), let nonViolent = flag(c["nonViolent"], "\(path).nonViolent")
            else { continue }
            categories.append(.init(code: code, name: name, minor: minor, nonViolent: nonViolent, labels: labels(c["labels"], "\(path).labels")))
        }

        let exclusions = self.exclusions(top["exclusions"])

        var routes: [JurisdictionPolicy.RouteRule] = []
        for (i, node) in (list(top["routes"], "routes") ?? []).enumerated() {
            let path = "routes[\(i)]"
            guard let r = mapping(node, path, allowed: ["authority", "stage", "routes", "diversion", "otherwise"], required: ["authority", "stage", "routes"]),
                  let authority = choice(r["authority"], "\(path).authority", Authority.self),
                  let stage = choice(r["stage"], "\(path).stage", Stage.self),
                  let items = list(r["routes"], "\(path).routes")
            else { continue }
            let names = items.enumerated().compactMap { string($1, "\(path).routes[\($0)]") }
            let diversion = isNull(r["diversion"]) ? nil : string(r["diversion"], "\(path).diversion")
            let otherwise = isNull(r["otherwise"]) ? nil : string(r["otherwise"], "\(path).otherwise")
            routes.append(.init(authority: authority, stage: stage, routes: names, diversion: diversion, otherwise: otherwise))
        }

        var instruments: JurisdictionPolicy.Instruments?
        if let m = mapping(top["instruments"], "instruments", allowed: ["adults", "minors"], required: ["adults", "minors"]),
           let adults = choice(m["adults"], "instruments.adults", ScreeningInstrument.self),
           let minors = choice(m["minors"], "instruments.minors", ScreeningInstrument.self) {
            instruments = .init(adults: adults, minors: minors)
        }
        let treatmentFrom = isNull(top["treatmentRequiredFromContact"]) ? nil : integer(top["treatmentRequiredFromContact"], "treatmentRequiredFromContact")

        var limits = JurisdictionPolicy.TimeLimits.standard
        if !isNull(top["timeLimits"]),
           let t = mapping(top["timeLimits"], "timeLimits", allowed: ["referralAcceptHours", "intakeDays", "reviewDays"], required: []) {
            if !isNull(t["referralAcceptHours"]), let n = integer(t["referralAcceptHours"], "timeLimits.referralAcceptHours") { limits.referralAcceptHours = n }
            if !isNull(t["intakeDays"]), let n = integer(t["intakeDays"], "timeLimits.intakeDays") { limits.intakeDays = n }
            if !isNull(t["reviewDays"]), let n = integer(t["reviewDays"], "timeLimits.reviewDays") { limits.reviewDays = n }
        }

        var measures = MeasureRule.standard
        if !isNull(top["measures"]) {
            measures = []
            for (i, node) in (list(top["measures"], "measures") ?? []).enumerated() {
                let path = "measures[\(i)]"
                guard let m = mapping(node, path, allowed: ["authority", "stage", "allowed"], required: ["authority", "stage", "allowed"]),
                      let authority = choice(m["authority"], "\(path).authority", Authority.self),
                      let stage = choice(m["stage"], "\(path).stage", Stage.self),
                      let items = list(m["allowed"], "\(path).allowed")
                else { continue }
                let allowed = items.enumerated().compactMap { choice($1, "\(path).allowed[\($0)]", MeasureType.self) }
                measures.append(MeasureRule(authority: authority, stage: stage, allowed: allowed))
            }
        }

        var supervision = JurisdictionPolicy.Supervision.standard
        if !isNull(top["supervision"]),
           let m = mapping(top["supervision"], "supervision", allowed: ["timeZone", "noSignalMinutes", "responses"], required: []) {
            if !isNull(m["timeZone"]), let zone = string(m["timeZone"], "supervision.timeZone") { supervision.timeZone = zone }
            if !isNull(m["noSignalMinutes"]), let n = integer(m["noSignalMinutes"], "supervision.noSignalMinutes") { supervision.noSignalMinutes = n }
            if let node = m["responses"], !isNull(node) {
                do {
                    supervision.responses = try YAMLDecoder().decode(ResponseMatrix.self, from: node)
                } catch {
                    problem("supervision.responses", "The response matrix does not have the expected shape (options, phases, rules, lookBackDays, earlyTreatment, incentiveRatioTarget): \(String(describing: error).prefix(200))", at: node)
                }
            }
        }

        var juvenile = JurisdictionPolicy.JuvenileRules.standard
        if !isNull(top["juvenile"]),
           let m = mapping(top["juvenile"], "juvenile", allowed: ["allowed", "guardianContactRequired"], required: []) {
            if !isNull(m["guardianContactRequired"]), let f = flag(m["guardianContactRequired"], "juvenile.guardianContactRequired") {
                juvenile.guardianContactRequired = f
            }
            if !isNull(m["allowed"]), let items = list(m["allowed"], "juvenile.allowed") {
                juvenile.allowed = items.enumerated().compactMap { choice($1, "juvenile.allowed[\($0)]", MeasureType.self) }
            }
        }

        let sealing = self.sealing(top["sealing"])
        let retention = self.retention(top["retention"])

        var disclosure = JurisdictionPolicy.Disclosure.standard
        if !isNull(top["disclosure"]),
           let m = mapping(top["disclosure"], "disclosure", allowed: ["redisclosureNotice", "referralStatusWithoutConsent", "courtOrderedConsentIrrevocable"], required: []) {
            if !isNull(m["redisclosureNotice"]), let text = string(m["redisclosureNotice"], "disclosure.redisclosureNotice") { disclosure.redisclosureNotice = text }
            if !isNull(m["referralStatusWithoutConsent"]), let f = flag(m["referralStatusWithoutConsent"], "disclosure.referralStatusWithoutConsent") {
                disclosure.referralStatusWithoutConsent = f
            }
            if !isNull(m["courtOrderedConsentIrrevocable"]), let f = flag(m["courtOrderedConsentIrrevocable"], "disclosure.courtOrderedConsentIrrevocable") {
                disclosure.courtOrderedConsentIrrevocable = f
            }
        }

        guard problems.isEmpty, let jurisdiction, let version, let effectiveDate, let illustrative, let ageOfMajority,
              let band, let exclusions, let instruments
        else { return nil }
        var policy = JurisdictionPolicy(
            jurisdiction: jurisdiction, version: version, effectiveDate: effectiveDate, illustrative: illustrative,
            description: description, ageOfMajority: ageOfMajority, substances: substances, nearThresholdBand: band,
            offenceCategories: categories, exclusions: exclusions, routes: routes, instruments: instruments,
            treatmentRequiredFromContact: treatmentFrom, timeLimits: limits, measures: measures,
            supervision: supervision, juvenile: juvenile, sealing: sealing, retention: retention
        )
        policy.disclosure = disclosure
        policy.evidence = evidence(top["evidence"])
        return policy
    }

    /// The `evidence` section; fields left out keep the standard values.
    private mutating func evidence(_ node: Node?) -> JurisdictionPolicy.Evidence {
        var evidence = JurisdictionPolicy.Evidence.standard
        let fields = ["country", "suppressionThreshold", "ageBands", "iccs", "relapseAfterNegatives", "costs"]
        guard !isNull(node), let m = mapping(node, "evidence", allowed: fields, required: []) else { return evidence }
        if !isNull(m["country"]), let c = string(m["country"], "evidence.country") {
            if c.count == 3, c.allSatisfy({ $0.isASCII && $0.isUppercase }) { evidence.country = c } else {
                problem("evidence.country", "Give the three-letter country code people's nationality is recorded in, such as PRT.", at: m["country"])
            }
        }
        if !isNull(m["suppressionThreshold"]), let n = integer(m["suppressionThreshold"], "evidence.suppressionThreshold") {
            if (1...100).contains(n) { evidence.suppressionThreshold = n } else {
                problem("evidence.suppressionThreshold", "Give a threshold from 1 to 100; 5 is usual, 1 publishes every count.", at: m["suppressionThreshold"])
            }
        }
        if !isNull(m["relapseAfterNegatives"]), let n = integer(m["relapseAfterNegatives"], "evidence.relapseAfterNegatives") {
            if (1...50).contains(n) { evidence.relapseAfterNegatives = n } else {
                problem("evidence.relapseAfterNegatives", "Give from 1 to 50 negative tests.", at: m["relapseAfterNegatives"])
            }
        }
        if !isNull(m["ageBands"]), let items = list(m["ageBands"], "evidence.ageBands") {
            let bands = items.enumerated().compactMap { integer($1, "evidence.ageBands[\($0)]") }
            if bands.count == items.count {
                if bands.isEmpty || bands != bands.sorted() || Set(bands).count != bands.count || bands.contains(where: { !(1...120).contains($0) }) {
                    problem("evidence.ageBands", "List the lower bounds of the age groups in rising order, such as [18, 25, 35, 45, 55].", at: m["ageBands"])
                } else {
                    evidence.ageBands = bands
                }
            }
        }
        if !isNull(m["iccs"]), let map = codes(m["iccs"], "evidence.iccs") {
            var iccs: [String: OffenceClass] = [:]
            for (key, value) in map {
                if let c = choice(value, "evidence.iccs.\(key)", OffenceClass.self) { iccs[key] = c }
            }
            evidence.iccs = iccs
        }
        if !isNull(m["costs"]) { evidence.costs = costs(m["costs"]) }
        return evidence
    }

    /// The `evidence.costs` section: daily costs in one currency and typical custody days.
    private mutating func costs(_ node: Node?) -> JurisdictionPolicy.Costs {
        var costs = JurisdictionPolicy.Costs.standard
        let fields = ["currency", "prisonPerDay", "pretrialDetentionPerDay", "probationPerDay", "treatmentPerDay", "measurePerDay", "custodyDays", "source"]
        guard let m = mapping(node, "evidence.costs", allowed: fields, required: []) else { return costs }
        if !isNull(m["currency"]), let c = string(m["currency"], "evidence.costs.currency") {
            if c.count == 3, c.allSatisfy({ $0.isASCII && $0.isUppercase }) { costs.currency = c } else {
                problem("evidence.costs.currency", "Give an ISO 4217 currency code, such as EUR.", at: m["currency"])
            }
        }
        if !isNull(m["source"]), let text = string(m["source"], "evidence.costs.source") { costs.source = text }
        for (key, path) in [("prisonPerDay", \JurisdictionPolicy.Costs.prisonPerDay), ("pretrialDetentionPerDay", \.pretrialDetentionPerDay), ("probationPerDay", \.probationPerDay)] {
            guard !isNull(m[key]) else { continue }
            if let v = m[key].flatMap({ $0.float ?? $0.int.map(Double.init) }), v >= 0, v.isFinite { costs[keyPath: path] = v } else {
                problem("evidence.costs.\(key)", "Give a daily cost of 0 or more, such as 97.5.", at: m[key])
            }
        }
        for (key, path) in [("treatmentPerDay", \JurisdictionPolicy.Costs.treatmentPerDay), ("measurePerDay", \.measurePerDay)] {
            guard !isNull(m[key]), let map = codes(m[key], "evidence.costs.\(key)") else { continue }
            var out: [String: Double] = [:]
            for (code, value) in map {
                if let v = value.float ?? value.int.map(Double.init), v >= 0, v.isFinite { out[code] = v } else {
                    problem("evidence.costs.\(key).\(code)", "Give a daily cost of 0 or more.", at: value)
                }
            }
            costs[keyPath: path] = out
        }
        if !isNull(m["custodyDays"]), let map = codes(m["custodyDays"], "evidence.costs.custodyDays") {
            var out: [String: Int] = [:]
            for (code, value) in map {
                if let v = value.int, (0...36_500).contains(v) { out[code] = v } else {
                    problem("evidence.costs.custodyDays.\(code)", "Give whole days from 0 to 36500.", at: value)
                }
            }
            costs.custodyDays = out
        }
        return costs
    }

    /// The `sealing` section; fields left out keep the standard values.
    private mutating func sealing(_ node: Node?) -> JurisdictionPolicy.Sealing {
        var sealing = JurisdictionPolicy.Sealing.standard
        guard !isNull(node), let m = mapping(node, "sealing", allowed: ["onCompletion", "outcomes", "afterDays"], required: []) else { return sealing }
        if !isNull(m["onCompletion"]), let f = flag(m["onCompletion"], "sealing.onCompletion") { sealing.onCompletion = f }
        if !isNull(m["afterDays"]), let n = integer(m["afterDays"], "sealing.afterDays") { sealing.afterDays = n }
        if !isNull(m["outcomes"]), let items = list(m["outcomes"], "sealing.outcomes") {
            sealing.outcomes = items.enumerated().compactMap { choice($1, "sealing.outcomes[\($0)]", MeasureOutcome.self) }
        }
        return sealing
    }

    /// The `retention` section: whole days or `never` per kind of record; `audit` may only be `never`.
    private mutating func retention(_ node: Node?) -> JurisdictionPolicy.Retention {
        var retention = JurisdictionPolicy.Retention.standard
        let kinds = RetainedRecord.allCases.map(\.rawValue)
        guard !isNull(node), let m = mapping(node, "retention", allowed: kinds + ["audit"], required: []) else { return retention }
        if let audit = m["audit"], !isNull(audit), audit.string != "never" {
            problem("retention.audit", "The audit trail is never removed: each entry is chained to the one before it. Write never.", at: audit)
        }
        for kind in RetainedRecord.allCases {
            let path = "retention.\(kind.rawValue)"
            guard let value = m[kind.rawValue], !isNull(value) else { continue }
            if value.string == "never" {
                retention.days[kind] = nil
            } else if let n = value.int {
                retention.days[kind] = n
            } else {
                problem(path, "Give whole days, such as 365, or never.", at: value)
            }
        }
        return retention
    }

    private mutating func substance(_ node: Node, _ path: String) -> JurisdictionPolicy.Substance? {
        let fields = ["code", "name", "unit", "threshold", "basis", "assumedPurityPercent", "traffickingMultiple", "labels"]
        guard let s = mapping(node, path, allowed: fields, required: ["code", "name", "unit", "threshold", "basis", "traffickingMultiple"]) else { return nil }
        let code = string(s["code"], "\(path).code")
        let name = string(s["name"], "\(path).name")
        var unit: QuantityUnit?
        if let text = string(s["unit"], "\(path).unit") {
            unit = QuantityUnit(text: text)
            if unit == nil {
                problem("\(path).unit", "'\(text)' is not a unit; use \(QuantityUnit.allCases.map(\.rawValue).joined(separator: ", ")).", at: s["unit"])
            }
        }
        let threshold = number(s["threshold"], "\(path).threshold")
        let basis = choice(s["basis"], "\(path).basis", ThresholdBasis.self)
        let purity = isNull(s["assumedPurityPercent"]) ? nil : number(s["assumedPurityPercent"], "\(path).assumedPurityPercent")
        let multiple = number(s["traffickingMultiple"], "\(path).traffickingMultiple")
        guard let code, let name, let unit, let threshold, let basis, let multiple else { return nil }
        return .init(code: code, name: name, unit: unit, threshold: threshold, basis: basis, assumedPurityPercent: purity, traffickingMultiple: multiple,
                     labels: labels(s["labels"], "\(path).labels"))
    }

    /// A name by language code (`{en: ..., ar: ...}`), for codes a policy defines and the interface has no message for.
    private mutating func labels(_ node: Node?, _ path: String) -> [String: String]? {
        guard let node, !isNull(node), let pairs = codes(node, path) else { return nil }
        var labels: [String: String] = [:]
        for (language, value) in pairs {
            // Language codes are lower-case ISO 639-1 letters, as the interface names its catalogues.
            guard language.count == 2, language.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
                problem("\(path).\(language)", "'\(language)' is not a two-letter language code such as en, es, fr, ru, ar or zh.", at: node)
                continue
            }
            if let text = string(value, "\(path).\(language)") { labels[language] = text }
        }
        return labels.isEmpty ? nil : labels
    }

    private mutating func exclusions(_ node: Node?) -> JurisdictionPolicy.Exclusions? {
        let path = "exclusions"
        let flags = ["violence", "weapon", "supplyToMinors", "nearSchool", "organisedCrime"]
        guard let e = mapping(node, path, allowed: flags + ["priorSeriousConvictionYears", "maxDiversions"], required: Set(flags)) else { return nil }
        let values = flags.map { flag(e[$0], "\(path).\($0)") }
        let years = isNull(e["priorSeriousConvictionYears"]) ? nil : integer(e["priorSeriousConvictionYears"], "\(path).priorSeriousConvictionYears")
        var limit: JurisdictionPolicy.DiversionLimit?
        if !isNull(e["maxDiversions"]),
           let m = mapping(e["maxDiversions"], "\(path).maxDiversions", allowed: ["count", "years"], required: ["count", "years"]),
           let count = integer(m["count"], "\(path).maxDiversions.count"), let within = integer(m["years"], "\(path).maxDiversions.years") {
            limit = .init(count: count, years: within)
        }
        let set = values.compactMap { $0 }
        guard set.count == flags.count else { return nil }
        return .init(violence: set[0], weapon: set[1], supplyToMinors: set[2], nearSchool: set[3], organisedCrime: set[4],
                     priorSeriousConvictionYears: years, maxDiversions: limit)
    }
}
