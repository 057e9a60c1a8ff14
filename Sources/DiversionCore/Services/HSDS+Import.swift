import Foundation

extension HSDS {
    /// The most services one document may hold.
    public static let largestDocument = 10_000

    /// A service read from an HSDS document, checked as the API checks a new service.
    public struct Record: Sendable, Equatable {
        /// Its place in the document, for messages.
        public var index: Int
        public var id: UUID
        /// The agency that runs it as the document names it: `organization.id` (or `organization_id`) and `organization.name`.
        public var organizationID: UUID?
        public var organizationName: String?
        public var profile: ServiceProfile
        /// `capacities[0].updated`, when given.
        public var capacityUpdatedAt: Date?

        /// Where in the document a problem with this record's organisation is reported.
        public var organizationPath: String { "services[\(index)].organization" }
    }

    /// Reads an HSDS document: every service, or every problem in every service, each named by its path,
    /// such as `services[3].minimum_age`. Capacity confirmed after `now` is refused.
    public static func read(_ data: Data, now: Date) -> Result<[Record], ValidationFailure> {
        let reading = parse(data, now: now)
        return reading.problems.isEmpty ? .success(reading.records) : .failure(ValidationFailure(reading.problems))
    }

    /// What a document holds: the services without problems, and every problem, in document order.
    public struct Reading: Sendable, Equatable {
        public var records: [Record] = []
        public var problems: [FieldError] = []
    }

    /// Reads a document, keeping the good services beside the problems so that a caller's own checks
    /// (such as whether the agency exists) can name theirs too.
    public static func parse(_ data: Data, now: Date) -> Reading {
        switch records(data, now: now) {
        case .success(let reading): reading
        case .failure(let failure): Reading(problems: failure.errors)
        }
    }

    private static func records(_ data: Data, now: Date) -> Result<Reading, ValidationFailure> {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            return .failure(ValidationFailure([FieldError("services", "The file is not JSON: \(Self.reason(error))")]))
        }
        let items: [JSONValue]
        switch root {
        case .array(let array): items = array
        // An HSDS API page (`GET /services`) holds its services in `contents`.
        case .object(let object) where object["contents"]?.array != nil: items = object["contents"]?.array ?? []
        default:
            return .failure(ValidationFailure([FieldError("services", "An HSDS document is a JSON array of service objects.")]))
        }
        guard items.count <= largestDocument else {
            return .failure(ValidationFailure([FieldError("services", "A document holds at most \(largestDocument) services; split it.")]))
        }
        var errors: [FieldError] = [], records: [Record] = []
        var seen: [UUID: Int] = [:]
        for (index, item) in items.enumerated() {
            var reader = RecordReader(index: index, now: now)
            let record = reader.read(item)
            errors += reader.errors
            if let record {
                if let first = seen[record.id] {
                    errors.append(FieldError("services[\(index)].id", "services[\(first)] has the same id; each service appears once."))
                } else {
                    seen[record.id] = index
                }
                records.append(record)
            }
        }
        return .success(Reading(records: records, problems: errors))
    }

    static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }

    /// Parses an HSDS date-time, with or without fractional seconds.
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Reads one service object, gathering a `ServiceInput` and where each of its fields came from.
private struct RecordReader {
    let index: Int
    let now: Date
    var errors: [FieldError] = []
    /// ServiceInput field (as `ServiceProfile.validate` names it) → path in the document.
    var paths: [String: String] = [:]

    init(index: Int, now: Date) {
        self.index = index
        self.now = now
    }

    var prefix: String { "services[\(index)]" }

    mutating func fail(_ path: String, _ message: String) {
        errors.append(FieldError(path.isEmpty ? prefix : "\(prefix).\(path)", message))
    }

