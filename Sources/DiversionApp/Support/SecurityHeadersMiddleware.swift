import Vapor

/// Headers that keep browsers from running injected code, framing pages or leaking addresses.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("X-Request-Id", request.id),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if request.headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https" || request.diversion.configuration.secureCookies {
            // Served over TLS: browsers should never come back over plain HTTP.
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        if request.isWebPage || request.url.path.hasPrefix("/api/") {
            // Personal data must not linger in shared caches or the browser's history cache.
            if !StaticAssetCacheMiddleware.isAsset(request.url.path) {
                response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            }
        }
        return response
    }
}
