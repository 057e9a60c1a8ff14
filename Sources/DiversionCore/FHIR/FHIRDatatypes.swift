import Foundation

// The FHIR R4 (4.0.1) data types the referral export needs, and no more. Every field is optional so an absent
// element is left out of the JSON, as FHIR requires; lists are nil rather than empty for the same reason.

/// Resource metadata: the profiles a resource claims and its security labels.
public struct FHIRMeta: Codable, Sendable, Equatable {
    public var profile: [String]?
    public var security: [FHIRCoding]?
    public var lastUpdated: String?
}

/// A code from a code system.
public struct FHIRCoding: Codable, Sendable, Equatable {
    public var system: String?
    public var code: String?
    public var display: String?

    public init(system: String? = nil, code: String? = nil, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}

/// Codes and/or text for one concept.
public struct FHIRCodeableConcept: Codable, Sendable, Equatable {
    public var coding: [FHIRCoding]?
    public var text: String?

    public init(coding: [FHIRCoding]? = nil, text: String? = nil) {
        self.coding = coding
        self.text = text
    }

    /// The code of the first coding in `system`, if any.
    public func code(in system: String) -> String? {
        coding?.first { $0.system == system }?.code
    }
}

/// A business identifier with the system that issues it.
public struct FHIRIdentifier: Codable, Sendable, Equatable {
    public var system: String?
    public var value: String?

    public init(system: String? = nil, value: String? = nil) {
        self.system = system
        self.value = value
    }
}

/// A reference to another resource: within the Bundle by its `urn:uuid:` full URL.
public struct FHIRReference: Codable, Sendable, Equatable {
    public var reference: String?
    public var type: String?
    public var display: String?

    public init(reference: String? = nil, type: String? = nil, display: String? = nil) {
        self.reference = reference
        self.type = type
        self.display = display
    }
}

public struct FHIRPeriod: Codable, Sendable, Equatable {
    public var start: String?
    public var end: String?
}

/// A note with its author and time.
public struct FHIRAnnotation: Codable, Sendable, Equatable {
    public var authorString: String?
    public var time: String?
    public var text: String
}

public struct FHIRHumanName: Codable, Sendable, Equatable {
    public var use: String?
    public var family: String?
    public var given: [String]?
}

public struct FHIRContactPoint: Codable, Sendable, Equatable {
    public var system: String?
    public var value: String?
}

public struct FHIRAddress: Codable, Sendable, Equatable {
    public var text: String?
    public var district: String?
}

/// The FHIR code systems and identifier systems the export uses, in one place.
public enum FHIRSystem {
    public static let referral = "urn:diversion:referral"
    public static let person = "urn:diversion:person"
    public static let pseudonym = "urn:diversion:pseudonym"
    public static let agency = "urn:diversion:agency"
    public static let service = "urn:diversion:service"
    public static let screening = "urn:diversion:screening"
    public static let drugTestResult = "urn:diversion:drug-test-result"
    public static let consent = "urn:diversion:consent"
    /// Our referral statuses, carried as the Task's business status.
    public static let referralStatus = "urn:diversion:referral-status"
    public static let modality = "urn:diversion:modality"
    public static let organisationType = "urn:diversion:organisation-type"
    public static let specimen = "urn:diversion:specimen-type"
    public static let drugTest = "urn:diversion:drug-test"
    public static let drugTestOutcome = "urn:diversion:drug-test-outcome"
    public static let dataCategory = "urn:diversion:data-category"
    public static let purpose = "urn:diversion:purpose"
    public static let taskInput = "urn:diversion:task-input"

    public static let taskStatus = "http://hl7.org/fhir/task-status"
    public static let taskCode = "http://hl7.org/fhir/CodeSystem/task-code"
    public static let loinc = "http://loinc.org"
    public static let snomed = "http://snomed.info/sct"
    public static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    public static let dataAbsentReason = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    public static let consentScope = "http://terminology.hl7.org/CodeSystem/consentscope"
    public static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    public static let participationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
    public static let observationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
    public static let organizationType = "http://terminology.hl7.org/CodeSystem/organization-type"
    public static let sdohccTemporaryCodes = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

    /// The SDOH Clinical Care profiles the referral's ServiceRequest and Task claim.
    public static let sdohccServiceRequestProfile = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
    public static let sdohccTaskProfile = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-TaskForReferralManagement"

    /// The canonical of an instrument's questionnaire, such as `urn:diversion:instrument:assist-3.1`.
    public static func questionnaire(_ instrument: ScreeningInstrument) -> String {
        "urn:diversion:instrument:\(instrument.rawValue)-\(instrument.version)"
    }
}

/// FHIR date and time strings.
public enum FHIRTime {
    /// A FHIR `dateTime`/`instant` in UTC with seconds, such as 2026-11-23T10:00:00Z.
    public static func dateTime(_ date: Date) -> String { date.formatted(.iso8601) }

    /// Reads a FHIR `dateTime` with a time and zone; fractional seconds are allowed.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
