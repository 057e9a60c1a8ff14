import Foundation

/// The service directory in Open Referral HSDS 3.1 JSON (Human Services Data Specification).
///
/// A document is a JSON array of HSDS `service` objects. What HSDS has a field for goes there:
/// `id`, `name`, `status`, `email`, `minimum_age`, `maximum_age`, `organization` (the agency),
/// `phones[0].number`, `languages[].code` (a BCP 47 tag), `service_areas[0].name` (the region),
/// `service_at_locations[0].location` (`latitude`, `longitude`, `addresses[0].address_1`) and
/// `capacities[0]` (`maximum` places, `available` open places, `updated`). The rest is carried as
/// `attributes` whose `taxonomy_term` belongs to the `diversion` taxonomy (see `HSDS.Term`).
public enum HSDS {
    /// The name of the taxonomy whose terms carry what HSDS has no field for.
    public static let taxonomy = "diversion"
    /// The fixed id of that taxonomy, so that term ids stay the same in every export.
    public static let taxonomyID = derivedID(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), "taxonomy:diversion")
    /// The unit in which capacity is counted: places for people.
    static let unitID = derivedID(taxonomyID, "unit:place")

    /// A service to export, with the agency that runs it.
    public struct Entry: Sendable, Equatable {
        public var id: UUID
        public var agencyID: UUID
        public var agencyName: String
        public var profile: ServiceProfile
        public var capacityUpdatedAt: Date

        public init(id: UUID, agencyID: UUID, agencyName: String, profile: ServiceProfile, capacityUpdatedAt: Date) {
            self.id = id
            self.agencyID = agencyID
            self.agencyName = agencyName
            self.profile = profile
            self.capacityUpdatedAt = capacityUpdatedAt
        }
    }

    /// The terms of the `diversion` taxonomy, as `taxonomy_term.code` spells them; a value, where needed, is in `attribute.value`.
    public enum Term {
        /// `organisation_type:<type>`, e.g. `organisation_type:harm_reduction`.
        public static let organisationType = "organisation_type"
        /// `modality:<modality>`, one per modality, in order, e.g. `modality:opioid_agonist_treatment`.
        public static let modality = "modality"
        /// `sex_served:<sex>`, one per sex served, e.g. `sex_served:female`.
        public static let sexServed = "sex_served"
        /// Value `true` or `false`.
        public static let servesPregnantWomen = "serves_pregnant_women"
        /// Value `true` or `false`.
        public static let servesPeopleWithChildren = "serves_people_with_children"
        /// Value `true` or `false`.
        public static let acceptsJusticeReferrals = "accepts_justice_referrals"
        /// Value: the waiting time in whole days.
        public static let waitlistDays = "waitlist_days"
        /// Value: the people in the service now; written only when they outnumber its places, where `available` stops at 0.
        public static let load = "load"
    }

    /// The HSDS document for `entries`, ordered by name then id, with sorted keys so that equal directories give equal bytes.
    public static func document(_ entries: [Entry]) throws -> Data {
        let ordered = entries.sorted { ($0.profile.name, $0.id.uuidString) < ($1.profile.name, $1.id.uuidString) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(ordered.map(service))
        data.append(0x0A)
        return data
    }

    /// One service in HSDS form.
    public static func service(_ entry: Entry) -> Service {
        let p = entry.profile, id = entry.id
        func child(_ kind: String) -> String { derivedID(id, kind).lowercased }
        var attributes: [Attribute] = []
        func attribute(_ code: String, _ name: String, _ description: String, value: String? = nil) {
            let term = TaxonomyTerm(
                id: derivedID(taxonomyID, "term:\(code)").lowercased, code: code, name: name, description: description,
                taxonomy: taxonomy, taxonomyId: taxonomyID.lowercased
            )
            attributes.append(Attribute(id: child("attribute:\(code)"), linkId: id.lowercased, linkType: taxonomy, linkEntity: "service", value: value, taxonomyTerm: term))
        }
        attribute("\(Term.organisationType):\(p.organisationType.rawValue)", "Organisation type: \(p.organisationType.rawValue.replacingOccurrences(of: "_", with: " "))",
                  "The kind of organisation that runs the service.")
        for m in p.modalities {
            attribute("\(Term.modality):\(m.rawValue)", "Modality: \(m.words)", "Modality offered: \(m.words).")
        }
        for s in p.sexes {
            attribute("\(Term.sexServed):\(s.rawValue)", "Serves sex: \(s.rawValue)", "The service serves people whose recorded sex is \(s.rawValue).")
        }
        attribute(Term.servesPregnantWomen, "Serves pregnant women", "Whether the service takes pregnant women.", value: String(p.servesPregnantWomen))
        attribute(Term.servesPeopleWithChildren, "Serves people with children", "Whether the service takes people caring for children.",
                  value: String(p.servesPeopleWithChildren))
        attribute(Term.acceptsJusticeReferrals, "Accepts justice referrals", "Whether the service takes referrals from police, prosecutors and courts.",
                  value: String(p.acceptsJusticeReferrals))
        attribute(Term.waitlistDays, "Waiting time in days", "How many days a person referred now waits to start.", value: String(p.waitlistDays))
        if p.load > p.capacity {
            attribute(Term.load, "People in the service", "How many people the service holds now, more than its places.", value: String(p.load))
        }

        var locations: [ServiceAtLocation] = []
        if p.latitude != nil || p.address != nil {
            let addresses = p.address.map { [Address(id: child("address"), address1: $0)] } ?? []
            let location = Location(id: child("location"), latitude: p.latitude, longitude: p.longitude, addresses: addresses)
            locations.append(ServiceAtLocation(id: child("service_at_location"), location: location))
        }
        let capacity = Capacity(
            id: child("capacity"), available: p.openPlaces, maximum: p.capacity,
            unit: Unit(id: unitID.lowercased, name: "place", identifier: "place"),
            description: "Places for people referred to the service.", updated: timestamp(entry.capacityUpdatedAt)
        )
        return Service(
            id: id.lowercased, name: p.name, status: "active", email: p.email, minimumAge: p.minAge, maximumAge: p.maxAge,
            organizationId: entry.agencyID.lowercased,
            organization: Organization(id: entry.agencyID.lowercased, name: entry.agencyName, description: "The agency that runs the service."),
            phones: p.phone.map { [Phone(id: child("phone"), number: $0)] } ?? [],
            languages: p.languages.map { Language(id: child("language:\($0)"), code: $0) },
            serviceAreas: [ServiceArea(id: child("service_area"), name: p.region)],
            serviceAtLocations: locations, capacities: [capacity], attributes: attributes
        )
    }

    /// A capacity timestamp in whole seconds, UTC: what survives every database unchanged.
    static func timestamp(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }

    /// A stable UUID (version 8, RFC 9562) for a part of a service, so that exports repeat byte for byte.
    static func derivedID(_ base: UUID, _ kind: String) -> UUID {
        var bytes = withUnsafeBytes(of: base.uuid) { Array($0) } + Array(kind.utf8)
        func fnv(_ seed: UInt64) -> UInt64 {
            var hash = seed
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01B3
            }
            return hash
        }
        let high = fnv(0xCBF2_9CE4_8422_2325)
        bytes.append(0x5F)
        let low = fnv(0x84222325CBF29CE4)
        var out = withUnsafeBytes(of: high.bigEndian) { Array($0) } + withUnsafeBytes(of: low.bigEndian) { Array($0) }
        out[6] = (out[6] & 0x0F) | 0x80
        out[8] = (out[8] & 0x3F) | 0x80
        return UUID(uuid: (out[0], out[1], out[2], out[3], out[4], out[5], out[6], out[7], out[8], out[9], out[10], out[11], out[12], out[13], out[14], out[15]))
    }
}

