import Foundation
import Testing
@testable import DiversionCore

@Suite("The audit hash chain")
struct AuditChainTests {
    /// A stand-in digest (FNV-1a, hex): the chain's rules do not depend on which hash is used.
    static let chain = AuditChain { data in
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", h)
    }

    func event(_ n: Int, action: AuditAction = .read) -> AuditEvent {
        AuditEvent(
            occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(n) + 0.1234),
            userID: UUID(uuidString: "00000000-0000-4000-8000-00000000000\(n % 10)"), username: "officer",
            agencyID: nil, action: action, resourceType: "person", resourceID: "p\(n)", personID: nil,
            purpose: n % 2 == 0 ? "court decision" : nil, requestID: "r\(n)"
        )
    }

    func entries(_ count: Int) -> [AuditEntry] {
        Self.chain.append((1...count).map { event($0) }, after: nil)
    }

    func verify(_ entries: [AuditEntry]) -> AuditVerifier.Break? {
        var verifier = AuditVerifier(chain: Self.chain)
        for entry in entries {
            if let broken = verifier.check(entry) { return broken }
        }
        return nil
    }

    @Test func anAppendedChainVerifies() {
        let chain = entries(5)
        #expect(chain.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(chain[0].previousHash == AuditChain.genesisHash)
        #expect(chain[1].previousHash == chain[0].hash)
        #expect(verify(chain) == nil)
    }

    @Test func appendingContinuesAfterTheTail() {
        let first = entries(3)
        let more = Self.chain.append([event(9)], after: (first[2].sequence, first[2].hash))
        #expect(more[0].sequence == 4)
        #expect(verify(first + more) == nil)
    }

    @Test func anAlteredEntryIsNamed() {
        var chain = entries(5)
        var altered = chain[2].event
        altered.username = "someone else"
        chain[2] = AuditEntry(sequence: 3, event: altered, previousHash: chain[2].previousHash, hash: chain[2].hash)
        #expect(verify(chain) == .hashMismatch(sequence: 3))
    }

    @Test func aRemovedEntryIsNamed() {
        var chain = entries(5)
        chain.remove(at: 1)
        #expect(verify(chain) == .sequenceGap(expected: 2, found: 3))
    }

    @Test func reorderedEntriesAreNamed() {
        var chain = entries(5)
        chain.swapAt(1, 2)
        #expect(verify(chain)?.sequence == 2)
    }

    @Test func aRewrittenEntryWithARecomputedHashBreaksTheNextLink() {
        var chain = entries(5)
        var altered = chain[1].event
        altered.action = .delete
        let rehashed = Self.chain.hash(sequence: 2, event: altered, previousHash: chain[1].previousHash)
        chain[1] = AuditEntry(sequence: 2, event: altered, previousHash: chain[1].previousHash, hash: rehashed)
        #expect(verify(chain) == .previousHashMismatch(sequence: 3))
    }

    @Test func theEncodingCannotBeShiftedBetweenFields() {
        var a = event(1)
        var b = event(1)
        a.username = "ab"
        a.purpose = "c"
        b.username = "a"
        b.purpose = "bc"
        #expect(AuditChain.canonicalEncoding(sequence: 1, event: a) != AuditChain.canonicalEncoding(sequence: 1, event: b))
        var c = event(1)
        c.purpose = nil
        var d = event(1)
        d.purpose = "-"
        #expect(AuditChain.canonicalEncoding(sequence: 1, event: c) != AuditChain.canonicalEncoding(sequence: 1, event: d))
    }

    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"), (1_800_000_000.1234, "2027-01-15T08:00:00.123Z"),
        (1_800_000_000.9996, "2027-01-15T08:00:01.000Z"), (-0.5, "1969-12-31T23:59:59.500Z"),
    ])
    func timestampsHaveMillisecondPrecision(seconds: Double, text: String) {
        #expect(AuditChain.timestamp(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test func storedTimesHashTheSameWhenReadBack() {
        let chain = entries(1)
        let truncated = chain[0].event.occurredAt
        #expect(AuditChain.truncated(truncated) == truncated)
        #expect(AuditChain.timestamp(truncated) == "2027-01-15T08:00:01.123Z")
    }
}
