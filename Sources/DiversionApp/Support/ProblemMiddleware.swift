import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// Turns every error into an `application/problem+json` answer for the API, or a page for people.
/// Input errors always become 4xx with the field named; only our own faults are 5xx.
struct ProblemMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let problem = Self.problem(for: error, request: request)
            if problem.status >= 500 {
                request.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if request.isWebPage {
                return try await WebErrorPage.response(for: problem, error: error, request: request)
            }
            return Self.response(problem, error: error)
        }
    }

    static func response(_ problem: Problem, error: (any Error)? = nil) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        if case .accountLocked(let until) = error as? APIError {
            headers.replaceOrAdd(name: .retryAfter, value: String(max(1, Int(until.timeIntervalSinceNow.rounded(.up)))))
        }
        if problem.status == 401 {
            headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"diversion\"")
        }
        let body = (try? JSONEncoder.problem.encode(problem)) ?? Data()
        return Response(status: HTTPResponseStatus(statusCode: problem.status), headers: headers, body: .init(data: body))
    }

    static func problem(for error: any Error, request: Request) -> Problem {
        var problem: Problem
        switch error {
        case let failure as ValidationFailure:
            problem = Problem(
                type: "validation", title: "The input has problems", status: 422,
                detail: "Correct these fields and send again: " + failure.summary, errors: failure.errors
            )
        case let api as APIError:
            problem = Problem(type: api.problemType, title: api.status.reasonPhrase, status: Int(api.status.code), detail: api.detail)
        case let decoding as DecodingError:
            problem = Self.problem(for: decoding)
        case AuditTrailError.stalled:
            // A database lost mid-failover: the balancer and the client may try again, here or on another instance.
            problem = Problem(type: "unavailable", title: "Service Unavailable", status: 503, detail: AuditTrailError.stalled.description)
        case let abort as any AbortError:
            let status = abort.status
            problem = Problem(
                type: Self.problemType(for: status), title: status.reasonPhrase, status: Int(status.code),
                detail: Self.detail(for: status, reason: abort.reason)
            )
        default:
            problem = Problem(
                type: "internal", title: "Internal Server Error", status: 500,
                detail: "Something went wrong on our side and nothing was changed. Try again; if it happens again, give the request id to support."
            )
        }
        problem.type = "urn:diversion:problem:" + problem.type
        problem.instance = request.url.path
        problem.requestId = request.id
        return problem
    }

    static func problem(for error: DecodingError) -> Problem {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            let name = field(context.codingPath)
            return Problem(type: "validation", title: "The input has problems", status: 422,
                           detail: "\(name.isEmpty ? "The body" : name) should be \(Self.describe(type)).",
                           errors: [FieldError(name.isEmpty ? "body" : name, "Expected \(Self.describe(type)).")])
        case .valueNotFound(let type, let context):
            let name = field(context.codingPath)
            return Problem(type: "validation", title: "The input has problems", status: 422,
                           detail: "\(name.isEmpty ? "The body" : name) should be \(Self.describe(type)), not null.",
                           errors: [FieldError(name.isEmpty ? "body" : name, "Expected \(Self.describe(type)), not null.")])
        case .keyNotFound(let key, let context):
            let name = field(context.codingPath + [key])
            return Problem(type: "validation", title: "The input has problems", status: 422,
                           detail: "\(name) is required.", errors: [FieldError(name, "This field is required.")])
        case .dataCorrupted(let context):
            let name = field(context.codingPath)
            if name.isEmpty {
                return Problem(type: "bad-request", title: "Bad Request", status: 400,
                               detail: "The body is not valid JSON. Send a JSON object with Content-Type: application/json.")
            }
            return Problem(type: "validation", title: "The input has problems", status: 422,
                           detail: "\(name): \(context.debugDescription)", errors: [FieldError(name, context.debugDescription)])
        @unknown default:
            return Problem(type: "bad-request", title: "Bad Request", status: 400, detail: "The body could not be read.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            // The decoder reports lists as [Any] and objects as [String: Any], whatever their element type.
            let name = String(describing: type)
            return name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") ? "a list" : "an object"
        }
    }

    static func problemType(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "bad-request"
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 404: "not-found"
        case 405: "method-not-allowed"
        case 413: "payload-too-large"
        case 415: "unsupported-media-type"
        case 500...: "internal"
        default: "http-\(status.code)"
        }
    }

    static func detail(for status: HTTPResponseStatus, reason: String) -> String {
        switch status.code {
        case 404: "There is nothing at this address. Check the path against /openapi.yaml."
        case 413: "The body is larger than this server accepts. Send less data in one request."
        case 415: "Send the body as JSON with the header Content-Type: application/json."
        case 500...: "Something went wrong on our side and nothing was changed. Try again; if it happens again, give the request id to support."
        default: reason
        }
    }
}

extension JSONEncoder {
    static let problem: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension Request {
    /// Pages for people are everything outside the API and the machine endpoints.
    var isWebPage: Bool {
        let path = url.path
        return !(path.hasPrefix("/api/") || path == "/healthz" || path == "/metrics" || path == "/openapi.yaml")
    }
}
