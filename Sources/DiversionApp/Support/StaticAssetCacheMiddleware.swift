import Vapor

/// Lets browsers keep stylesheets and scripts for a day, then revalidate them with the file's ETag.
/// A day, not a year: the files keep fixed addresses (the offline capture's service worker keeps them by
/// address), so a changed file must reach browsers without a new name.
struct StaticAssetCacheMiddleware: AsyncMiddleware {
    /// Folders whose files may be cached by browsers and shared caches: no personal data in them.
    static let folders = ["css", "js"]
    static let cacheControl = "public, max-age=86400"

    /// True for the paths whose answers may be cached.
    static func isAsset(_ path: String) -> Bool {
        folders.contains { path.hasPrefix("/\($0)/") }
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if Self.isAsset(request.url.path), response.status == .ok || response.status == .notModified {
            response.headers.replaceOrAdd(name: .cacheControl, value: Self.cacheControl)
        }
        return response
    }
}
