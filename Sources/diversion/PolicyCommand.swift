import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation

/// `diversion policy check FILE`: reads a jurisdiction policy and reports every problem with its place.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy", abstract: "Jurisdiction policy files.", subcommands: [Check.self, Activate.self, List.self])

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file and make it the active version; running servers use it at once. Earlier versions are kept."
        )

        @Argument(help: "The YAML policy file.") var file: String

        func run() async throws {
            let (text, _) = try readPolicyFile(file, failure: "nothing was activated")
            try await withApplication(migrate: true) { app, _ in
                do {
                    let summary = try await PolicyStore().activate(text, by: "command line", at: Date(), on: app.db)
                    say("Active policy: \(summary.jurisdiction) version \(summary.version), effective \(summary.effectiveDate).")
                } catch PolicyActivationError.versionTaken(let jurisdiction, let version) {
                    throw CommandFailure("\(jurisdiction) version \(version) is stored with different content; give the changed policy a new version")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stored policy versions, newest first.")

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                let rows = try await PolicyStore().versions(on: app.db).map {
                    [$0.active ? "*" : "", $0.jurisdiction, $0.version, $0.effectiveDate, $0.activatedAt?.formatted(.iso8601) ?? "", $0.activatedBy ?? ""]
                }
                printTable(["ACTIVE", "JURISDICTION", "VERSION", "EFFECTIVE", "ACTIVATED", "BY"], rows)
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file; exit 0 when it has no problems, 1 listing each problem as FILE:LINE:COLUMN."
        )

        @Argument(help: "The YAML policy file.") var file: String

        func run() async throws {
            let (_, policy) = try readPolicyFile(file)
            let label = policy.illustrative ? ", illustrative only" : ""
            say("\(file): \(policy.jurisdiction), version \(policy.version), effective \(policy.effectiveDate)\(label): "
                + "\(policy.substances.count) substances, \(policy.offenceCategories.count) offence categories, "
                + "\(policy.routes.count) route rules; no problems")
        }
    }
}

/// Reads and checks a policy file; on problems prints each as FILE:LINE:COLUMN and fails.
func readPolicyFile(_ file: String, failure: String? = nil) throws -> (String, JurisdictionPolicy) {
    let text: String
    do {
        text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
        throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
    }
    switch PolicyFile.read(text) {
    case .success(let policy):
        return (text, policy)
    case .failure(let problems):
        for problem in problems.all {
            let place = problem.line.map { "\($0):\(problem.column ?? 1)" } ?? "1:1"
            let path = problem.path.isEmpty ? "" : "\(problem.path): "
            FileHandle.standardError.write(Data("\(file):\(place): \(path)\(problem.message)\n".utf8))
        }
        let count = problems.all.count
        throw CommandFailure("\(count) problem\(count == 1 ? "" : "s") in \(file)" + (failure.map { "; \($0)" } ?? ""))
    }
}
