/// Recidivism counts a person's next contact after each one: the earliest later day among the same person's contacts.
public enum FollowUp {
    /// For each fact, in order, the day number of the same person's next contact on a later day, or nil when there is
    /// none. Contacts on the same day are not each other's follow-up.
    public static func nextContactDays(_ facts: [ContactFact]) -> [Int?] {
        var byPerson: [String: [Int]] = [:]
        byPerson.reserveCapacity(facts.count)
        for (index, fact) in facts.enumerated() { byPerson[fact.personKey, default: []].append(index) }
        var next = [Int?](repeating: nil, count: facts.count)
        for indices in byPerson.values where indices.count > 1 {
            let sorted = indices.sorted { facts[$0].occurredOn.dayNumber < facts[$1].occurredOn.dayNumber }
            // Walk from the latest back, remembering the earliest day seen so far that is later than the current one.
            var later: Int?
            var position = sorted.count - 1
            while position >= 0 {
                let day = facts[sorted[position]].occurredOn.dayNumber
                var sameDay = position
                while sameDay >= 0, facts[sorted[sameDay]].occurredOn.dayNumber == day {
                    next[sorted[sameDay]] = later
                    sameDay -= 1
                }
                later = day
                position = sameDay
            }
        }
        return next
    }
}
