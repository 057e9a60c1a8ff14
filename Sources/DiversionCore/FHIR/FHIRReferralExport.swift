import Foundation

/// Everything a referral's FHIR export is built from, already filtered for its reader: the caller decides what the
/// reader may see (identity, notes, health data); this type only writes it down.
public struct FHIRReferralExport: Sendable {
    /// An agency on either side of the referral.
    public struct Agency: Sendable, Equatable {
        public var id: UUID
        public var name: String
        public var type: AgencyType?

        public init(id: UUID, name: String, type: AgencyType?) {
            self.id = id
            self.name = name
            self.type = type
        }
    }

    /// How the person appears: by name only under a consent, otherwise by a pseudonym, birth year and sex.
    public enum PatientView: Sendable, Equatable {
        case identified(PersonDraft)
        case pseudonymised(birthYear: Int, sex: Sex)
    }

    /// A screening with the answers as they were given.
    public struct Screening: Sendable, Equatable {
        public var id: UUID
        public var instrument: ScreeningInstrument
        public var answers: AnswerValue
        public var score: Int
        public var level: String
        public var screenedAt: Date

        public init(id: UUID, instrument: ScreeningInstrument, answers: AnswerValue, score: Int, level: String, screenedAt: Date) {
            self.id = id
            self.instrument = instrument
            self.answers = answers
            self.score = score
            self.level = level
            self.screenedAt = screenedAt
        }
    }

    /// A drug-test result as recorded.
    public struct DrugTest: Sendable, Equatable {
        public var id: UUID
        public var result: DrugTestResult
        public var recordedAt: Date

        public init(id: UUID, result: DrugTestResult, recordedAt: Date) {
            self.id = id
            self.result = result
            self.recordedAt = recordedAt
        }
    }

    /// A consent grant that covers the referral's data.
    public struct Consent: Sendable, Equatable {
        public var id: UUID
        public var recipientAgencyID: UUID?
        public var categories: [String]
        public var purpose: String
        public var validFrom: Date
        public var validUntil: Date
        public var inForce: Bool
        public var recordedAt: Date

        public init(id: UUID, recipientAgencyID: UUID?, categories: [String], purpose: String, validFrom: Date, validUntil: Date, inForce: Bool, recordedAt: Date) {
            self.id = id
            self.recipientAgencyID = recipientAgencyID
            self.categories = categories
            self.purpose = purpose
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.inForce = inForce
            self.recordedAt = recordedAt
        }
    }

    public var referral: ReferralRecord
    /// The referral's events: the latest reason explains a rejected, cancelled or failed Task.
    public var events: [ReferralEventRecord]
    /// The receiving service's own notes go into the Task only for the receiving service.
    public var includeNotes: Bool
    /// A stable pseudonym of the person (the caller derives it with a keyed hash); the Patient's id either way.
    public var pseudonym: String
    public var serviceID: UUID
    public var service: ServiceProfile
    public var referring: Agency
    public var receiving: Agency
    public var screenings: [Screening]
    public var drugTests: [DrugTest]
    public var consents: [Consent]
    /// Whether the export discloses health data to a reader outside the service that holds it: the Bundle then carries
    /// the "no redisclosure without consent" obligation (HL7 v3 ActCode NORDSCLCD).
    public var disclosesHealthData = false

    public init(
        referral: ReferralRecord, events: [ReferralEventRecord], includeNotes: Bool, pseudonym: String, serviceID: UUID,
        service: ServiceProfile, referring: Agency, receiving: Agency, screenings: [Screening] = [], drugTests: [DrugTest] = [], consents: [Consent] = []
    ) {
        self.referral = referral
        self.events = events
        self.includeNotes = includeNotes
        self.pseudonym = pseudonym
        self.serviceID = serviceID
        self.service = service
        self.referring = referring
        self.receiving = receiving
        self.screenings = screenings
        self.drugTests = drugTests
        self.consents = consents
    }
}

/// How resources refer to one another: by `urn:uuid:` full URLs inside a Bundle, or as `Type/id` when served alone.
public struct FHIRReferences: Sendable {
    private let sha256: (@Sendable (Data) -> Data)?

    /// References within a Bundle; each entry's UUID is a SHA-256 of its type and id, so exports are stable.
    public static func bundle(sha256: @escaping @Sendable (Data) -> Data) -> FHIRReferences { FHIRReferences(sha256: sha256) }

