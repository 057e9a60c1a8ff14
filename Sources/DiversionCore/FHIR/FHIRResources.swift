import Foundation

// The FHIR R4 resources of a referral export, each with only the elements we fill.

/// The person referred: named only when a consent allows it, otherwise pseudonymised.
public struct FHIRPatient: Codable, Sendable, Equatable {
    public var resourceType = "Patient"
    public var id: String?
    public var meta: FHIRMeta?
    public var identifier: [FHIRIdentifier]?
    public var name: [FHIRHumanName]?
    public var gender: String?
    /// A full date when identified, the year alone when pseudonymised.
    public var birthDate: String?
}

/// The referral as a request for a service (SDOHCC ServiceRequest).
public struct FHIRServiceRequest: Codable, Sendable, Equatable {
    public var resourceType = "ServiceRequest"
    public var id: String?
    public var meta: FHIRMeta?
    public var identifier: [FHIRIdentifier]?
    public var status: String
    public var intent: String
    public var category: [FHIRCodeableConcept]?
    public var priority: String?
    public var code: FHIRCodeableConcept?
    public var subject: FHIRReference
    public var authoredOn: String?
    public var requester: FHIRReference?
    public var performer: [FHIRReference]?
    public var reasonCode: [FHIRCodeableConcept]?
    public var supportingInfo: [FHIRReference]?
}

/// The referral's fulfilment by the receiving service (SDOHCC Task For Referral Management).
public struct FHIRTask: Codable, Sendable, Equatable {
    /// One input of a task: we use it for the intake appointment.
    public struct Input: Codable, Sendable, Equatable {
        public var type: FHIRCodeableConcept
        public var valueDateTime: String?
        public var valueString: String?
    }

    /// When fulfilment is sought.
    public struct Restriction: Codable, Sendable, Equatable {
        public var period: FHIRPeriod?
    }

    public var resourceType: String? = "Task"
    public var id: String?
    public var meta: FHIRMeta?
    public var identifier: [FHIRIdentifier]?
    public var status: String?
    public var statusReason: FHIRCodeableConcept?
    public var businessStatus: FHIRCodeableConcept?
    public var intent: String?
    public var priority: String?
    public var code: FHIRCodeableConcept?
    public var focus: FHIRReference?
    public var `for`: FHIRReference?
    public var authoredOn: String?
    public var lastModified: String?
    public var requester: FHIRReference?
    public var owner: FHIRReference?
    public var restriction: Restriction?
    public var note: [FHIRAnnotation]?
    public var input: [Input]?
}

/// A consent grant that covers the referral's data.
public struct FHIRConsent: Codable, Sendable, Equatable {
    public struct Actor: Codable, Sendable, Equatable {
        public var role: FHIRCodeableConcept
        public var reference: FHIRReference
    }

    public struct Provision: Codable, Sendable, Equatable {
        public var type: String?
        public var period: FHIRPeriod?
        public var actor: [Actor]?
        public var purpose: [FHIRCoding]?
        public var `class`: [FHIRCoding]?
    }

    public var resourceType = "Consent"
    public var id: String?
    public var identifier: [FHIRIdentifier]?
    public var status: String
    public var scope: FHIRCodeableConcept
    public var category: [FHIRCodeableConcept]
    public var patient: FHIRReference?
    public var dateTime: String?
    public var organization: [FHIRReference]?
    public var policyRule: FHIRCodeableConcept?
    public var provision: Provision?
}

/// A screening: the instrument's answers as given, and its score.
public struct FHIRQuestionnaireResponse: Codable, Sendable, Equatable {
    public struct Answer: Codable, Sendable, Equatable {
        public var valueBoolean: Bool?
        public var valueInteger: Int?
        public var valueDecimal: Double?
        public var valueString: String?
    }

    public struct Item: Codable, Sendable, Equatable {
        public var linkId: String
        public var answer: [Answer]?
        public var item: [Item]?
    }

    public var resourceType = "QuestionnaireResponse"
    public var id: String?
    public var identifier: FHIRIdentifier?
    public var questionnaire: String?
    public var status: String
    public var subject: FHIRReference?
    public var authored: String?
    public var item: [Item]?
}

/// One drug-test result.
public struct FHIRObservation: Codable, Sendable, Equatable {
    public struct Component: Codable, Sendable, Equatable {
        public var code: FHIRCodeableConcept
        public var valueCodeableConcept: FHIRCodeableConcept?
    }

    public var resourceType = "Observation"
    public var id: String?
    public var identifier: [FHIRIdentifier]?
    public var status: String
    public var category: [FHIRCodeableConcept]?
    public var code: FHIRCodeableConcept
    public var subject: FHIRReference?
    public var effectiveDateTime: String?
    public var issued: String?
    public var valueCodeableConcept: FHIRCodeableConcept?
    public var dataAbsentReason: FHIRCodeableConcept?
    public var note: [FHIRAnnotation]?
    public var method: FHIRCodeableConcept?
    public var specimen: FHIRReference?
    public var component: [Component]?
}