    mutating func read(_ value: JSONValue) -> HSDS.Record? {
        guard case .object(let service) = value else {
            fail("", "Each service is a JSON object.")
            return nil
        }
        var input = ServiceInput()
        let idText = string(service["id"], "id")
        let id = idText.flatMap(UUID.init(uuidString:))
        if idText == nil, service["id"] == nil || service["id"] == .null { fail("id", "Give the service's id, a UUID.") }
        if let idText, id == nil { fail("id", "'\(idText)' is not a UUID; HSDS ids are UUIDs such as 3f2c9a1e-0000-4000-8000-000000000000.") }

        if let status = string(service["status"], "status"), status != "active" {
            fail("status", "Only active services are imported; this one is '\(status)'. Remove it or mark it active.")
        }
        input.name = string(service["name"], "name")
        paths["name"] = "name"
        input.email = string(service["email"], "email")
        paths["email"] = "email"
        input.minAge = whole(service["minimum_age"], "minimum_age")
        paths["minAge"] = "minimum_age"
        input.maxAge = whole(service["maximum_age"], "maximum_age")
        paths["maxAge"] = "maximum_age"

        var organizationID: UUID?, organizationName: String?
        if let organization = object(service["organization"], "organization") {
            if let text = string(organization["id"], "organization.id") {
                organizationID = UUID(uuidString: text)
                if organizationID == nil { fail("organization.id", "'\(text)' is not a UUID.") }
            }
            organizationName = string(organization["name"], "organization.name")
        }
        if organizationID == nil, let text = string(service["organization_id"], "organization_id") {
            organizationID = UUID(uuidString: text)
            if organizationID == nil { fail("organization_id", "'\(text)' is not a UUID.") }
        }

        if let phones = array(service["phones"], "phones"), let first = phones.first {
            if let phone = object(first, "phones[0]") {
                input.phone = string(phone["number"], "phones[0].number")
                paths["phone"] = "phones[0].number"
            }
        }

        paths["languages"] = "languages"
        if let languages = array(service["languages"], "languages") {
            var codes: [String] = []
            for (i, item) in languages.enumerated() {
                guard let language = object(item, "languages[\(i)]") else { continue }
                guard let code = string(language["code"], "languages[\(i)].code") else {
                    if language["code"] == nil || language["code"] == .null { fail("languages[\(i)].code", "Give the language code, such as en or pt-BR.") }
                    continue
                }
                paths["languages[\(codes.count)]"] = "languages[\(i)].code"
                codes.append(code)
            }
            input.languages = codes
        }

        paths["region"] = "service_areas"
        if let areas = array(service["service_areas"], "service_areas"), let first = areas.first, let area = object(first, "service_areas[0]") {
            input.region = string(area["name"], "service_areas[0].name")
            paths["region"] = "service_areas[0].name"
        }

        if let places = array(service["service_at_locations"], "service_at_locations"), let first = places.first,
           let place = object(first, "service_at_locations[0]"),
           let location = object(place["location"], "service_at_locations[0].location") {
            let at = "service_at_locations[0].location"
            input.latitude = number(location["latitude"], "\(at).latitude")
            input.longitude = number(location["longitude"], "\(at).longitude")
            paths["latitude"] = "\(at).latitude"
            paths["longitude"] = "\(at).longitude"
            if let addresses = array(location["addresses"], "\(at).addresses"), let first = addresses.first,
               let address = object(first, "\(at).addresses[0]") {
                // Our one line: the parts HSDS keeps apart, joined; an export puts it all in address_1.
                let parts = ["address_1", "address_2", "city", "state_province", "postal_code", "country"].compactMap { key in
                    string(address[key], "\(at).addresses[0].\(key)")?.trimmingCharacters(in: .whitespaces).nilIfBlank
                }
                input.address = parts.isEmpty ? nil : parts.joined(separator: ", ")
                paths["address"] = "\(at).addresses[0].address_1"
            }
        }

        var available: Int?, capacityUpdatedAt: Date?
        paths["capacity"] = "capacities"
        if let capacities = array(service["capacities"], "capacities"), let first = capacities.first,
           let capacity = object(first, "capacities[0]") {
            input.capacity = whole(capacity["maximum"], "capacities[0].maximum")
            paths["capacity"] = "capacities[0].maximum"
            paths["load"] = "capacities[0].available"
            available = whole(capacity["available"], "capacities[0].available")
            if let text = string(capacity["updated"], "capacities[0].updated") {
                if let date = HSDS.parseDate(text) {
                    if date > now.addingTimeInterval(300) { fail("capacities[0].updated", "\(text) is in the future.") } else { capacityUpdatedAt = date }
                } else {
                    fail("capacities[0].updated", "Write the date and time as ISO 8601, such as 2026-03-01T09:30:00Z.")
                }
            }
        }

        var load: Int?
        readAttributes(service["attributes"], into: &input, load: &load)
        if let maximum = input.capacity {
            if let load {
                input.load = load
                if let available, available != max(0, maximum - load) {
                    fail("capacities[0].available", "\(available) open places do not match \(maximum) places with \(load) people in the service.")
                }
            } else if let available {
                if (0...maximum).contains(available) { input.load = maximum - available } else {
                    fail("capacities[0].available", "Give the open places, from 0 to the maximum (\(maximum)).")
                }
            }
        }

        // Missing attributes get a message in HSDS terms rather than the API's field names.
        var reported: Set<String> = []
        if input.organisationType == nil {
            fail("attributes", "Add an attribute with the diversion term organisation_type:<type>, the type one of "
                 + "\(OrganisationType.allCases.map(\.rawValue).joined(separator: ", ")).")
            reported.insert("organisationType")
        }
        if input.modalities == nil {
            fail("attributes", "Add an attribute with the diversion term modality:<modality> for each thing the service offers, such as modality:outpatient.")
            reported.insert("modalities")
        }
        let profile: ServiceProfile?
        do {
            profile = try ServiceProfile.validate(input)
        } catch {
            for e in error.errors where !reported.contains(e.field) { fail(path(of: e.field), e.reason) }
            profile = nil
        }
        guard let id, let profile, errors.isEmpty else { return nil }
        return HSDS.Record(
            index: index, id: id, organizationID: organizationID, organizationName: organizationName?.trimmingCharacters(in: .whitespaces),
            profile: profile, capacityUpdatedAt: capacityUpdatedAt
        )
    }

