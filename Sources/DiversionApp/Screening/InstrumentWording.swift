import Foundation

/// Item prompts of the screening instruments per language: short texts of our own, which an agency
/// may replace with official wording it is licensed to use (`DIVERSION_INSTRUMENT_WORDING`, a folder of `<lang>.json`).
struct InstrumentWording: Sendable {
    private let catalogues: [String: [String: String]]

    init(directory: URL, override: URL? = nil) throws {
        var catalogues: [String: [String: String]] = [:]
        for code in Localizer.supported {
            let url = directory.appendingPathComponent("\(code).json")
            guard let data = try? Data(contentsOf: url) else { continue }
            catalogues[code] = try JSONDecoder().decode([String: String].self, from: data)
        }
        if let override {
            for code in Localizer.supported {
                let url = override.appendingPathComponent("\(code).json")
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                let own = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
                catalogues[code] = (catalogues[code] ?? [:]).merging(own) { _, official in official }
            }
        }
        self.catalogues = catalogues
    }

    /// The prompts in `language`, English standing in for any missing one.
    func prompts(_ language: String) -> [String: String] {
        let base = catalogues[Localizer.fallback] ?? [:]
        guard language != Localizer.fallback, let own = catalogues[language] else { return base }
        return base.merging(own) { _, translated in translated }
    }
}
