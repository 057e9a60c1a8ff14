import Testing
@testable import DiversionCore

@Suite("Follow-up contacts for recidivism")
struct FollowUpTests {
    private func fact(_ person: String, _ day: Int) -> ContactFact {
        ContactFact(
            source: .historical, contactKey: "\(person)-\(day)", personKey: person, occurredOn: CalendarDate(dayNumber: day), sex: .unknown,
            age: nil, region: "R1", nationality: nil, offence: "unknown", substance: nil
        )
    }

    @Test("Each contact's follow-up is the same person's earliest later day, whatever the order", arguments: [
        ([("a", 10)], [nil]),
        ([("a", 10), ("a", 30), ("a", 20)], [20, nil, 30]),
        ([("a", 10), ("b", 15), ("a", 12)], [12, nil, nil]),
        ([("a", 10), ("a", 10), ("a", 11)], [11, 11, nil]),
        ([("a", 40), ("a", 40)], [nil, nil]),
        ([("b", 5), ("a", 1), ("b", 3), ("a", 9), ("b", 5), ("b", 8)], [8, 9, 5, nil, 8, nil]),
    ] as [([(String, Int)], [Int?])])
    func nextContactDays(contacts: [(String, Int)], expected: [Int?]) {
        #expect(FollowUp.nextContactDays(contacts.map { fact($0.0, $0.1) }) == expected)
    }
}
