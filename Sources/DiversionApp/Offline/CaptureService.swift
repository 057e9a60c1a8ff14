import DiversionCore
import DiversionStore
import Fluent
import Foundation
import Vapor

/// Records a whole capture in one transaction, at most once per idempotency key, and refuses person
/// changes made against an older revision.
struct CaptureService {
    let request: Request

    /// What the server answers a recorded capture with; stored so a retry gets exactly this again.
    struct Recorded: Content {
        var personId: String
        var personRevision: Int
        var contact: ContactResponse
        var screening: ScreeningController.RecordedResponse?
        var referral: CaptureReferralOutcome?
    }

    /// Stored answers are byte-for-byte what the first request got, so keys are sorted.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// Runs a check whose field names belong under `prefix` in the capture.
    static func under<T>(_ prefix: String, _ check: () throws(ValidationFailure) -> T) throws -> T {
        let outcome = Result(catching: check)
        switch outcome {
        case .success(let value): return value
        case .failure(let failure): throw ValidationFailure(failure.errors.map { FieldError(prefix + $0.field, $0.reason) })
        }
    }

    /// Someone changed the person's details after the sender read them.
    struct StaleRevision: Error {}

    /// Records `input` under `key`; `hash` fingerprints the request body. A retry with the same key and
    /// fingerprint answers what the first one did and writes nothing.
    func record(_ input: CaptureInput, key: String, hash: String) async throws -> Response {
        let principal = try request.requirePrincipal()
        if let earlier = try await IdempotencyStore().find(user: principal.userID, key: key, on: request.db) {
            return try await replay(earlier, hash: hash)
        }
        do {
            return try await write(input, key: key, hash: hash, principal: principal)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // The same key arrived twice at once: the other request wrote; answer as it did.
            guard let earlier = try await IdempotencyStore().find(user: principal.userID, key: key, on: request.db) else { throw error }
            return try await replay(earlier, hash: hash)
        } catch is StaleRevision {
            // A copy of this very capture may have raised the revision a moment ago: then it is a retry, not a conflict.
            if let earlier = try await IdempotencyStore().find(user: principal.userID, key: key, on: request.db) {
                return try await replay(earlier, hash: hash)
            }
            return try await conflict(input)
        }
    }

