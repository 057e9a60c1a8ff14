import DiversionCore
import Foundation
import Testing
@testable import DiversionStore

/// The policy files shipped with the product, found from this source file.
let shippedPolicies: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/DiversionApp/Resources/Policies")

func readPolicy(_ text: String) -> Result<JurisdictionPolicy, PolicyProblems> { PolicyFile.read(text) }

func problems(_ text: String) -> [PolicyProblem] {
    if case .failure(let p) = PolicyFile.read(text) { return p.all }
    return []
}

let minimalPolicy = """
jurisdiction: Testland
version: "1"
effectiveDate: 2026-01-01
ageOfMajority: 18
instruments: {adults: assist, minors: crafft}
nearThresholdBand: {fromPercent: 80, toPercent: 100}
substances:
  - {code: cannabis_herb, name: Cannabis herb, unit: g, threshold: 25, basis: gross, traffickingMultiple: 20}
offenceCategories:
  - {code: possession_personal_use, name: Possession, minor: true, nonViolent: true}
exclusions: {violence: true, weapon: true, supplyToMinors: true, nearSchool: false, organisedCrime: true}
routes:
  - {authority: police, stage: pre_trial, routes: [caution]}
"""

@Suite("Jurisdiction policy files")
struct PolicyFileTests {
    @Test(arguments: ["demo.yaml", "portugal-illustrative.yaml", "czechia-illustrative.yaml", "mexico-illustrative.yaml"])
    func everyShippedPolicyReadsWithoutProblems(file: String) throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent(file), encoding: .utf8)
        let policy = try readPolicy(text).get()
        #expect(!policy.substances.isEmpty)
        #expect(policy.illustrative)
        #expect(policy.instruments.minors == .crafft)
    }

    @Test func theDemoPolicyUsesBothBases() throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)
        let policy = try readPolicy(text).get()
        #expect(Set(policy.substances.map(\.basis)) == [.gross, .pure])
        #expect(policy.substance("heroin")?.assumedPurityPercent == 35)
        #expect(policy.substance("mdma")?.unit == .tablets)
    }

    @Test func theMexicanIllustrationCarriesTheThirdContactRule() throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent("mexico-illustrative.yaml"), encoding: .utf8)
        let policy = try readPolicy(text).get()
        #expect(policy.treatmentRequiredFromContact == 3)
        #expect(policy.substances.allSatisfy { $0.basis == .gross && $0.traffickingMultiple == 1000 })
    }

    @Test func theDemoPolicySetsSupervisionAndJuvenileRules() throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)
        let policy = try readPolicy(text).get()
        #expect(policy.supervision.timeZone == "Europe/Lisbon")
        #expect(policy.supervision.responses == .standard)
        #expect(policy.juvenile.guardianContactRequired)
        #expect(policy.juvenile.allowed?.contains(.homeDetention) == false)
        let minimal = try readPolicy(minimalPolicy).get()
        #expect(minimal.supervision == .standard && minimal.juvenile == .standard)
    }

    @Test func aPolicyCanCarryItsOwnResponseMatrix() throws {
        let text = minimalPolicy + "\n" + """
        supervision:
          timeZone: America/Mexico_City
          responses:
            options:
              - {code: praise, name: Praise, kind: incentive, magnitude: 1}
              - {code: warning, name: Warning, kind: sanction, magnitude: 1}
              - {code: reassess, name: Reassessment, kind: treatment_adjustment, magnitude: 1}
            phases:
              - {number: 1, name: Only, promotion: {minDaysInPhase: 30, minConsecutiveNegativeTests: 2, minAttendanceRate: 0.8}}
            rules:
              - {behaviour: negative_test_run, steps: [[praise]]}
              - {behaviour: completed_hours, steps: [[praise]]}
              - {behaviour: phase_criteria_met, steps: [[praise]]}
              - {behaviour: attended_all_sessions, steps: [[praise]]}
              - {behaviour: payment_made, steps: [[praise]]}
              - {behaviour: missed_test, steps: [[warning]]}
              - {behaviour: positive_test, steps: [[warning]]}
              - {behaviour: dilute_or_adulterated_test, steps: [[warning]]}
              - {behaviour: missed_appointment, steps: [[warning]]}
              - {behaviour: late_appointment, steps: [[warning]]}
              - {behaviour: new_arrest, steps: [[warning]]}
              - {behaviour: curfew_violation, steps: [[warning]]}
              - {behaviour: zone_violation, steps: [[warning]]}
              - {behaviour: payment_missed, steps: [[warning]]}
            lookBackDays: 30
            earlyTreatment: {days: 60, steps: [[reassess]]}
            incentiveRatioTarget: 4
        """
        let policy = try readPolicy(text).get()
        #expect(policy.supervision.timeZone == "America/Mexico_City")
        #expect(policy.supervision.responses.options.map(\.code) == ["praise", "warning", "reassess"])
    }

    @Test(arguments: [
        ("supervision: {timeZone: Mars/Base}", "supervision.timeZone"),
        ("supervision: {noSignalMinutes: 0}", "supervision.noSignalMinutes"),
        ("supervision: {responses: {options: 3}}", "supervision.responses"),
        ("juvenile: {allowed: [flogging]}", "juvenile.allowed[0]"),
        ("juvenile: {allowed: []}", "juvenile.allowed"),
        ("juvenile: {guardianContactRequired: perhaps}", "juvenile.guardianContactRequired"),
    ])
    func badSupervisionAndJuvenileSettingsAreNamed(line: String, path: String) {
        let found = problems(minimalPolicy + "\n" + line + "\n")
        #expect(found.contains { $0.path == path }, "\(found)")
    }

    @Test func theDemoPolicySealsCompletedCasesAndSetsRetention() throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)
        let policy = try readPolicy(text).get()
        #expect(policy.sealing == .init(onCompletion: true, outcomes: [.completed], afterDays: 0))
        #expect(policy.retention.days[.monitoringPings] == 90)
        #expect(policy.retention.days[.casesAndMeasures] == 3650)
        let minimal = try readPolicy(minimalPolicy).get()
        #expect(minimal.sealing == .standard && minimal.retention == .standard)
        #expect(minimal.sealing.onCompletion == false)
    }

    @Test func retentionTakesDaysOrNever() throws {
        let text = minimalPolicy + "\nretention: {monitoringPings: 30, contacts: never, audit: never}\nsealing: {onCompletion: true, outcomes: [completed, transferred], afterDays: 14}\n"
        let policy = try readPolicy(text).get()
        #expect(policy.retention.days[.monitoringPings] == 30)
        #expect(policy.retention.days[.contacts] == nil)
        #expect(policy.retention.days[.screenings] == JurisdictionPolicy.Retention.standard.days[.screenings])
        #expect(policy.sealing.outcomes == [.completed, .transferred])
        #expect(policy.sealing.afterDays == 14)
    }

    @Test(arguments: [
        ("sealing: {onCompletion: sometimes}", "sealing.onCompletion"),
        ("sealing: {outcomes: [graduated]}", "sealing.outcomes[0]"),
        ("sealing: {onCompletion: true, outcomes: []}", "sealing.outcomes"),
        ("sealing: {outcomes: [completed, completed]}", "sealing.outcomes"),
        ("sealing: {afterDays: -1}", "sealing.afterDays"),
        ("sealing: {sealAll: true}", "sealing.sealAll"),
        ("retention: {monitoringPings: 0}", "retention.monitoringPings"),
        ("retention: {contacts: forever}", "retention.contacts"),
        ("retention: {audit: 365}", "retention.audit"),
        ("retention: {photos: 30}", "retention.photos"),
        ("retention: 90", "retention"),
    ])
    func badSealingAndRetentionSettingsAreNamed(line: String, path: String) {
        let found = problems(minimalPolicy + "\n" + line + "\n")
        #expect(found.contains { $0.path == path }, "\(found)")
        #expect(found.allSatisfy { $0.line != nil }, "\(found)")
    }

    @Test func aMinimalPolicyReads() throws {
        let policy = try readPolicy(minimalPolicy).get()
        #expect(policy.jurisdiction == "Testland")
        #expect(policy.effectiveDate == CalendarDate(year: 2026, month: 1, day: 1))
        #expect(policy.illustrative == false)
    }

    @Test func aSyntaxErrorGivesItsLineAndColumn() {
        let found = problems("jurisdiction: Testland\nversion: [1\n")
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("YAML syntax") == true)
    }

    @Test func everyProblemIsReportedWithWhereItIs() {
        let text = minimalPolicy
            .replacingOccurrences(of: "threshold: 25", with: "threshold: -2")
            .replacingOccurrences(of: "unit: g,", with: "unit: kilos,")
            .replacingOccurrences(of: "stage: pre_trial", with: "stage: arrest")
            .replacingOccurrences(of: "ageOfMajority: 18", with: "ageOfMajority: eighteen\ncolour: blue")
        let found = problems(text)
        #expect(Set(found.map(\.path)) == ["ageOfMajority", "colour", "substances[0].unit", "routes[0].stage"])
        let unit = found.first { $0.path == "substances[0].unit" }
        #expect(unit?.line == 9)
        #expect(unit?.column != nil)
    }

    @Test func rulesBetweenFieldsPointAtTheField() {
        let text = minimalPolicy
            .replacingOccurrences(of: "basis: gross", with: "basis: pure")
            .replacingOccurrences(of: "fromPercent: 80", with: "fromPercent: 120")
        let found = problems(text)
        #expect(found.map(\.path).sorted() == ["nearThresholdBand", "substances[0].assumedPurityPercent"])
        #expect(found.allSatisfy { $0.line != nil })
        let purity = found.first { $0.path == "substances[0].assumedPurityPercent" }
        #expect(purity?.line == 8)
    }

    @Test func countsCannotBePure() {
        let text = minimalPolicy.replacingOccurrences(
            of: "unit: g, threshold: 25, basis: gross",
            with: "unit: tablets, threshold: 4, basis: pure, assumedPurityPercent: 50"
        )
        #expect(problems(text).map(\.path) == ["substances[0].basis"])
    }

    @Test func missingSectionsAreNamed() {
        let found = problems("jurisdiction: Testland\nversion: \"1\"\n")
        #expect(Set(found.map(\.path)).isSuperset(of: ["effectiveDate", "substances", "exclusions", "routes", "instruments"]))
    }

    @Test func anEmptyFileSaysSo() {
        #expect(problems("").first?.message == "The file is empty.")
    }
}

