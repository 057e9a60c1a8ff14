import DiversionCore
import DiversionStore
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import DiversionApp

extension TestApp {
    /// The referral's Bundle as `token` reads it, which must be answered 200 as FHIR JSON.
    func fhirBundle(_ token: String, _ referralID: String) async throws -> FHIRBundle {
        let response = try await send(.GET, "/api/v1/fhir/ServiceRequest/\(referralID)", token: token)
        try #require(response.status == .ok, "the bundle answered \(response.status): \(response.text)")
        #expect(response.headers.first(name: .contentType)?.hasPrefix("application/fhir+json") == true)
        return try response.json(FHIRBundle.self)
    }

    func fhirTask(_ token: String, _ referralID: String) async throws -> FHIRTask {
        let response = try await send(.GET, "/api/v1/fhir/Task/\(referralID)", token: token)
        try #require(response.status == .ok, "the Task answered \(response.status): \(response.text)")
        return try response.json(FHIRTask.self)
    }

    @discardableResult
    func postTask(_ token: String, _ referralID: String, _ body: String, method: HTTPMethod = .POST) async throws -> TestingHTTPResponse {
        try await send(method, "/api/v1/fhir/Task/\(referralID)", token: token, body: body, contentType: "application/fhir+json")
    }

    /// A referral of a new person from the officer to the provider's clinic: (person id, referral id).
    func fhirReferral() async throws -> (String, String) {
        let officer = try await token("officer")
        let personId = try await registerPerson(officer)
        return (personId, try await refer(officer, personId: personId, to: "R1 Outpatient Clinic").id)
    }
}

private let assist = #""instrument":"assist","answers":{"cannabis":{"q1":true,"q2":3,"q3":2,"q4":1,"q5":0,"q6":1,"q7":0}}"#