    /// Relative references, for a resource served on its own.
    public static let relative = FHIRReferences(sha256: nil)

    /// The full URL of a resource in a Bundle.
    public func fullUrl(_ type: String, _ id: String) -> String {
        guard let sha256 else { return "\(type)/\(id)" }
        var bytes = [UInt8](sha256(Data("diversion/fhir/v1|\(type)/\(id)".utf8)).prefix(16))
        bytes += [UInt8](repeating: 0, count: max(0, 16 - bytes.count))
        // RFC 9562 version 8 (name-based, custom hash) and the RFC variant.
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let uuid = UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
        return "urn:uuid:" + uuid.uuidString.lowercased()
    }

    public func to(_ type: String, _ id: String, display: String? = nil) -> FHIRReference {
        FHIRReference(reference: fullUrl(type, id), type: type, display: display)
    }
}

/// Writes a referral as FHIR R4 resources.
public enum FHIRExport {
    static func id(_ uuid: UUID) -> String { uuid.uuidString.lowercased() }

    /// The referral as a `collection` Bundle: Patient, ServiceRequest, Task, the two Organizations, the
    /// HealthcareService, then whatever consents, screenings and drug-test results the caller put in.
    public static func bundle(_ x: FHIRReferralExport, patient view: FHIRReferralExport.PatientView, references refs: FHIRReferences, now: Date) -> FHIRBundle {
        var resources: [FHIRResource] = [
            .patient(patient(x, view)),
            .serviceRequest(serviceRequest(x, refs)),
            .task(task(x, refs)),
            .organization(organization(x.referring, refs)),
        ]
        if x.receiving.id != x.referring.id { resources.append(.organization(organization(x.receiving, refs))) }
        resources.append(.healthcareService(healthcareService(id: x.serviceID, agency: x.receiving, profile: x.service, refs)))
        resources += x.consents.map { .consent(consent($0, x, refs)) }
        resources += x.screenings.map { .questionnaireResponse(questionnaireResponse($0, x, refs)) }
        for test in x.drugTests {
            if test.result.outcome.hasSpecimen { resources.append(.specimen(specimen(test, x, refs))) }
            resources.append(.observation(observation(test, x, refs)))
        }
        let security = x.disclosesHealthData
            ? [FHIRCoding(system: FHIRSystem.actCode, code: "NORDSCLCD", display: "no redisclosure without consent directive")] : nil
        return FHIRBundle(
            id: id(x.referral.id), meta: FHIRMeta(security: security, lastUpdated: FHIRTime.dateTime(now)),
            identifier: FHIRIdentifier(system: FHIRSystem.referral, value: id(x.referral.id)), type: "collection",
            timestamp: FHIRTime.dateTime(now),
            entry: resources.map { r in FHIRBundle.Entry(fullUrl: refs.fullUrl(r.resourceType, resourceID(r)), resource: r) }
        )
    }

    private static func resourceID(_ r: FHIRResource) -> String {
        switch r {
        case .patient(let p): p.id ?? ""
        case .serviceRequest(let s): s.id ?? ""
        case .task(let t): t.id ?? ""
        case .consent(let c): c.id ?? ""
        case .questionnaireResponse(let q): q.id ?? ""
        case .observation(let o): o.id ?? ""
        case .specimen(let s): s.id ?? ""
        case .organization(let o): o.id ?? ""
        case .healthcareService(let h): h.id ?? ""
        }
    }

    /// The person, identified or pseudonymised; a pseudonymised Patient carries the PSEUDED security label.
    public static func patient(_ x: FHIRReferralExport, _ view: FHIRReferralExport.PatientView) -> FHIRPatient {
        var identifiers = [FHIRIdentifier(system: FHIRSystem.pseudonym, value: x.pseudonym)]
        switch view {
        case .identified(let d):
            identifiers.append(FHIRIdentifier(system: FHIRSystem.person, value: id(x.referral.personID)))
            return FHIRPatient(
                id: x.pseudonym, identifier: identifiers, name: [FHIRHumanName(use: "official", family: d.familyName, given: [d.givenName])],
                gender: d.sex.rawValue, birthDate: d.birthDate.description
            )
        case .pseudonymised(let year, let sex):
            return FHIRPatient(
                id: x.pseudonym,
                meta: FHIRMeta(security: [FHIRCoding(system: FHIRSystem.observationValue, code: "PSEUDED", display: "pseudonymized")]),
                identifier: identifiers, gender: sex.rawValue, birthDate: String(format: "%04d", year)
            )
        }
    }

