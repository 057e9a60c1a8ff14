import Foundation
import Testing
@testable import DiversionCore

/// The SDOHCC reading of each referral status, written out independently of the code.
private let taskReading: [(ReferralStatus, task: String, request: String)] = [
    (.sent, "requested", "active"),
    (.received, "requested", "active"),
    (.accepted, "accepted", "active"),
    (.declined, "rejected", "revoked"),
    (.intakeScheduled, "in-progress", "active"),
    (.intakeAttended, "in-progress", "active"),
    (.engaged, "in-progress", "active"),
    (.completed, "completed", "completed"),
    (.disengaged, "failed", "revoked"),
    (.withdrawn, "cancelled", "revoked"),
]

private let appointment = Date(timeIntervalSince1970: 1_795_600_000)

private func posted(
    _ status: String?, business: String? = nil, current: ReferralStatus, currentAppointment: Date? = nil, appointment: Date? = nil
) -> Result<ReferralEventType?, ReferralRuleError> {
    let concept = business.map { FHIRCodeableConcept(coding: [FHIRCoding(system: FHIRSystem.referralStatus, code: $0)]) }
    do {
        return .success(try ReferralTaskStatus.event(
            status: status, businessStatus: concept, current: current, currentAppointment: currentAppointment, appointment: appointment
        ))
    } catch {
        return .failure(error)
    }
}

private func field(_ r: Result<ReferralEventType?, ReferralRuleError>) -> String? {
    if case .failure(.invalid(let field, _)) = r { return field }
    return nil
}

private func isImpossible(_ r: Result<ReferralEventType?, ReferralRuleError>) -> Bool {
    if case .failure(.impossible) = r { return true }
    return false
}

private let clinic = ServiceProfile(
    name: "R1 Outpatient Clinic", organisationType: .health, modalities: [.outpatient, .mentalHealth], languages: ["en", "es"], region: "R1",
    capacity: 40, load: 31, waitlistDays: 5, phone: "+351 210 000 000", email: "intake@example.org"
)

private func export(status: ReferralStatus = .engaged, notes: Bool = false) -> FHIRReferralExport {
    let created = Date(timeIntervalSince1970: 1_795_000_000)
    let police = FHIRReferralExport.Agency(id: UUID(), name: "R1 Police Service", type: .police)
    let provider = FHIRReferralExport.Agency(id: UUID(), name: "R1 Health Trust", type: .healthProvider)
    let referral = ReferralRecord(
        id: UUID(), personID: UUID(), serviceID: UUID(), contactID: nil, referringAgencyID: police.id, receivingAgencyID: provider.id,
        referredByUserID: UUID(), referredByName: "Officer Dana Reyes", reason: "Asked for help at a street contact.", urgency: .urgent,
        needs: [.outpatient], status: status, statusSince: created.addingTimeInterval(86400), scheduledFor: appointment,
        dueBy: created.addingTimeInterval(2 * 86400), createdAt: created
    )
    let events = [
        ReferralEventRecord(
            id: UUID(), referralID: referral.id, type: .accepted, reason: nil, note: "History of depression.", scheduledFor: nil,
            recordedByUserID: UUID(), recordedByName: "Dr. Lucía Fernández", agencyID: provider.id, occurredAt: created.addingTimeInterval(3600)
        ),
        ReferralEventRecord(
            id: UUID(), referralID: referral.id, type: status == .accepted ? .accepted : .disengaged, reason: "Moved to another region.", note: nil,
            scheduledFor: nil, recordedByUserID: UUID(), recordedByName: "Dr. Lucía Fernández", agencyID: provider.id, occurredAt: created.addingTimeInterval(7200)
        ),
    ]
    let negative = try! DrugTestResult(
        testDay: CalendarDate(year: 2026, month: 11, day: 20), specimen: .urine, collectedAt: created.addingTimeInterval(30000), outcome: .negative,
        labConfirmed: true, chainOfCustody: "COC-1"
    )
    let positive = try! DrugTestResult(
        testDay: CalendarDate(year: 2026, month: 11, day: 23), specimen: .oralFluid, collectedAt: created.addingTimeInterval(90000),
        outcome: .positive(substances: ["cannabis", "cocaine"]), chainOfCustody: "COC-2"
    )
    let missed = DrugTestResult.missed(on: CalendarDate(year: 2026, month: 11, day: 25), specimen: .urine)
    return FHIRReferralExport(
        referral: referral, events: events, includeNotes: notes,
        pseudonym: "a1b2c3d4e5f60718293a4b5c6d7e8f90", serviceID: referral.serviceID, service: clinic, referring: police, receiving: provider,
        screenings: [FHIRReferralExport.Screening(
            id: UUID(), instrument: .assist,
            answers: .object(["cannabis": .object(["q1": .bool(true), "q2": .number(3), "q8": .null]), "alcohol": .object(["q1": .bool(false)])]),
            score: 14, level: "moderate", screenedAt: created
        )],
        drugTests: [
            .init(id: UUID(), result: negative, recordedAt: created.addingTimeInterval(40000)),
            .init(id: UUID(), result: positive, recordedAt: created.addingTimeInterval(95000)),
            .init(id: UUID(), result: missed, recordedAt: created.addingTimeInterval(200_000)),
        ],
        consents: [.init(
            id: UUID(), recipientAgencyID: provider.id, categories: ["assessment", "drug_test_results"], purpose: "care_coordination",
            validFrom: created, validUntil: created.addingTimeInterval(365 * 86400), inForce: true, recordedAt: created
        )]
    )
}

