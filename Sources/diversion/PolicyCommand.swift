import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation

/// `diversion policy check FILE`: reads a jurisdiction policy and reports every problem with its place.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy", abstract: "Jurisdiction policy files.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy file; exit 0 when it has no problems, 1 listing each problem as FILE:LINE:COLUMN."
        )

        @Argument(help: "The YAML policy file.") var file: String

        func run() async throws {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            switch PolicyFile.read(text) {
            case .success(let policy):
                let label = policy.illustrative ? ", illustrative only" : ""
                say("\(file): \(policy.jurisdiction), version \(policy.version), effective \(policy.effectiveDate)\(label): "
                    + "\(policy.substances.count) substances, \(policy.offenceCategories.count) offence categories, "
                    + "\(policy.routes.count) route rules; no problems")
            case .failure(let problems):
                for problem in problems.all {
                    let place = problem.line.map { "\($0):\(problem.column ?? 1)" } ?? "1:1"
                    let path = problem.path.isEmpty ? "" : "\(problem.path): "
                    FileHandle.standardError.write(Data("\(file):\(place): \(path)\(problem.message)\n".utf8))
                }
                let count = problems.all.count
                throw CommandFailure("\(count) problem\(count == 1 ? "" : "s") in \(file)")
            }
        }
    }
}
