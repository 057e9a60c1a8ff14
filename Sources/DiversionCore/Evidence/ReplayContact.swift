import Foundation

/// One seizure as the policy simulation replays it: interned substance, unit index, quantity and purity.
public struct ReplaySeizure: Sendable, Equatable {
    /// Index into `ReplayCodes.substances`.
    public var substance: Int32
    /// Index into `QuantityUnit.allCases`.
    public var unit: UInt8
    public var quantity: Double
    /// Tested purity in percent; `ReplaySeizure.untested` when no test was made.
    public var purity: Double

    /// Valid purities are above 0, so a negative value can stand for "untested".
    public static let untested = -1.0

    public init(substance: Int32, unit: UInt8, quantity: Double, purity: Double) {
        self.substance = substance
        self.unit = unit
        self.quantity = quantity
        self.purity = purity
    }
}

/// One contact as the policy simulation replays it: small integers instead of text, so a million fit in memory
/// and each can be decided under twenty policies in a few seconds.
public struct ReplayContact: Sendable, Equatable {
    /// Dense person index; contacts of one person share it.
    public var person: Int32
    /// Day number of the contact (`CalendarDate.dayNumber`).
    public var day: Int32
    /// Index into `ReplayCodes.offences`.
    public var offence: Int32
    /// `FactEncoding.circumstances` bits.
    public var circumstances: UInt8
    /// Set when a seizure cannot be read under any policy: an unknown unit, or a quantity or purity out of range.
    public var malformed: Bool
    public var recordedEligible: Bool
    public var recordedDiverted: Bool
    public var seizureCount: UInt16
    /// Index into `Sex.allCases`.
    public var sex: UInt8
    /// Age in years; -1 when unknown.
    public var age: Int16
    /// Index into `ReplayCodes.regions`.
    public var region: Int32
    /// Index into `ReplayCodes.nationalities`; -1 when unknown.
    public var nationality: Int32
    /// Index into `ReplayCodes.substances` of the primary substance; -1 when nothing was seized.
    public var primarySubstance: Int32
    /// The first seizure inline (most contacts have one); only meaningful when `seizureCount > 0`.
    public var firstSeizure: ReplaySeizure
    /// Where the second and later seizures start in `ReplayContacts.extraSeizures`.
    public var extraSeizuresStart: Int32
    /// Where this contact's serious-conviction days start in `ReplayContacts.convictionDays`, and how many.
    public var convictionsStart: Int32
    public var convictionCount: UInt16
}

/// The codes the replayed contacts use, each interned once so compiled policies can index by number.
public struct ReplayCodes: Sendable, Equatable {
    public internal(set) var substances: [String] = []
    public internal(set) var offences: [String] = []
    public internal(set) var regions: [String] = []
    public internal(set) var nationalities: [String] = []

    public init() {}
}

/// Contacts ready for replay, sorted by person and then day, with the pools their extra seizures and convictions live in.
public struct ReplayContacts: Sendable {
    public internal(set) var contacts: [ReplayContact]
    public internal(set) var extraSeizures: [ReplaySeizure]
    public internal(set) var convictionDays: [Int32]
    public let codes: ReplayCodes
    public let personCount: Int
    /// The earliest and latest contact day and conviction day, for the window tables of compiled policies.
    public let firstDay: Int32
    public let lastDay: Int32

    public var count: Int { contacts.count }

    /// The i-th seizure of `contact` (0 is the inline one).
    @inline(__always)
    public func seizure(_ i: Int, of contact: ReplayContact) -> ReplaySeizure {
        i == 0 ? contact.firstSeizure : extraSeizures[Int(contact.extraSeizuresStart) + i - 1]
    }

    /// The recorded serious-conviction days of `contact`.
    public func convictions(of contact: ReplayContact) -> ArraySlice<Int32> {
        let start = Int(contact.convictionsStart)
        return convictionDays[start..<start + Int(contact.convictionCount)]
    }
}

/// Collects contacts from facts or from the fact table's columns, interning every code, then sorts them for replay.
public struct ReplayContactsBuilder: Sendable {
    private var contacts: [ReplayContact] = []
    private var extraSeizures: [ReplaySeizure] = []
    private var convictionDays: [Int32] = []
    private var substances = Interner()
    private var offences = Interner()
    private var regions = Interner()
    private var nationalities = Interner()
    private var persons = Interner()
    private var firstDay = Int32.max
    private var lastDay = Int32.min

    public init(expectedCount: Int = 0) {
        contacts.reserveCapacity(expectedCount)
    }

    public var count: Int { contacts.count }

    /// Adds a fact as the evidence records it.
    public mutating func append(_ fact: ContactFact) {
        var seizures: [ParsedSeizure] = []
        var malformed = false
        for s in fact.seizures {
            if let parsed = parse(s.substance, quantity: s.quantity, unit: s.unit, purity: s.purityPercent) { seizures.append(parsed) } else { malformed = true }
        }
        append(
            personKey: fact.personKey, day: fact.occurredOn.dayNumber, sex: fact.sex, age: fact.age, region: fact.region,
            nationality: fact.nationality, offence: fact.offence, substance: fact.substance, seizures: seizures, malformed: malformed,
            circumstances: FactEncoding.circumstances(fact.circumstances), seriousConvictions: fact.seriousConvictions.map(\.dayNumber),
            eligible: fact.eligible, diverted: fact.diverted
        )
    }

