import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// `diversion import contacts FILE.csv [--replace]`: past contacts and outcomes, so a programme can be evaluated from day one.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import past records for the evidence.", subcommands: [Contacts.self])

    struct Contacts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load past contacts and their outcomes from a CSV file (columns in docs/historical-import.md), all or nothing. "
                + "On any problem, list each as FILE: line N, column: message, change nothing and exit 1."
        )

        @ArgumentParser.Argument(help: "The CSV file: a header row naming the columns, then one contact per line.") var file: String
        @ArgumentParser.Flag(help: "Remove the historical contacts imported earlier before loading this file, in the same transaction.") var replace = false

        func run() async throws {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure("cannot read \(file): \(error.localizedDescription)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CommandFailure("\(file) is not UTF-8 text; save it as CSV in UTF-8")
            }
            let file = self.file, replace = self.replace
            let (outcome, seconds) = try await withApplication(migrate: true) { app, _ in
                let policy = try await activePolicy(of: app)
                let now = Date()
                let parsed: HistoricalImport
                do {
                    parsed = try HistoricalContacts.parse(text, policy: policy, today: CalendarDate(now))
                } catch let problems as HistoricalImportProblems {
                    throw importFailure(problems, file: file)
                }
                let started = Date()
                do {
                    let outcome = try await EvidenceStore().importHistorical(
                        parsed, replace: replace, fileName: file, at: now, trail: AuditTrail(database: app.db), on: app.db
                    )
                    return (outcome, Date().timeIntervalSince(started))
                } catch let problems as HistoricalImportProblems {
                    throw importFailure(problems, file: file)
                }
            }
            let removed = replace ? "; \(outcome.removed) earlier historical contact\(outcome.removed == 1 ? "" : "s") removed first" : ""
            say("Imported \(outcome.imported) contact\(outcome.imported == 1 ? "" : "s") from \(file)\(removed).")
            say("Database write: \(formatSeconds(seconds)), \(perSecond(outcome.imported, seconds)) rows per second.")
            say("Historical contacts on record: \(outcome.total).")
        }
    }
}

/// Prints every problem of a file on standard error and answers the one-line failure.
func importFailure(_ problems: HistoricalImportProblems, file: String) -> CommandFailure {
    for problem in problems.errors {
        FileHandle.standardError.write(Data("\(file): \(problem)\n".utf8))
    }
    if problems.more > 0 {
        FileHandle.standardError.write(Data("\(file): … and \(problems.more) more problem\(problems.more == 1 ? "" : "s") not listed\n".utf8))
    }
    let count = problems.count
    return CommandFailure("\(count) problem\(count == 1 ? "" : "s") in \(file); nothing was imported")
}

/// The active jurisdiction policy, or a failure saying how to activate one.
func activePolicy(of app: Application) async throws -> JurisdictionPolicy {
    guard let active = try await PolicyStore().activeDocument(on: app.db) else {
        throw CommandFailure("no policy is active; activate one with `diversion policy activate FILE` first")
    }
    guard case .success(let policy) = PolicyFile.read(active.document) else {
        throw CommandFailure("the active policy no longer reads; activate a corrected version")
    }
    return policy
}

/// Whole rows per second; "-" when too quick to time.
func perSecond(_ count: Int, _ seconds: Double) -> String {
    guard seconds > 0 else { return "-" }
    return String(Int((Double(count) / seconds).rounded()))
}

func formatSeconds(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
