import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation

/// `diversion simulate --policy CANDIDATE.yaml`: replays the recorded contacts under candidate policies and compares
/// each with the active policy.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay the contacts of the evidence tables under candidate policies and compare each with the active policy: "
            + "diverted counts by group, custody days and cost, and the rules that made the difference."
    )

    @ArgumentParser.Option(name: .customLong("policy"), help: "A candidate policy file; repeat for several.") var policies: [String] = []
    @ArgumentParser.Option(help: "The first day counted, YYYY-MM-DD; earlier contacts still count as history.") var from: String?
    @ArgumentParser.Option(help: "The last day counted, YYYY-MM-DD.") var to: String?
    @ArgumentParser.Option(help: "Cut the counts by these, comma-separated: \(SimulationDimension.allCases.map(\.rawValue).joined(separator: ", ")).") var by: String?
    @Flag(help: "Print the reports as JSON.") var json = false

    func validate() throws {
        guard !policies.isEmpty else { throw ValidationError("Give at least one --policy CANDIDATE.yaml.") }
        guard policies.count <= 50 else { throw ValidationError("Give at most 50 candidate policies at once.") }
        if let from, CalendarDate(from) == nil { throw ValidationError("'\(from)' is not a date; write --from YYYY-MM-DD.") }
        if let to, CalendarDate(to) == nil { throw ValidationError("'\(to)' is not a date; write --to YYYY-MM-DD.") }
        if let f = from.flatMap(CalendarDate.init), let t = to.flatMap(CalendarDate.init), t < f {
            throw ValidationError("--to \(t) is before --from \(f).")
        }
        do {
            _ = try SimulationDimension.parse(by)
        } catch {
            throw ValidationError(error.summary)
        }
    }

    func run() async throws {
        // Every candidate is read before the database is opened, so a problem costs nothing.
        var candidates: [JurisdictionPolicy] = []
        for file in policies {
            candidates.append(try readPolicyFile(file, failure: "nothing was simulated").1)
        }
        let fromDay = from.flatMap(CalendarDate.init), toDay = to.flatMap(CalendarDate.init)
        let dimensions = (try? SimulationDimension.parse(by)) ?? []
        let files = policies, asJSON = json
        try await withApplication(migrate: true) { app, _ in
            let baseline = try await activePolicy(of: app)
            let clock = ContinuousClock()
            var contacts = ReplayContactsBuilder().build()
            let load = try await clock.measure {
                contacts = try await SimulationLoader().load(to: toDay, on: app.db)
            }.seconds
            var reports: [SimulationReport] = []
            let simulate = clock.measure {
                reports = PolicySimulation.run(contacts: contacts, baseline: baseline, candidates: candidates, groupBy: dimensions, from: fromDay, to: toDay)
            }.seconds
            let published = reports.map { $0.published() }
            let timing = SimulationTiming(loadSeconds: load, simulateSeconds: simulate, contactsLoaded: contacts.count, policies: candidates.count)
            if asJSON {
                try printJSON(SimulationOutput(timing: timing, reports: published))
            } else {
                printSimulation(published, files: files, timing: timing)
            }
        }
    }
}

/// How long the load and the replay took, reported apart.
struct SimulationTiming: Encodable {
    var loadSeconds: Double
    var simulateSeconds: Double
    /// Contacts read, history before the period included.
    var contactsLoaded: Int
    var policies: Int

    var contactPolicies: Int { contactsLoaded * policies }
}

/// The JSON document of `simulate --json`.
struct SimulationOutput: Encodable {
    var timing: SimulationTiming
    var reports: [PublishedSimulation]

