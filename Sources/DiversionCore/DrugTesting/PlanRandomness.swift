import Foundation

/// SHA-256, injected so this target stays Foundation-only (the store passes swift-crypto's), and the HMAC built on it.
public struct DrugTestHashing: Sendable {
    /// SHA-256 of the bytes: 32 bytes.
    public let sha256: @Sendable (Data) -> Data

    public init(sha256: @escaping @Sendable (Data) -> Data) {
        self.sha256 = sha256
    }

    /// HMAC-SHA256 (RFC 2104), built here so the store supplies one primitive and the construction is tested once.
    public func hmac(key: Data, message: Data) -> Data {
        let blockSize = 64
        var block = [UInt8](key.count > blockSize ? sha256(key) : key)
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = Data(block.map { $0 ^ 0x36 })
        inner.append(message)
        var outer = Data(block.map { $0 ^ 0x5c })
        outer.append(sha256(inner))
        return sha256(outer)
    }
}

/// The secret a plan is drawn from. Whoever holds it can recompute the plan, so the store keeps it encrypted
/// and shows it to nobody; it prints as redacted so it does not end up in a log by accident.
public struct PlanSeed: Sendable, Equatable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: Data

    /// Takes stored seed bytes; nil unless there are exactly 32.
    public init?(bytes: Data) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// A fresh seed from the system's cryptographically secure generator.
    ///
    /// `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom/`/dev/urandom` on Linux,
    /// `arc4random_buf` on Apple platforms), so nobody can guess the seed from the time or from other plans.
    public static func random() -> PlanSeed {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A seed from `generator`; only tests should pass anything but the system generator.
    public static func random(using generator: inout some RandomNumberGenerator) -> PlanSeed {
        var bytes = Data(capacity: byteCount)
        for _ in 0..<(byteCount / 8) {
            withUnsafeBytes(of: generator.next().bigEndian) { bytes.append(contentsOf: $0) }
        }
        return PlanSeed(bytes: bytes)!
    }

    public var description: String { "PlanSeed(redacted)" }
}

/// The random bytes of one week of one plan: HMAC-SHA256 in counter mode, keyed with the seed.
///
/// Block i of week w is HMAC(seed, label ‖ 0 ‖ planID ‖ w ‖ i). The same seed always yields the same bytes
/// (so the plan can be recomputed for audit), and without the seed the bytes of one week say nothing about
/// another's, because HMAC-SHA256 with a secret key is a pseudorandom function.
struct WeekRandomness {
    static let label = "diversion/drug-test-plan/v1"

    private let hashing: DrugTestHashing
    private let key: Data
    private let prefix: Data
    private var counter: UInt32 = 0
    private var buffer: [UInt8] = []
    private var position = 0

    init(seed: PlanSeed, planID: UUID, weekIndex: Int, hashing: DrugTestHashing) {
        self.hashing = hashing
        key = seed.bytes
        var prefix = Data(Self.label.utf8)
        prefix.append(0)
        withUnsafeBytes(of: planID.uuid) { prefix.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: weekIndex).bigEndian) { prefix.append(contentsOf: $0) }
        self.prefix = prefix
    }

    mutating func nextUInt32() -> UInt32 {
        if position + 4 > buffer.count {
            var message = prefix
            withUnsafeBytes(of: counter.bigEndian) { message.append(contentsOf: $0) }
            counter += 1
            buffer = [UInt8](hashing.hmac(key: key, message: message))
            position = 0
        }
        defer { position += 4 }
        return buffer[position..<position + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A uniform integer in 0..<n. Values from the top of the 32-bit range that would favour small results
    /// are drawn again (rejection sampling), so there is no modulo bias.
    mutating func uniform(below n: Int) -> Int {
        precondition(n > 0 && n <= Int(UInt32.max))
        let range = UInt64(1) << 32
        let limit = range - range % UInt64(n)
        while true {
            let x = UInt64(nextUInt32())
            if x < limit { return Int(x % UInt64(n)) }
        }
    }

    /// True with probability `numerator / denominator`, exactly: no floating point, so every platform draws the same plan.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        uniform(below: denominator) < numerator
    }
}
