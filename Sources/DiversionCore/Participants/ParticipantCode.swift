import Foundation

/// A person's own access code to their participant pages: what they type on a phone to see their day, their
/// conditions and who has seen their data.
///
/// It opens far more than the call-in code (which answers one day), so it is a separate code: 16 characters of the
/// call-in alphabet (about 79 bits), which cannot be guessed within any throttle, shown once when issued and stored
/// only as a hash. A new code replaces the old one, so staff can rotate it whenever it may have been seen.
public enum ParticipantCode {
    public static let alphabet = CallInCode.alphabet
    public static let length = 16

    /// A fresh code from the system's cryptographically secure generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A code from `generator`; only tests should pass anything but the system generator.
    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// What a person typed as the code: case, spaces and hyphens ignored; nil unless it can be a code.
    public static func normalized(_ input: String) -> String? {
        guard input.count <= 60 else { return nil }
        let kept = input.uppercased().filter { $0 != " " && $0 != "-" }
        guard kept.count == length, kept.allSatisfy(alphabet.contains) else { return nil }
        return kept
    }

    /// The code in four groups of four, the way it is printed and typed.
    public static func display(_ code: String) -> String {
        guard code.count == length else { return code }
        let chars = Array(code)
        return stride(from: 0, to: length, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }
}