    enum CodingKeys: String, CodingKey { case timing, reports, contactPolicies }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timing, forKey: .timing)
        try c.encode(timing.contactPolicies, forKey: .contactPolicies)
        try c.encode(reports, forKey: .reports)
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// The readable report: one section per candidate, withheld counts marked, assumptions printed beside the figures.
func printSimulation(_ reports: [PublishedSimulation], files: [String], timing: SimulationTiming) {
    let n = { (v: Int?) in v.map(SimulationText.count) ?? "*" }
    let signed = { (v: Int?) in v.map { ($0 > 0 ? "+" : "") + SimulationText.count($0) } ?? "*" }
    let money = { (v: Double?) in v.map { SimulationText.money($0) } ?? "*" }
    guard let first = reports.first else { return }
    let period = [first.from.map { "from \($0)" }, first.to.map { "to \($0)" }].compactMap { $0 }.joined(separator: " ")
    say("Policy simulation against the active policy \(first.baseline.jurisdiction) \(first.baseline.version)\(period.isEmpty ? "" : ", contacts \(period)")")
    say("Loaded \(SimulationText.count(timing.contactsLoaded)) contacts in \(formatSeconds(timing.loadSeconds)); "
        + "simulated \(timing.policies) polic\(timing.policies == 1 ? "y" : "ies") in \(formatSeconds(timing.simulateSeconds)) "
        + "(\(SimulationText.count(timing.contactPolicies)) contacts × policies, \(SimulationText.perSecond(timing.contactPolicies, timing.simulateSeconds)) per second).")
    for (i, r) in reports.enumerated() {
        say("")
        say("== Candidate \(r.candidate.jurisdiction) \(r.candidate.version) (\(i < files.count ? files[i] : "candidate \(i + 1)"))")
        say("Contacts counted: \(n(r.total.contacts)); recorded as diverted: \(n(r.total.recordedDiverted)).")
        say("Diverted in the replay: active policy \(n(r.total.baselineDiverted)), candidate \(n(r.total.candidateDiverted)), difference \(signed(r.total.difference)).")
        say("Rules that made the difference:")
        if r.rules.isEmpty {
            say("  none: the candidate decides every contact as the active policy does.")
        }
        for rule in r.rules { say("  - \(rule.sentence)") }
        let c = r.custody
        say("Custody days avoided: active policy \(n(c.baselineDays)), candidate \(n(c.candidateDays)), difference \(signed(c.daysDifference)).")
        say("Saving in \(c.currency): active policy \(money(c.baselineSaving)), candidate \(money(c.candidateSaving)), difference \(money(c.savingDifference)) "
            + "(custody days avoided × (prison \(Eligibility.format(c.prisonPerDay)) − \(c.alternative.replacingOccurrences(of: "_", with: " ")) \(Eligibility.format(c.alternativePerDay))) a day).")
        if !r.groups.isEmpty {
            say("By \(r.dimensions.map(\.rawValue).joined(separator: ", ")):")
            let header = r.dimensions.map { $0.rawValue.uppercased() } + ["CONTACTS", "RECORDED DIVERTED", "ACTIVE", "CANDIDATE", "DIFFERENCE"]
            let rows = r.groups.map { g in g.group + [n(g.contacts), n(g.recordedDiverted), n(g.baselineDiverted), n(g.candidateDiverted), signed(g.difference)] }
            // Through `say`, like every other line, so the table keeps its place in the output.
            let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
            for line in [header] + rows {
                say(line.enumerated().map { i, cell in i == line.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            }
        }
        if r.groups.contains(where: { [$0.contacts, $0.recordedDiverted, $0.baselineDiverted, $0.candidateDiverted].contains(nil) })
            || r.rules.contains(where: { $0.becameEligible == nil || $0.becameIneligible == nil })
            || [r.total.contacts, r.total.baselineDiverted, r.total.candidateDiverted].contains(nil) {
            say("* withheld: counts from 1 to \(r.suppressionThreshold - 1), and the cells that would reveal them (\(r.suppressionMethod)).")
        }
    }
    say("")
    say("Assumptions:")
    for a in first.assumptions { say("  - \(a)") }
}

/// Numbers as the command line prints them.
enum SimulationText {
    static func count(_ n: Int) -> String { PolicySimulation.format(count: n) }

    static func perSecond(_ n: Int, _ seconds: Double) -> String { seconds > 0 ? count(Int((Double(n) / seconds).rounded())) : "-" }

    static func money(_ v: Double) -> String { (v < 0 ? "-" : "") + count(Int(v.magnitude.rounded())) }
}