extension UUID {
    /// The lowercase text form HSDS examples and our API use.
    var lowercased: String { uuidString.lowercased() }
}

// MARK: - HSDS objects, with the field names of the HSDS 3.1 schema

extension HSDS {
    /// An HSDS `service`.
    public struct Service: Encodable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var status: String
        public var email: String?
        public var minimumAge: Int
        public var maximumAge: Int
        public var organizationId: String
        public var organization: Organization
        public var phones: [Phone]
        public var languages: [Language]
        public var serviceAreas: [ServiceArea]
        public var serviceAtLocations: [ServiceAtLocation]
        public var capacities: [Capacity]
        public var attributes: [Attribute]

        enum CodingKeys: String, CodingKey {
            case id, name, status, email, organization, phones, languages, capacities, attributes
            case minimumAge = "minimum_age", maximumAge = "maximum_age", organizationId = "organization_id"
            case serviceAreas = "service_areas", serviceAtLocations = "service_at_locations"
        }
    }

    /// An HSDS `organization`: the agency that runs the service.
    public struct Organization: Encodable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var description: String
    }

    /// An HSDS `phone`.
    public struct Phone: Encodable, Sendable, Equatable {
        public var id: String
        public var number: String
    }

    /// An HSDS `language`; `code` holds our BCP 47 tag (an ISO 639-1 code for a plain language).
    public struct Language: Encodable, Sendable, Equatable {
        public var id: String
        public var code: String
    }

    /// An HSDS `service_area`: our region.
    public struct ServiceArea: Encodable, Sendable, Equatable {
        public var id: String
        public var name: String
    }

    /// An HSDS `service_at_location` with its `location`.
    public struct ServiceAtLocation: Encodable, Sendable, Equatable {
        public var id: String
        public var location: Location
    }

    /// An HSDS `location`.
    public struct Location: Encodable, Sendable, Equatable {
        public var id: String
        public var locationType = "physical"
        public var latitude: Double?
        public var longitude: Double?
        public var addresses: [Address]

        enum CodingKeys: String, CodingKey {
            case id, latitude, longitude, addresses
            case locationType = "location_type"
        }
    }

    /// An HSDS `address`; we hold one line, so the parts HSDS requires separately are left empty.
    public struct Address: Encodable, Sendable, Equatable {
        public var id: String
        public var address1: String
        public var city = ""
        public var stateProvince = ""
        public var postalCode = ""
        public var country = ""
        public var addressType = "physical"

        enum CodingKeys: String, CodingKey {
            case id, city, country
            case address1 = "address_1", stateProvince = "state_province", postalCode = "postal_code", addressType = "address_type"
        }
    }

    /// An HSDS 3.1 `service_capacity`.
    public struct Capacity: Encodable, Sendable, Equatable {
        public var id: String
        public var available: Int
        public var maximum: Int
        public var unit: Unit
        public var description: String
        public var updated: String
    }

    /// An HSDS 3.1 `unit`.
    public struct Unit: Encodable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var identifier: String
    }

    /// An HSDS `attribute`: a taxonomy term attached to the service, with a value where the term needs one.
    public struct Attribute: Encodable, Sendable, Equatable {
        public var id: String
        public var linkId: String
        public var linkType: String
        public var linkEntity: String
        public var value: String?
        public var taxonomyTerm: TaxonomyTerm

        enum CodingKeys: String, CodingKey {
            case id, value
            case linkId = "link_id", linkType = "link_type", linkEntity = "link_entity", taxonomyTerm = "taxonomy_term"
        }
    }

    /// An HSDS `taxonomy_term`.
    public struct TaxonomyTerm: Encodable, Sendable, Equatable {
        public var id: String
        public var code: String
        public var name: String
        public var description: String
        public var taxonomy: String
        public var taxonomyId: String

        enum CodingKeys: String, CodingKey {
            case id, code, name, description, taxonomy
            case taxonomyId = "taxonomy_id"
        }
    }
}
