import DiversionCore
import Foundation

/// Field error reasons in each interface language, from `Resources/Locales/validation/<code>.json`.
///
/// The domain writes its reasons in English and the JSON API keeps them so, so the English sentence is the key
/// (as in gettext). A key may hold numbered placeholders, `"Enter at most {0} characters."`: each stands for any
/// text, and the text it matched is put into the translation's placeholder of the same number.
///
/// The same table translates what the rules say about a case (`Resources/Locales/reasons/<code>.json`: eligibility
/// reasons and indicators, screening recommendations). Its entries without a closing full stop are words and fragments
/// ("scales", "{0} at {1} %") that fill a placeholder: a value that is one of them, or a list of them, is translated too.
struct FieldMessageTranslator: Sendable {
    /// One catalogue entry: the English pattern cut at its placeholders, and the translation.
    struct Entry: Sendable, Equatable {
        enum Piece: Sendable, Equatable {
            case text(String)
            case slot(Int)
        }

        let pattern: String
        let pieces: [Piece]
        let translation: [Piece]

        /// Letters outside placeholders: when two patterns match, the more literal one wins.
        var specificity: Int {
            pieces.reduce(0) { sum, piece in if case .text(let t) = piece { sum + t.count } else { sum } }
        }

        init(pattern: String, translation: String) {
            self.pattern = pattern
            pieces = Self.pieces(pattern)
            self.translation = Self.pieces(translation)
        }

        /// `"At most {0} days."` → text, slot 0, text.
        static func pieces(_ pattern: String) -> [Piece] {
            var pieces: [Piece] = []
            var text = ""
            var rest = Substring(pattern)
            while let open = rest.firstIndex(of: "{") {
                let after = rest[rest.index(after: open)...]
                if let close = after.firstIndex(of: "}"), let number = Int(after[..<close]), after[..<close].allSatisfy(\.isASCII) {
                    text += rest[..<open]
                    if !text.isEmpty { pieces.append(.text(text)) }
                    text = ""
                    pieces.append(.slot(number))
                    rest = after[after.index(after: close)...]
                } else {
                    text += rest[...open]
                    rest = after
                }
            }
            text += rest
            if !text.isEmpty { pieces.append(.text(text)) }
            return pieces
        }

        /// The placeholder numbers of a pattern or translation, sorted.
        static func slots(_ text: String) -> [Int] {
            pieces(text).compactMap { if case .slot(let n) = $0 { n } else { nil } }.sorted()
        }

        /// Whether a placeholder inside the pattern took more than one sentence: then the pattern swallowed its
        /// neighbours ("{0} needed: met." over a whole list of criteria), and the text is better read sentence by sentence.
        /// Only a placeholder that ends the pattern ("YAML syntax: {0}") may hold several.
        func spansSentences(_ values: [Int: String]) -> Bool {
            let trailing: Int? = if case .slot(let n) = pieces.last { n } else { nil }
            return values.contains { number, value in number != trailing && (value.contains(". ") || value.contains("。")) }
        }

        /// The text each placeholder matched, or nil when `sentence` does not fit the pattern.
        func match(_ sentence: String) -> [Int: String]? {
            Self.match(pieces[...], Substring(sentence), [:])
        }

        private static func match(_ pieces: ArraySlice<Piece>, _ text: Substring, _ values: [Int: String]) -> [Int: String]? {
            guard let first = pieces.first else { return text.isEmpty ? values : nil }
            switch first {
            case .text(let literal):
                guard text.hasPrefix(literal) else { return nil }
                return match(pieces.dropFirst(), text.dropFirst(literal.count), values)
            case .slot(let number):
                // Shortest value first, as a lazy regex group would; a trailing slot takes the rest.
                let rest = pieces.dropFirst()
                guard !rest.isEmpty else { return values.merging([number: String(text)]) { a, _ in a } }
                var end = text.startIndex
                while true {
                    var taken = values
                    taken[number] = String(text[..<end])
                    if let found = match(rest, text[end...], taken) { return found }
                    guard end < text.endIndex else { return nil }
                    end = text.index(after: end)
                }
            }
        }
    }

    /// Exact sentences (no placeholder) by language, then patterns by language, most literal first.
    private let exact: [String: [String: String]]
    private let patterns: [String: [Entry]]
    /// Words and fragments a value may be, by language (entries of the reasons catalogue that are not sentences).
    private let words: [String: [String: String]]
    private let fragments: [String: [Entry]]

