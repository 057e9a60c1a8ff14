import Foundation

/// The sign-in failure record kept for one account.
public struct LoginFailures: Sendable, Equatable {
    public var count: Int
    public var windowStart: Date?
    public var lockedUntil: Date?

    public init(count: Int = 0, windowStart: Date? = nil, lockedUntil: Date? = nil) {
        self.count = count
        self.windowStart = windowStart
        self.lockedUntil = lockedUntil
    }
}

/// Locks an account for a while after too many failed sign-ins in a short window.
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let window: TimeInterval
    public let lockDuration: TimeInterval

    public init(maxFailures: Int = 10, window: TimeInterval = 15 * 60, lockDuration: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
        self.lockDuration = lockDuration
    }

    /// The time until which the account is locked, if it is locked at `now`.
    public func lockedUntil(_ state: LoginFailures, now: Date) -> Date? {
        guard let until = state.lockedUntil, until > now else { return nil }
        return until
    }

    /// The record after one more failure at `now`; locks when the window holds `maxFailures`.
    public func recordingFailure(_ state: LoginFailures, now: Date) -> LoginFailures {
        var next = state
        if let start = state.windowStart, now.timeIntervalSince(start) < window {
            next.count += 1
        } else {
            next.count = 1
            next.windowStart = now
        }
        if next.count >= maxFailures {
            next.lockedUntil = now.addingTimeInterval(lockDuration)
            next.count = 0
            next.windowStart = nil
        }
        return next
    }

    /// The record after a successful sign-in: failures forgotten.
    public func recordingSuccess(_ state: LoginFailures) -> LoginFailures {
        LoginFailures()
    }
}

/// Rules for passwords chosen by people (demo accounts are seeded apart).
public enum PasswordRules {
    public static let minimumLength = 10
    public static let maximumLength = 72 // Bcrypt reads no further

    public static func problems(_ password: String) -> String? {
        if password.count < minimumLength { return "Choose a password of at least \(minimumLength) characters." }
        if password.utf8.count > maximumLength { return "Keep the password under \(maximumLength + 1) bytes." }
        return nil
    }
}
