import ArgumentParser
import DiversionApp
import DiversionCore
import Foundation

/// `diversion services export|import`: the service directory in Open Referral HSDS JSON.
struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services", abstract: "The service directory in Open Referral HSDS JSON.", subcommands: [Export.self, Import.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the whole directory as an HSDS JSON array of services, ordered by name, keys sorted."
        )

        @ArgumentParser.Option(help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            let data = try await withApplication(migrate: true) { app, _ in
                try await ServiceInterchange().export(on: app.db)
            }
            guard let output else {
                FileHandle.standardOutput.write(data)
                return
            }
            do {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an HSDS JSON file: new ids are created, known ones updated, all in one transaction. "
                + "On any problem, list each as FILE: services[i].path: message, change nothing and exit 1."
        )

        @Argument(help: "The HSDS JSON file: an array of service objects.") var file: String
        @ArgumentParser.Option(help: "The agency, by name or id, that runs every service in the file; otherwise each service's organization id, then name.")
        var agency: String?

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            let file = self.file, reference = agency
            let outcome = try await withApplication(migrate: true) { app, _ in
                let interchange = ServiceInterchange()
                var agencyID: UUID?
                if let reference {
                    do { agencyID = try await interchange.agency(reference, on: app.db) } catch let failure as ValidationFailure {
                        throw CommandFailure(failure.errors.first?.reason ?? "no agency is named '\(reference)'")
                    }
                }
                let now = Date()
                do {
                    return try await interchange.importDocument(data, agencyID: agencyID, now: now, into: app) { action, id in
                        AuditEvent(
                            occurredAt: now, userID: nil, username: "command line", agencyID: nil, action: action,
                            resourceType: "service", resourceID: id, purpose: "service directory import"
                        )
                    }
                } catch let failure as ValidationFailure {
                    for problem in failure.errors {
                        FileHandle.standardError.write(Data("\(file): \(problem.field): \(problem.reason)\n".utf8))
                    }
                    let count = failure.errors.count
                    throw CommandFailure("\(count) problem\(count == 1 ? "" : "s") in \(file); nothing was imported")
                }
            }
            say("Imported \(file): \(outcome.created) created, \(outcome.updated) updated, \(outcome.unchanged) unchanged.")
        }
    }
}