/// The specimen a drug test was made on, with its chain-of-custody number.
public struct FHIRSpecimen: Codable, Sendable, Equatable {
    public struct Collection: Codable, Sendable, Equatable {
        public var collectedDateTime: String?
    }

    public var resourceType = "Specimen"
    public var id: String?
    public var accessionIdentifier: FHIRIdentifier?
    public var type: FHIRCodeableConcept?
    public var subject: FHIRReference?
    public var collection: Collection?
}

/// An agency: the referring one or the one that runs the service.
public struct FHIROrganization: Codable, Sendable, Equatable {
    public var resourceType = "Organization"
    public var id: String?
    public var identifier: [FHIRIdentifier]?
    public var active: Bool?
    public var type: [FHIRCodeableConcept]?
    public var name: String?
}

/// A service from the directory.
public struct FHIRHealthcareService: Codable, Sendable, Equatable {
    public struct Eligibility: Codable, Sendable, Equatable {
        public var code: FHIRCodeableConcept?
        public var comment: String?
    }

    public var resourceType = "HealthcareService"
    public var id: String?
    public var identifier: [FHIRIdentifier]?
    public var active: Bool?
    public var providedBy: FHIRReference?
    public var category: [FHIRCodeableConcept]?
    public var type: [FHIRCodeableConcept]?
    public var name: String?
    public var comment: String?
    public var telecom: [FHIRContactPoint]?
    public var coverageArea: [FHIRReference]?
    public var eligibility: [Eligibility]?
    public var communication: [FHIRCodeableConcept]?
    public var referralMethod: [FHIRCodeableConcept]?
    public var appointmentRequired: Bool?
}

/// Any resource the export puts in a Bundle.
public enum FHIRResource: Sendable, Equatable, Codable {
    case patient(FHIRPatient)
    case serviceRequest(FHIRServiceRequest)
    case task(FHIRTask)
    case consent(FHIRConsent)
    case questionnaireResponse(FHIRQuestionnaireResponse)
    case observation(FHIRObservation)
    case specimen(FHIRSpecimen)
    case organization(FHIROrganization)
    case healthcareService(FHIRHealthcareService)

    public var resourceType: String {
        switch self {
        case .patient: "Patient"
        case .serviceRequest: "ServiceRequest"
        case .task: "Task"
        case .consent: "Consent"
        case .questionnaireResponse: "QuestionnaireResponse"
        case .observation: "Observation"
        case .specimen: "Specimen"
        case .organization: "Organization"
        case .healthcareService: "HealthcareService"
        }
    }

    private enum Key: String, CodingKey { case resourceType }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .resourceType)
        switch type {
        case "Patient": self = .patient(try FHIRPatient(from: decoder))
        case "ServiceRequest": self = .serviceRequest(try FHIRServiceRequest(from: decoder))
        case "Task": self = .task(try FHIRTask(from: decoder))
        case "Consent": self = .consent(try FHIRConsent(from: decoder))
        case "QuestionnaireResponse": self = .questionnaireResponse(try FHIRQuestionnaireResponse(from: decoder))
        case "Observation": self = .observation(try FHIRObservation(from: decoder))
        case "Specimen": self = .specimen(try FHIRSpecimen(from: decoder))
        case "Organization": self = .organization(try FHIROrganization(from: decoder))
        case "HealthcareService": self = .healthcareService(try FHIRHealthcareService(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [Key.resourceType], debugDescription: "Unknown resourceType \(type)."))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .patient(let r): try r.encode(to: encoder)
        case .serviceRequest(let r): try r.encode(to: encoder)
        case .task(let r): try r.encode(to: encoder)
        case .consent(let r): try r.encode(to: encoder)
        case .questionnaireResponse(let r): try r.encode(to: encoder)
        case .observation(let r): try r.encode(to: encoder)
        case .specimen(let r): try r.encode(to: encoder)
        case .organization(let r): try r.encode(to: encoder)
        case .healthcareService(let r): try r.encode(to: encoder)
        }
    }
}

/// A collection of resources that refer to one another by their `urn:uuid:` full URLs.
public struct FHIRBundle: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var fullUrl: String
        public var resource: FHIRResource
    }

    public var resourceType = "Bundle"
    public var id: String?
    public var meta: FHIRMeta?
    public var identifier: FHIRIdentifier?
    public var type: String
    public var timestamp: String?
    public var entry: [Entry]?

    /// The resources of one type, in order.
    public func resources(_ type: String) -> [FHIRResource] {
        (entry ?? []).map(\.resource).filter { $0.resourceType == type }
    }
}
