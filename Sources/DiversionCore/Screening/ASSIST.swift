/// WHO ASSIST v3.1: a Specific Substance Involvement score per substance class.
enum ASSIST {
    static let substances = [
        "tobacco", "alcohol", "cannabis", "cocaine", "amphetamines",
        "inhalants", "sedatives", "hallucinogens", "opioids", "other",
    ]
    static let items: Set<String> = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]

    /// Scores of the answer options never, once or twice, monthly, weekly, daily or almost daily.
    static let q2Scores = [0, 2, 3, 4, 6]
    static let q3Scores = [0, 3, 4, 5, 6]
    static let q4Scores = [0, 4, 5, 6, 7]
    static let q5Scores = [0, 5, 6, 7, 8]
    /// Scores of never, yes in the past 3 months, yes but not in the past 3 months.
    static let concernScores = [0, 6, 3]

    static func score(_ answers: AnswerValue) throws(ValidationFailure) -> ScreeningResult {
        var reader = AnswerReader()
        guard let root = reader.object(answers, "answers") else { throw ValidationFailure(reader.errors.all) }
        reader.rejectUnknown(root, allowed: Set(substances), "answers")
        var results: [ScreeningResult.SubstanceScore] = []
        var injectedRecently = false
        for substance in substances {
            // A class left out of the form was never used.
            guard let value = root[substance] else { continue }
            let field = "answers.\(substance)"
            guard let q = reader.object(value, field) else { continue }
            reader.rejectUnknown(q, allowed: items, field)
            guard let everUsed = reader.yesNo(q["q1"], "\(field).q1") else { continue }
            if !everUsed {
                for item in ["q2", "q3", "q4", "q5", "q6", "q7", "q8"] where q[item] != nil && q[item] != .null {
                    reader.errors.add("\(field).\(item)", "Not asked: q1 says \(substance) was never used.")
                }
                continue
            }
            var score = 0
            let q2 = reader.option(q["q2"], "\(field).q2", 0...4) ?? 0
            score += q2Scores[q2]
            let recentItems = substance == "tobacco" ? ["q3", "q4"] : ["q3", "q4", "q5"]
            if substance == "tobacco", q["q5"] != nil, q["q5"] != .null {
                reader.errors.add("\(field).q5", "Not asked for tobacco.")
            }
            if q2 == 0 {
                // Items 3–5 are about the past three months; without use then they are not asked.
                for item in ["q3", "q4", "q5"] where q[item] != nil && q[item] != .null && !(substance == "tobacco" && item == "q5") {
                    reader.errors.add("\(field).\(item)", "Not asked: q2 says \(substance) was not used in the past 3 months.")
                }
            } else {
                for item in recentItems {
                    let option = reader.option(q[item], "\(field).\(item)", 0...4) ?? 0
                    score += (item == "q3" ? q3Scores : item == "q4" ? q4Scores : q5Scores)[option]
                }
            }
            score += concernScores[reader.option(q["q6"], "\(field).q6", 0...2) ?? 0]
            score += concernScores[reader.option(q["q7"], "\(field).q7", 0...2) ?? 0]
            if let q8 = q["q8"], q8 != .null, reader.option(q8, "\(field).q8", 0...2) == 1 { injectedRecently = true }
            results.append(.init(substance: substance, score: score, level: level(score, substance: substance)))
        }
        try reader.errors.throwIfAny()
        let rank = ["lower": 0, "moderate": 1, "high": 2]
        let top = results.max { (rank[$0.level] ?? 0, $0.score) < (rank[$1.level] ?? 0, $1.score) }
        let overall = top?.level ?? "lower"
        var recommendation = switch overall {
        case "high": "Brief intervention and referral to specialist assessment and treatment."
        case "moderate": "Brief intervention."
        default: "General health information."
        }
        if injectedRecently {
            recommendation += " Injecting in the past 3 months: ask how often; more than 4 times a month on average is a reason to refer."
        }
        return ScreeningResult(
            instrument: .assist, score: top?.score ?? 0, level: overall, recommendation: recommendation, substances: results
        )
    }

    static func level(_ score: Int, substance: String) -> String {
        let moderateFrom = substance == "alcohol" ? 11 : 4
        if score >= 27 { return "high" }
        return score >= moderateFrom ? "moderate" : "lower"
    }
}