    init(catalogues: [String: [String: String]], reasons: [String: [String: String]] = [:]) {
        var exact: [String: [String: String]] = [:]
        var patterns: [String: [Entry]] = [:]
        var words: [String: [String: String]] = [:]
        var fragments: [String: [Entry]] = [:]
        for (language, catalogue) in reasons where language != Localizer.fallback {
            for (pattern, translation) in catalogue where !Self.isSentence(pattern) {
                let entry = Entry(pattern: pattern, translation: translation)
                if entry.pieces.contains(where: { if case .slot = $0 { true } else { false } }) {
                    fragments[language, default: []].append(entry)
                } else {
                    words[language, default: [:]][pattern] = translation
                }
            }
            fragments[language]?.sort { ($0.specificity, $1.pattern) > ($1.specificity, $0.pattern) }
        }
        let languages = Set(catalogues.keys).union(reasons.keys)
        for language in languages where language != Localizer.fallback {
            let catalogue = (catalogues[language] ?? [:]).merging((reasons[language] ?? [:]).filter { Self.isSentence($0.key) }) { field, _ in field }
            for (pattern, translation) in catalogue {
                let entry = Entry(pattern: pattern, translation: translation)
                if entry.pieces.contains(where: { if case .slot = $0 { true } else { false } }) {
                    patterns[language, default: []].append(entry)
                } else {
                    exact[language, default: [:]][pattern] = translation
                }
            }
            // Equally literal patterns are tried in a fixed order, so a reason always reads the same.
            patterns[language]?.sort { ($0.specificity, $1.pattern) > ($1.specificity, $0.pattern) }
        }
        self.exact = exact
        self.patterns = patterns
        self.words = words
        self.fragments = fragments
    }

    /// Reads `<code>.json` for every language but English (English needs no catalogue: the key is the sentence),
    /// from `directory` and, when given, the reasons catalogue in `reasons`.
    init(directory: URL, reasons: URL? = nil) throws {
        self.init(catalogues: try Self.read(directory), reasons: try reasons.map(Self.read) ?? [:])
    }

