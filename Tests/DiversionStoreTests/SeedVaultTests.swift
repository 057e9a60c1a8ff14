import DiversionCore
import Foundation
import Testing
@testable import DiversionStore

@Suite("Sealed drug-testing plan seeds")
struct SeedVaultTests {
    static let planID = UUID(uuidString: "7b0c3c9e-2d1f-4f6a-8e35-91a4c2d5b7e0")!
    static let seed = PlanSeed(bytes: Data((0..<32).map { UInt8($0) }))!

    @Test func aSealedSeedOpensForItsPlanOnly() throws {
        let vault = try SeedVault.load(.ephemeral)
        let sealed = try vault.seal(Self.seed, planID: Self.planID)
        #expect(try vault.open(sealed, keyID: vault.keyID, planID: Self.planID) == Self.seed)
        #expect(!sealed.contains(Self.seed.bytes.base64EncodedString()))
        #expect(try vault.seal(Self.seed, planID: Self.planID) != sealed, "each seal draws a fresh nonce")
        #expect(throws: SeedKeyError.self) { try vault.open(sealed, keyID: vault.keyID, planID: UUID()) }
        var bytes = try #require(Data(base64Encoded: sealed))
        bytes[20] ^= 1
        #expect(throws: SeedKeyError.self) { try vault.open(bytes.base64EncodedString(), keyID: vault.keyID, planID: Self.planID) }
    }

    @Test func aSeedSealedUnderAnotherKeyIsNamedAsSuch() throws {
        let one = try SeedVault.load(.ephemeral)
        let other = try SeedVault.load(.ephemeral)
        let sealed = try one.seal(Self.seed, planID: Self.planID)
        do {
            _ = try other.open(sealed, keyID: one.keyID, planID: Self.planID)
            Issue.record("opened with another key")
        } catch {
            #expect(error.message.contains("another key"))
        }
    }

    @Test func theKeyFileIsCreatedForTheOwnerAloneAndReadAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seedkey-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/data/seed.key"
        let first = try SeedVault.load(.file(path: path))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        let again = try SeedVault.load(.file(path: path))
        #expect(again.keyID == first.keyID)
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: SeedKeyError.self) { try SeedVault.load(.file(path: path)) }
    }

    @Test(arguments: [
        (DatabaseLocation.sqliteMemory, [:] as [String: String], SeedKeySource.ephemeral),
        (.sqliteFile(path: "/srv/app/data/diversion.sqlite"), [:], .file(path: "/srv/app/data/seed.key")),
        (.postgres(.init(host: "db", port: 5432, username: "u", password: nil, database: "d", requireTLS: false)), [:], .file(path: "/srv/app/data/seed.key")),
        (.sqliteFile(path: "/srv/app/data/diversion.sqlite"), ["DIVERSION_SEED_KEY": Data(repeating: 7, count: 32).base64EncodedString()],
         .provided(Data(repeating: 7, count: 32))),
    ])
    func theKeyComesFromTheEnvironmentOrSitsBesideTheData(location: DatabaseLocation, env: [String: String], expected: SeedKeySource) throws {
        #expect(try SeedKeySource.from(environment: env, database: location, workingDirectory: "/srv/app") == expected)
    }

    @Test(arguments: ["short", Data(repeating: 1, count: 16).base64EncodedString(), "%%%"])
    func aWrongKeyInTheEnvironmentIsRefused(text: String) {
        #expect(throws: SeedKeyError.self) {
            try SeedKeySource.from(environment: ["DIVERSION_SEED_KEY": text], database: .sqliteMemory)
        }
    }
}
