import Foundation

/// The form of a name used for searching: case, accents and punctuation ignored, so "José" finds "JOSE".
public enum NameKey {
    public static func fold(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        // Hyphens and similar separators split a name into words; apostrophes and dots vanish.
        let spaced = folded.unicodeScalars.map { CharacterSet.whitespaces.contains($0) || $0 == "-" || $0 == "\u{2010}" || $0 == "_" ? " " : $0 }
        // Foundation's letters include combining marks; a mark alone is no letter of a name.
        let kept = spaced.filter {
            (CharacterSet.letters.contains($0) && !CharacterSet.nonBaseCharacters.contains($0))
                || CharacterSet.decimalDigits.contains($0) || $0 == " "
        }
        return String(String.UnicodeScalarView(kept))
            .split(separator: " ").joined(separator: " ")
            .lowercased()
    }
}
