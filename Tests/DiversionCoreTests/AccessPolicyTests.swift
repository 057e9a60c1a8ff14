import Foundation
import Testing
@testable import DiversionCore

@Suite("The access policy")
struct AccessPolicyTests {
    let policy = AccessPolicy()

    func principal(_ roles: Set<Role>) -> Principal {
        Principal(userID: UUID(), username: "u", displayName: "U", roles: roles, agencyID: UUID(), agencyType: .police, region: "R1")
    }

    /// Every role against every action on every resource: what is not listed here is denied.
    static let granted: [Role: [Resource: Set<Action>]] = [
        .officer: [.ownAccount: [.read, .delete], .policy: [.read], .eligibility: [.evaluate], .person: [.create, .read, .search, .update],
                   .screening: [.evaluate, .create, .read], .contact: [.create, .read, .search, .update], .service: [.read, .search],
                   .referral: [.create, .evaluate, .read, .search, .update]],
        .prosecutor: [.ownAccount: [.read, .delete], .policy: [.read], .eligibility: [.evaluate], .person: [.create, .read, .search],
                      .contact: [.read, .search], .service: [.read, .search], .referral: [.create, .evaluate, .read, .search, .update],
                      .justiceCase: [.create, .read, .search, .update], .measure: [.read, .search, .update], .drugTest: [.read, .search],
                      .compliance: [.read, .search], .response: [.read, .search], .monitoring: [.read, .search], .breach: [.read, .search, .update],
                      .consent: [.read, .search], .courtOrder: [.read, .search], .disclosure: [.read]],
        .judge: [.ownAccount: [.read, .delete], .policy: [.read], .eligibility: [.evaluate], .person: [.create, .read, .search],
                 .contact: [.read, .search], .service: [.read, .search], .referral: [.create, .evaluate, .read, .search, .update],
                 .justiceCase: [.create, .read, .search, .update], .measure: [.read, .search, .update], .drugTest: [.read, .search],
                 .compliance: [.read, .search], .response: [.evaluate, .create, .read, .search], .monitoring: [.read, .search],
                 .breach: [.read, .search, .update], .consent: [.read, .search], .courtOrder: [.create, .read, .search], .disclosure: [.read]],
        .provider: [.ownAccount: [.read, .delete], .policy: [.read], .person: [.create, .read, .search], .screening: [.evaluate, .create, .read],
                    .service: [.read, .search], .serviceCapacity: [.update], .referral: [.read, .search, .update],
                    .measure: [.read, .search], .drugTest: [.create, .read, .search], .compliance: [.create, .read, .search], .response: [.read, .search],
                    .consent: [.create, .read, .search, .update], .courtOrder: [.read, .search], .disclosure: [.read, .search],
                    .participantCode: [.create]],
        .supervisor: [.ownAccount: [.read, .delete], .policy: [.read], .person: [.create, .read, .search], .contact: [.read, .search],
                      .service: [.read, .search], .justiceCase: [.read, .search], .measure: [.read, .search, .update],
                      .drugTest: [.create, .read, .search], .compliance: [.create, .read, .search], .response: [.evaluate, .create, .read, .search],
                      .monitoring: [.create, .read, .search, .update], .breach: [.create, .read, .search],
                      .consent: [.read, .search], .courtOrder: [.read, .search], .disclosure: [.read], .participantCode: [.create]],
        .analyst: [.ownAccount: [.read, .delete], .policy: [.read], .service: [.read, .search], .simulation: [.evaluate], .indicator: [.read, .search, .update]],
        .admin: [.ownAccount: [.read, .delete], .policy: [.read, .create, .search], .agency: [.create, .read, .search],
                 .user: [.create, .read, .search, .update], .auditTrail: [.read], .service: [.read, .search, .create, .update],
                 .serviceCapacity: [.update], .sealedRecord: [.read], .disclosure: [.read], .breakGlass: [.create, .read, .search], .indicator: [.read, .search]],
    ]

