import ArgumentParser
import DiversionApp
import Foundation
import Vapor

/// Starts the HTTP server, after migrating (and seeding the demo jurisdiction when asked).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Diversion server.")

    @ArgumentParser.Flag(help: "Seed the demo jurisdiction (agencies in R1–R3, one user per role, password 'demo') and print the logins.")
    var demo = false

    @ArgumentParser.Option(help: "Address to listen on.")
    var hostname = "127.0.0.1"

    @ArgumentParser.Option(help: "Port to listen on.")
    var port = 8080

    @ArgumentParser.Flag(name: .customLong("no-migrate"), help: "Do not run database migrations at start.")
    var noMigrate = false

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() async throws {
        let arguments = ["diversion", "serve", "--hostname", hostname, "--port", String(port)]
        try await withApplication(arguments: arguments, migrate: !noMigrate) { app, config in
            var participant: (participant: String, callInCode: String, accessCode: String)?
            if demo {
                participant = try await DemoJurisdiction.seed(app, caseload: true)
            }
            say("Diversion is starting at http://\(hostname):\(port)/ (database: \(config.database))")
            if demo {
                say("Demo logins, all with the password '\(DemoJurisdiction.password)':")
                for account in DemoJurisdiction.accounts {
                    let padded = account.username.padding(toLength: 11, withPad: " ", startingAt: 0)
                    say("  \(padded) \(account.role.rawValue) at R1, \(account.name)")
                }
                if let participant {
                    say("\(participant.participant) has a month of supervision on record; her call-in code is \(participant.callInCode) (http://\(hostname):\(port)/call-in).")
                    say("  her personal code for her own page is \(participant.accessCode) (http://\(hostname):\(port)/me).")
                }
            }
            try await app.execute()
        }
    }
}

/// Runs the database migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")

    func run() async throws {
        try await withApplication(migrate: true) { _, config in
            say("Database is up to date (\(config.database)).")
        }
    }
}

/// Seeds the demo jurisdiction without serving.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Demo data.", subcommands: [Seed.self, GenerateJurisdiction.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seed the demo jurisdiction into the configured database.")

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                try await DemoJurisdiction.seed(app, caseload: true)
                say("Demo jurisdiction seeded: \(DemoJurisdiction.accounts.count) users, password '\(DemoJurisdiction.password)'.")
            }
        }
    }
}
