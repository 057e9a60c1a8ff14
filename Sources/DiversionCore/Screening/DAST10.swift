/// DAST-10: ten yes/no items; each yes scores 1 except item 3, where no scores 1.
enum DAST10 {
    static func score(_ answers: AnswerValue) throws(ValidationFailure) -> ScreeningResult {
        var reader = AnswerReader()
        guard let items = reader.list(answers, "answers", count: 10) else { throw ValidationFailure(reader.errors.all) }
        var score = 0
        for (index, item) in items.enumerated() {
            guard let yes = reader.yesNo(item, "answers[\(index)]") else { continue }
            // Item 3 asks whether the person can stop when they want to: "no" is the risk answer.
            if index == 2 ? !yes : yes { score += 1 }
        }
        try reader.errors.throwIfAny()
        let (level, recommendation): (String, String) = switch score {
        case 0: ("none", "No action needed now.")
        case 1...2: ("low", "Monitor and reassess at a later date.")
        case 3...5: ("moderate", "Further investigation is needed.")
        case 6...8: ("substantial", "Intensive assessment is needed.")
        default: ("severe", "Intensive assessment is needed.")
        }
        return ScreeningResult(instrument: .dast10, score: score, level: level, recommendation: recommendation, substances: nil)
    }
}