    static func patientRef(_ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRReference {
        refs.to("Patient", x.pseudonym)
    }

    /// The referral as an SDOHCC ServiceRequest; substance use has no SDOH category of its own, so it is "unspecified" with words.
    public static func serviceRequest(_ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRServiceRequest {
        let r = x.referral
        var supporting = x.consents.map { refs.to("Consent", id($0.id)) }
        supporting += x.screenings.map { refs.to("QuestionnaireResponse", id($0.id)) }
        supporting += x.drugTests.map { refs.to("Observation", id($0.id)) }
        return FHIRServiceRequest(
            id: id(r.id), meta: FHIRMeta(profile: [FHIRSystem.sdohccServiceRequestProfile]),
            identifier: [FHIRIdentifier(system: FHIRSystem.referral, value: id(r.id))],
            status: ReferralTaskStatus.serviceRequestStatus(r.status), intent: "order",
            category: [FHIRCodeableConcept(
                coding: [FHIRCoding(system: FHIRSystem.sdohccTemporaryCodes, code: "sdoh-category-unspecified", display: "SDOH Category Unspecified")],
                text: "Substance use treatment or support instead of prosecution or punishment"
            )],
            priority: r.urgency.rawValue,
            code: FHIRCodeableConcept(
                coding: r.needs.isEmpty ? nil : r.needs.map { FHIRCoding(system: FHIRSystem.modality, code: $0.rawValue, display: $0.words) },
                text: r.needs.isEmpty ? "Referral to \(x.service.name)" : r.needs.map(\.words).joined(separator: ", ")
            ),
            subject: patientRef(x, refs), authoredOn: FHIRTime.dateTime(r.createdAt),
            requester: refs.to("Organization", id(x.referring.id), display: x.referring.name),
            performer: [
                refs.to("HealthcareService", id(x.serviceID), display: x.service.name),
                refs.to("Organization", id(x.receiving.id), display: x.receiving.name),
            ],
            reasonCode: [FHIRCodeableConcept(text: r.reason)],
            supportingInfo: supporting.isEmpty ? nil : supporting
        )
    }

    /// The referral's fulfilment, with our status as the business status, the due time as the restriction
    /// period's end, the intake appointment as an input, and the latest reason when the Task ended early.
    public static func task(_ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRTask {
        let r = x.referral
        var reason: FHIRCodeableConcept?
        if [.declined, .withdrawn, .disengaged].contains(r.status) {
            let given = x.events.last { $0.type.resultingStatus == r.status }?.reason
            reason = FHIRCodeableConcept(text: given ?? "The referral is \(r.status.rawValue).")
        }
        let notes: [FHIRAnnotation] = x.includeNotes
            ? x.events.compactMap { e in e.note.map { FHIRAnnotation(authorString: e.recordedByName, time: FHIRTime.dateTime(e.occurredAt), text: $0) } }
            : []
        var input: [FHIRTask.Input]?
        if let scheduled = r.scheduledFor {
            input = [FHIRTask.Input(type: intakeAppointment, valueDateTime: FHIRTime.dateTime(scheduled))]
        }
        return FHIRTask(
            id: id(r.id), meta: FHIRMeta(profile: [FHIRSystem.sdohccTaskProfile]),
            identifier: [FHIRIdentifier(system: FHIRSystem.referral, value: id(r.id))],
            status: ReferralTaskStatus.taskStatus(r.status), statusReason: reason, businessStatus: ReferralTaskStatus.businessStatus(r.status),
            intent: "order", priority: r.urgency.rawValue,
            code: FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.taskCode, code: "fulfill", display: "Fulfill the focal request")]),
            focus: refs.to("ServiceRequest", id(r.id)), for: patientRef(x, refs),
            authoredOn: FHIRTime.dateTime(r.createdAt), lastModified: FHIRTime.dateTime(r.statusSince),
            requester: refs.to("Organization", id(x.referring.id), display: x.referring.name),
            owner: refs.to("Organization", id(x.receiving.id), display: x.receiving.name),
            restriction: r.dueBy.map { FHIRTask.Restriction(period: FHIRPeriod(end: FHIRTime.dateTime($0))) },
            note: notes.isEmpty ? nil : notes, input: input
        )
    }

