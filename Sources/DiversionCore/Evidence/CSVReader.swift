import Foundation

/// One record of a CSV file with the line it starts on (a quoted field may span lines).
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Reads comma-separated text as RFC 4180 writes it: quoted fields with doubled quotes, CRLF or LF line ends,
/// and a leading byte-order mark, which spreadsheet programs add. Blank lines are skipped.
public enum CSVReader {
    /// The records of `text` and the problems found, each with its line; reading goes on after a problem,
    /// so one pass names them all.
    public static func read(_ text: String) -> (records: [CSVRecord], errors: [HistoricalImportError]) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        var records: [CSVRecord] = []
        var errors: [HistoricalImportError] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1, quoteLine = 1
        var inQuotes = false, wasQuoted = false, reportedStray = false
        // A record holding only "" is kept: it was written on purpose, unlike a blank line.
        var wasQuotedRecord = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            // A blank line is one empty field; it carries nothing to import.
            if fields.count > 1 || !(fields.first ?? "").isEmpty || wasQuotedRecord {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            reportedStray = false
            wasQuotedRecord = false
        }

        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    inQuotes = false
                    wasQuoted = true
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case comma:
                endField()
            case cr, lf:
                if b == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            case quote where field.isEmpty && !wasQuoted:
                inQuotes = true
                wasQuotedRecord = true
                quoteLine = line
            default:
                if (b == quote || wasQuoted) && !reportedStray {
                    // Either a quote inside an unquoted field or text after a closing quote: the field's extent is unclear.
                    errors.append(HistoricalImportError(
                        line: line, column: "",
                        message: "a quote is out of place; put the whole field in quotes and write each quote inside it twice (\"\")."
                    ))
                    reportedStray = true
                }
                field.append(b)
            }
            i += 1
        }
        if inQuotes {
            errors.append(HistoricalImportError(
                line: quoteLine, column: "", message: "a quoted field opened on this line is never closed; add the closing quote."
            ))
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return (records, errors)
    }
}
