import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation

/// `diversion bench simulation`: candidate policies replayed over generated contacts in memory, no database.
struct SimulationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulation",
        abstract: "Time the policy simulation: candidate policies derived from a policy, replayed over contacts generated in memory from a seed."
    )

    @ArgumentParser.Option(help: "A policy file; the demo policy when left out.") var policy: String?
    @ArgumentParser.Option(help: "Contacts to generate.") var contacts: Int = 1_000_000
    @ArgumentParser.Option(help: "Candidate policies to derive and replay.") var policies: Int = 20
    @ArgumentParser.Option(help: "The seed of the generated contacts and candidates.") var seed: UInt64 = 42
    @ArgumentParser.Option(help: "Also check the compiled rules against the full evaluation on this many generated questions per policy.") var check: Int = 0

    func validate() throws {
        guard (1...20_000_000).contains(contacts) else { throw ValidationError("--contacts must be from 1 to 20000000") }
        guard (1...200).contains(policies) else { throw ValidationError("--policies must be from 1 to 200") }
        guard (0...1_000_000).contains(check) else { throw ValidationError("--check must be from 0 to 1000000") }
    }

    func run() async throws {
        let path = policy ?? AppResources.directory.appendingPathComponent("Policies/demo.yaml").path
        let (_, parsed) = try readPolicyFile(path, failure: "nothing was measured")
        let result = SimulationBenchmark.run(parsed, contacts: contacts, policies: policies, seed: seed)
        let count = PolicySimulation.format(count:)
        say("policy: \(parsed.jurisdiction) \(parsed.version); \(count(result.contacts)) contacts generated in \(formatSeconds(result.generateSeconds)) (seed \(seed), not timed below); "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        say("simulation: \(result.policies) candidate policies × \(count(result.contacts)) contacts in \(formatSeconds(result.simulateSeconds)) "
            + "(the active policy's replay included): \(count(Int(result.contactPoliciesPerSecond.rounded()))) contacts × policies per second")
        let changed = result.reports.filter { !$0.rules.isEmpty }.count
        say("\(changed) of \(result.policies) candidates changed the diverted count; the largest change: "
            + "\(count(result.reports.map { abs($0.total.difference) }.max() ?? 0)) contacts")
        if check > 0 {
            let candidates = SimulationBenchmark.candidates(from: parsed, count: policies, seed: seed &+ 1)
            var mismatches = 0
            for (i, p) in ([parsed] + candidates).enumerated() {
                let outcome = SimulationCheck.compare(p, questions: SimulationCheck.questions(for: p, count: check, seed: seed &+ UInt64(i)))
                mismatches += outcome.mismatches.count
                for m in outcome.mismatches.prefix(3) { say("mismatch under \(p.version): \(m)") }
            }
            say("check: the compiled rules and the full evaluation \(mismatches == 0 ? "agree" : "disagree \(mismatches) times") on \(count(check)) generated questions × \(policies + 1) policies")
            if mismatches > 0 { throw CommandFailure("the compiled rules disagree with the full evaluation") }
        }
    }
}
