import Foundation

/// One problem in a historical contacts file: the line, the column and what to do about it.
public struct HistoricalImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    /// The column's header name; empty when the problem is with the line as a whole.
    public var column: String
    public var message: String

    public init(line: Int, column: String, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// As printed: `line 17, contact_date: '2024-13-01' is not a date; write YYYY-MM-DD.`
    public var description: String { column.isEmpty ? "line \(line): \(message)" : "line \(line), \(column): \(message)" }
}

/// Every problem of a file, the first `HistoricalContacts.maxErrors` of them listed and the rest counted.
public struct HistoricalImportProblems: Error, Sendable, Equatable {
    public var errors: [HistoricalImportError]
    /// Problems found beyond the listed ones.
    public var more: Int

    public init(errors: [HistoricalImportError], more: Int = 0) {
        self.errors = errors
        self.more = more
    }

    public var count: Int { errors.count + more }
}

/// The columns of a historical contacts file, named in its header row in any order. Only `reference`, `person`,
/// `contact_date` and `region` are required; an empty cell means "not recorded". docs/historical-import.md has an example.
public enum HistoricalColumn: String, Sendable, CaseIterable {
    /// The source system's reference for the contact, unique in the file; the fact's key is "H:" + reference.
    case reference
    /// Any stable code for the person (never a name): it links a person's contacts so recidivism can be counted.
    case person
    /// The day of the contact, YYYY-MM-DD.
    case contactDate = "contact_date"
    /// female, male, other or unknown (the default).
    case sex
    /// Whole years at the contact, 0 to 120; or give `birth_date` instead.
    case age
    /// YYYY-MM-DD; the age at the contact is worked out from it.
    case birthDate = "birth_date"
    /// The region code where the contact happened, such as R1 (letters, digits, - and _).
    case region
    /// ISO 3166-1 alpha-3 code of citizenship, as nationality is recorded, such as PRT (or the policy's own country code).
    case nationality
    /// An offence category code of the active policy; "unknown" when empty.
    case offence
    /// A substance code of the active policy; empty when nothing was seized.
    case substance
    /// The amount seized, a number above 0 with a dot for decimals; needs `substance`.
    case quantity
    /// The unit of `quantity`; the substance's threshold unit when empty.
    case unit
    /// Tested purity in percent, above 0 and at most 100; needs `quantity`.
    case purity
    /// Any of violence, weapon, supply_to_minors, near_school, organised_crime, separated by |.
    case circumstances
    /// pre_trial (the default), trial, sentencing or post_sentencing: the stage of the latest decision.
    case stage
    /// The alternative measure ordered, a measure type such as deferred_prosecution; empty when none.
    case measureType = "measure_type"
    /// yes or no (also true/false, 1/0): screened with a validated instrument within 30 days.
    case screened
    /// yes or no: found eligible for an alternative under the policy of the time.
    case eligible
    /// yes or no: diverted by the officer or given an alternative measure; yes when a measure is given.
    case diverted
    /// none (the default), sent, accepted or engaged: how far the referral to a service went.
    case referral
    /// The service's main modality, such as outpatient or residential; needs a referral.
    case treatmentModality = "treatment_modality"
    /// The day the person attended intake at the service; needs a referral.
    case intakeDate = "intake_date"
    /// The day treatment ended without completion; needs `intake_date`.
    case droppedDate = "dropped_date"
    /// The day the measure started; needs `measure_type`.
    case measureStart = "measure_start"
    /// The day the measure ended, or its planned end while it runs; needs `measure_type`.
    case measureEnd = "measure_end"
    /// completed, revoked, terminated, absconded, transferred or died; needs `measure_end`.
    case measureOutcome = "measure_outcome"
    /// Incentives given in supervision, a whole number 0 or more.
    case incentives
    /// Sanctions given in supervision, a whole number 0 or more.
    case sanctions
    /// The day of the first drug test.
    case testingStart = "testing_start"
    /// The day of the last drug test; needs `testing_start`.
    case lastTest = "last_test"
    /// The first positive test after the policy's run of negative ones; between `testing_start` and `last_test`.
    case relapseDate = "relapse_date"

    /// The columns every file must have.
    public static let required: [HistoricalColumn] = [.reference, .person, .contactDate, .region]

