import ArgumentParser
import DiversionApp
import DiversionCore
import DiversionStore
import Foundation
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// `diversion user add|list|unlock`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage user accounts.", subcommands: [Add.self, List.self, Unlock.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user. The password is read from standard input, or asked for twice at a terminal."
        )

        @ArgumentParser.Option(help: "Sign-in name: lowercase letters, digits, '.', '-' or '_'.") var username: String
        @ArgumentParser.Option(help: "A role: officer, prosecutor, judge, provider, supervisor, analyst or admin. Repeat or separate with commas.") var role: [String]
        @ArgumentParser.Option(help: "The agency, by name or id (see `diversion agency list`).") var agency: String
        @ArgumentParser.Option(help: "The name shown in the interface; defaults to the username.") var name: String?

        func run() async throws {
            let username = self.username.lowercased()
            if let problem = AccountRules.usernameProblem(username) { throw CommandFailure(problem) }
            var roles: Set<Role> = []
            for text in role.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let r = Role(rawValue: text) else {
                    throw CommandFailure("unknown role '\(text)'; use \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                roles.insert(r)
            }
            try await withApplication(migrate: true) { app, _ in
                let accounts = AccountStore()
                guard let agency = try await accounts.agency(self.agency, on: app.db), let type = agency.agencyType, let agencyID = agency.id else {
                    throw CommandFailure("no agency is named '\(self.agency)'; create it with `diversion agency add` or see `diversion agency list`")
                }
                if let problem = AccountRules.roleProblem(roles, agency: type) { throw CommandFailure(problem) }
                if try await accounts.user(username: username, on: app.db) != nil {
                    throw CommandFailure("the username '\(username)' is taken")
                }
                let password = try readNewPassword()
                let hash = try await app.password.async.hash(password)
                let displayName = name?.trimmingCharacters(in: .whitespaces).nilIfEmpty ?? username
                _ = try await accounts.createUser(username: username, displayName: displayName, passwordHash: hash, roles: roles, agencyID: agencyID, on: app.db)
                print("Created \(username) (\(roles.sorted().map(\.rawValue).joined(separator: ", "))) at \(agency.name).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List user accounts.")

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                let users = try await AccountStore().users(on: app.db)
                let now = Date()
                let rows = users.map { u -> [String] in
                    var status = u.disabled ? "disabled" : "active"
                    if let until = u.lockedUntil, until > now { status = "locked until \(until.formatted(.iso8601))" }
                    return [u.username, u.displayName, u.roles.sorted().map(\.rawValue).joined(separator: ","), u.$agency.value?.name ?? "", u.$agency.value?.region ?? "", status]
                }
                printTable(["USERNAME", "NAME", "ROLES", "AGENCY", "REGION", "STATUS"], rows)
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a sign-in lock after failed attempts.")
        @ArgumentParser.Option var username: String

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                let accounts = AccountStore()
                guard let user = try await accounts.user(username: username, on: app.db) else {
                    throw CommandFailure("no user is named '\(username)'")
                }
                try await accounts.saveLoginFailures(LoginFailures(), for: user, on: app.db)
                print("Unlocked \(user.username).")
            }
        }
    }
}

/// `diversion agency add|list`.
struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agency", abstract: "Manage agencies.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agency.")
        @ArgumentParser.Option(help: "The agency's name, unique.") var name: String
        @ArgumentParser.Option(help: "One of \(AgencyType.allCases.map(\.rawValue).joined(separator: ", ")).") var type: String
        @ArgumentParser.Option(help: "Region code, such as R1.") var region: String

        func run() async throws {
            guard let agencyType = AgencyType(rawValue: type) else {
                throw CommandFailure("unknown agency type '\(type)'; use \(AgencyType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let name = self.name.trimmingCharacters(in: .whitespaces)
            if let problem = AccountRules.agencyNameProblem(name) { throw CommandFailure(problem) }
            if let problem = AccountRules.regionProblem(region) { throw CommandFailure(problem) }
            try await withApplication(migrate: true) { app, _ in
                let accounts = AccountStore()
                if try await accounts.agency(name, on: app.db) != nil { throw CommandFailure("an agency named '\(name)' exists already") }
                let agency = try await accounts.createAgency(name: name, type: agencyType, region: region, on: app.db)
                print("Created agency \(name) (\(agencyType.rawValue), \(region)) with id \(agency.id?.uuidString.lowercased() ?? "").")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agencies.")

        func run() async throws {
            try await withApplication(migrate: true) { app, _ in
                let rows = try await AccountStore().agencies(on: app.db).map {
                    [$0.id?.uuidString.lowercased() ?? "", $0.name, $0.type, $0.region]
                }
                printTable(["ID", "NAME", "TYPE", "REGION"], rows)
            }
        }
    }
}

/// `diversion audit verify`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit trail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain; exit 0 when intact, 1 naming the first broken sequence number."
        )

        func run() async throws {
            let result = try await withApplication { app, _ in
                try await AuditLedger().verify(on: app.db)
            }
            switch result {
            case .intact(let entries):
                print("audit chain intact: \(entries) entries verified")
            case .broken(let brk):
                throw CommandFailure(brk.description)
            case .truncated(let last, let head):
                throw CommandFailure("audit chain broken at sequence \(last + 1): entries \(last + 1) to \(head) are missing (removed from the end)")
            }
        }
    }
}

/// Reads a new password: the first line of standard input, or asked twice without echo at a terminal.
func readNewPassword() throws -> String {
    let password: String
    if isatty(STDIN_FILENO) != 0 {
        guard let first = getpass("Password: ").map({ String(cString: $0) }),
              let second = getpass("Repeat the password: ").map({ String(cString: $0) })
        else { throw CommandFailure("no password was entered") }
        guard first == second else { throw CommandFailure("the two passwords differ") }
        password = first
    } else {
        guard let line = readLine(strippingNewline: true) else {
            throw CommandFailure("give the password on standard input, for example: echo \"$PASSWORD\" | diversion user add …")
        }
        password = line
    }
    if let problem = PasswordRules.problems(password) { throw CommandFailure(problem) }
    return password
}

func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
    for row in all {
        print(row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
