import Foundation

/// Messages of the interface in each language, from `Resources/Locales/<code>.json`.
struct Localizer: Sendable {
    /// The languages offered, in the order the switcher shows them.
    static let supported = ["en", "es", "fr", "ru", "ar", "zh"]
    static let fallback = "en"

    private let catalogues: [String: [String: String]]

    init(directory: URL) throws {
        var catalogues: [String: [String: String]] = [:]
        for code in Self.supported {
            let url = directory.appendingPathComponent("\(code).json")
            let data = try Data(contentsOf: url)
            catalogues[code] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.catalogues = catalogues
    }

    init(catalogues: [String: [String: String]]) {
        self.catalogues = catalogues
    }

    /// Every message in `language`, with English standing in for any missing one.
    func messages(_ language: String) -> [String: String] {
        let base = catalogues[Self.fallback] ?? [:]
        guard language != Self.fallback, let own = catalogues[language] else { return base }
        return base.merging(own) { _, translated in translated }
    }

    /// Keys that `language` lacks compared with English.
    func missingKeys(_ language: String) -> [String] {
        let base = Set(catalogues[Self.fallback]?.keys ?? [:].keys)
        let own = Set(catalogues[language]?.keys ?? [:].keys)
        return base.subtracting(own).sorted()
    }

    /// Writing direction of a supported language, for `dir` attributes.
    static func direction(_ language: String) -> String {
        language == "ar" ? "rtl" : "ltr"
    }

    /// The catalogue for a person's preferred BCP 47 tag, or nil when the interface does not speak it.
    ///
    /// Region and script subtags do not matter (`ar-EG`, `zh-Hans-CN`, `es-419` use the one catalogue of their language);
    /// the ISO 639-3 individual codes `arb` and `cmn` count as Arabic and Chinese. Traditional Chinese (`zh-Hant`) gets
    /// the Simplified catalogue, the nearest offered.
    static func catalogue(for tag: String?) -> String? {
        guard let tag, !tag.isEmpty else { return nil }
        let primary = String(tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
        let code = ["arb": "ar", "cmn": "zh"][primary] ?? primary
        return supported.contains(code) ? code : nil
    }

    /// The language to use: a supported cookie choice, else the best Accept-Language match, else English.
    static func choose(cookie: String?, acceptLanguage: String?) -> String {
        if let cookie, supported.contains(cookie) { return cookie }
        guard let header = acceptLanguage else { return fallback }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            return (tag, q)
        }.sorted { $0.1 > $1.1 }
        for (tag, q) in ranked where q > 0 {
            let primary = String(tag.split(separator: "-").first ?? "")
            if supported.contains(primary) { return primary }
        }
        return fallback
    }
}
