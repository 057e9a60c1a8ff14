import Crypto
import Foundation

/// SHA-256 as lowercase hex, written without a formatter per byte: it runs for every request and audit entry.
enum HexDigest {
    private static let digits = Array("0123456789abcdef".utf8)

    static func sha256(_ data: Data) -> String {
        let digest = SHA256.hash(data: data)
        var bytes = [UInt8]()
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