    @Test(arguments: Role.allCases)
    func eachRoleGetsExactlyItsGrants(role: Role) {
        for resource in Resource.allCases {
            for action in Action.allCases {
                let expected = Self.granted[role]?[resource]?.contains(action) ?? false
                let decision = policy.decide(principal([role]), action, resource)
                #expect(decision.isAllowed == expected, "\(role) \(action) \(resource)")
            }
        }
    }

    @Test func analystsAndAdministratorsNeverReadPeople() {
        for role in [Role.analyst, .admin] {
            #expect(!policy.decide(principal([role]), .read, .person).isAllowed)
            #expect(!policy.decide(principal([role]), .search, .person).isAllowed)
        }
    }

    @Test func providersAndAnalystsNeverSeeJusticeContacts() {
        for role in [Role.provider, .analyst, .admin] {
            #expect(!policy.decide(principal([role]), .read, .contact).isAllowed)
            #expect(!policy.decide(principal([role]), .search, .contact).isAllowed)
        }
    }

    @Test func aUserWithNoRolesIsDeniedEverything() {
        for resource in Resource.allCases {
            for action in Action.allCases {
                #expect(!policy.decide(principal([]), action, resource).isAllowed)
            }
        }
    }

    @Test func aDenialNamesTheRoleAndWhatWasRefused() {
        let decision = policy.decide(principal([.analyst]), .read, .person)
        #expect(decision == .deny(reason: "The role analyst may not read person records."))
    }

    @Test func anyHeldRoleThatIsGrantedSuffices() {
        #expect(policy.decide(principal([.analyst, .admin]), .create, .agency).isAllowed)
    }

    @Test func agencyTypesAcceptOnlyFittingRoles() {
        #expect(AccountRules.roleProblem([.officer], agency: .police) == nil)
        #expect(AccountRules.roleProblem([.admin], agency: .police) != nil)
        #expect(AccountRules.roleProblem([], agency: .police) != nil)
        #expect(AccountRules.usernameProblem("officer.1") == nil)
        #expect(AccountRules.usernameProblem("Officer") != nil)
        #expect(AccountRules.usernameProblem("a") != nil)
        #expect(AccountRules.regionProblem("R1") == nil)
        #expect(AccountRules.regionProblem("r1") != nil)
    }
}

@Suite("Sign-in lockout")
struct LoginThrottleTests {
    let throttle = LoginThrottle(maxFailures: 10, window: 900, lockDuration: 900)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func nineFailuresDoNotLockButTheTenthDoes() {
        var state = LoginFailures()
        for i in 0..<9 {
            state = throttle.recordingFailure(state, now: start.addingTimeInterval(Double(i) * 10))
            #expect(throttle.lockedUntil(state, now: start.addingTimeInterval(Double(i) * 10)) == nil)
        }
        state = throttle.recordingFailure(state, now: start.addingTimeInterval(100))
        #expect(throttle.lockedUntil(state, now: start.addingTimeInterval(100)) == start.addingTimeInterval(1000))
        #expect(throttle.lockedUntil(state, now: start.addingTimeInterval(999)) != nil)
        #expect(throttle.lockedUntil(state, now: start.addingTimeInterval(1000)) == nil)
    }

    @Test func failuresOutsideTheWindowStartAFreshCount() {
        var state = LoginFailures()
        for i in 0..<9 { state = throttle.recordingFailure(state, now: start.addingTimeInterval(Double(i))) }
        state = throttle.recordingFailure(state, now: start.addingTimeInterval(901))
        #expect(state.count == 1)
        #expect(throttle.lockedUntil(state, now: start.addingTimeInterval(901)) == nil)
    }

    @Test func successForgetsFailures() {
        var state = LoginFailures()
        for i in 0..<5 { state = throttle.recordingFailure(state, now: start.addingTimeInterval(Double(i))) }
        #expect(throttle.recordingSuccess(state) == LoginFailures())
    }

    @Test(arguments: [("short", false), ("long enough pass", true), (String(repeating: "x", count: 73), false)])
    func passwordsHaveALengthRule(password: String, acceptable: Bool) {
        #expect((PasswordRules.problems(password) == nil) == acceptable)
    }
}
