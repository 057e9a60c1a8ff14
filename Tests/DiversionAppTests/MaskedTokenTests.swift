@testable import DiversionApp
import Testing
import VaporTesting

@Suite("Masked form tokens")
struct MaskedTokenTests {
    @Test("a masked token differs on every mask and still matches the token")
    func maskingIsFreshAndReversible() {
        let token = "k3JmV0x9Q2pLqT8wYb1s"
        let masks = (0..<20).map { _ in MaskedToken.mask(token) }
        #expect(Set(masks).count == 20)
        #expect(masks.allSatisfy { !$0.contains(token) && MaskedToken.matches($0, token) })
    }

    @Test("the token itself matches, as API clients may send it", arguments: ["abc", "k3JmV0x9Q2pLqT8wYb1s"])
    func theRawTokenMatches(token: String) {
        #expect(MaskedToken.matches(token, token))
    }

    @Test("another token, a truncated mask or garbage does not match",
          arguments: ["", "=", "not base64 !", "QUJD", "AAAA"])
    func othersDoNotMatch(sent: String) {
        #expect(!MaskedToken.matches(sent, "abc"))
        #expect(!MaskedToken.matches(MaskedToken.mask("abd"), "abc"))
        #expect(!MaskedToken.matches(String(MaskedToken.mask("abc").dropLast(2)), "abc"))
    }

    @Test("two renders of a page carry different form tokens and each is accepted")
    func pagesCarryFreshTokens() async throws {
        try await TestApp.run { t in
            let (jar, _) = try await t.browserSignIn("officer")
            let first = try await t.send(.GET, "/people/new", headers: [jar.header])
            let second = try await t.send(.GET, "/people/new", headers: [jar.header])
            let a = try #require(hiddenField("csrf", in: first.text))
            let b = try #require(hiddenField("csrf", in: second.text))
            #expect(a != b)
            for token in [a, b] {
                // An empty form is refused for its fields (422), not for its token (403).
                let response = try await t.send(.POST, "/people", headers: [jar.header], body: form(["csrf": token]),
                                                contentType: "application/x-www-form-urlencoded")
                #expect(response.status != .forbidden)
            }
            let forged = try await t.send(.POST, "/people", headers: [jar.header], body: form(["csrf": MaskedToken.mask("forged")]),
                                          contentType: "application/x-www-form-urlencoded")
            #expect(forged.status == .forbidden)
        }
    }
}
