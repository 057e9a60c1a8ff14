import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation

/// `diversion retention run [--dry-run]`: applies the active policy's retention periods.
struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retention", abstract: "Retention of personal data.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove or anonymise what is past the active policy's retention periods, one transaction per kind of record; the audit trail is never touched."
        )

        @Flag(help: "Count what is due without changing anything.") var dryRun = false
        @Option(help: "Days the answers to idempotent writes (offline captures) are kept for retries.")
        var idempotencyDays = RetentionRun.defaultIdempotencyDays

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                guard let active = try await PolicyStore().activeDocument(on: app.db) else {
                    throw CommandFailure("no policy is active; activate one with `diversion policy activate FILE` first")
                }
                guard case .success(let policy) = PolicyFile.read(active.document) else {
                    throw CommandFailure("the active policy no longer reads; activate a corrected version")
                }
                let name = "\(policy.jurisdiction) \(policy.version)"
                let lines = try await RetentionRun(retention: policy.retention, policyName: name, idempotencyDays: idempotencyDays)
                    .run(now: Date(), dryRun: dryRun, trail: AuditTrail(database: app.db), on: app.db)
                say(dryRun ? "Retention under \(name), dry run: nothing was changed." : "Retention under \(name):")
                printTable(["RECORDS", "KEPT", "BEFORE", dryRun ? "DUE" : "DONE", "TREATMENT"], lines.map { line in
                    [line.kind, line.days.map { "\($0) days" } ?? "-", line.cutoff.map { CalendarDate($0).description } ?? "-",
                     String(line.count), line.treatment]
                })
            }
        }
    }
}