    static func read(_ directory: URL) throws -> [String: [String: String]] {
        var catalogues: [String: [String: String]] = [:]
        for code in Localizer.supported where code != Localizer.fallback {
            let data = try Data(contentsOf: directory.appendingPathComponent("\(code).json"))
            catalogues[code] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return catalogues
    }

    /// A sentence ends in a stop; a word or fragment does not.
    static func isSentence(_ pattern: String) -> Bool {
        pattern.hasSuffix(".") || pattern.hasSuffix("?") || pattern.hasSuffix("!")
    }

    /// `reason` in `language`; English, or a sentence the catalogue does not know, comes back unchanged.
    ///
    /// Reasons made of several sentences joined by spaces (a referral's barriers) are translated sentence by sentence
    /// when the whole is not in the catalogue.
    ///
    /// `names` are the page's own names for words a reason quotes (a policy's substance and offence names, its routes).
    /// A value that is one of them is shown so; a capitalised name (a substance, an offence) is put in before matching,
    /// so a name of several words stays whole in its placeholder.
    func translate(_ reason: String, into language: String, names: [String: String] = [:]) -> String {
        guard language != Localizer.fallback, exact[language] != nil || patterns[language] != nil else { return reason }
        var reason = reason
        for (english, own) in names.sorted(by: { $0.key.count > $1.key.count })
        where english.first?.isUppercase == true && english != own && !own.isEmpty {
            reason = reason.replacingOccurrences(of: english, with: own)
        }
        let context = Context(language: language, format: LocaleFormat(language), names: names)
        if let whole = sentence(reason, context) { return whole }
        return joined(Substring(reason), context) ?? reason
    }

    /// What one translation needs at hand.
    private struct Context {
        let language: String
        let format: LocaleFormat
        let names: [String: String]
    }

    /// The words and fragments of one language, for a page that matches reasons itself (the offline capture page).
    func reasonWords(_ language: String) -> [String: String] {
        var all = words[language] ?? [:]
        for entry in fragments[language] ?? [] { all[entry.pattern] = Self.text(entry.translation) }
        return all
    }

    /// The sentences of one language among `keys` (English patterns), pattern → translation, for such a page.
    func sentences(_ language: String, among keys: Set<String>) -> [String: String] {
        var all = (exact[language] ?? [:]).filter { keys.contains($0.key) }
        for entry in patterns[language] ?? [] where keys.contains(entry.pattern) { all[entry.pattern] = Self.text(entry.translation) }
        return all
    }

    private static func text(_ pieces: [Entry.Piece]) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let t): t
            case .slot(let n): "{\(n)}"
            }
        }.joined()
    }

    /// A value put into a translation: a known word or fragment, or a list of them, in the language; else as shown.
    private func value(_ text: String, _ context: Context) -> String {
        let language = context.language, format = context.format
        if let name = context.names[text], !name.isEmpty { return name }
        if let word = words[language]?[text] { return word }
        for entry in fragments[language] ?? [] {
            guard let values = entry.match(text) else { continue }
            return entry.translation.map { piece in
                switch piece {
                case .text(let t): t
                // A fragment's own values may be words or names too ("first {0} in {1} days" holds a behaviour).
                case .slot(let n): value(values[n] ?? "", context)
                }
            }.joined()
        }
        let parts = text.components(separatedBy: ", ")
        if parts.count > 1 {
            let shown = parts.map { value($0, context) }
            if shown != parts { return shown.joined(separator: language == "zh" ? "、" : language == "ar" ? "، " : ", ") }
        }
        return Self.shown(text, format)
    }

    private func sentence(_ text: String, _ context: Context) -> String? {
        let language = context.language
        if let found = exact[language]?[text] { return found }
        for entry in patterns[language] ?? [] {
            guard let values = entry.match(text), !entry.spansSentences(values) else { continue }
            var result = ""
            for piece in entry.translation {
                switch piece {
                case .text(let t): result += t
                case .slot(let n): result += value(values[n] ?? "", context)
                }
            }
            return result
        }
        return nil
    }

    /// The translation of several sentences, or nil unless every one is known.
    private func joined(_ text: Substring, _ context: Context) -> String? {
        let language = context.language
        // Where a sentence may end: after '.', '?' or '!' followed by a space. Few enough to try every split.
        var starts = [text.startIndex]
        var index = text.startIndex
        while let stop = text[index...].firstIndex(where: { ".?!".contains($0) }) {
            index = text.index(after: stop)
            if index < text.endIndex, text[index] == " " { starts.append(text.index(after: index)) }
        }
        guard starts.count > 1, starts.count <= 20 else { return nil }
        // Chinese sentences end in a full-width stop and follow each other without a space.
        let separator = language == "zh" ? "" : " "
        // rest[i]: the translation of everything from starts[i] on, found from the end backwards.
        var rest = [String?](repeating: nil, count: starts.count)
        for i in starts.indices.reversed() {
            for j in (i + 1)...starts.count {
                let end = j == starts.count ? text.endIndex : text.index(before: starts[j])
                guard j == starts.count || rest[j] != nil, let first = sentence(String(text[starts[i]..<end]), context) else { continue }
                rest[i] = j == starts.count ? first : first + separator + (rest[j] ?? "")
                break
            }
        }
        return rest[0]
    }

    /// A value put into a translation: an ISO date is written the language's way, and so is each decimal number
    /// in it ("12.5 g", "92.5 %"); whole numbers stay as they are (a year must not gain a group separator).
    static func shown(_ value: String, _ format: LocaleFormat) -> String {
        if value.count == 10, let day = CalendarDate(value) { return format.date(day) }
        guard value.contains(".") else { return value }
        return value.split(separator: " ", omittingEmptySubsequences: false).map { token in
            guard token.count <= 24, token.first != ".", token.last != ".", token.contains("."),
                  token.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }), let number = Double(token) else { return String(token) }
            let digits = token.split(separator: ".").last.map(\.count) ?? 0
            return format.number(number, maxFractionDigits: max(2, digits))
        }.joined(separator: " ")
    }
}

extension FieldMessageTranslator {
    /// The translator and language of the page being rendered.
    ///
    /// Page builders make their `ShownError`s before the layout settles the page's language (a participant's page
    /// may use their preferred one), so the reasons are translated while `Request.page` renders, the one step every page passes.
    @TaskLocal static var rendering: (translator: FieldMessageTranslator, language: String)?
}
