import Foundation

/// Aligned text for a terminal: `name  value` pairs, and tables with a header row.
enum TextTable {
    /// One `name  value` line per row, the values aligned.
    static func pairs(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }

    /// A header row and the rows below it, columns separated by two spaces; the last column is not padded.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// Seconds as a short text: `12 ms`, `3.4 s`, `—` for none.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        return String(format: "%.1f s", value)
    }
}
