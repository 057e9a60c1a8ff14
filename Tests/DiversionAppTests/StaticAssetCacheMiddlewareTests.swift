import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

@Suite("Page weight: caching and compression")
struct StaticAssetCacheMiddlewareTests {
    @Test("Browsers may keep the stylesheet for a day, but never a page", arguments: [
        ("/css/site.css", "public, max-age=86400"),
        ("/login", "no-store"),
        ("/api/v1/services", "no-store"),
    ])
    func cacheControl(path: String, expected: String) async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, path)
            #expect(response.headers.first(name: .cacheControl) == expected)
        }
    }

    @Test("A file missing from /css/ is not cacheable")
    func missingAsset() async throws {
        try await TestApp.run { t in
            let response = try await t.send(.GET, "/css/no-such-file.css")
            #expect(response.status == .notFound)
            #expect(response.headers.first(name: .cacheControl) != StaticAssetCacheMiddleware.cacheControl)
        }
    }

    @Test("Pages and the stylesheet go gzip-compressed to a browser that asks, and plain to one that does not",
          arguments: ["/login", "/css/site.css"])
    func compression(path: String) async throws {
        try await TestApp.run { t in
            let gzip = try await t.send(.GET, path, headers: [("Accept-Encoding", "gzip")], overTheNetwork: true)
            #expect(gzip.status == .ok)
            #expect(gzip.headers.first(name: .contentEncoding) == "gzip")
            #expect(Array(gzip.body.readableBytesView.prefix(2)) == [0x1f, 0x8b])
            let plain = try await t.send(.GET, path, overTheNetwork: true)
            #expect(plain.headers.first(name: .contentEncoding) == nil)
            #expect(plain.body.readableBytes > gzip.body.readableBytes)
        }
    }
}