    /// The column's place in `allCases`, without hashing: a row asks for it some sixty times.
    var ordinal: Int {
        switch self {
        case .reference: 0
        case .person: 1
        case .contactDate: 2
        case .sex: 3
        case .age: 4
        case .birthDate: 5
        case .region: 6
        case .nationality: 7
        case .offence: 8
        case .substance: 9
        case .quantity: 10
        case .unit: 11
        case .purity: 12
        case .circumstances: 13
        case .stage: 14
        case .measureType: 15
        case .screened: 16
        case .eligible: 17
        case .diverted: 18
        case .referral: 19
        case .treatmentModality: 20
        case .intakeDate: 21
        case .droppedDate: 22
        case .measureStart: 23
        case .measureEnd: 24
        case .measureOutcome: 25
        case .incentives: 26
        case .sanctions: 27
        case .testingStart: 28
        case .lastTest: 29
        case .relapseDate: 30
        }
    }
}

/// The contacts and outcomes of a historical file, with the line each came from.
public struct HistoricalImport: Sendable, Equatable {
    public var facts: [ContactFact]
    /// The file line of each fact, in the same order.
    public var lines: [Int]

    public init(facts: [ContactFact], lines: [Int]) {
        self.facts = facts
        self.lines = lines
    }

    /// A problem for each contact whose key is already in the fact table: an import never loads a contact twice.
    public func alreadyImported(_ existingKeys: Set<String>) -> HistoricalImportProblems? {
        var errors: [HistoricalImportError] = []
        var more = 0
        for (fact, line) in zip(facts, lines) where existingKeys.contains(fact.contactKey) {
            if errors.count < HistoricalContacts.maxErrors {
                errors.append(HistoricalImportError(
                    line: line, column: HistoricalColumn.reference.rawValue,
                    message: "'\(fact.contactKey.dropFirst(HistoricalContacts.keyPrefix.count))' was imported before; import with --replace to load the whole file anew."
                ))
            } else {
                more += 1
            }
        }
        return errors.isEmpty ? nil : HistoricalImportProblems(errors: errors, more: more)
    }
}

/// Reads a historical contacts file (CSV, header row first) into contact facts, checking every cell and the
/// dates against each other; a file with any problem yields none, so an import is all or nothing.
public enum HistoricalContacts {
    /// At most this many problems are listed; the rest are counted.
    public static let maxErrors = 100
    /// Historical contact and person keys start with this, so they never meet the recorded ones.
    public static let keyPrefix = "H:"
    static let maxCodeLength = 100

    public static func parse(_ text: String, policy: JurisdictionPolicy, today: CalendarDate) throws(HistoricalImportProblems) -> HistoricalImport {
        let (records, csvErrors) = CSVReader.read(text)
        var all = csvErrors
        guard let header = records.first else {
            throw HistoricalImportProblems(errors: csvErrors.isEmpty ? [HistoricalImportError(
                line: 1, column: "",
                message: "the file is empty; its first line names the columns, such as reference,person,contact_date,region."
            )] : csvErrors)
        }
        var index: [HistoricalColumn: Int] = [:]
        var headerErrors: [HistoricalImportError] = []
        for (i, raw) in header.fields.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let column = HistoricalColumn(rawValue: name) else {
                headerErrors.append(HistoricalImportError(
                    line: header.line, column: raw,
                    message: "'\(raw)' is not a column of a historical contacts file; remove it or rename it to one of \(HistoricalColumn.allCases.map(\.rawValue).joined(separator: ", "))."
                ))
                continue
            }
            if index[column] != nil {
                headerErrors.append(HistoricalImportError(line: header.line, column: name, message: "the column '\(name)' is named twice; keep one."))
            }
            index[column] = i
        }
        for column in HistoricalColumn.required where index[column] == nil {
            headerErrors.append(HistoricalImportError(line: header.line, column: column.rawValue, message: "the required column '\(column.rawValue)' is missing; add it to the header."))
        }
        guard headerErrors.isEmpty else { throw cap(all + headerErrors) }

