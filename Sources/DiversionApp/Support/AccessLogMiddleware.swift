import Foundation
import Vapor

/// One structured log line per request: method, path (never the query, which can carry names),
/// status, duration and the signed-in user, with the request id the logger already carries.
struct AccessLogMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next.respond(to: request)
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var metadata: Logger.Metadata = [
            "status": "\(response.status.code)",
            "duration_ms": .string(String(format: "%.2f", milliseconds)),
        ]
        if let user = request.session?.principal.username { metadata["user"] = .string(user) }
        request.logger.info("\(request.method) \(request.url.path)", metadata: metadata)
        return response
    }
}
