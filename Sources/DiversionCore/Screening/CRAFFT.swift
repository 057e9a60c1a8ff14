/// CRAFFT 2.1 for adolescents: part A counts days of use; part B asks six yes/no items, or only
/// the CAR item when no use was reported.
enum CRAFFT {
    static let partBItems = ["car", "relax", "alone", "forget", "friendsFamily", "trouble"]

    static func score(_ answers: AnswerValue) throws(ValidationFailure) -> ScreeningResult {
        var reader = AnswerReader()
        guard let root = reader.object(answers, "answers") else { throw ValidationFailure(reader.errors.all) }
        reader.rejectUnknown(root, allowed: ["partA", "partB"], "answers")
        var days: [Int] = []
        if let partA = reader.object(root["partA"], "answers.partA") {
            reader.rejectUnknown(partA, allowed: ["alcoholDays", "cannabisDays", "otherDays"], "answers.partA")
            for key in ["alcoholDays", "cannabisDays", "otherDays"] {
                days.append(reader.option(partA[key], "answers.partA.\(key)", 0...366) ?? 0)
            }
        }
        try reader.errors.throwIfAny()
        let anyUse = days.contains { $0 > 0 }
        let asked = anyUse ? 6 : 1
        guard let partB = root["partB"], let items = reader.list(partB, "answers.partB", count: asked) else {
            if root["partB"] == nil {
                reader.errors.add("answers.partB", anyUse
                    ? "Give the six part B answers (Car, Relax, Alone, Forget, Friends/Family, Trouble)."
                    : "Give the CAR answer: with no use in part A only the CAR item is asked.")
            }
            throw ValidationFailure(reader.errors.all)
        }
        let score = items.enumerated().filter { reader.yesNo($1, "answers.partB[\($0)]") == true }.count
        try reader.errors.throwIfAny()
        let positive = score >= 2
        var recommendation = positive
            ? "Positive screen: high risk of a substance use disorder; assess further."
            : "Negative screen: give brief advice that encourages not using."
        if items.first == .bool(true) {
            recommendation += " Counsel about riding with a driver who has been using alcohol or drugs."
        }
        return ScreeningResult(instrument: .crafft, score: score, level: positive ? "positive" : "negative", recommendation: recommendation, substances: nil)
    }
}
