import DiversionCore
import Foundation
import Vapor

/// An RFC 9457 problem document: what went wrong and how to fix it.
struct Problem: Content {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String?
    var requestId: String?
    var errors: [FieldError]?
}

/// The errors a request can end with, each mapped to an HTTP status and a problem type.
enum APIError: Error {
    case unauthenticated(String)
    case forbidden(String)
    case notFound(String)
    case badRequest(String)
    case invalidCSRF
    case accountLocked(until: Date)
    case conflict(String)
}

extension APIError {
    var status: HTTPResponseStatus {
        switch self {
        case .unauthenticated: .unauthorized
        case .forbidden, .invalidCSRF: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .accountLocked: .tooManyRequests
        case .conflict: .conflict
        }
    }

    var problemType: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .invalidCSRF: "csrf"
        case .notFound: "not-found"
        case .badRequest: "bad-request"
        case .accountLocked: "account-locked"
        case .conflict: "conflict"
        }
    }

    var detail: String {
        switch self {
        case .unauthenticated(let m), .forbidden(let m), .notFound(let m), .badRequest(let m), .conflict(let m): m
        case .invalidCSRF: "The form had expired or did not come from this site. Reload the page and submit it again."
        case .accountLocked(let until):
            "This account is locked after repeated failed sign-in attempts. Try again after \(until.formatted(.iso8601)) or ask an administrator to unlock it."
        }
    }
}

extension Request {
    /// Decodes a JSON body; any other media type is 415 rather than a confusing field error.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        guard let contentType = headers.contentType, contentType.type == "application",
              contentType.subType == "json" || contentType.subType.hasSuffix("+json")
        else { throw Abort(.unsupportedMediaType) }
        guard let body = body.data, body.readableBytes > 0 else {
            throw APIError.badRequest("The body is empty. Send a JSON object with Content-Type: application/json.")
        }
        return try content.decode(type, as: .json)
    }
}
