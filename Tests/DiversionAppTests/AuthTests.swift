import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Signing in with tokens")
struct AuthTests {
    @Test func aCorrectPasswordGivesAnEightHourTokenWithTheRoles() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/auth/token", json: ["username": "judge", "password": "demo"])
            #expect(response.status == .ok)
            let body = try response.json(AuthController.TokenResponse.self)
            #expect(body.roles == ["judge"])
            #expect(body.token.count >= 43) // 32 random bytes in base64url
            let expires = try #require(ISO8601DateFormatter().date(from: body.expiresAt))
            #expect(abs(expires.timeIntervalSince(t.clock.now) - 8 * 3600) < 2)
        }
    }

    @Test func tokensAreStoredOnlyAsHashes() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let stored = try await AccessTokenModel.query(on: t.app.db).all().map(\.tokenHash)
            #expect(!stored.contains(token))
            #expect(stored.contains(AccountStore.tokenHash(token)))
        }
    }

    @Test(arguments: [("officer", "wrong"), ("nobody", "demo"), ("OFFICER", "Demo")])
    func aWrongUsernameOrPasswordIs401WithoutSayingWhich(username: String, password: String) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/auth/token", json: ["username": username, "password": password])
            #expect(response.status == .unauthorized)
            #expect(try response.problem().detail == "The username or password is wrong.")
        }
    }

    @Test func usernamesAreNotCaseSensitive() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/auth/token", json: ["username": " Officer ", "password": "demo"])
            #expect(response.status == .ok)
        }
    }

    @Test func missingFieldsAreNamed() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.POST, "/api/v1/auth/token", json: ["username": ""])
            #expect(response.status == .unprocessableEntity)
            #expect(try response.problem().errors?.map(\.field) == ["username", "password"])
        }
    }

    @Test func aBodyThatIsNotJSONIs400AndAWrongTypeIs422() async throws {
        try await TestApp.run { t in
            let broken = try await t.send(.POST, "/api/v1/auth/token", body: "{\"username\": ", contentType: "application/json")
            #expect(broken.status == .badRequest)
            #expect(try broken.problem().status == 400)
            let typed = try await t.send(.POST, "/api/v1/auth/token", body: "{\"username\": 5, \"password\": \"x\"}", contentType: "application/json")
            #expect(typed.status == .unprocessableEntity)
            #expect(try typed.problem().errors?.first?.field == "username")
            let plain = try await t.send(.POST, "/api/v1/auth/token", body: "username=a", contentType: "text/plain")
            #expect(plain.status == .unsupportedMediaType)
        }
    }

    @Test func tenFailuresLockTheAccountEvenAgainstTheRightPasswordUntilTheLockEnds() async throws {
        try await TestApp.run { t in
            for attempt in 1...10 {
                let response = try await t.send(.POST, "/api/v1/auth/token", json: ["username": "provider", "password": "nope"])
                #expect(response.status == (attempt < 10 ? .unauthorized : .tooManyRequests))
            }
            let locked = try await t.send(.POST, "/api/v1/auth/token", json: ["username": "provider", "password": "demo"])
            #expect(locked.status == .tooManyRequests)
            #expect(try locked.problem().detail.contains("locked"))
            #expect(locked.headers.first(name: .retryAfter) != nil)
            t.clock.advance(15 * 60 + 1)
            let later = try await t.send(.POST, "/api/v1/auth/token", json: ["username": "provider", "password": "demo"])
            #expect(later.status == .ok)
        }
    }

    @Test func everySignInAttemptIsAudited() async throws {
        try await TestApp.run { t in
            _ = try await t.token("officer")
            try await t.send(.POST, "/api/v1/auth/token", json: ["username": "officer", "password": "bad"])
            try await t.send(.POST, "/api/v1/auth/token", json: ["username": "ghost", "password": "bad"])
            let actions = try await t.auditEntries().filter { $0.event.resourceType == "session" }.map { "\($0.event.username ?? "-") \($0.event.action.rawValue)" }
            #expect(actions == ["officer login_succeeded", "officer login_failed", "ghost login_failed"])
        }
    }

    @Test func meDescribesTheUserAndTheirAgency() async throws {
        try await TestApp.run { t in
            let token = try await t.token("supervisor")
            let response = try await t.send(.GET, "/api/v1/me", token: token)
            #expect(response.status == .ok)
            let me = try response.json(AuthController.MeResponse.self)
            #expect(me.username == "supervisor")
            #expect(me.roles == ["supervisor"])
            #expect(me.agency.type == "supervision")
            #expect(me.agency.region == "R1")
            #expect(UUID(uuidString: me.agency.id) != nil)
        }
    }

    @Test(arguments: [nil, "not-a-token", String(repeating: "x", count: 500)])
    func meWithoutAValidTokenIs401ProblemJSON(token: String?) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/api/v1/me", token: token)
            #expect(response.status == .unauthorized)
            #expect(try response.problem().type == "urn:diversion:problem:unauthenticated")
            #expect(response.headers.first(name: .wwwAuthenticate)?.hasPrefix("Bearer") == true)
        }
    }

    @Test func tokensExpireAfterTheirLifetime() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            t.clock.advance(8 * 3600 + 1)
            #expect(try await t.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func logoutRevokesTheTokenAndIsAudited() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let out = try await t.send(.POST, "/api/v1/auth/logout", token: token)
            #expect(out.status == .noContent)
            #expect(try await t.send(.GET, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await t.send(.POST, "/api/v1/auth/logout", token: token).status == .unauthorized)
            #expect(try await t.auditEntries().last?.event.action == .logout)
        }
    }

    @Test func webSessionCookiesAreNotBearerTokens() async throws {
        try await TestApp.run { t in
            let issued = try await AccountStore().issueToken(
                for: try #require(try await AccountStore().user(username: "officer", on: t.app.db)?.id),
                kind: .web, lifetime: 3600, now: t.clock.now, on: t.app.db
            )
            #expect(try await t.send(.GET, "/api/v1/me", token: issued.secret).status == .unauthorized)
        }
    }
}

@Suite("Sign-in lockout under concurrency")
struct LockoutConcurrencyTests {
    @Test func parallelFailuresAllCountTowardsTheLock() async throws {
        try await TestApp.run { t in
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for n in 0..<30 {
                    group.addTask {
                        try await t.send(.POST, "/api/v1/auth/token", json: ["username": "prosecutor", "password": "wrong-\(n)"]).status
                    }
                }
                return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .unauthorized }.count == 9)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 21)
            let right = try await t.send(.POST, "/api/v1/auth/token", json: ["username": "prosecutor", "password": "demo"])
            #expect(right.status == .tooManyRequests)
        }
    }
}
