import DiversionCore
import DiversionStore
import Foundation
import Testing
@testable import DiversionApp

/// The cases in Tests/vectors that the core and the browser's /js/rules.js must both answer exactly.
/// With DIVERSION_REGENERATE_VECTORS=1 the core's answers are written into the files instead of checked;
/// review that diff, since the browser rules must then follow.
@Suite("Shared rule vectors")
struct SharedVectorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("vectors")
    static let policyFolder = folder.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/DiversionApp/Resources/Policies")
    static let regenerating = ProcessInfo.processInfo.environment["DIVERSION_REGENERATE_VECTORS"] == "1"

    /// One case as the files hold it; `policy` names a file of Resources/Policies (eligibility only).
    struct Case: Codable {
        var name: String
        var policy: String?
        var input: AnswerValue
        var expected: AnswerValue?
    }

    /// The question as the vectors and rules.js write it; the history is what the server would count.
    struct Question: Decodable {
        struct Seizure: Decodable {
            var substance: String
            var quantity: Double
            var unit: String
            var purityPercent: Double?
            var packaging: [String]?
        }
        struct Circumstances: Decodable {
            var violence, weapon, supplyToMinors, nearSchool, organisedCrime: Bool?
        }
        struct NearThreshold: Decodable {
            var date: CalendarDate
            var substance: String
            var percentOfThreshold: Double
        }
        struct History: Decodable {
            var contacts, diversions, seriousConvictions: [CalendarDate]?
            var nearThresholdSeizures: [NearThreshold]?
        }

        var authority: Authority?
        var stage: Stage?
        var occurredOn: CalendarDate
        var offences: [String]
        var seizures: [Seizure]
        var circumstances: Circumstances?
        var history: History?

        var core: EligibilityQuestion {
            let c = circumstances, h = history
            return EligibilityQuestion(
                authority: authority ?? .police, stage: stage ?? .preTrial, occurredOn: occurredOn, offences: offences,
                seizures: seizures.map { SeizureRecord(substance: $0.substance, quantity: $0.quantity, unit: $0.unit, purityPercent: $0.purityPercent, packaging: $0.packaging ?? []) },
                circumstances: ContactCircumstances(
                    violence: c?.violence ?? false, weapon: c?.weapon ?? false, supplyToMinors: c?.supplyToMinors ?? false,
                    nearSchool: c?.nearSchool ?? false, organisedCrime: c?.organisedCrime ?? false
                ),
                history: PriorRecord(
                    contacts: h?.contacts ?? [], diversions: h?.diversions ?? [], seriousConvictions: h?.seriousConvictions ?? [],
                    nearThresholdSeizures: (h?.nearThresholdSeizures ?? []).map { NearThresholdEvidence(date: $0.date, substance: $0.substance, percentOfThreshold: $0.percentOfThreshold) }
                )
            )
        }
    }

    static func load(_ file: String) throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: folder.appendingPathComponent(file)))
    }

    static func write(_ value: some Encodable, to file: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(contentsOf: Array("\n".utf8))
        try data.write(to: folder.appendingPathComponent(file))
    }

    /// Any encodable value as plain JSON, with the optional keys rules.js always sets present as null.
    static func json(_ value: some Encodable, nullable: [String] = []) throws -> AnswerValue {
        var json = try JSONDecoder().decode(AnswerValue.self, from: JSONEncoder().encode(value))
        if case .object(var object) = json {
            for key in nullable where object[key] == nil { object[key] = .null }
            json = .object(object)
        }
        return json
    }

    static func errors(_ failure: ValidationFailure) throws -> AnswerValue {
        .object(["errors": try json(failure.errors)])
    }

    static func policy(_ file: String) throws -> JurisdictionPolicy {
        try PolicyFile.read(String(contentsOf: policyFolder.appendingPathComponent(file), encoding: .utf8)).get()
    }

    /// The core's answer to one eligibility case, or its field errors.
    static func eligibility(_ c: Case, policies: [String: JurisdictionPolicy]) throws -> AnswerValue {
        let policy = try #require(policies[c.policy ?? ""], "\(c.name): no policy \(c.policy ?? "named")")
        let question = try JSONDecoder().decode(Question.self, from: JSONEncoder().encode(c.input))
        let answer: EligibilityAnswer
        do { answer = try Eligibility.evaluate(question.core, under: policy) } catch { return try errors(error) }
        return try json(answer, nullable: ["route"])
    }

    /// The answer POST /api/v1/screenings/score gives: its own field checks, then the instrument's.
    static func screening(_ c: Case) throws -> AnswerValue {
        let body = try JSONDecoder().decode(ScreeningController.ScoreRequest.self, from: JSONEncoder().encode(c.input))
        var problems = FieldErrors()
        let (instrument, sex) = ScreeningController.check(body.instrument, body.sex, body.answers, into: &problems)
        guard problems.isEmpty, let instrument, let answers = body.answers else { return try errors(ValidationFailure(problems.all)) }
        let result: ScreeningResult
        do { result = try Screening.score(instrument, answers: answers, sex: sex) } catch { return try errors(error) }
        return try json(ScreeningController.ScoreResponse(result), nullable: ["substances"])
    }

    static let policyFiles = ["demo.yaml", "portugal-illustrative.yaml", "czechia-illustrative.yaml", "mexico-illustrative.yaml"]

    /// Checks every case against `answer`, or with DIVERSION_REGENERATE_VECTORS=1 rewrites the file with the answers.
    static func run(_ file: String, answer: (Case) throws -> AnswerValue) throws -> [Case] {
        var cases = try load(file)
        #expect(!cases.isEmpty, "\(file) holds no cases")
        #expect(Set(cases.map(\.name)).count == cases.count, "\(file) repeats a case name")
        for index in cases.indices {
            let actual = try answer(cases[index])
            if regenerating {
                cases[index].expected = actual
            } else if actual != cases[index].expected {
                Issue.record("\(file): \(cases[index].name): the core answers \(String(decoding: try JSONEncoder().encode(actual), as: UTF8.self))" as Comment)
            }
        }
        if regenerating {
            // One case a line: a change in the core shows in the diff as exactly the cases it changes.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let lines = try cases.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            try Data(("[\n" + lines.joined(separator: ",\n") + "\n]\n").utf8).write(to: folder.appendingPathComponent(file))
        }
        return cases
    }

    /// The fields of GET /api/v1/policy that the rules read; the rest (supervision, retention, …) is left out.
    static let ruleFields = ["jurisdiction", "version", "ageOfMajority", "instruments", "substances", "nearThresholdBand", "offenceCategories",
                             "exclusions", "routes", "treatmentRequiredFromContact", "timeLimits"]

    @Test("the policies file holds each shipped policy's rule fields exactly as GET /api/v1/policy encodes them")
    func policiesMatchTheShippedFiles() throws {
        var encoded: [String: AnswerValue] = [:]
        for file in Self.policyFiles {
            guard case .object(let all) = try Self.json(Self.policy(file)) else { continue }
            encoded[file] = .object(all.filter { Self.ruleFields.contains($0.key) })
        }
        if Self.regenerating { try Self.write(encoded, to: "policies.json") }
        let committed = try JSONDecoder().decode([String: AnswerValue].self, from: Data(contentsOf: Self.folder.appendingPathComponent("policies.json")))
        #expect(committed.keys.sorted() == Self.policyFiles.sorted())
        for file in Self.policyFiles {
            guard case .object(let want)? = encoded[file], case .object(let have)? = committed[file] else { continue }
            for key in Self.ruleFields where want[key] != have[key] {
                Issue.record("policies.json: \(file) \(key) differs from the policy file" as Comment)
            }
        }
    }

    @Test("the core gives the expected eligibility answer for every case")
    func eligibilityVectors() throws {
        let policies = try Dictionary(uniqueKeysWithValues: Self.policyFiles.map { ($0, try Self.policy($0)) })
        let cases = try Self.run("eligibility.json") { try Self.eligibility($0, policies: policies) }

        // Every rule must be seen both passing and failing, every indicator raised, and every policy used.
        var seen = Set<String>()
        for c in cases {
            guard case .object(let answer)? = c.expected else { continue }
            if case .array(let reasons)? = answer["reasons"] {
                for case .object(let r) in reasons {
                    if case .string(let rule)? = r["rule"], case .bool(let passed)? = r["passed"] { seen.insert("\(rule) \(passed)") }
                }
            }
            if case .array(let indicators)? = answer["indicators"] {
                for case .object(let i) in indicators { if case .string(let code)? = i["code"] { seen.insert("indicator \(code)") } }
            }
            if answer["errors"] != nil { seen.insert("errors \(c.policy ?? "")") }
            if case .bool(true)? = answer["eligible"] { seen.insert("eligible \(c.policy ?? "")") }
        }
        let rules = ["offence_category", "personal_use_threshold", "trafficking_presumption", "exclusion.violence", "exclusion.weapon",
                     "exclusion.supply_to_minors", "exclusion.near_school", "exclusion.organised_crime", "exclusion.prior_serious_conviction",
                     "exclusion.diversion_limit", "diversion_route"]
        let wanted = rules.flatMap { ["\($0) true", "\($0) false"] } + ["indicator packaging", "indicator near_threshold_repeat", "indicator treatment_required", "errors demo.yaml"]
            + Self.policyFiles.map { "eligible \($0)" }
        #expect(Set(wanted).subtracting(seen).isEmpty, "never seen: \(Set(wanted).subtracting(seen).sorted())")
    }

    @Test("the core gives the expected screening result for every case")
    func screeningVectors() throws {
        let cases = try Self.run("screening.json", answer: Self.screening)

        // Every level of every instrument, and refused answers for each, must be among the cases.
        var seen = Set<String>()
        for c in cases {
            guard case .object(let input) = c.input, case .string(let instrument)? = input["instrument"], case .object(let result)? = c.expected else { continue }
            if case .string(let level)? = result["level"] { seen.insert("\(instrument) \(level)") }
            if result["errors"] != nil { seen.insert("\(instrument) errors") }
        }
        let wanted = ["dast10 none", "dast10 low", "dast10 moderate", "dast10 substantial", "dast10 severe", "audit I", "audit II", "audit III", "audit IV",
                      "auditc positive", "auditc negative", "crafft positive", "crafft negative", "assist lower", "assist moderate", "assist high"]
            + ScreeningInstrument.allCases.map { "\($0.rawValue) errors" }
        #expect(Set(wanted).subtracting(seen).isEmpty, "never seen: \(Set(wanted).subtracting(seen).sorted())")
    }
}