    /// The stored answer again; it shows a contact, so handing it out is audited as a read.
    private func replay(_ earlier: StoredIdempotentResponse, hash: String) async throws -> Response {
        guard earlier.requestHash == hash else {
            throw ValidationFailure([FieldError("Idempotency-Key", "This key was already used for a different capture; a changed capture needs a new key.")])
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true")
        if let recorded = try? JSONDecoder().decode(Recorded.self, from: Data(earlier.body.utf8)) {
            headers.replaceOrAdd(name: .location, value: "/api/v1/contacts/\(recorded.contact.id)")
            try await request.diversion.auditTrail.record([
                try request.auditEvent(.read, "contact", id: recorded.contact.id, person: UUID(uuidString: recorded.personId)),
            ])
        }
        return Response(status: HTTPResponseStatus(statusCode: earlier.status), headers: headers, body: .init(string: earlier.body))
    }

    private func write(_ input: CaptureInput, key: String, hash: String, principal: Principal) async throws -> Response {
        let contacts = ContactService(request: request)
        let authority = try contacts.authority()
        guard authority == .police else { throw APIError.forbidden("Captures are recorded by police officers.") }
        let now = request.now
        var errors = FieldErrors()
        if input.contact == nil { errors.add("contact", "Give the contact: when, where, the offence and any seizures.") }
        var checked: CheckedContact?
        do {
            checked = try input.contactInput.check(now: now, storing: true)
        } catch let failure as ValidationFailure {
            for e in failure.errors { errors.add(e.field.hasPrefix("person") ? e.field : "contact.\(e.field)", e.reason) }
        }
        var change: (base: Int, change: PersonDetailsChange)?
        if let personChange = input.personChange {
            if input.personId == nil { errors.add("personChange", "Corrections apply to a person on record; give personId.") }
            change = personChange.check(prefix: "personChange.", into: &errors)
        }
        var screening: (ScreeningInstrument, AnswerValue, Sex?)?
        if let s = input.screening {
            var own = FieldErrors()
            let (instrument, sex) = ScreeningController.check(s.instrument, s.sex, s.answers, into: &own)
            for e in own.all { errors.add("screening.\(e.field)", e.reason) }
            if let instrument, let answers = s.answers { screening = (instrument, answers, sex) }
        }
        let referral = input.referral.flatMap { Self.checkReferral($0, into: &errors) }
        try errors.throwIfAny()
        guard let contact = checked, let region = contact.region else { throw ValidationFailure(errors.all) }

        let active = try await request.activePolicy()
        let people = request.diversion.people
        let personID: UUID
        var draft: PersonDraft?
        var details: PersonDraft
        var revision = 1
        switch contact.subject {
        case .existing(let id):
            guard let person = try await people.find(id, on: request.db), let current = try await people.revision(of: id, on: request.db) else {
                throw ValidationFailure([FieldError("personId", "No person on record has this id.")])
            }
            if let change, change.base != current { throw StaleRevision() }
            personID = id
            details = person.details
            revision = current
        case .new(let d):
            personID = UUID()
            draft = d
            details = d
        case .anonymous, .none:
            throw ValidationFailure([FieldError("person", "Give the person's names, birth date and sex, or personId.")])
        }
        let history = draft == nil ? try await contacts.history(of: personID, before: contact.occurredAt, policy: active.policy) : PriorRecord()
        let answer = try Eligibility.evaluate(contact.question(authority: authority, history: history), under: active.policy)
        var record = ContactRecord(
            id: UUID(), personID: personID, occurredAt: contact.occurredAt, region: region, latitude: contact.latitude,
            longitude: contact.longitude, offences: contact.offences, seizures: contact.seizures, circumstances: contact.circumstances,
            officerUserID: principal.userID, officerName: principal.displayName, agencyID: principal.agencyID,
            policyVersionID: active.id, evaluation: answer, createdAt: now
        )
        if let d = input.decision {
            let (decision, reason) = try Self.under("decision.") { () throws(ValidationFailure) in
                try OfficerDecision.check(d.decision, reason: d.reason, eligible: answer.eligible)
            }
            record.decision = decision
            record.decisionReason = reason
            record.decidedAt = now
        }
        var scored: (ScreeningInstrument, AnswerValue, ScreeningResult)?
        if let (instrument, answers, sex) = screening {
            let age = details.birthDate.completedYears(on: CalendarDate(now))
            if let problem = ScreeningRules.instrumentProblem(instrument, age: age, ageOfMajority: active.policy.ageOfMajority) {
                throw ValidationFailure([FieldError("screening.instrument", problem)])
            }
            let result = try Self.under("screening.") { () throws(ValidationFailure) in
                try Screening.score(instrument, answers: answers, sex: sex ?? details.sex)
            }
            scored = (instrument, answers, result)
        }
        var planned: PlannedReferral?
        if let referral {
            var corrected = details
            if let change { corrected.preferredLanguage = change.change.preferredLanguage; corrected.flags = change.change.flags }
            planned = try await planReferral(
                (referral.0, referral.1, referral.2, referral.3), contact: record, person: Person(id: personID, details: corrected, createdAt: now),
                screening: scored?.2, policy: active.policy, principal: principal
            )
        }

        let screeningID = UUID()
        let person = personID.uuidString.lowercased()
        var events: [AuditEvent] = []
        if draft != nil { events.append(try request.auditEvent(.create, "person", id: person, person: personID)) }
        if change != nil { events.append(try request.auditEvent(.update, "person", id: person, person: personID)) }
        events.append(try request.auditEvent(.create, "contact", id: record.id.uuidString.lowercased(), person: personID))
        if scored != nil { events.append(try request.auditEvent(.create, "screening", id: screeningID.uuidString.lowercased(), person: personID)) }
        if let r = planned?.record { events.append(try request.auditEvent(.create, "referral", id: r.id.uuidString.lowercased(), person: personID)) }
        let newPerson = draft, contactRecord = record, audit = events, score = scored, correction = change, baseRevision = revision, referring = planned
        let body = try await request.diversion.auditTrail.perform { db -> (String, [AuditEvent]) in
            var revision = baseRevision
            if let draft = newPerson { _ = try await people.create(draft, id: personID, createdByAgency: principal.agencyID, at: now, on: db) }
            if let correction {
                guard let raised = try await people.update(personID, correction.change, base: correction.base, on: db) else { throw StaleRevision() }
                revision = raised
            }
            try await ContactStore().create(contactRecord, on: db)
            var recordedScreening: RecordedScreening?
            if let (_, answers, result) = score {
                recordedScreening = try await ScreeningStore().create(result, answers: answers, personID: personID, by: principal, id: screeningID, at: now, on: db)
            }
            if let r = referring?.record { try await ReferralStore().create(r, on: db) }
            let recorded = Recorded(
                personId: person, personRevision: revision, contact: ContactResponse(contactRecord),
                screening: recordedScreening.map(ScreeningController.RecordedResponse.init), referral: referring?.outcome
            )
            let text = String(decoding: try Self.encoder().encode(recorded), as: UTF8.self)
            try await IdempotencyStore().save(user: principal.userID, key: key, requestHash: hash, status: 201, body: text, at: now, on: db)
            return (text, audit)
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .location, value: "/api/v1/contacts/\(record.id.uuidString.lowercased())")
        return Response(status: .created, headers: headers, body: .init(string: body))
    }

    /// The 409 for a stale person change, with the details as they are now; the read is audited.
    private func conflict(_ input: CaptureInput) async throws -> Response {
        guard let id = input.personId.flatMap(UUID.init(uuidString:)),
              let person = try await request.diversion.people.find(id, on: request.db),
              let revision = try await request.diversion.people.revision(of: id, on: request.db)
        else { throw APIError.notFound("The person of this capture is no longer on record.") }
        try await request.diversion.auditTrail.record([try request.auditEvent(.read, "person", id: id.uuidString.lowercased(), person: id)])
        let change = input.personChange
        return try RevisionConflictProblem(
            detail: "The person's details were changed (now revision \(revision)) after this capture was prepared against revision \(change?.baseRevision ?? 0). Nothing was recorded: choose which details to keep and send again.",
            instance: request.url.path, requestId: request.id,
            current: PersonDetailsResponse(person, revision: revision),
            yours: .init(baseRevision: change?.baseRevision ?? 0, preferredLanguage: change?.preferredLanguage, flags: change?.flags ?? [])
        ).response()
    }
}
