import Foundation
import Testing
@testable import DiversionApp

@Suite("Configuration from the environment")
struct ConfigurationTests {
    static let base = ["DATABASE_URL": "postgres://diversion:secret@127.0.0.1:5432/diversion",
                       "DIVERSION_SEED_KEY": Data(repeating: 7, count: 32).base64EncodedString()]

    @Test func theCallInAttemptsDefaultToTenAndCanBeRaised() throws {
        #expect(try AppConfiguration.fromEnvironment(Self.base).callInAttempts == 10)
        var env = Self.base
        env["DIVERSION_CALL_IN_ATTEMPTS"] = "50"
        #expect(try AppConfiguration.fromEnvironment(env).callInAttempts == 50)
    }

    @Test(arguments: ["0", "-3", "many", "2000000"])
    func aCallInAttemptsValueOutOfRangeStopsTheStart(value: String) {
        var env = Self.base
        env["DIVERSION_CALL_IN_ATTEMPTS"] = value
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(env) }
    }
}
