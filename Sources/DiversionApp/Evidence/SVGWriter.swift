import Foundation

/// Writes SVG markup one element at a time; every attribute value and text is escaped on the way in.
struct SVGWriter {
    private(set) var markup = ""

    /// Escapes text for XML and drops the characters XML 1.0 cannot hold at all (most control characters).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A coordinate with at most one decimal, written the same way in every locale.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = (value * 10).rounded() / 10
        if tenths == tenths.rounded() { return String(Int(tenths)) }
        return String(tenths)
    }

    /// An id safe inside `id`, `url(#…)` and `aria-labelledby`: letters, digits, `-` and `_` only.
    static func identifier(_ text: String) -> String {
        let kept = text.unicodeScalars.filter { ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || $0 == "-" || $0 == "_" }
        let id = String(String.UnicodeScalarView(kept))
        return id.first?.isLetter == true ? id : "chart-" + id
    }

    mutating func open(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], more: [(String, String)] = []) {
        markup += "<" + tag + Self.attributes(attributes, more) + ">"
    }

    mutating func close(_ tag: String) {
        markup += "</" + tag + ">"
    }

    /// An element without children.
    mutating func empty(_ tag: String, _ attributes: KeyValuePairs<String, String>, more: [(String, String)] = []) {
        markup += "<" + tag + Self.attributes(attributes, more) + "/>"
    }

    /// An element holding only text.
    mutating func text(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], more: [(String, String)] = [], _ content: String) {
        markup += "<" + tag + Self.attributes(attributes, more) + ">" + Self.escape(content) + "</" + tag + ">"
    }

    /// Markup written by another writer, already escaped.
    mutating func append(_ other: SVGWriter) {
        markup += other.markup
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>, _ more: [(String, String)]) -> String {
        (attributes.map { ($0.key, $0.value) } + more).map { " " + $0.0 + "=\"" + escape($0.1) + "\"" }.joined()
    }
}