    /// Reads the `diversion` attributes; other taxonomies' attributes are left alone.
    mutating func readAttributes(_ value: JSONValue?, into input: inout ServiceInput, load: inout Int?) {
        paths["organisationType"] = "attributes"
        paths["modalities"] = "attributes"
        paths["sexes"] = "attributes"
        paths["waitlistDays"] = "attributes"
        guard let attributes = array(value, "attributes") else { return }
        var seen: [String: Int] = [:]
        var modalities: [String] = [], sexes: [String] = []
        for (i, item) in attributes.enumerated() {
            let at = "attributes[\(i)]"
            guard let attribute = object(item, at), let term = object(attribute["taxonomy_term"], "\(at).taxonomy_term") else { continue }
            let taxonomy = string(term["taxonomy"], "\(at).taxonomy_term.taxonomy")
            let taxonomyID = string(term["taxonomy_id"], "\(at).taxonomy_term.taxonomy_id")
            guard taxonomy == HSDS.taxonomy || taxonomyID?.lowercased() == HSDS.taxonomyID.lowercased else { continue }
            guard let code = string(term["code"], "\(at).taxonomy_term.code") else {
                fail("\(at).taxonomy_term.code", "Give the term's code, such as modality:outpatient.")
                continue
            }
            if let first = seen[code] {
                fail("\(at).taxonomy_term.code", "attributes[\(first)] has the same term; give each term once.")
                continue
            }
            seen[code] = i
            let (name, argument) = code.split(separator: ":", maxSplits: 1).map(String.init).pair
            let valuePath = "\(at).value"
            switch (name, argument) {
            case (HSDS.Term.organisationType, let type?):
                if input.organisationType != nil {
                    fail("\(at).taxonomy_term.code", "The organisation type is given twice; keep one.")
                } else {
                    input.organisationType = type
                    paths["organisationType"] = "\(at).taxonomy_term.code"
                }
            case (HSDS.Term.modality, let modality?):
                paths["modalities[\(modalities.count)]"] = "\(at).taxonomy_term.code"
                modalities.append(modality)
            case (HSDS.Term.sexServed, let sex?):
                paths["sexes[\(sexes.count)]"] = "\(at).taxonomy_term.code"
                sexes.append(sex)
            case (HSDS.Term.servesPregnantWomen, nil):
                input.servesPregnantWomen = flag(attribute["value"], valuePath)
            case (HSDS.Term.servesPeopleWithChildren, nil):
                input.servesPeopleWithChildren = flag(attribute["value"], valuePath)
            case (HSDS.Term.acceptsJusticeReferrals, nil):
                input.acceptsJusticeReferrals = flag(attribute["value"], valuePath)
            case (HSDS.Term.waitlistDays, nil):
                input.waitlistDays = count(attribute["value"], valuePath)
                paths["waitlistDays"] = valuePath
            case (HSDS.Term.load, nil):
                load = count(attribute["value"], valuePath)
            default:
                fail("\(at).taxonomy_term.code", "'\(code)' is not a term of the diversion taxonomy; use organisation_type:…, modality:…, sex_served:…, "
                     + "serves_pregnant_women, serves_people_with_children, accepts_justice_referrals, waitlist_days or load.")
            }
        }
        if !modalities.isEmpty { input.modalities = modalities }
        if !sexes.isEmpty { input.sexes = sexes }
    }

