import Foundation
import Testing
@testable import DiversionCore

@Suite("Hashing for drug-testing plans")
struct PlanHashingTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func theReferenceSHA256MatchesTheNISTVectors(message: String, digest: String) {
        #expect(ReferenceSHA256.hash(Data(message.utf8)).hex == digest)
    }

    @Test func theReferenceSHA256MatchesTheNISTMillionAVector() {
        let digest = ReferenceSHA256.hash(Data(repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1–4, 6 and 7 (case 5 truncates the output, which the plan never does).
    @Test(arguments: [
        ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131),
         "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func theHMACMatchesTheRFC4231Vectors(key: String, message: String, mac: String) {
        #expect(DrugTestHashing.reference.hmac(key: Data(hex: key), message: Data(hex: message)).hex == mac)
    }

    @Test func aSeedIsThirtyTwoBytesAndNeverPrinted() {
        #expect(PlanSeed(bytes: Data(count: 31)) == nil)
        #expect(PlanSeed(bytes: Data(count: 33)) == nil)
        let seed = PlanSeed.random()
        #expect(seed.bytes.count == 32)
        #expect("\(seed)" == "PlanSeed(redacted)")
        #expect(!String(describing: seed).contains(seed.bytes.hex))
    }

    @Test func freshSeedsDiffer() {
        let seeds = (0..<100).map { _ in PlanSeed.random().bytes }
        #expect(Set(seeds).count == 100)
    }

    @Test func uniformDrawsCoverTheirRangeWithoutBias() {
        // 3 does not divide 2^32, so a modulo would favour 0; rejection sampling keeps the counts even.
        var random = WeekRandomness(seed: testSeed(1), planID: UUID(), weekIndex: 0, hashing: .reference)
        var counts = [0, 0, 0]
        let draws = 30_000
        for _ in 0..<draws { counts[random.uniform(below: 3)] += 1 }
        let expected = Double(draws) / 3
        let chiSquare = counts.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
        #expect(chiSquare < 13.82, "χ² \(chiSquare) with 2 degrees of freedom exceeds the p = 0.001 critical value; counts \(counts)")
    }

    @Test func theSameSeedPlanAndWeekGiveTheSameBytes() {
        let id = UUID()
        var a = WeekRandomness(seed: testSeed(1), planID: id, weekIndex: 3, hashing: .reference)
        var b = WeekRandomness(seed: testSeed(1), planID: id, weekIndex: 3, hashing: .reference)
        var otherWeek = WeekRandomness(seed: testSeed(1), planID: id, weekIndex: 4, hashing: .reference)
        let first = (0..<20).map { _ in a.nextUInt32() }
        #expect(first == (0..<20).map { _ in b.nextUInt32() })
        #expect(first != (0..<20).map { _ in otherWeek.nextUInt32() })
    }
}
