import Foundation

/// The rules of the hash chain that makes the audit trail tamper-evident.
///
/// Each entry's hash is SHA-256 over its canonical encoding followed by the previous entry's
/// hash, so changing, removing or reordering any entry breaks every hash after it.
public struct AuditChain: Sendable {
    /// The previous hash of the very first entry.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// SHA-256 of the bytes, as lowercase hex. Injected so this target stays Foundation-only.
    public let sha256Hex: @Sendable (Data) -> String

    public init(sha256Hex: @escaping @Sendable (Data) -> String) {
        self.sha256Hex = sha256Hex
    }

    /// Timestamps are part of the hash, so they are written at a fixed millisecond precision.
    public static func timestamp(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let whole = Date(timeIntervalSince1970: TimeInterval(ms.quotientFloor(1000)))
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0,
            Int(ms - ms.quotientFloor(1000) * 1000)
        )
    }

    /// Rounds a date to the precision the chain records, so what is stored hashes the same when read back.
    public static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// The canonical encoding: every field in a fixed order, each as `<byte length>:<UTF-8 bytes>;`,
    /// absent values as `-;`, so no two different entries encode the same.
    public static func canonicalEncoding(sequence: Int64, event: AuditEvent) -> Data {
        let fields: [String?] = [
            String(sequence),
            timestamp(event.occurredAt),
            event.userID?.uuidString.lowercased(),
            event.username,
            event.agencyID?.uuidString.lowercased(),
            event.action.rawValue,
            event.resourceType,
            event.resourceID,
            event.personID?.uuidString.lowercased(),
            event.purpose,
            event.requestID,
        ]
        var data = Data()
        for field in fields {
            if let field {
                let bytes = Data(field.utf8)
                data.append(contentsOf: Array("\(bytes.count):".utf8))
                data.append(bytes)
                data.append(UInt8(ascii: ";"))
            } else {
                data.append(contentsOf: Array("-;".utf8))
            }
        }
        return data
    }

    public func hash(sequence: Int64, event: AuditEvent, previousHash: String) -> String {
        var data = Self.canonicalEncoding(sequence: sequence, event: event)
        data.append(contentsOf: Array(previousHash.utf8))
        return sha256Hex(data)
    }

    /// Gives `events` their places after the entry with `sequence` and `hash` (or at the start).
    public func append(_ events: [AuditEvent], after tail: (sequence: Int64, hash: String)?) -> [AuditEntry] {
        var sequence = tail?.sequence ?? 0
        var previous = tail?.hash ?? Self.genesisHash
        return events.map { event in
            sequence += 1
            var fixed = event
            fixed.occurredAt = Self.truncated(event.occurredAt)
            let h = hash(sequence: sequence, event: fixed, previousHash: previous)
            defer { previous = h }
            return AuditEntry(sequence: sequence, event: fixed, previousHash: previous, hash: h)
        }
    }
}

/// Walks stored entries in order and finds the first one that does not fit the chain.
public struct AuditVerifier: Sendable {
    /// Why the chain is broken at an entry.
    public enum Break: Sendable, Equatable, CustomStringConvertible {
        /// An entry is missing before this one, or entries were reordered.
        case sequenceGap(expected: Int64, found: Int64)
        /// The entry does not point at the hash of the entry before it.
        case previousHashMismatch(sequence: Int64)
        /// The entry's content no longer matches its hash: it was altered.
        case hashMismatch(sequence: Int64)

        public var sequence: Int64 {
            switch self {
            case .sequenceGap(let expected, _): expected
            case .previousHashMismatch(let s), .hashMismatch(let s): s
            }
        }

        public var description: String {
            switch self {
            case .sequenceGap(let expected, let found):
                "audit chain broken at sequence \(expected): expected entry \(expected) but found \(found) (an entry was removed or reordered)"
            case .previousHashMismatch(let s):
                "audit chain broken at sequence \(s): it does not follow the entry before it (an entry was removed, inserted or reordered)"
            case .hashMismatch(let s):
                "audit chain broken at sequence \(s): its content does not match its hash (the entry was altered)"
            }
        }
    }

    private let chain: AuditChain
    private var expectedSequence: Int64 = 1
    private var previousHash = AuditChain.genesisHash
    public private(set) var checked: Int64 = 0

    public init(chain: AuditChain) {
        self.chain = chain
    }

    /// Checks the next entry; returns the break if it does not fit.
    public mutating func check(_ entry: AuditEntry) -> Break? {
        if entry.sequence != expectedSequence {
            return .sequenceGap(expected: expectedSequence, found: entry.sequence)
        }
        if entry.previousHash != previousHash {
            return .previousHashMismatch(sequence: entry.sequence)
        }
        if chain.hash(sequence: entry.sequence, event: entry.event, previousHash: entry.previousHash) != entry.hash {
            return .hashMismatch(sequence: entry.sequence)
        }
        expectedSequence += 1
        previousHash = entry.hash
        checked += 1
        return nil
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 split into seconds correctly.
    func quotientFloor(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