    /// The Task input that carries the intake appointment, both ways.
    public static let intakeAppointment = FHIRCodeableConcept(
        coding: [FHIRCoding(system: FHIRSystem.taskInput, code: "intake-appointment", display: "intake appointment")], text: "intake appointment"
    )

    public static func organization(_ a: FHIRReferralExport.Agency, _ refs: FHIRReferences) -> FHIROrganization {
        FHIROrganization(
            id: id(a.id), identifier: [FHIRIdentifier(system: FHIRSystem.agency, value: id(a.id))], active: true,
            type: a.type.map { [FHIRCodeableConcept(coding: organizationType($0), text: $0.rawValue.replacingOccurrences(of: "_", with: " "))] },
            name: a.name
        )
    }

    /// HL7's organization-type where one fits (prov, govt, cg); always our agency type as text.
    static func organizationType(_ type: AgencyType) -> [FHIRCoding]? {
        switch type {
        case .healthProvider: [FHIRCoding(system: FHIRSystem.organizationType, code: "prov", display: "Healthcare Provider")]
        case .socialService: [FHIRCoding(system: FHIRSystem.organizationType, code: "cg", display: "Community Group")]
        case .police, .prosecution, .court, .supervision, .administration, .analysis:
            [FHIRCoding(system: FHIRSystem.organizationType, code: "govt", display: "Government")]
        }
    }

