import DiversionCore
import DiversionStore
import Foundation
import Logging
import Synchronization
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Operations endpoints and cross-cutting rules")
struct OperationsTests {
    @Test func healthNamesTheDatabaseEngine() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/healthz")
            #expect(response.status == .ok)
            let health = try response.json(OperationsController.Health.self)
            #expect(health.status == "ok")
            #expect(health.database == t.app.diversion.configuration.database.engineName)
        }
    }

    @Test func healthIs503WhenTheDatabaseIsGone() async throws {
        try await TestApp.run { t in
            struct Outage: Error {}
            t.app.diversion.databaseProbe = { _ in throw Outage() }
            let response = try await t.send(.GET, "/healthz")
            #expect(response.status == .serviceUnavailable)
            #expect(try response.json(OperationsController.Health.self).status == "unavailable")
        }
    }

    @Test func theOpenAPIDocumentIsServed() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/openapi.yaml")
            #expect(response.status == .ok)
            #expect(response.text.hasPrefix("openapi: 3.1"))
            // Every API route the server registers is described, with its method.
            let routes = t.app.routes.all.filter { $0.path.first?.description == "api" }
            #expect(routes.count >= 25)
            for route in routes {
                let path = "/" + route.path.map { c in
                    let text = c.description
                    return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                }.joined(separator: "/")
                let method = route.method.rawValue.lowercased()
                guard let start = response.text.range(of: "\n  \(path):\n") else {
                    Issue.record("openapi.yaml lacks \(path)")
                    continue
                }
                let rest = response.text[start.upperBound...]
                let block = rest.range(of: "\n  /").map { rest[..<$0.lowerBound] } ?? rest
                #expect(("\n" + block).contains("\n    \(method):"), "openapi.yaml lacks \(method) \(path)")
            }
        }
    }

    @Test func metricsCountRequestsInPrometheusFormat() async throws {
        try await TestApp.run { t in
            try await t.send(.GET, "/healthz")
            let response = try await t.send(.GET, "/metrics")
            #expect(response.status == .ok)
            #expect(response.text.contains("http_requests_total"))
            #expect(response.text.contains("http_request_duration_seconds"))
        }
    }

    @Test(arguments: ["/healthz", "/login", "/api/v1/me", "/nowhere"])
    func everyAnswerCarriesTheSecurityHeaders(path: String) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, path)
            let csp = try #require(response.headers.first(name: "Content-Security-Policy"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(response.headers.first(name: "Referrer-Policy") == "no-referrer")
            #expect(response.headers.first(name: "X-Request-Id") != nil)
        }
    }

    @Test func behindTLSBrowsersAreToldToStayOnHTTPS() async throws {
        try await TestApp.run { t in
            let plain = try await t.send(.GET, "/login")
            #expect(plain.headers.first(name: "Strict-Transport-Security") == nil)
            let tls = try await t.send(.GET, "/login", headers: [("X-Forwarded-Proto", "https")])
            #expect(tls.headers.first(name: "Strict-Transport-Security")?.hasPrefix("max-age=") == true)
        }
    }

    @Test func anUnknownAPIPathIs404ProblemJSON() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/api/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(try response.problem().type == "urn:diversion:problem:not-found")
        }
    }

    @Test func everyRouteDeclaresWhoMayCallIt() async throws {
        try await TestApp.run { t in
            let routes = t.app.routes.all
            #expect(routes.count >= 12)
            var open: Set<String> = []
            for route in routes {
                guard let access = route.userInfo[RouteAccessKey.name] as? Access else {
                    Issue.record("\(route.method) \(route.path.string) declares no access")
                    continue
                }
                if case .anyone = access { open.insert("\(route.method) /\(route.path.string)") }
            }
            // Everything else asks the access policy; this is the whole list of what needs no sign-in.
            #expect(open == [
                "GET /", "GET /login", "POST /login", "GET /language/:code", "POST /api/v1/auth/token",
                "GET /healthz", "GET /metrics", "GET /openapi.yaml",
                // The call-in: a personal code stands in for a sign-in and the answer covers today or tomorrow only.
                "GET /call-in", "POST /call-in", "GET /api/v1/call-in",
                // The participant's sign-in: the personal code is the credential; the page itself needs the participant's session.
                "GET /me/sign-in", "POST /me/sign-in",
                // The published figures: suppressed tables only, for the public and the press.
                "GET /public",
                // The installable offline app: the manifest and the service worker carry no personal data.
                "GET /manifest.webmanifest", "GET /sw.js",
            ])
        }
    }

    @Test func personalDataRoutesAreGuardedByThePolicyNotJustBySignIn() async throws {
        try await TestApp.run { t in
            // Routes under a person are guarded by a permission on the person, or on the person's records they serve:
            // the call-in code (drug testing), consents, court orders, emergency access and the accounting of disclosures.
            let personal: [String: Resource] = [
                "call-in-code": .drugTest, "consents": .consent, "court-orders": .courtOrder, "break-glass": .breakGlass, "disclosures": .disclosure,
            ]
            for route in t.app.routes.all where route.path.string.contains("persons") {
                let last = route.path.last?.description ?? ""
                let expected = personal[last] ?? .person
                guard case .allowed(_, let resource) = route.userInfo[RouteAccessKey.name] as? Access, resource == expected else {
                    Issue.record("\(route.path.string) is not guarded by a \(expected.rawValue) permission")
                    continue
                }
            }
        }
    }

    @Test func concurrentAuditedReadsKeepTheChainIntact() async throws {
        try await TestApp.run { t in
            let token = try await t.token("officer")
            let any = try #require(try await t.send(.GET, "/api/v1/persons?q=a", token: token).json(PersonController.PersonList.self).items.first)
            let before = try await AuditLedger().count(on: t.app.db)
            try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for _ in 0..<40 {
                    group.addTask { try await t.send(.GET, "/api/v1/persons/\(any.id)", token: token).status }
                }
                for try await status in group { #expect(status == .ok) }
            }
            #expect(try await AuditLedger().count(on: t.app.db) == before + 40)
            guard case .intact = try await AuditLedger().verify(on: t.app.db) else {
                Issue.record("the chain broke under concurrent reads")
                return
            }
        }
    }
}

@Suite("Structured logs")
struct LogTests {
    @Test func eachLogLineIsOneJSONObjectWithTheRequestID() throws {
        let lines = Mutex<[Data]>([])
        var logger = Logger(label: "test") { label in JSONLogHandler(label: label) { data in lines.withLock { $0.append(data) } } }
        logger[metadataKey: "request-id"] = "R-1"
        logger.info("GET /api/v1/me", metadata: ["status": "200"])
        let captured = lines.withLock { $0 }
        #expect(captured.count == 1)
        let line = try #require(captured.first)
        #expect(line.last == UInt8(ascii: "\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        #expect(object["request-id"] == "R-1")
        #expect(object["message"] == "GET /api/v1/me")
        #expect(object["status"] == "200")
        #expect(object["level"] == "info")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }
}