@Suite("Quantities")
struct QuantityTests {
    @Test(arguments: [
        (QuantityUnit.g, 1.0, QuantityUnit.mg, 1000.0), (.mg, 500, .g, 0.5), (.µg, 500, .mg, 0.5), (.g, 2, .g, 2),
    ])
    func massesConvert(from: QuantityUnit, amount: Double, to: QuantityUnit, expected: Double) throws {
        let converted = try #require(from.convert(amount, to: to))
        #expect(abs(converted - expected) < 1e-9)
    }

    @Test(arguments: [(QuantityUnit.tablets, QuantityUnit.g), (.g, .plants), (.pieces, .blotters)])
    func countsNeverConvertToMass(from: QuantityUnit, to: QuantityUnit) {
        #expect(from.convert(1, to: to) == nil)
    }

    @Test func microgramsAreReadHoweverTheyAreTyped() {
        #expect(QuantityUnit(text: "ug") == .µg)
        #expect(QuantityUnit(text: "mcg") == .µg)
        #expect(QuantityUnit(text: "µg") == .µg)
        #expect(QuantityUnit(text: "kg") == nil)
    }
}

@Suite("Policy routes")
struct PolicyRouteTests {
    @Test func aDiversionRouteMustBeOneOfTheEntrysRoutes() {
        let text = minimalPolicy.replacingOccurrences(of: "routes: [caution]}", with: "routes: [caution], diversion: treatment}")
        #expect(problems(text).map(\.path) == ["routes[0].diversion"])
    }

    @Test func theDemoPolicySaysWherePoliceCasesGo() throws {
        let text = try String(contentsOf: shippedPolicies.appendingPathComponent("demo.yaml"), encoding: .utf8)
        let rule = try #require(try readPolicy(text).get().routeRule(.police, .preTrial))
        #expect(rule.diversion == "referral_to_treatment")
        #expect(rule.otherwise == "refer_to_prosecutor")
    }
}
