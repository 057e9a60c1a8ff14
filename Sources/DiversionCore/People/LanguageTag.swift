/// Checks that a language preference is a well-formed BCP 47 tag (RFC 5646), such as `es`, `pt-BR`, `zh-Hans-CN`.
public enum LanguageTag {
    /// True when `tag` follows the langtag grammar; private-use-only and grandfathered tags are refused.
    public static func isWellFormed(_ tag: String) -> Bool {
        guard !tag.isEmpty, tag.count <= 35, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { return false }
        let subtags = tag.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard subtags.allSatisfy({ !$0.isEmpty && $0.count <= 8 }) else { return false }
        var i = 0
        // language: 2–3 letters (optionally up to 3 extlangs) or 4–8 letters
        let language = subtags[i]
        guard language.allSatisfy(\.isLetter), (2...8).contains(language.count) else { return false }
        i += 1
        if language.count <= 3 {
            var extlangs = 0
            while i < subtags.count, subtags[i].count == 3, subtags[i].allSatisfy(\.isLetter), extlangs < 3 {
                i += 1
                extlangs += 1
            }
        }
        // script: 4 letters
        if i < subtags.count, subtags[i].count == 4, subtags[i].allSatisfy(\.isLetter) { i += 1 }
        // region: 2 letters or 3 digits
        if i < subtags.count,
           (subtags[i].count == 2 && subtags[i].allSatisfy(\.isLetter))
            || (subtags[i].count == 3 && subtags[i].allSatisfy(\.isNumber)) {
            i += 1
        }
        // variants: 5–8 alphanumerics, or 4 starting with a digit
        while i < subtags.count,
              (5...8).contains(subtags[i].count)
                || (subtags[i].count == 4 && (subtags[i].first?.isNumber ?? false)) {
            i += 1
        }
        // extensions: singleton (not x) followed by 2–8 character subtags
        while i < subtags.count, subtags[i].count == 1, subtags[i].lowercased() != "x" {
            i += 1
            var n = 0
            while i < subtags.count, (2...8).contains(subtags[i].count) { i += 1; n += 1 }
            if n == 0 { return false }
        }
        // private use: x followed by 1–8 character subtags
        if i < subtags.count, subtags[i].lowercased() == "x" {
            i += 1
            if i == subtags.count { return false }
            i = subtags.count
        }
        return i == subtags.count
    }
}

extension LanguageTag {
    /// A well-formed tag trimmed, or nil.
    public static func normalise(_ tag: String) -> String? {
        let trimmed = tag.trimmingCharacters(in: .whitespaces)
        return isWellFormed(trimmed) ? trimmed : nil
    }

    /// The primary language subtag, lowercased: `pt-BR` → `pt`. Services and people match on it.
    public static func primary(_ tag: String) -> String {
        String(tag.split(separator: "-").first ?? Substring(tag)).lowercased()
    }
}