    /// Where a `ServiceProfile.validate` field lives in the document: `modalities[2]` → `attributes[5].taxonomy_term.code`.
    func path(of field: String) -> String {
        if let exact = paths[field] { return exact }
        let base = field.split(separator: "[").first.map(String.init) ?? field
        return paths[base] ?? field
    }

    // MARK: Typed reads that name the path of anything of the wrong kind

    mutating func string(_ value: JSONValue?, _ path: String) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default:
            fail(path, "Write this as text.")
            return nil
        }
    }

    mutating func number(_ value: JSONValue?, _ path: String) -> Double? {
        switch value {
        case nil, .null?: return nil
        case .number(let n)?: return n
        default:
            fail(path, "Write this as a number.")
            return nil
        }
    }

    mutating func whole(_ value: JSONValue?, _ path: String) -> Int? {
        guard let n = number(value, path) else { return nil }
        guard n.isFinite, n == n.rounded(), abs(n) <= 1_000_000_000 else {
            fail(path, "Write this as a whole number.")
            return nil
        }
        return Int(n)
    }

    mutating func object(_ value: JSONValue?, _ path: String) -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let o)?: return o
        default:
            fail(path, "Write this as a JSON object.")
            return nil
        }
    }

    mutating func array(_ value: JSONValue?, _ path: String) -> [JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .array(let a)?: return a
        default:
            fail(path, "Write this as a JSON array.")
            return nil
        }
    }

    /// An attribute value `true` or `false` (HSDS values are text).
    mutating func flag(_ value: JSONValue?, _ path: String) -> Bool? {
        switch value {
        case .string("true")?, .bool(true)?: return true
        case .string("false")?, .bool(false)?: return false
        default:
            fail(path, "Give true or false.")
            return nil
        }
    }

    /// An attribute value holding a whole number of days or people, as text.
    mutating func count(_ value: JSONValue?, _ path: String) -> Int? {
        switch value {
        case .string(let text)?:
            if let n = Int(text.trimmingCharacters(in: .whitespaces)) { return n }
        case .number(let n)?:
            if n.isFinite, n == n.rounded(), abs(n) <= 1_000_000_000 { return Int(n) }
        default: break
        }
        fail(path, "Give a whole number, such as \"14\".")
        return nil
    }
}

/// Any JSON value, so that each field can be checked for its kind and named when wrong.
enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

private extension Array where Element == String {
    /// The first element and, if any, the second.
    var pair: (String, String?) { (first ?? "", count > 1 ? self[1] : nil) }
}

private extension String {
    var nilIfBlank: String? { isEmpty ? nil : self }
}
