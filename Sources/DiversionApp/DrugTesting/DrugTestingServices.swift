import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// What drug testing needs beyond the app's services: the key that seals plan seeds, and the call-in throttle.
struct DrugTestingServices: Sendable {
    let vault: SeedVault
    let callInThrottle: CallInThrottle

    init(_ config: AppConfiguration) throws {
        do {
            vault = try SeedVault.load(config.seedKey)
        } catch {
            throw ConfigurationError("drug-testing seed key: \(error.message)")
        }
        callInThrottle = CallInThrottle(maxFailures: config.callInAttempts)
    }
}

extension Application {
    private struct DrugTestingKey: StorageKey {
        typealias Value = DrugTestingServices
    }

    var drugTesting: DrugTestingServices {
        get {
            guard let services = storage[DrugTestingKey.self] else {
                fatalError("configure(_:_:) sets the drug-testing services before any route runs")
            }
            return services
        }
        set { storage[DrugTestingKey.self] = newValue }
    }
}

/// Slows down guessing of call-in codes: after `maxFailures` unknown codes from one address in a window, that
/// address waits, the way sign-in failures lock an account (`LoginThrottle`).
actor CallInThrottle {
    private let rules: LoginThrottle
    private var failures: [String: LoginFailures] = [:]

    init(maxFailures: Int = 10) {
        rules = LoginThrottle(maxFailures: maxFailures, window: 15 * 60, lockDuration: 15 * 60)
    }

    /// The time until which `address` must wait, if it must.
    func lockedUntil(_ address: String, now: Date) -> Date? {
        failures[address].flatMap { rules.lockedUntil($0, now: now) }
    }

    func recordFailure(_ address: String, now: Date) {
        // Forget quiet addresses now and then, so the table cannot grow without bound.
        if failures.count > 10_000 {
            failures = failures.filter { _, state in
                (state.lockedUntil.map { $0 > now } ?? false) || (state.windowStart.map { now.timeIntervalSince($0) < rules.window } ?? false)
            }
        }
        failures[address] = rules.recordingFailure(failures[address] ?? LoginFailures(), now: now)
    }

    func recordSuccess(_ address: String) {
        failures[address] = nil
    }
}
