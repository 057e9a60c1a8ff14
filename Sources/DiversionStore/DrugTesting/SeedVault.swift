import Crypto
import DiversionCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the key that encrypts drug-testing plan seeds comes from.
public enum SeedKeySource: Sendable, Equatable {
    /// A random key that lives as long as the process: for tests and in-memory databases, whose seeds die with them.
    case ephemeral
    /// The 32 key bytes, from `DIVERSION_SEED_KEY`.
    case provided(Data)
    /// A key file, created with mode 0600 on first use.
    case file(path: String)

    /// The file name of the key kept beside the data.
    public static let fileName = "seed.key"

    /// `DIVERSION_SEED_KEY` (base64 of 32 bytes) when set; otherwise `seed.key` beside the SQLite file, or in
    /// `data/` under the working directory when the data is in PostgreSQL; in memory for an in-memory database.
    public static func from(
        environment env: [String: String], database: DatabaseLocation,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(SeedKeyError) -> SeedKeySource {
        if let text = env["DIVERSION_SEED_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
            guard let key = Data(base64Encoded: text), key.count == 32 else {
                throw SeedKeyError("DIVERSION_SEED_KEY must be the base64 of 32 random bytes (for example from `openssl rand -base64 32`)")
            }
            return .provided(key)
        }
        switch database {
        case .sqliteMemory:
            return .ephemeral
        case .sqliteFile(let path):
            let folder = (path as NSString).deletingLastPathComponent
            return .file(path: (folder.isEmpty ? "." : folder) + "/" + fileName)
        case .postgres:
            let base = workingDirectory.hasSuffix("/") ? String(workingDirectory.dropLast()) : workingDirectory
            return .file(path: base + "/data/" + fileName)
        }
    }
}

/// The seed key could not be read or made; the message says what to do.
public struct SeedKeyError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Encrypts plan seeds with AES-GCM under one key, kept outside the database.
///
/// Whoever reads a seed can recompute a plan's test days, so a copy of the database alone must not give them
/// away. The plan id is authenticated with each seed, so a seed moved to another plan's row does not open.
public struct SeedVault: Sendable {
    private let key: SymmetricKey
    /// A short fingerprint of the key, stored with each seed, so a seed sealed under another key is named as such.
    public let keyID: String

    public init(key: Data) throws(SeedKeyError) {
        guard key.count == 32 else { throw SeedKeyError("the seed key must be 32 bytes; it is \(key.count)") }
        self.key = SymmetricKey(data: key)
        var labelled = Data("diversion/seed-key-id/v1".utf8)
        labelled.append(key)
        keyID = String(HexDigest.sha256(labelled).prefix(16))
    }

    /// A key for another purpose, HMAC-SHA256(seed key, `label`): one secret kept outside the database serves both,
    /// and knowing the derived key reveals nothing about the seed key.
    public func derivedKey(_ label: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(label.utf8), using: key))
    }

    /// Loads or creates the key `source` names.
    public static func load(_ source: SeedKeySource) throws(SeedKeyError) -> SeedVault {
        switch source {
        case .ephemeral:
            return try SeedVault(key: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        case .provided(let key):
            return try SeedVault(key: key)
        case .file(let path):
            return try SeedVault(key: try keyFile(at: path))
        }
    }

    /// The sealed seed as base64 of nonce ‖ ciphertext ‖ tag.
    public func seal(_ seed: PlanSeed, planID: UUID) throws -> String {
        let box = try AES.GCM.seal(seed.bytes, using: key, authenticating: Self.associatedData(planID))
        guard let combined = box.combined else { throw SeedKeyError("AES-GCM gave no combined form") }
        return combined.base64EncodedString()
    }

    /// The seed sealed for `planID`; throws when the key is another or the text was changed.
    public func open(_ sealed: String, keyID stored: String, planID: UUID) throws(SeedKeyError) -> PlanSeed {
        guard stored == keyID else {
            throw SeedKeyError("the seed was sealed under another key (\(stored.prefix(16))); this server's key is \(keyID)")
        }
        do {
            guard let data = Data(base64Encoded: sealed) else { throw SeedKeyError("the sealed seed is not base64") }
            let bytes = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key, authenticating: Self.associatedData(planID))
            guard let seed = PlanSeed(bytes: bytes) else { throw SeedKeyError("the opened seed is not 32 bytes") }
            return seed
        } catch let error as SeedKeyError {
            throw error
        } catch {
            throw SeedKeyError("the sealed seed does not open with this key: it was changed or belongs to another plan")
        }
    }

    private static func associatedData(_ planID: UUID) -> Data {
        var data = Data("diversion/plan-seed/v1".utf8)
        withUnsafeBytes(of: planID.uuid) { data.append(contentsOf: $0) }
        return data
    }

    /// Reads the key file, or creates it readable by this user alone. `O_EXCL` makes two servers starting at
    /// once agree on one key: the loser reads the winner's file.
    static func keyFile(at path: String) throws(SeedKeyError) -> Data {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw SeedKeyError("cannot create the folder \(folder) for the seed key: \(error.localizedDescription)")
            }
        }
        let fd = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            let text = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString().utf8 + [0x0a])
            let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd)
            close(fd)
            guard written == text.count, synced == 0 else {
                unlink(path)
                throw SeedKeyError("cannot write the seed key file \(path)")
            }
        } else if errno != EEXIST {
            throw SeedKeyError("cannot create the seed key file \(path): \(String(cString: strerror(errno)))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SeedKeyError("cannot read the seed key file \(path); it must be readable by the server's user")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: text), key.count == 32 else {
            throw SeedKeyError("the seed key file \(path) must hold the base64 of 32 bytes; restore it from backup, since seeds sealed under it cannot be read otherwise")
        }
        return key
    }
}

extension DrugTestHashing {
    /// SHA-256 from swift-crypto, the one the store's plans are drawn and verified with.
    public static let crypto = DrugTestHashing { data in Data(SHA256.hash(data: data)) }
}

/// POSIX open(2), named apart from `SeedVault.open`.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}