        let context = RowContext(policy: policy, today: today, index: index, width: header.fields.count)
        let rows = records.dropFirst()
        // Rows are independent until the duplicate check, so large files are read on every core, in slices.
        let slices = rows.count >= 20_000 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
        let slots = SliceSlots(count: slices)
        defer { slots.release() }
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let size = (rows.count + slices - 1) / slices
            let lower = min(rows.startIndex + slice * size, rows.endIndex), upper = min(lower + size, rows.endIndex)
            slots.buffer[slice] = ParsedSlice(rows[lower..<upper], context: context)
        }
        let parts = Array(slots.buffer)
        var facts: [ContactFact] = []
        var lines: [Int] = []
        facts.reserveCapacity(rows.count)
        lines.reserveCapacity(rows.count)
        var firstLine: [String: Int] = [:]
        firstLine.reserveCapacity(rows.count)
        for part in parts {
            all += part.errors
            for (reference, line) in part.references {
                if let earlier = firstLine[reference] {
                    all.append(fail(.reference, "'\(reference)' is used again; line \(earlier) already has it, and each contact needs its own reference.", line: line))
                } else {
                    firstLine[reference] = line
                }
            }
            facts += part.facts
            lines += part.lines
        }
        guard all.isEmpty else { throw cap(all) }
        return HistoricalImport(facts: facts, lines: lines)
    }

    /// A problem found across rows, worded like a row's own.
    static func fail(_ column: HistoricalColumn, _ message: String, line: Int) -> HistoricalImportError {
        HistoricalImportError(line: line, column: column.rawValue, message: message)
    }

    static func cap(_ errors: [HistoricalImportError]) -> HistoricalImportProblems {
        let sorted = errors.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        return HistoricalImportProblems(errors: Array(sorted.prefix(maxErrors)), more: max(0, sorted.count - maxErrors))
    }
}

/// The facts, problems and references of a run of consecutive rows, read on its own.
struct ParsedSlice {
    var facts: [ContactFact] = []
    var lines: [Int] = []
    var errors: [HistoricalImportError] = []
    /// Each usable reference with its line, in file order, for the duplicate check across slices.
    var references: [(String, Int)] = []

    init() {}

    init(_ records: ArraySlice<CSVRecord>, context: RowContext) {
        facts.reserveCapacity(records.count)
        lines.reserveCapacity(records.count)
        references.reserveCapacity(records.count)
        for record in records {
            var row = RowParser(context: context, record: record)
            let fact = row.fact()
            if let reference = row.reference { references.append((reference, record.line)) }
            errors += row.errors
            if let fact, row.errors.isEmpty {
                facts.append(fact)
                lines.append(record.line)
            }
        }
    }
}

/// One slot per slice, each written by exactly one worker and read only after all have finished.
struct SliceSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<ParsedSlice>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: ParsedSlice())
    }

    func release() {
        buffer.deinitialize()
        buffer.deallocate()
    }
}

/// What every row is checked against.
struct RowContext {
    let policy: JurisdictionPolicy
    let today: CalendarDate
    let index: [HistoricalColumn: Int]
    let width: Int
    let offences: Set<String>
    let substances: [String: JurisdictionPolicy.Substance]
    /// The field index of each column, by the column's ordinal.
    let positions: [Int?]

    init(policy: JurisdictionPolicy, today: CalendarDate, index: [HistoricalColumn: Int], width: Int) {
        self.policy = policy
        self.today = today
        self.index = index
        self.width = width
        offences = Set(policy.offenceCategories.map(\.code))
        var substances: [String: JurisdictionPolicy.Substance] = [:]
        for s in policy.substances { substances[s.code] = s }
        self.substances = substances
        positions = HistoricalColumn.allCases.map { index[$0] }
    }
}

/// Reads one row into a fact, noting each problem with its column.
struct RowParser {
    let context: RowContext
    let record: CSVRecord
    /// The trimmed cells by column ordinal; nil when the column is absent or the cell empty.
    let cells: [String?]
    var errors: [HistoricalImportError] = []
    /// The row's reference when it has a usable one, for the duplicate check.
    var reference: String?

    init(context: RowContext, record: CSVRecord) {
        self.context = context
        self.record = record
        var cells = [String?](repeating: nil, count: HistoricalColumn.allCases.count)
        for (ordinal, index) in context.positions.enumerated() {
            if let index, index < record.fields.count { cells[ordinal] = Self.trimmed(record.fields[index]) }
        }
        self.cells = cells
    }

    /// Without spaces or tabs at either end; nil when nothing is left. Most cells need no trimming, so look first.
    static func trimmed(_ text: String) -> String? {
        guard let first = text.utf8.first, let last = text.utf8.last else { return nil }
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard blank(first) || blank(last) else { return text }
        let t = text.trimmingCharacters(in: .whitespaces)
        return t.isEmpty ? nil : t
    }

