import DiversionCore
import Foundation
import Vapor

/// A person's details with the revision they are at: what an offline change is made against.
struct PersonDetailsResponse: Content {
    var personId: String
    var revision: Int
    var givenName: String
    var familyName: String
    var birthDate: String
    var sex: String
    var preferredLanguage: String?
    var flags: [String]

    init(_ person: Person, revision: Int) {
        personId = person.id.uuidString.lowercased()
        self.revision = revision
        givenName = person.details.givenName
        familyName = person.details.familyName
        birthDate = person.details.birthDate.description
        sex = person.details.sex.rawValue
        preferredLanguage = person.details.preferredLanguage
        flags = person.details.flags.map(\.rawValue)
    }
}

/// The 409 answer to a change made against an older revision: the server's values beside the sender's,
/// so the person who made the change can choose; nothing was written.
struct RevisionConflictProblem: Content {
    struct Yours: Content {
        var baseRevision: Int
        var preferredLanguage: String?
        var flags: [String]
    }

    var type = "urn:diversion:problem:conflict"
    var title = "Conflict"
    var status = 409
    var detail: String
    var instance: String
    var requestId: String
    var current: PersonDetailsResponse
    var yours: Yours

    func response() throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .eTag, value: "\"\(current.revision)\"")
        return Response(status: .conflict, headers: headers, body: .init(data: try JSONEncoder().encode(self)))
    }
}
