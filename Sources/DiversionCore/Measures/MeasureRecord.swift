import Foundation

/// Where a measure stands: running, replaced by a later decision, or ended with an outcome.
public enum MeasureStatus: String, Sendable, CaseIterable, Codable {
    case active
    /// A later decision at the same stage replaced the one that ordered it.
    case superseded
    case completed, revoked, terminated, absconded, transferred, died
}

/// How a measure ended.
public enum MeasureOutcome: String, Sendable, CaseIterable, Codable {
    case completed, revoked, terminated, absconded, transferred, died

    public var status: MeasureStatus { MeasureStatus(rawValue: rawValue) ?? .completed }
    public var words: String { rawValue }
}

/// The recorded end of a measure.
public struct RecordedOutcome: Sendable, Equatable, Codable {
    public var outcome: MeasureOutcome
    public var date: CalendarDate
    public var note: String
    public var recordedByName: String
    public var recordedAt: Date

    public init(outcome: MeasureOutcome, date: CalendarDate, note: String, recordedByName: String, recordedAt: Date) {
        self.outcome = outcome
        self.date = date
        self.note = note
        self.recordedByName = recordedByName
        self.recordedAt = recordedAt
    }

    public static let maxNoteLength = 4000

    /// Checks an outcome before it is recorded: the date lies between the measure's start and today.
    public static func check(date: CalendarDate?, note: String, start: CalendarDate, today: CalendarDate) throws(ValidationFailure) {
        var errors = FieldErrors()
        if let date {
            if date < start { errors.add("date", "The outcome date is before the measure started (\(start)).") }
            if date > today { errors.add("date", "The outcome date is in the future; record an outcome once it has happened.") }
        } else {
            errors.add("date", "Write the date of the outcome as YYYY-MM-DD.")
        }
        let trimmed = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { errors.add("note", "Say briefly what happened, for the record.") }
        if trimmed.count > maxNoteLength { errors.add("note", "Keep the note to \(maxNoteLength) characters.") }
        try errors.throwIfAny()
    }
}

/// One measure a decision ordered, as it is supervised: its conditions, its phase and, once ended, its outcome.
public struct MeasureRecord: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var caseID: UUID
    public var decisionID: UUID
    public var personID: UUID
    public var type: MeasureType
    public var conditions: [Condition]
    public var start: CalendarDate
    public var plannedEnd: CalendarDate?
    public var status: MeasureStatus
    /// The treatment-court phase the person is in (1 for other measures).
    public var phase: Int
    public var phaseSince: CalendarDate
    public var outcome: RecordedOutcome?

    public init(
        id: UUID, caseID: UUID, decisionID: UUID, personID: UUID, type: MeasureType, conditions: [Condition], start: CalendarDate,
        plannedEnd: CalendarDate?, status: MeasureStatus = .active, phase: Int = 1, phaseSince: CalendarDate? = nil, outcome: RecordedOutcome? = nil
    ) {
        self.id = id
        self.caseID = caseID
        self.decisionID = decisionID
        self.personID = personID
        self.type = type
        self.conditions = conditions
        self.start = start
        self.plannedEnd = plannedEnd
        self.status = status
        self.phase = phase
        self.phaseSince = phaseSince ?? start
        self.outcome = outcome
    }

    /// The measures a recorded decision orders, each given its own id so it can be supervised.
    public static func ordered(by decision: RecordedDecision, personID: UUID) -> [MeasureRecord] {
        decision.measures.map { m in
            MeasureRecord(id: UUID(), caseID: decision.caseID, decisionID: decision.id, personID: personID, type: m.type,
                          conditions: m.conditions, start: m.start, plannedEnd: m.plannedEnd)
        }
    }

    public var isActive: Bool { status == .active }

    /// The conditions of one type.
    public func conditions(_ type: ConditionType) -> [Condition] { conditions.filter { $0.type == type } }
}