@Suite("FHIR R4 interchange through the API")
struct FHIRAPITests {
    @Test func theReceivingServiceExportsTheReferralAsACollectionWithAPseudonymisedPatient() async throws {
        try await TestApp.run { t in
            let (personId, referralId) = try await t.fhirReferral()
            let officer = try await t.token("officer")
            let screened = try await t.send(.POST, "/api/v1/screenings", token: officer, body: #"{"personId":"\#(personId)",\#(assist)}"#, contentType: "application/json")
            #expect(screened.status == .created)
            let provider = try await t.token("provider")
            let response = try await t.send(.GET, "/api/v1/fhir/ServiceRequest/\(referralId)", token: provider)
            #expect(response.status == .ok)
            #expect(!response.text.contains("Lopes") && !response.text.contains("1986-05-01") && !response.text.contains(personId))
            let bundle = try response.json(FHIRBundle.self)
            #expect(bundle.type == "collection")
            #expect(bundle.entry?.map(\.resource.resourceType) == ["Patient", "ServiceRequest", "Task", "Organization", "Organization", "HealthcareService"])
            guard case .patient(let patient)? = bundle.resources("Patient").first, case .task(let task)? = bundle.resources("Task").first else {
                Issue.record("no Patient or Task")
                return
            }
            #expect(patient.birthDate == "1986" && patient.gender == "male" && patient.name == nil)
            #expect(task.status == "requested")
            #expect(task.businessStatus?.code(in: FHIRSystem.referralStatus) == "sent")
            // The police screening is health data the clinic has no consent for.
            #expect(bundle.resources("QuestionnaireResponse").isEmpty)

            let reads = try await t.auditEntries().filter { $0.event.action == .read && $0.event.username == "provider" }
            #expect(reads.map(\.event.resourceType).sorted() == ["person", "referral"])
            #expect(reads.allSatisfy { $0.event.personID?.uuidString.lowercased() == personId })
        }
    }

    @Test func theServicesOwnScreeningGoesToItAndNeverToThePolice() async throws {
        try await TestApp.run { t in
            let (personId, referralId) = try await t.fhirReferral()
            let provider = try await t.token("provider")
            let screened = try await t.send(.POST, "/api/v1/screenings", token: provider, body: #"{"personId":"\#(personId)",\#(assist)}"#, contentType: "application/json")
            #expect(screened.status == .created)
            let forService = try await t.fhirBundle(provider, referralId)
            guard case .questionnaireResponse(let qr)? = forService.resources("QuestionnaireResponse").first else {
                Issue.record("the service does not see its own screening")
                return
            }
            #expect(qr.questionnaire == "urn:diversion:instrument:assist-3.1")
            #expect(qr.item?.first?.item?.first?.linkId == "cannabis.q1")
            let forPolice = try await t.fhirBundle(try await t.token("officer"), referralId)
            #expect(forPolice.resources("QuestionnaireResponse").isEmpty)
            #expect(try await t.auditEntries().contains { $0.event.resourceType == "screening" && $0.event.action == .read && $0.event.username == "provider" })
        }
    }

    @Test func aConsentForCareCoordinationNamesThePatientToThatServiceOnly() async throws {
        try await TestApp.run { t in
            let (personId, referralId) = try await t.fhirReferral()
            let provider = try await t.token("provider")
            let clinicAgency = try await t.service(named: "R1 Outpatient Clinic").agencyId
            let from = t.clock.now.addingTimeInterval(-60).formatted(.iso8601), until = t.clock.now.addingTimeInterval(90 * 86400).formatted(.iso8601)
            let consent = try await t.send(
                .POST, "/api/v1/persons/\(personId)/consents", token: provider,
                body: #"{"recipientAgencyId":"\#(clinicAgency)","categories":["assessment"],"purpose":"care_coordination","validFrom":"\#(from)","validUntil":"\#(until)","method":"signed_paper"}"#,
                contentType: "application/json"
            )
            try #require(consent.status == .created, "recording the consent answered \(consent.status): \(consent.text)")
            let named = try await t.fhirBundle(provider, referralId)
            guard case .patient(let patient)? = named.resources("Patient").first, case .consent(let c)? = named.resources("Consent").first else {
                Issue.record("no Patient or Consent")
                return
            }
            #expect(patient.name?.first?.family == "Lopes" && patient.birthDate == "1986-05-01")
            #expect(c.status == "active" && c.provision?.purpose?.first?.code == "care_coordination")
            let forPolice = try await t.fhirBundle(try await t.token("officer"), referralId)
            guard case .patient(let seenByPolice)? = forPolice.resources("Patient").first else { Issue.record("no Patient"); return }
            #expect(seenByPolice.name == nil && seenByPolice.birthDate == "1986")
            #expect(seenByPolice.id == patient.id, "the pseudonym is stable")
            #expect(forPolice.resources("Consent").isEmpty, "a consent to the service is not the police's to see")
        }
    }

    @Test func theTaskAloneShowsTheServicesNotesOnlyToTheServiceNeverToTheReferringOfficer() async throws {
        try await TestApp.run { t in
            let (_, referralId) = try await t.fhirReferral()
            let provider = try await t.token("provider")
            #expect(try await t.referralEvent(provider, referralId, #"{"type":"accepted","note":"History of depression."}"#).status == .created)
            let forService = try await t.fhirTask(provider, referralId)
            #expect(forService.status == "accepted")
            #expect(forService.note?.map(\.text) == ["History of depression."])
            #expect(forService.focus?.reference == "ServiceRequest/\(referralId)")
            #expect(forService.meta?.profile == [FHIRSystem.sdohccTaskProfile])
            let raw = try await t.send(.GET, "/api/v1/fhir/Task/\(referralId)", token: try await t.token("officer"))
            #expect(raw.status == .ok)
            #expect(!raw.text.contains("depression"))
        }
    }

    @Test func theServiceMovesTheReferralByPostingItsTask() async throws {
        try await TestApp.run { t in
            let (personId, referralId) = try await t.fhirReferral()
            let provider = try await t.token("provider")
            var task = try await t.fhirTask(provider, referralId)
            task.status = "accepted"
            task.businessStatus = nil
            let accepted = try await t.postTask(provider, referralId, String(decoding: try JSONEncoder().encode(task), as: UTF8.self))
            #expect(accepted.status == .ok)
            #expect(accepted.headers.first(name: .contentType)?.hasPrefix("application/fhir+json") == true)
            #expect(try accepted.json(FHIRTask.self).businessStatus?.code(in: FHIRSystem.referralStatus) == "accepted")

            let scheduled = try await t.postTask(provider, referralId, #"""
                {"resourceType":"Task","id":"\#(referralId)","status":"in-progress","intent":"order","note":[{"text":"Bring ID."}],
                 "input":[{"type":{"coding":[{"system":"urn:diversion:task-input","code":"intake-appointment"}]},"valueDateTime":"2026-11-23T10:00:00Z"}]}
                """#, method: .PUT)
            #expect(scheduled.status == .ok, "\(scheduled.text)")
            let referral = try await t.referral(provider, referralId)
            #expect(referral.status == "intake_scheduled")
            #expect(referral.scheduledFor == "2026-11-23T10:00:00Z")
            #expect(referral.events?.map(\.type) == ["accepted", "intake_scheduled"])
            #expect(referral.events?.last?.note == "Bring ID.")

            // Sending back the Task as it stands changes nothing.
            let current = try await t.fhirTask(provider, referralId)
            let again = try await t.postTask(provider, referralId, String(decoding: try JSONEncoder().encode(current), as: UTF8.self))
            #expect(again.status == .ok)
            #expect(try await t.referral(provider, referralId).events?.count == 2)

            let updates = try await t.auditEntries().filter { $0.event.resourceType == "referral" && $0.event.action == .update }
            #expect(updates.count == 2)
            #expect(updates.allSatisfy { $0.event.username == "provider" && $0.event.personID?.uuidString.lowercased() == personId })
        }
    }

    @Test func anImpossibleTaskTransitionIs409AndChangesNothing() async throws {
        try await TestApp.run { t in
            let (_, referralId) = try await t.fhirReferral()
            let provider = try await t.token("provider")
            let response = try await t.postTask(provider, referralId, #"{"resourceType":"Task","status":"completed","intent":"order"}"#)
            #expect(response.status == .conflict)
            #expect(try response.problem().detail.contains("cannot be completed"))
            let back = try await t.postTask(provider, referralId, #"{"resourceType":"Task","status":"in-progress","businessStatus":{"coding":[{"system":"urn:diversion:referral-status","code":"engaged"}]}}"#)
            #expect(back.status == .conflict)
            #expect(try await t.referral(provider, referralId).status == "sent")
        }
    }

    static let badTasks: [(String, String)] = [
        ("not json", "body"),
        ("[1,2]", "body"),
        (#"{"resourceType":"Patient","status":"accepted"}"#, "resourceType"),
        (#"{"status":"accepted"}"#, "resourceType"),
        (#"{"resourceType":"Task","status":"bogus"}"#, "status"),
        (#"{"resourceType":"Task","status":"on-hold"}"#, "status"),
        (#"{"resourceType":"Task"}"#, "status"),
        (#"{"resourceType":"Task","status":7}"#, "status"),
        (#"{"resourceType":"Task","status":"rejected"}"#, "reason"),
        (#"{"resourceType":"Task","id":"00000000-0000-4000-8000-000000000000","status":"accepted"}"#, "id"),
        (#"{"resourceType":"Task","status":"accepted","businessStatus":{"coding":[{"system":"urn:diversion:referral-status","code":"done"}]}}"#, "businessStatus.coding"),
        (#"{"resourceType":"Task","status":"in-progress","input":[{"type":{"coding":[{"system":"urn:diversion:task-input","code":"intake-appointment"}]},"valueDateTime":"soon"}]}"#, "input"),
    ]

    @Test(arguments: badTasks)
    func aTaskThatIsNotValidFHIROrHasAnUnknownStatusIs422NamingTheField(body: String, field: String) async throws {
        try await TestApp.run { t in
            let (_, referralId) = try await t.fhirReferral()
            let response = try await t.postTask(try await t.token("provider"), referralId, body)
            #expect(response.status == .unprocessableEntity, "\(response.text)")
            #expect(try response.problem().errors?.map(\.field) == [field])
        }
    }

    @Test func onlyTheReceivingServiceUpdatesTheTask() async throws {
        try await TestApp.run { t in
            let (_, referralId) = try await t.fhirReferral()
            let body = #"{"resourceType":"Task","status":"cancelled","statusReason":{"text":"Moved away."}}"#
            #expect(try await t.postTask(try await t.token("officer"), referralId, body).status == .forbidden)
            #expect(try await t.postTask(try await t.token("analyst"), referralId, body).status == .forbidden)
            #expect(try await t.postTask(try await t.token("supervisor"), referralId, body).status == .forbidden)
            #expect(try await t.referral(try await t.token("officer"), referralId).status == "sent")
        }
    }

    @Test(arguments: ["analyst", "admin", "supervisor"])
    func rolesWithoutTheReferralAreRefused(user: String) async throws {
        try await TestApp.run { t in
            let (_, referralId) = try await t.fhirReferral()
            let token = try await t.token(user)
            #expect(try await t.send(.GET, "/api/v1/fhir/ServiceRequest/\(referralId)", token: token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/fhir/Task/\(referralId)", token: token).status == .forbidden)
        }
    }

    @Test func anUnknownReferralOrServiceIs404AndAMalformedIdIs422() async throws {
        try await TestApp.run { t in
            let provider = try await t.token("provider")
            let unknown = UUID().uuidString.lowercased()
            for path in ["ServiceRequest", "Task", "HealthcareService"] {
                #expect(try await t.send(.GET, "/api/v1/fhir/\(path)/\(unknown)", token: provider).status == .notFound)
                #expect(try await t.send(.GET, "/api/v1/fhir/\(path)/nope", token: provider).status == .unprocessableEntity)
            }
            #expect(try await t.postTask(provider, unknown, #"{"resourceType":"Task","status":"accepted"}"#).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/fhir/Task/\(unknown)").status == .unauthorized)
        }
    }

    @Test func aServiceReadsAsAHealthcareServiceForEveryRole() async throws {
        try await TestApp.run { t in
            let clinic = try await t.service(named: "R1 Outpatient Clinic")
            let response = try await t.send(.GET, "/api/v1/fhir/HealthcareService/\(clinic.id)", token: try await t.token("analyst"))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: .contentType)?.hasPrefix("application/fhir+json") == true)
            let service = try response.json(FHIRHealthcareService.self)
            #expect(service.name == "R1 Outpatient Clinic")
            #expect(service.providedBy?.reference == "Organization/\(clinic.agencyId)")
            #expect(service.type?.isEmpty == false)
        }
    }
}

extension FHIRAPITests {
    @Test func aBundleThatDisclosesHealthDataCarriesTheNoRedisclosureLabelAndTheNotice() async throws {
        try await TestApp.run { t in
            let judge = try await t.token("judge")
            let personId = try await CaseAPITests.person(t)
            let referral = try await t.refer(judge, personId: personId, to: "R1 Outpatient Clinic")
            let provider = try await t.token("provider")
            let screened = try await t.send(.POST, "/api/v1/screenings", token: provider, body: #"{"personId":"\#(personId)","instrument":"auditc","answers":[2,1,1]}"#,
                                            contentType: "application/json")
            try #require(screened.status == .created)
            let before = try await t.send(.GET, "/api/v1/fhir/ServiceRequest/\(referral.id)", token: judge)
            #expect(before.status == .ok && !before.text.contains("QuestionnaireResponse") && !before.text.contains("NORDSCLCD"))
            #expect(before.headers.first(name: "X-Redisclosure-Notice") == nil)
            let from = t.clock.now.addingTimeInterval(-60).formatted(.iso8601)
            let until = t.clock.now.addingTimeInterval(86_400 * 30).formatted(.iso8601)
            let consent = try await t.send(.POST, "/api/v1/persons/\(personId)/consents", token: provider,
                                           body: #"{"recipientAgencyType":"court","categories":["assessment"],"purpose":"court_decision","validFrom":"\#(from)","validUntil":"\#(until)","method":"electronic"}"#,
                                           contentType: "application/json")
            try #require(consent.status == .created, "\(consent.text)")
            let after = try await t.send(.GET, "/api/v1/fhir/ServiceRequest/\(referral.id)", token: judge)
            #expect(after.status == .ok && after.text.contains("QuestionnaireResponse") && after.text.contains("NORDSCLCD"))
            #expect(after.headers.first(name: "X-Redisclosure-Notice")?.contains("do not pass it on") == true)
        }
    }
}