private func bundle(_ x: FHIRReferralExport, patient: FHIRReferralExport.PatientView = .pseudonymised(birthYear: 1990, sex: .female)) -> FHIRBundle {
    FHIRExport.bundle(x, patient: patient, references: .bundle(sha256: ReferenceSHA256.hash), now: Date(timeIntervalSince1970: 1_796_000_000))
}

@Suite("FHIR R4 export of a referral")
struct FHIRExportTests {
    @Test(arguments: taskReading)
    func eachReferralStatusReadsAsTheSDOHCCTaskAndRequestStatus(_ row: (ReferralStatus, task: String, request: String)) {
        #expect(ReferralTaskStatus.taskStatus(row.0) == row.task)
        #expect(ReferralTaskStatus.serviceRequestStatus(row.0) == row.request)
        #expect(ReferralTaskStatus.businessStatus(row.0).code(in: FHIRSystem.referralStatus) == row.0.rawValue)
        // The SDOHCC referral Task status value set leaves out ready and received.
        #expect(!["ready", "received"].contains(ReferralTaskStatus.taskStatus(row.0)))
    }

    @Test func everyStatusExportedReadsBackAsItselfWithNoEvent() throws {
        for status in ReferralStatus.allCases {
            let business = ReferralTaskStatus.businessStatus(status)
            let event = try ReferralTaskStatus.event(
                status: ReferralTaskStatus.taskStatus(status), businessStatus: business, current: status, currentAppointment: appointment, appointment: appointment
            )
            #expect(event == nil, "re-posting an unchanged \(status) Task asks for nothing")
        }
    }

    /// (posted status, business status, current, expected event)
    static let postedSteps: [(String, String?, ReferralStatus, ReferralEventType)] = [
        ("requested", "received", .sent, .received),
        ("received", nil, .sent, .received),
        ("accepted", nil, .sent, .accepted),
        ("accepted", "accepted", .received, .accepted),
        ("rejected", nil, .received, .declined),
        ("cancelled", nil, .accepted, .withdrawn),
        ("in-progress", "intake_scheduled", .accepted, .intakeScheduled),
        ("in-progress", "intake_attended", .intakeScheduled, .intakeAttended),
        ("in-progress", "engaged", .intakeAttended, .engaged),
        ("completed", nil, .engaged, .completed),
        ("completed", "completed", .engaged, .completed),
        ("failed", nil, .engaged, .disengaged),
        // Impossible steps still map to their event; ReferralFlow refuses them with 409.
        ("completed", nil, .sent, .completed),
        ("in-progress", "engaged", .sent, .engaged),
    ]

    @Test(arguments: postedSteps)
    func aPostedTaskReadsAsOneReferralEvent(_ row: (String, String?, ReferralStatus, ReferralEventType)) throws {
        #expect(try posted(row.0, business: row.1, current: row.2).get() == row.3)
    }

    @Test func anIntakeTimeSaysWhichInProgressStepIsMeantAndANewTimeReschedules() throws {
        #expect(try posted("in-progress", current: .accepted, appointment: appointment).get() == .intakeScheduled)
        #expect(try posted("in-progress", current: .intakeScheduled, currentAppointment: appointment, appointment: appointment).get() == nil)
        let later = appointment.addingTimeInterval(86400)
        #expect(try posted("in-progress", current: .intakeScheduled, currentAppointment: appointment, appointment: later).get() == .intakeScheduled)
        #expect(field(posted("in-progress", current: .accepted)) == "businessStatus")
    }

