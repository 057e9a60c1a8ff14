import DiversionStore
import Foundation
import Logging

/// Everything the server can be told, read from arguments, then environment, then defaults.
public struct AppConfiguration: Sendable {
    public var database: DatabaseLocation
    /// Bcrypt cost for new password hashes: 12 or more; only the test suites set it lower.
    public var bcryptCost: Int = 12
    public var tokenLifetime: TimeInterval = 8 * 3600
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// Marks cookies Secure even without a TLS-terminating proxy header (set when served over HTTPS).
    public var secureCookies = false
    public var maxBodySize = "256kb"
    public var logLevel: Logger.Level = .info
    /// Age under which a person is a minor, until a jurisdiction policy says otherwise.
    public var ageOfMajority = 18
    /// A folder of `<lang>.json` files with official instrument wording that replaces ours.
    public var instrumentWording: URL?
    /// PostgreSQL connections each event loop may open (SQLite always uses one).
    public var connectionsPerEventLoop = 4
    /// The SQL log level; SQL is logged only when asked for, since statements can carry personal data.
    public var sqlLogLevel: Logger.Level = .trace
    /// The key that seals drug-testing plan seeds; `fromEnvironment` reads `DIVERSION_SEED_KEY` or a key file beside the data.
    public var seedKey: SeedKeySource = .ephemeral
    /// Unknown call-in codes one address may try within 15 minutes before it has to wait.
    public var callInAttempts = 10

    public init(database: DatabaseLocation) {
        self.database = database
    }

    /// Reads `DATABASE_URL`, `DIVERSION_BCRYPT_COST`, `DIVERSION_TOKEN_HOURS`, `DIVERSION_SESSION_IDLE_MINUTES`,
    /// `DIVERSION_SECURE_COOKIES`, `DIVERSION_MAX_BODY`, `DIVERSION_DB_CONNECTIONS`, `DIVERSION_INSTRUMENT_WORDING`, `DIVERSION_SEED_KEY`,
    /// `DIVERSION_CALL_IN_ATTEMPTS`, `LOG_LEVEL`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        var config = AppConfiguration(database: try DatabaseLocation.parse(env["DATABASE_URL"] ?? DatabaseLocation.defaultURL))
        do {
            config.seedKey = try SeedKeySource.from(environment: env, database: config.database)
        } catch {
            throw ConfigurationError(error.message)
        }
        if let text = env["DIVERSION_BCRYPT_COST"] {
            // Cheaper hashes exist only for the test suites, which set the configuration directly.
            guard let cost = Int(text), (12...31).contains(cost) else {
                throw ConfigurationError("DIVERSION_BCRYPT_COST must be a number from 12 to 31")
            }
            config.bcryptCost = cost
        }
        if let text = env["DIVERSION_TOKEN_HOURS"] {
            guard let hours = Double(text), hours > 0, hours <= 24 * 30 else {
                throw ConfigurationError("DIVERSION_TOKEN_HOURS must be a number of hours above 0 and at most 720")
            }
            config.tokenLifetime = hours * 3600
        }
        if let text = env["DIVERSION_SESSION_IDLE_MINUTES"] {
            guard let minutes = Double(text), minutes > 0, minutes <= 24 * 60 else {
                throw ConfigurationError("DIVERSION_SESSION_IDLE_MINUTES must be a number of minutes above 0 and at most 1440")
            }
            config.sessionIdleTimeout = minutes * 60
        }
        if let text = env["DIVERSION_SECURE_COOKIES"] {
            config.secureCookies = ["1", "true", "yes"].contains(text.lowercased())
        }
        if let path = env["DIVERSION_INSTRUMENT_WORDING"], !path.isEmpty {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ConfigurationError("DIVERSION_INSTRUMENT_WORDING must name a folder of <lang>.json files; \(path) is not one")
            }
            config.instrumentWording = URL(fileURLWithPath: path)
        }
        if let text = env["DIVERSION_MAX_BODY"] {
            guard text.range(of: #"^[0-9]+(kb|mb)$"#, options: .regularExpression) != nil else {
                throw ConfigurationError("DIVERSION_MAX_BODY must look like 256kb or 1mb")
            }
            config.maxBodySize = text
        }
        if let text = env["DIVERSION_CALL_IN_ATTEMPTS"] {
            guard let n = Int(text), (1...1_000_000).contains(n) else {
                throw ConfigurationError("DIVERSION_CALL_IN_ATTEMPTS must be a number from 1 to 1000000 (unknown call-in codes per address in 15 minutes)")
            }
            config.callInAttempts = n
        }
        if let text = env["DIVERSION_DB_CONNECTIONS"] {
            guard let n = Int(text), (1...64).contains(n) else {
                throw ConfigurationError("DIVERSION_DB_CONNECTIONS must be a number from 1 to 64 (connections per event loop)")
            }
            config.connectionsPerEventLoop = n
        }
        if let text = env["LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            config.logLevel = level
        }
        return config
    }
}

/// A setting that cannot be used, with a message saying what to write instead.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
