import ArgumentParser
import DiversionCore
import DiversionStore
import Foundation

extension ExportFormat: ExpressibleByArgument {}

/// `diversion export uncts|tdi --year Y [--format csv|json] [--output FILE]`: the year's figures in the shape of an
/// international reporting standard, always small-cell suppressed.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "A year's figures for an international reporting standard, small-cell suppressed.",
        subcommands: [UNCTS.self, TDI.self]
    )

    struct Options: ParsableArguments {
        @ArgumentParser.Option(help: "The year to export, such as 2025.") var year: String
        @ArgumentParser.Option(help: "csv (one line per cell) or json (the tables with their definitions and notes).") var format: ExportFormat = .csv
        @ArgumentParser.Option(help: "Write to this file instead of standard output.") var output: String?
    }

    struct UNCTS: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uncts",
            abstract: "UN-CTS: persons in formal contact, prosecuted and convicted for drug offences (ICCS 06011, 06012) by sex, "
                + "adult or juvenile and citizenship, and the alternatives used."
        )
        @ArgumentParser.OptionGroup var options: Options

        func run() async throws { try await ExportCommand.run(.uncts, options) }
    }

    struct TDI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tdi",
            abstract: "EMCDDA TDI 3.0: people entering treatment through a justice referral, by primary drug with sex, age group, "
                + "referral source and type of centre."
        )
        @ArgumentParser.OptionGroup var options: Options

        func run() async throws { try await ExportCommand.run(.tdi, options) }
    }

    /// Counts under the active policy, records the export in the audit trail, then writes it.
    static func run(_ standard: ExportStandard, _ options: Options) async throws {
        let year: Int
        do {
            year = try ExportTables.year(options.year, today: CalendarDate(Date()))
        } catch {
            throw CommandFailure(error.errors.first?.reason ?? "'\(options.year)' is not a year")
        }
        let format = options.format, output = options.output
        try await withApplication(migrate: true) { app, _ in
            let policy = try await activePolicy(of: app)
            let now = Date()
            let export = try await ExportQueries().export(standard, year: year, policy: policy, generatedAt: now, on: app.db)
            let data = try export.data(format)
            try await AuditTrail(database: app.db).record([AuditEvent(
                occurredAt: now, userID: nil, username: "command line", agencyID: nil, action: .read, resourceType: "statistical_export",
                resourceID: "\(standard.rawValue)-\(year)", purpose: "\(standard.rawValue) export for \(year) as \(format.rawValue)"
            )])
            guard let output else {
                FileHandle.standardOutput.write(data)
                return
            }
            do {
                try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
            }
            let cells = export.tables.reduce(0) { $0 + $1.rows.count }
            let withheld = export.tables.reduce(0) { $0 + $1.rows.filter(\.suppressed).count }
            say("Wrote \(export.fileName(format)) to \(output): \(export.tables.count) tables, \(cells) cells, \(withheld) withheld "
                + "(counts under \(export.threshold) and the cells that protect them).")
        }
    }
}
