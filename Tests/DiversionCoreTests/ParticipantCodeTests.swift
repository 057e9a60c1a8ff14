import Foundation
import Testing
@testable import DiversionCore

@Suite("Personal codes for the participant's page")
struct ParticipantCodeTests {
    @Test("a code is 16 characters of the unambiguous alphabet, far beyond guessing (over 75 bits)")
    func aCodeIsLongAndUnambiguous() {
        let code = ParticipantCode.generate()
        #expect(code.count == ParticipantCode.length && code.allSatisfy(ParticipantCode.alphabet.contains))
        #expect(Double(ParticipantCode.length) * log2(Double(ParticipantCode.alphabet.count)) > 75)
        #expect(!code.contains { "01ILO".contains($0) })
        #expect(ParticipantCode.generate() != code)
    }

    @Test("what a person types is read without regard to case, spaces or hyphens", arguments: [
        ("abcd-efgh-2345-6789", "ABCDEFGH23456789"),
        ("ABCD EFGH 2345 6789", "ABCDEFGH23456789"),
        (" abcdefgh23456789 ", "ABCDEFGH23456789"),
    ])
    func typedCodesAreNormalised(typed: String, expected: String) {
        #expect(ParticipantCode.normalized(typed) == expected)
    }

    @Test("anything that cannot be a code is refused", arguments: ["", "ABCDE-23456", "ABCD-EFGH-2345-67890", "ABCD-EFGH-2345-678I", String(repeating: "A", count: 70)])
    func nonCodesAreRefused(typed: String) {
        #expect(ParticipantCode.normalized(typed) == nil)
    }

    @Test("a code is printed in four groups of four")
    func displayGroupsByFour() {
        #expect(ParticipantCode.display("ABCDEFGH23456789") == "ABCD-EFGH-2345-6789")
        #expect(ParticipantCode.normalized(ParticipantCode.display("ABCDEFGH23456789")) == "ABCDEFGH23456789")
    }
}