    /// (posted status, business status, current, field named)
    static let refusedTasks: [(String?, String?, ReferralStatus, String)] = [
        (nil, nil, .sent, "status"),
        ("", nil, .sent, "status"),
        ("done", nil, .sent, "status"),
        ("on-hold", nil, .engaged, "status"),
        ("draft", nil, .sent, "status"),
        ("entered-in-error", nil, .sent, "status"),
        ("ready", nil, .sent, "status"),
        ("accepted", "finished", .sent, "businessStatus.coding"),
        ("completed", "engaged", .intakeAttended, "businessStatus"),
        ("rejected", "accepted", .sent, "businessStatus"),
    ]

    @Test(arguments: refusedTasks)
    func aTaskWithAnUnknownOrInconsistentStatusIsRefusedNamingTheField(_ row: (String?, String?, ReferralStatus, String)) {
        #expect(field(posted(row.0, business: row.1, current: row.2)) == row.3)
    }

    @Test func goingBackToRequestedIsImpossible() throws {
        #expect(isImpossible(posted("requested", current: .accepted)))
        #expect(isImpossible(posted("requested", business: "sent", current: .received)))
        #expect(try posted("requested", current: .received).get() == nil)
    }

    @Test func theBundleIsACollectionWhoseReferencesAllResolveInsideIt() throws {
        let b = bundle(export())
        #expect(b.type == "collection")
        let entries = try #require(b.entry)
        let urls = entries.map(\.fullUrl)
        #expect(Set(urls).count == urls.count)
        #expect(urls.allSatisfy { $0.hasPrefix("urn:uuid:") && UUID(uuidString: String($0.dropFirst(9))) != nil })
        #expect(entries.map(\.resource.resourceType) == [
            "Patient", "ServiceRequest", "Task", "Organization", "Organization", "HealthcareService", "Consent", "QuestionnaireResponse",
            "Specimen", "Observation", "Specimen", "Observation", "Observation",
        ])
        // Every reference in the JSON points at an entry of the Bundle.
        let json = String(decoding: try JSONEncoder().encode(b), as: UTF8.self)
        let refs = json.matches(of: /"reference":"([^"]+)"/).map { String($0.output.1) }
        #expect(!refs.isEmpty)
        #expect(refs.allSatisfy(urls.contains))
        // Stable: the same referral exports to the same URLs.
        let x = export()
        #expect(bundle(x).entry?.map(\.fullUrl) == bundle(x).entry?.map(\.fullUrl))
    }

    @Test func theServiceRequestAndTaskClaimTheSDOHCCProfilesAndCarryOurIdentifiers() throws {
        let x = export(status: .disengaged)
        let b = bundle(x)
        guard case .serviceRequest(let sr)? = b.resources("ServiceRequest").first, case .task(let task)? = b.resources("Task").first else {
            Issue.record("no ServiceRequest or Task")
            return
        }
        #expect(sr.meta?.profile == [FHIRSystem.sdohccServiceRequestProfile])
        #expect(sr.identifier?.first?.system == "urn:diversion:referral")
        #expect(sr.status == "revoked" && sr.intent == "order" && sr.priority == "urgent")
        #expect(sr.reasonCode?.first?.text == "Asked for help at a street contact.")
        #expect(task.meta?.profile == [FHIRSystem.sdohccTaskProfile])
        #expect(task.status == "failed")
        #expect(task.statusReason?.text == "Moved to another region.")
        #expect(task.businessStatus?.code(in: FHIRSystem.referralStatus) == "disengaged")
        #expect(task.code?.code(in: FHIRSystem.taskCode) == "fulfill")
        #expect(task.intent == "order")
        #expect(task.focus?.reference == b.entry?[1].fullUrl)
        #expect(task.input?.first?.valueDateTime == FHIRTime.dateTime(appointment))
        #expect(task.restriction?.period?.end == FHIRTime.dateTime(x.referral.dueBy!))
        #expect(task.note == nil, "notes only for the receiving service")
        guard case .task(let withNotes)? = bundle(export(notes: true)).resources("Task").first else { return }
        #expect(withNotes.note?.map(\.text) == ["History of depression."])
    }

    @Test func withoutConsentThePatientIsAPseudonymWithBirthYearAndSexOnly() throws {
        let b = bundle(export())
        guard case .patient(let p)? = b.resources("Patient").first else { Issue.record("no Patient"); return }
        #expect(p.name == nil)
        #expect(p.birthDate == "1990")
        #expect(p.gender == "female")
        #expect(p.identifier?.map(\.system) == [FHIRSystem.pseudonym])
        #expect(p.meta?.security?.first?.code == "PSEUDED")
        let json = String(decoding: try JSONEncoder().encode(b), as: UTF8.self)
        #expect(!json.contains("Silva") && !json.contains("1990-04-02"))
        #expect(!json.contains(export().referral.personID.uuidString.lowercased()))
    }

    @Test func underConsentThePatientIsNamed() {
        let draft = PersonDraft(givenName: "Ana", familyName: "Silva", birthDate: CalendarDate(year: 1990, month: 4, day: 2), sex: .female, flags: [])
        guard case .patient(let p)? = bundle(export(), patient: .identified(draft)).resources("Patient").first else { Issue.record("no Patient"); return }
        #expect(p.name?.first?.family == "Silva" && p.name?.first?.given == ["Ana"])
        #expect(p.birthDate == "1990-04-02")
        #expect(p.identifier?.map(\.system) == [FHIRSystem.pseudonym, FHIRSystem.person])
        #expect(p.meta == nil)
    }

    @Test func aScreeningIsAQuestionnaireResponseWithItemsByPathAndTheScore() {
        guard case .questionnaireResponse(let qr)? = bundle(export()).resources("QuestionnaireResponse").first else { Issue.record("no QR"); return }
        #expect(qr.questionnaire == "urn:diversion:instrument:assist-3.1")
        #expect(qr.status == "completed")
        #expect(qr.item?.map(\.linkId) == ["alcohol", "cannabis", "result"])
        let cannabis = qr.item?[1].item
        #expect(cannabis?.map(\.linkId) == ["cannabis.q1", "cannabis.q2"], "an unanswered item is left out")
        #expect(cannabis?[1].answer?.first?.valueInteger == 3)
        #expect(qr.item?[2].item?[0].answer?.first?.valueInteger == 14)
        #expect(FHIRExport.answerItems(.array([.bool(true), .bool(false)]), path: nil).map(\.linkId) == ["1", "2"])
    }

    @Test func drugTestResultsAreObservationsWithSpecimenOutcomeAndSubstances() {
        let obs = bundle(export()).resources("Observation").compactMap { r -> FHIRObservation? in if case .observation(let o) = r { o } else { nil } }
        #expect(obs.count == 3)
        #expect(obs[0].status == "final")
        #expect(obs[0].code.code(in: FHIRSystem.loinc) == "87428-9")
        #expect(obs[0].valueCodeableConcept?.code(in: FHIRSystem.snomed) == "260385009")
        #expect(obs[0].specimen != nil)
        #expect(obs[1].code.code(in: FHIRSystem.loinc) == nil, "no LOINC panel fits an unconfirmed oral-fluid test")
        #expect(obs[1].valueCodeableConcept?.code(in: FHIRSystem.snomed) == "10828004")
        #expect(obs[1].component?.map(\.code.text) == ["cannabis", "cocaine"])
        #expect(obs[2].status == "cancelled")
        #expect(obs[2].valueCodeableConcept == nil)
        #expect(obs[2].dataAbsentReason?.code(in: FHIRSystem.dataAbsentReason) == "not-performed")
        #expect(obs[2].effectiveDateTime == "2026-11-25")
        #expect(obs[2].specimen == nil)
    }

    @Test func aConsentIsAnOptInPermitForItsRecipientPurposeAndCategories() {
        guard case .consent(let c)? = bundle(export()).resources("Consent").first else { Issue.record("no Consent"); return }
        #expect(c.status == "active")
        #expect(c.scope.coding?.first?.code == "patient-privacy")
        #expect(c.provision?.type == "permit")
        #expect(c.provision?.purpose?.first?.code == "care_coordination")
        #expect(c.provision?.class?.compactMap(\.code) == ["assessment", "drug_test_results"])
        #expect(c.provision?.actor?.first?.reference.display == "R1 Health Trust")
    }

    @Test func theBundleRoundTripsThroughJSON() throws {
        let b = bundle(export())
        let decoded = try JSONDecoder().decode(FHIRBundle.self, from: try JSONEncoder().encode(b))
        #expect(decoded == b)
    }
}
