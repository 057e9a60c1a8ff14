/// AUDIT and its consumption items, AUDIT-C.
enum AUDIT {
    /// Items 1–8 are answered 0–4 and scored as answered; items 9–10 are answered 0–2 and scored 0, 2, 4.
    static func score(_ answers: AnswerValue) throws(ValidationFailure) -> ScreeningResult {
        var reader = AnswerReader()
        guard let items = reader.list(answers, "answers", count: 10) else { throw ValidationFailure(reader.errors.all) }
        var scores: [Int] = []
        for (index, item) in items.enumerated() {
            if index < 8 {
                scores.append(reader.option(item, "answers[\(index)]", 0...4) ?? 0)
            } else {
                scores.append((reader.option(item, "answers[\(index)]", 0...2) ?? 0) * 2)
            }
        }
        try reader.errors.throwIfAny()
        let total = scores.reduce(0, +)
        var zone = switch total {
        case 0...7: 1
        case 8...15: 2
        case 16...19: 3
        default: 4
        }
        // Signs of dependence (items 4–6) or of harm (items 9–10) move the person up one zone.
        let dependence = scores[3] >= 2 && scores[4] >= 2 && scores[5] >= 2
        let harm = scores[8] == 4 || scores[9] == 4
        if (dependence || harm) && zone < 4 { zone += 1 }
        let (level, recommendation): (String, String) = switch zone {
        case 1: ("I", "Alcohol education.")
        case 2: ("II", "Simple advice.")
        case 3: ("III", "Simple advice plus brief counselling and continued monitoring.")
        default: ("IV", "Referral to a specialist for diagnostic evaluation and treatment.")
        }
        return ScreeningResult(instrument: .audit, score: total, level: level, recommendation: recommendation, substances: nil)
    }

    /// AUDIT-C: items 1–3, 0–12; positive at 4 for men and 3 for women. Without a stated sex of
    /// female or male the lower cut-off is used, so nobody is missed.
    static func scoreConsumption(_ answers: AnswerValue, sex: Sex?) throws(ValidationFailure) -> ScreeningResult {
        var reader = AnswerReader()
        if sex == nil { reader.errors.add("sex", "AUDIT-C needs the person's sex: female, male, other or unknown.") }
        guard let items = reader.list(answers, "answers", count: 3) else { throw ValidationFailure(reader.errors.all) }
        let total = items.enumerated().map { reader.option($1, "answers[\($0)]", 0...4) ?? 0 }.reduce(0, +)
        try reader.errors.throwIfAny()
        let cutOff = sex == .male ? 4 : 3
        let positive = total >= cutOff
        let basis = sex == .male || sex == .female ? "" : " The lower cut-off (3) was used because sex was not given as female or male."
        return ScreeningResult(
            instrument: .auditc, score: total, level: positive ? "positive" : "negative",
            recommendation: (positive
                ? "Positive screen: complete the full AUDIT or assess alcohol use further."
                : "Negative screen: no further alcohol assessment needed now.") + basis,
            substances: nil
        )
    }
}
