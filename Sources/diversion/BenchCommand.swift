import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation

/// `diversion bench eligibility`: evaluations per second in the core, against a bare threshold comparison.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure hot paths on this machine.", subcommands: [EligibilityBench.self, MonitoringBench.self, PingsBench.self, IndicatorBench.self, SimulationBench.self, PathwayBench.self])

    struct EligibilityBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eligibility", abstract: "Eligibility evaluations per second in the core, and the ratio to a bare threshold comparison."
        )

        @Option(help: "A policy file; the demo policy when left out.") var policy: String?
        @Option(help: "Seconds to measure each side.") var seconds: Double = 5

        func validate() throws {
            guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be above 0 and at most 600") }
        }

        func run() async throws {
            let path = policy ?? AppResources.directory.appendingPathComponent("Policies/demo.yaml").path
            let (text, _) = try readPolicyFile(path, failure: "nothing was measured")
            guard case .success(let parsed) = PolicyFile.read(text) else { throw CommandFailure("\(path) is not a valid policy; run `diversion policy check` on it") }
            let result = EligibilityBenchmark.run(parsed, seconds: seconds)
            say("policy: \(parsed.jurisdiction) \(parsed.version), 1000 questions with history, \(ProcessInfo.processInfo.activeProcessorCount) cores, one thread")
            say(String(format: "eligibility evaluations:   %12.0f per second (%d in %.1f s), %.1f µs each", result.perSecond, result.evaluations, result.seconds, 1e6 / result.perSecond))
            say(String(format: "bare threshold comparison: %12.0f per second", result.baselinePerSecond))
            say(String(format: "evaluation / comparison = %.3f", result.perSecond / result.baselinePerSecond))
        }
    }

    struct MonitoringBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "monitoring", abstract: "Location pings checked per second in the core against a curfew and three zones (one with a hole)."
        )

        @Option(help: "Seconds to measure.") var seconds: Double = 5

        func validate() throws {
            guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be above 0 and at most 600") }
        }

        func run() async throws {
            let result = MonitoringBenchmark.run(seconds: seconds)
            say("one person, a curfew and 3 zones of 51 positions, one ping a minute; \(ProcessInfo.processInfo.activeProcessorCount) cores, one thread")
            say(String(format: "pings checked: %12.0f per second (%d in %.1f s), %d alerts opened", result.perSecond, result.pings, result.seconds, result.alertsOpened))
        }
    }
}