    /// Adds a row of the fact table: seizures and conviction days in their `FactEncoding` text forms.
    /// A seizure part that does not read makes the contact unreadable rather than disappearing.
    public mutating func append(
        personKey: String, day: Int, sex: String, age: Int?, region: String, nationality: String?, offence: String, substance: String?,
        seizures text: String, circumstances: Int, seriousConvictions days: String, eligible: Bool, diverted: Bool
    ) {
        var seizures: [ParsedSeizure] = []
        var malformed = false
        for part in text.split(separator: ";") {
            let f = part.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count == 4, let quantity = Double(f[1]) else { malformed = true; continue }
            var purity: Double?
            if !f[3].isEmpty {
                guard let p = Double(f[3]) else { malformed = true; continue }
                purity = p
            }
            if let parsed = parse(String(f[0]), quantity: quantity, unit: String(f[2]), purity: purity) { seizures.append(parsed) } else { malformed = true }
        }
        var convictions: [Int] = []
        for part in days.split(separator: ",") {
            if let d = Int(part) { convictions.append(d) }
        }
        append(
            personKey: personKey, day: day, sex: Sex(rawValue: sex) ?? .unknown, age: age, region: region, nationality: nationality,
            offence: offence, substance: substance, seizures: seizures, malformed: malformed, circumstances: circumstances,
            seriousConvictions: convictions, eligible: eligible, diverted: diverted
        )
    }

    private struct ParsedSeizure {
        var substance: String
        var seizure: ReplaySeizure
    }

    /// What any policy would refuse as a typing error (the checks of `Eligibility.evaluate` that do not depend on the policy).
    private func parse(_ substance: String, quantity: Double, unit: String, purity: Double?) -> ParsedSeizure? {
        guard let u = QuantityUnit(text: unit), let unitIndex = QuantityUnit.allCases.firstIndex(of: u) else { return nil }
        guard quantity.isFinite, quantity > 0, quantity <= Eligibility.largestQuantity else { return nil }
        if let purity, !(purity.isFinite && purity > 0 && purity <= 100) { return nil }
        return ParsedSeizure(substance: substance, seizure: ReplaySeizure(substance: -1, unit: UInt8(unitIndex), quantity: quantity, purity: purity ?? ReplaySeizure.untested))
    }

    private mutating func append(
        personKey: String, day: Int, sex: Sex, age: Int?, region: String, nationality: String?, offence: String, substance: String?,
        seizures: [ParsedSeizure], malformed: Bool, circumstances: Int, seriousConvictions: [Int], eligible: Bool, diverted: Bool
    ) {
        let person = persons.intern(personKey)
        let day32 = Int32(clamping: day)
        var interned = seizures.map { parsed in
            var s = parsed.seizure
            s.substance = substances.intern(parsed.substance)
            return s
        }
        let start = Int32(extraSeizures.count)
        if interned.count > 1 { extraSeizures.append(contentsOf: interned[1...]) }
        let convictionsStart = Int32(convictionDays.count)
        let convictions = seriousConvictions.prefix(Int(UInt16.max)).map { Int32(clamping: $0) }
        convictionDays.append(contentsOf: convictions)
        firstDay = min(firstDay, day32)
        lastDay = max(lastDay, day32)
        for c in convictions {
            firstDay = min(firstDay, c)
            lastDay = max(lastDay, c)
        }
        if interned.isEmpty { interned = [ReplaySeizure(substance: -1, unit: 0, quantity: 0, purity: ReplaySeizure.untested)] }
        contacts.append(ReplayContact(
            person: person, day: day32, offence: offences.intern(offence),
            circumstances: UInt8(truncatingIfNeeded: circumstances & 31), malformed: malformed,
            recordedEligible: eligible, recordedDiverted: diverted, seizureCount: UInt16(clamping: seizures.count),
            sex: UInt8(Sex.allCases.firstIndex(of: sex) ?? 3), age: age.map { Int16(clamping: $0) } ?? -1,
            region: regions.intern(region),
            nationality: nationality.map { nationalities.intern($0) } ?? -1,
            primarySubstance: substance.map { substances.intern($0) } ?? -1,
            firstSeizure: interned[0], extraSeizuresStart: start, convictionsStart: convictionsStart,
            convictionCount: UInt16(convictions.count)
        ))
    }

    /// Numbers codes in order of first appearance.
    private struct Interner: Sendable {
        var index: [String: Int32] = [:]
        var list: [String] = []

        mutating func intern(_ code: String) -> Int32 {
            if let i = index[code] { return i }
            let i = Int32(list.count)
            index[code] = i
            list.append(code)
            return i
        }
    }

    /// The contacts sorted by person, then day, keeping the order they were added in within a day.
    public func build() -> ReplayContacts {
        var sorted = contacts
        let inOrder = zip(contacts, contacts.dropFirst()).allSatisfy { a, b in (a.person, a.day) <= (b.person, b.day) }
        if !inOrder {
            // Person indexes follow first appearance; sorting by (person, day, position) keeps a stable order.
            let order = contacts.indices.sorted { i, j in
                let a = contacts[i], b = contacts[j]
                return (a.person, a.day, i) < (b.person, b.day, j)
            }
            sorted = order.map { contacts[$0] }
        }
        var codes = ReplayCodes()
        codes.substances = substances.list
        codes.offences = offences.list
        codes.regions = regions.list
        codes.nationalities = nationalities.list
        return ReplayContacts(
            contacts: sorted, extraSeizures: extraSeizures, convictionDays: convictionDays, codes: codes, personCount: persons.list.count,
            firstDay: contacts.isEmpty ? 0 : firstDay, lastDay: contacts.isEmpty ? 0 : lastDay
        )
    }
}
