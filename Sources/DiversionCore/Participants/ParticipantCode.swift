import Foundation

/// A person's own access code to their participant pages: what they type on a phone to see their day, their
/// conditions and who has seen their data.
///
/// It opens far more than the call-in code (which answers one day), so it is a separate code: 16 characters of the
/// call-in alphabet (about 79 bits), which cannot be guessed within any throttle, shown once when issued and stored
/// only as a hash. A new code replaces the old one, so staff can rotate it whenever it may have been seen.
public enum ParticipantCode: PersonalCode {
    public static let length = 16
    public static let groupSize = 4
}
