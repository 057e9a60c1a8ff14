import DiversionCore
import DiversionStore
import Foundation
import Vapor

/// One option of a select, radio group or checkbox list.
struct Option: Encodable {
    var value: String
    var label: String
    var selected: Bool
}

/// A field error as a page shows it, linking to the field it names.
struct ShownError: Encodable {
    var field: String
    var anchor: String
    var reason: String

    init(_ error: FieldError) {
        field = error.field
        reason = error.reason
        // seizures[1].quantity → seizures-1-quantity; flags[0] → the first flag box.
        let base = String(error.field.prefix { $0 != "[" })
        if base == "flags" {
            anchor = "flag-\(PersonFlag.allCases[0].rawValue)"
        } else {
            anchor = error.field.replacingOccurrences(of: "[", with: "-").replacingOccurrences(of: "]", with: "")
                .replacingOccurrences(of: ".", with: "-")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case field, anchor, reason
    }

    /// The reason is kept in English (the key) and written in the language of the page being rendered.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(field, forKey: .field)
        try container.encode(anchor, forKey: .anchor)
        let page = FieldMessageTranslator.rendering
        try container.encode(page.map { $0.translator.translate(reason, into: $0.language) } ?? reason, forKey: .reason)
    }
}

extension Request {
    /// The messages of this request's language.
    var messages: [String: String] { diversion.localizer.messages(language) }

    /// How this request's language writes dates, numbers and money.
    var format: LocaleFormat { LocaleFormat(language) }

    /// A time as a person reads it on a page: date and minutes in UTC, written the way the page's language writes them.
    func shown(_ date: Date?) -> String {
        format.dateTime(date)
    }

    /// The names of the people a worklist shows, read at once; each one shown is recorded as seen.
    func personNames(_ ids: [UUID]) async throws -> [UUID: String] {
        let names = try await diversion.people.names(of: Array(Set(ids)), on: db)
        try await diversion.auditTrail.record(try names.keys.sorted { $0.uuidString < $1.uuidString }.map {
            try auditEvent(.search, "person", id: $0.uuidString.lowercased(), person: $0)
        })
        return names
    }

    /// The regions agencies work in, for region pickers.
    func regions() async throws -> [String] {
        Array(Set(try await AgencyModel.query(on: db).all().map(\.region))).sorted()
    }
}

/// A `datetime-local` value (taken as UTC) or ISO 8601 text as an instant.
func parseFormTime(_ text: String?) -> Date? {
    guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    let padded = text.count == 16 ? text + ":00Z" : text + "Z"
    return try? Date(padded, strategy: .iso8601)
}

/// The `datetime-local` value of an instant, in UTC.
func formTime(_ date: Date) -> String {
    String(date.formatted(.iso8601).prefix(16))
}