    /// A service from the directory: modalities as types, who it serves as eligibility, its languages and contacts.
    public static func healthcareService(id serviceID: UUID, agency: FHIRReferralExport.Agency, profile p: ServiceProfile, _ refs: FHIRReferences) -> FHIRHealthcareService {
        var eligibility = [FHIRHealthcareService.Eligibility(comment: "Ages \(p.minAge) to \(p.maxAge); serves \(p.sexes.map(\.rawValue).joined(separator: ", ")).")]
        if !p.servesPregnantWomen { eligibility.append(.init(comment: "Does not take pregnant women.")) }
        if !p.servesPeopleWithChildren { eligibility.append(.init(comment: "Children cannot come along.")) }
        if !p.acceptsJusticeReferrals { eligibility.append(.init(comment: "Does not take referrals from justice agencies.")) }
        var telecom: [FHIRContactPoint] = []
        if let phone = p.phone { telecom.append(FHIRContactPoint(system: "phone", value: phone)) }
        if let email = p.email { telecom.append(FHIRContactPoint(system: "email", value: email)) }
        let places = "\(p.openPlaces) of \(p.capacity) places open; waiting time \(p.waitlistDays) days."
        return FHIRHealthcareService(
            id: id(serviceID), identifier: [FHIRIdentifier(system: FHIRSystem.service, value: id(serviceID))], active: true,
            providedBy: refs.to("Organization", id(agency.id), display: agency.name),
            category: [FHIRCodeableConcept(
                coding: [FHIRCoding(system: FHIRSystem.organisationType, code: p.organisationType.rawValue)],
                text: p.organisationType.rawValue.replacingOccurrences(of: "_", with: " ")
            )],
            type: p.modalities.map { FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.modality, code: $0.rawValue, display: $0.words)], text: $0.words) },
            name: p.name,
            comment: [p.address.map { "\($0), \(p.region)." } ?? "Region \(p.region).", places].joined(separator: " "),
            telecom: telecom.isEmpty ? nil : telecom,
            eligibility: eligibility,
            communication: p.languages.map { FHIRCodeableConcept(coding: [FHIRCoding(system: "urn:ietf:bcp:47", code: $0)]) },
            appointmentRequired: true
        )
    }

    /// A consent grant: an opt-in permitting the named categories to the recipient for the purpose and period.
    public static func consent(_ c: FHIRReferralExport.Consent, _ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRConsent {
        var actors: [FHIRConsent.Actor]?
        if let recipient = c.recipientAgencyID {
            let name = recipient == x.receiving.id ? x.receiving.name : recipient == x.referring.id ? x.referring.name : nil
            actors = [FHIRConsent.Actor(
                role: FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.participationType, code: "IRCP", display: "information recipient")]),
                reference: name == nil ? FHIRReference(type: "Organization", display: "agency \(id(recipient))") : refs.to("Organization", id(recipient), display: name)
            )]
        }
        return FHIRConsent(
            id: id(c.id), identifier: [FHIRIdentifier(system: FHIRSystem.consent, value: id(c.id))],
            status: c.inForce ? "active" : "inactive",
            scope: FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.consentScope, code: "patient-privacy", display: "Privacy Consent")]),
            category: [FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.loinc, code: "59284-0", display: "Patient Consent")])],
            patient: patientRef(x, refs), dateTime: FHIRTime.dateTime(c.recordedAt),
            policyRule: FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.actCode, code: "OPTIN", display: "opt-in")]),
            provision: FHIRConsent.Provision(
                type: "permit", period: FHIRPeriod(start: FHIRTime.dateTime(c.validFrom), end: FHIRTime.dateTime(c.validUntil)), actor: actors,
                purpose: [FHIRCoding(system: FHIRSystem.purpose, code: c.purpose, display: c.purpose.replacingOccurrences(of: "_", with: " "))],
                class: c.categories.isEmpty ? nil : c.categories.map { FHIRCoding(system: FHIRSystem.dataCategory, code: $0) }
            )
        )
    }

    /// A screening: answers as items whose linkIds are their paths (`cannabis.q2`, `3`), then the score and level.
    public static func questionnaireResponse(_ s: FHIRReferralExport.Screening, _ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRQuestionnaireResponse {
        var items = answerItems(s.answers, path: nil)
        items.append(FHIRQuestionnaireResponse.Item(linkId: "result", item: [
            .init(linkId: "result.score", answer: [.init(valueInteger: s.score)]),
            .init(linkId: "result.level", answer: [.init(valueString: s.level)]),
        ]))
        return FHIRQuestionnaireResponse(
            id: id(s.id), identifier: FHIRIdentifier(system: FHIRSystem.screening, value: id(s.id)),
            questionnaire: FHIRSystem.questionnaire(s.instrument), status: "completed", subject: patientRef(x, refs),
            authored: FHIRTime.dateTime(s.screenedAt), item: items
        )
    }

    /// Lists are numbered questions, objects named ones; unanswered (null) items are left out.
    static func answerItems(_ value: AnswerValue, path: String?) -> [FHIRQuestionnaireResponse.Item] {
        func child(_ key: String) -> String { path.map { "\($0).\(key)" } ?? key }
        let children: [(String, AnswerValue)]
        switch value {
        case .array(let values): children = values.enumerated().map { (child(String($0.offset + 1)), $0.element) }
        case .object(let values): children = values.keys.sorted().compactMap { k in values[k].map { (child(k), $0) } }
        default: return path.flatMap { p in answer(value).map { [FHIRQuestionnaireResponse.Item(linkId: p, answer: [$0])] } } ?? []
        }
        return children.compactMap { linkId, v in
            switch v {
            case .array, .object:
                let nested = answerItems(v, path: linkId)
                return nested.isEmpty ? nil : FHIRQuestionnaireResponse.Item(linkId: linkId, item: nested)
            default:
                return answer(v).map { FHIRQuestionnaireResponse.Item(linkId: linkId, answer: [$0]) }
            }
        }
    }

    static func answer(_ v: AnswerValue) -> FHIRQuestionnaireResponse.Answer? {
        switch v {
        case .bool(let b): return .init(valueBoolean: b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 2_147_483_647 { return .init(valueInteger: Int(n)) }
            return .init(valueDecimal: n)
        case .string(let s): return .init(valueString: s)
        case .null, .array, .object: return nil
        }
    }

    /// SNOMED CT specimen codes where we are sure of one; every specimen keeps our own code too.
    static func specimenType(_ s: DrugTestSpecimen) -> FHIRCodeableConcept {
        var coding = [FHIRCoding(system: FHIRSystem.specimen, code: s.rawValue)]
        let snomed: (String, String)? = switch s {
        case .urine: ("122575003", "Urine specimen")
        case .blood: ("119297000", "Blood specimen")
        case .hair: ("119326000", "Hair specimen")
        case .oralFluid: ("441620008", "Oral fluid specimen")
        case .sweatPatch, .breath: nil
        }
        if let (code, display) = snomed { coding.insert(FHIRCoding(system: FHIRSystem.snomed, code: code, display: display), at: 0) }
        return FHIRCodeableConcept(coding: coding, text: s.rawValue.replacingOccurrences(of: "_", with: " ") + " specimen")
    }

    public static func specimen(_ t: FHIRReferralExport.DrugTest, _ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRSpecimen {
        FHIRSpecimen(
            id: id(t.id), accessionIdentifier: t.result.chainOfCustody.map { FHIRIdentifier(system: "urn:diversion:chain-of-custody", value: $0) },
            type: specimenType(t.result.specimen), subject: patientRef(x, refs),
            collection: FHIRSpecimen.Collection(collectedDateTime: t.result.collectedAt.map(FHIRTime.dateTime))
        )
    }

    /// The test's code: LOINC 87428-9 (drugs of abuse screen with reflex confirmation panel, urine) for a
    /// laboratory-confirmed urine test; otherwise no LOINC panel fits exactly and our own code says what was done.
    static func drugTestCode(_ r: DrugTestResult) -> FHIRCodeableConcept {
        let words = "Drug test, " + r.specimen.rawValue.replacingOccurrences(of: "_", with: " ") + (r.labConfirmed ? ", laboratory confirmed" : "")
        var coding = [FHIRCoding(system: FHIRSystem.drugTest, code: r.specimen.rawValue, display: words)]
        if r.specimen == .urine && r.labConfirmed {
            coding.insert(FHIRCoding(system: FHIRSystem.loinc, code: "87428-9", display: "Drugs of abuse screen W Reflex confirm panel - Urine"), at: 0)
        }
        return FHIRCodeableConcept(coding: coding, text: words)
    }

    static let negative = FHIRCodeableConcept(
        coding: [FHIRCoding(system: FHIRSystem.snomed, code: "260385009", display: "Negative"), FHIRCoding(system: FHIRSystem.drugTestOutcome, code: "negative")],
        text: "negative"
    )
    static let positive = FHIRCodeableConcept(
        coding: [FHIRCoding(system: FHIRSystem.snomed, code: "10828004", display: "Positive"), FHIRCoding(system: FHIRSystem.drugTestOutcome, code: "positive")],
        text: "positive"
    )

    /// A drug-test result: final with negative/positive (substances as components), dilute or adulterated in our
    /// own codes; a missed or excused test is a cancelled Observation with the data absent as not performed.
    public static func observation(_ t: FHIRReferralExport.DrugTest, _ x: FHIRReferralExport, _ refs: FHIRReferences) -> FHIRObservation {
        let r = t.result
        var o = FHIRObservation(
            id: id(t.id), identifier: [FHIRIdentifier(system: FHIRSystem.drugTestResult, value: id(t.id))], status: "final",
            category: [FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.observationCategory, code: "laboratory", display: "Laboratory")])],
            code: drugTestCode(r), subject: patientRef(x, refs),
            effectiveDateTime: r.collectedAt.map(FHIRTime.dateTime) ?? r.testDay.description, issued: FHIRTime.dateTime(t.recordedAt),
            method: FHIRCodeableConcept(text: r.labConfirmed ? "laboratory confirmed" : "screening test, not laboratory confirmed")
        )
        if r.outcome.hasSpecimen { o.specimen = refs.to("Specimen", id(t.id)) }
        switch r.outcome {
        case .negative:
            o.valueCodeableConcept = negative
        case .positive(let substances):
            o.valueCodeableConcept = positive
            o.component = substances.map { FHIRObservation.Component(code: FHIRCodeableConcept(text: $0), valueCodeableConcept: positive) }
        case .dilute, .adulterated:
            o.valueCodeableConcept = FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.drugTestOutcome, code: r.outcome.code)], text: r.outcome.code)
        case .missed, .excused:
            o.status = "cancelled"
            o.dataAbsentReason = FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.dataAbsentReason, code: "not-performed", display: "Not Performed")])
            var text = r.outcome.code == "missed" ? "No specimen was given on the test day." : "The test was excused."
            if case .excused(let reason) = r.outcome { text += " " + reason }
            o.note = [FHIRAnnotation(text: text)]
        }
        return o
    }
}