    mutating func fail(_ column: HistoricalColumn, _ message: String) {
        errors.append(HistoricalImportError(line: record.line, column: column.rawValue, message: message))
    }

    /// The trimmed cell, or nil when the column is absent or the cell empty.
    func value(_ column: HistoricalColumn) -> String? { cells[column.ordinal] }

    mutating func code(_ column: HistoricalColumn, required: Bool, what: String) -> String? {
        guard let text = value(column) else {
            if required { fail(column, "is required; give \(what).") }
            return nil
        }
        guard text.count <= HistoricalContacts.maxCodeLength, !text.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true }) else {
            fail(column, "is longer than \(HistoricalContacts.maxCodeLength) characters or holds a line break; give \(what).")
            return nil
        }
        return text
    }

    mutating func date(_ column: HistoricalColumn) -> CalendarDate? {
        guard let text = value(column) else { return nil }
        guard let date = CalendarDate(text) else {
            fail(column, "'\(text)' is not a date; write YYYY-MM-DD.")
            return nil
        }
        if date > context.today {
            fail(column, "\(date) is after today (\(context.today)); historical dates cannot be in the future.")
            return nil
        }
        return date
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ column: HistoricalColumn, _ type: T.Type, what: String) -> T? where T.RawValue == String {
        guard let text = value(column) else { return nil }
        guard let value = T(rawValue: text.lowercased()) else {
            fail(column, "'\(text)' is not \(what); use \(Self.list(T.allCases.map(\.rawValue))).")
            return nil
        }
        return value
    }

    mutating func flag(_ column: HistoricalColumn) -> Bool? {
        guard let text = value(column) else { return nil }
        switch text.lowercased() {
        case "yes", "true", "1": return true
        case "no", "false", "0": return false
        default:
            fail(column, "'\(text)' is not yes or no; write yes, no, true, false, 1 or 0.")
            return nil
        }
    }

    mutating func count(_ column: HistoricalColumn) -> Int {
        guard let text = value(column) else { return 0 }
        guard let n = Int(text), n >= 0 else {
            fail(column, "'\(text)' is not a count; give a whole number, 0 or more.")
            return 0
        }
        return n
    }

    mutating func number(_ column: HistoricalColumn, above low: Double, atMost high: Double?, what: String) -> Double? {
        guard let text = value(column) else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let n = Double(text), n.isFinite, n > low, high.map({ n <= $0 }) ?? true else {
            fail(column, "'\(text)' is not \(what).")
            return nil
        }
        return n
    }

    /// "a, b or c"
    static func list(_ items: [String]) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " or " + last
    }

    /// Checks that a later date of the pathway is not before an earlier one.
    mutating func notBefore(_ column: HistoricalColumn, _ date: CalendarDate?, _ earlierColumn: HistoricalColumn, _ earlier: CalendarDate?) {
        guard let date, let earlier, date < earlier else { return }
        fail(column, "\(date) is before the \(earlierColumn.rawValue.replacingOccurrences(of: "_", with: " ")) \(earlier); correct one of them.")
    }

    mutating func needs(_ column: HistoricalColumn, _ present: Bool, _ other: HistoricalColumn, _ hint: String) {
        guard value(column) != nil, !present else { return }
        fail(column, "needs \(other.rawValue): \(hint)")
    }

    mutating func fact() -> ContactFact? {
        guard record.fields.count == context.width else {
            errors.append(HistoricalImportError(
                line: record.line, column: "",
                message: "has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s") but the header names \(context.width) columns; check the commas and quotes on this line."
            ))
            return nil
        }
        let policy = context.policy
        let reference = code(.reference, required: true, what: "the contact's reference, unique in the file")
        self.reference = reference
        let person = code(.person, required: true, what: "a code for the person (never a name), the same on each of their contacts")
        let contactText = value(.contactDate)
        let contactDay = date(.contactDate)
        if contactText == nil { fail(.contactDate, "is required; give the day of the contact as YYYY-MM-DD.") }

        let sex = choice(.sex, Sex.self, what: "a sex") ?? .unknown
        var age: Int?
        if let text = value(.age) {
            if let n = Int(text), (0...120).contains(n) { age = n } else { fail(.age, "'\(text)' is not an age; give whole years from 0 to 120.") }
        }
        if let birth = date(.birthDate), let contactDay {
            if birth > contactDay {
                fail(.birthDate, "\(birth) is after the contact date \(contactDay); correct one of them.")
            } else {
                let years = birth.completedYears(on: contactDay)
                if years > 120 {
                    fail(.birthDate, "\(birth) makes the person \(years) at the contact; give a birth date that makes them 120 or younger.")
                } else if let age, age != years {
                    fail(.age, "\(age) does not match birth_date \(birth), which makes the person \(years) at the contact; give one of the two, or correct it.")
                } else {
                    age = years
                }
            }
        }

        var placeErrors = FieldErrors()
        let region = ContactPlace.check(region: value(.region), latitude: nil, longitude: nil, required: true, into: &placeErrors)
        for e in placeErrors.all { fail(.region, e.reason) }

        var nationality: String?
        if let text = value(.nationality) {
            let upper = text.uppercased()
            // The policy may name a fictitious country (the demo's), whose people must still count as national.
            if Nationality.isValid(upper) || upper == policy.evidence.country {
                nationality = upper
            } else {
                fail(.nationality, "'\(text)' is not a country code; use ISO 3166-1 alpha-3, as nationality is recorded, such as PRT or BRA.")
            }
        }

        var offence = "unknown"
        if let text = value(.offence) {
            if context.offences.contains(text) {
                offence = text
            } else {
                fail(.offence, "'\(text)' is not an offence category of the active policy (\(policy.jurisdiction) \(policy.version)); use \(Self.list(policy.offenceCategories.map(\.code))).")
            }
        }

        var substance: JurisdictionPolicy.Substance?
        if let text = value(.substance) {
            substance = context.substances[text]
            if substance == nil {
                fail(.substance, "'\(text)' is not a substance of the active policy; use \(Self.list(policy.substances.map(\.code))).")
            }
        }
        let quantity = number(.quantity, above: 0, atMost: nil, what: "a quantity; give a number above 0, with a dot for decimals")
        let purity = number(.purity, above: 0, atMost: 100, what: "a purity; give a percentage above 0 and at most 100")
        var unit: QuantityUnit?
        if let text = value(.unit) {
            unit = QuantityUnit(text: text.lowercased())
            if unit == nil { fail(.unit, "'\(text)' is not a unit; use \(Self.list(QuantityUnit.allCases.map(\.rawValue))).") }
        }
        needs(.quantity, value(.substance) != nil, .substance, "say which substance the quantity is of.")
        needs(.unit, value(.quantity) != nil, .quantity, "a unit belongs to a quantity seized.")
        needs(.purity, value(.quantity) != nil, .quantity, "a purity belongs to a quantity seized.")
        if let substance, let unit, unit.convert(1, to: substance.unit) == nil {
            fail(.unit, "\(unit.rawValue) cannot be compared with the \(substance.code) threshold, which is in \(substance.unit.rawValue); give the quantity in \(substance.unit.rawValue).")
        }
        var seizures: [SeizureRecord] = []
        if let substance, let quantity {
            seizures = [SeizureRecord(substance: substance.code, quantity: quantity, unit: (unit ?? substance.unit).rawValue, purityPercent: purity)]
        }

        var circumstances = ContactCircumstances()
        if let text = value(.circumstances) {
            for part in text.split(separator: "|") {
                switch part.trimmingCharacters(in: .whitespaces).lowercased() {
                case "violence": circumstances.violence = true
                case "weapon": circumstances.weapon = true
                case "supply_to_minors": circumstances.supplyToMinors = true
                case "near_school": circumstances.nearSchool = true
                case "organised_crime": circumstances.organisedCrime = true
                case "": continue
                default:
                    fail(.circumstances, "'\(part)' is not a circumstance; use violence, weapon, supply_to_minors, near_school or organised_crime, separated by |.")
                }
            }
        }

        let stage = choice(.stage, Stage.self, what: "a stage") ?? .preTrial
        let measureType = choice(.measureType, MeasureType.self, what: "a measure type")
        let hasMeasure = value(.measureType) != nil
        let screened = flag(.screened) ?? false
        let eligible = flag(.eligible) ?? false
        let divertedFlag = flag(.diverted)
        if divertedFlag == false, hasMeasure {
            fail(.diverted, "is no, but the contact has a measure_type; an alternative measure counts as diversion, so write yes or leave it empty.")
        }
        let diverted = divertedFlag ?? hasMeasure

        let referral = choice(.referral, ReferralReach.self, what: "a referral state") ?? ReferralReach.none
        let hasReferral = value(.referral).map { $0.lowercased() != "none" } ?? false
        var modality: String?
        if let text = value(.treatmentModality) {
            if Modality(rawValue: text.lowercased()) != nil {
                modality = text.lowercased()
            } else {
                fail(.treatmentModality, "'\(text)' is not a treatment modality; use \(Self.list(Modality.allCases.map(\.rawValue))).")
            }
        }
        needs(.treatmentModality, hasReferral, .referral, "the modality is the service's, so set referral to sent, accepted or engaged.")
        let intake = date(.intakeDate)
        needs(.intakeDate, hasReferral, .referral, "an intake follows a referral, so set referral to sent, accepted or engaged.")
        let dropped = date(.droppedDate)
        needs(.droppedDate, value(.intakeDate) != nil, .intakeDate, "treatment can only end after the intake; give the intake date.")

        let measureStart = date(.measureStart)
        let measureEnd = date(.measureEnd)
        let outcome = choice(.measureOutcome, MeasureOutcome.self, what: "a measure outcome")
        needs(.measureStart, hasMeasure, .measureType, "say which measure started.")
        needs(.measureEnd, hasMeasure, .measureType, "say which measure ended.")
        needs(.measureOutcome, hasMeasure, .measureType, "say which measure the outcome is of.")
        if hasMeasure { needs(.measureOutcome, value(.measureEnd) != nil, .measureEnd, "give the day the measure ended.") }
        let incentives = count(.incentives)
        let sanctions = count(.sanctions)
        if incentives > 0 { needs(.incentives, hasMeasure, .measureType, "incentives are given in the supervision of a measure.") }
        if sanctions > 0 { needs(.sanctions, hasMeasure, .measureType, "sanctions are given in the supervision of a measure.") }

        let testingStart = date(.testingStart)
        let lastTest = date(.lastTest)
        let relapse = date(.relapseDate)
        needs(.lastTest, value(.testingStart) != nil, .testingStart, "give the day of the first test too.")
        needs(.relapseDate, value(.testingStart) != nil, .testingStart, "a relapse is found in testing; give the day of the first test.")

        for (column, day) in [(HistoricalColumn.intakeDate, intake), (.droppedDate, dropped), (.measureStart, measureStart), (.measureEnd, measureEnd),
                              (.testingStart, testingStart), (.lastTest, lastTest), (.relapseDate, relapse)] {
            notBefore(column, day, .contactDate, contactDay)
        }
        notBefore(.droppedDate, dropped, .intakeDate, intake)
        notBefore(.measureEnd, measureEnd, .measureStart, measureStart)
        notBefore(.lastTest, lastTest, .testingStart, testingStart)
        notBefore(.relapseDate, relapse, .testingStart, testingStart)
        if let relapse, let lastTest, relapse > lastTest {
            fail(.relapseDate, "\(relapse) is after the last test \(lastTest); a relapse is a test result, so correct one of them.")
        }

        guard let reference, let person, let contactDay, let region else { return nil }
        return ContactFact(
            source: .historical, contactKey: HistoricalContacts.keyPrefix + reference, personKey: HistoricalContacts.keyPrefix + person,
            occurredOn: contactDay, sex: sex, age: age, region: region, nationality: nationality, offence: offence,
            substance: substance?.code, seizures: seizures, circumstances: circumstances, stage: stage, measureType: measureType?.rawValue,
            screened: screened, eligible: eligible, diverted: diverted,
            referralSent: referral >= .sent, referralAccepted: referral >= .accepted, referralEngaged: referral >= .engaged,
            treatmentModality: modality, intakeOn: intake, treatmentDroppedOn: dropped, measureStartOn: measureStart, measureEndOn: measureEnd,
            measureOutcome: outcome?.rawValue, incentives: incentives, sanctions: sanctions,
            testingStartOn: testingStart, lastTestOn: lastTest, relapseOn: relapse
        )
    }
}

/// How far a referral went, each step including the ones before it.
enum ReferralReach: String, CaseIterable, Comparable {
    case none, sent, accepted, engaged

    static func < (a: ReferralReach, b: ReferralReach) -> Bool {
        (allCases.firstIndex(of: a) ?? 0) < (allCases.firstIndex(of: b) ?? 0)
    }
}
