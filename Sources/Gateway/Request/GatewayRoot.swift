import Blocks

/// The CID at the start of a content path: one whose block is stored or fetched, or an identity CID that carries
/// its block inside itself (`bafkqaaa`, the empty raw block, is the probe clients send to see whether a gateway
/// answers at all).
public enum GatewayRoot: Hashable, Sendable, CustomStringConvertible {
    /// A CID hashed with sha2-256: its block comes from the repository or from peers.
    case cid(CID)
    /// An identity CID: `codec` and the block's bytes, taken from the CID. `text` is the CID as given.
    case inline(codec: Multicodec, bytes: [UInt8], text: String)

    /// Identity CIDs carry at most this many bytes (kubo's limit): a CID is not a way to send large blocks.
    public static let maxInlineBytes = 128

    /// Parses a CID's text form; identity CIDs (multihash code 0) are accepted for the raw and dag-pb codecs.
    ///
    /// - Throws: ``GatewayError`` 400 naming the CID and what is wrong with it.
    public init(parsing text: some StringProtocol) throws(GatewayError) {
        let parsed: CID
        do {
            parsed = try CID(parsing: text)
        } catch .multihash(.unsupportedHashFunction(0)) {
            self = try Self.inline(text)
            return
        } catch {
            throw .badRequest("'\(Self.shown(text))' is not a CID: \(error.description)")
        }
        self = .cid(parsed)
    }

    /// The root as a CID when its block has to be stored or fetched.
    public var cid: CID? {
        if case .cid(let cid) = self { return cid }
        return nil
    }

    /// The binary CID (for a CAR header).
    public var cidBytes: [UInt8] {
        switch self {
        case .cid(let cid): cid.bytes
        case .inline(_, _, let text): (try? Multibase.decode(text).bytes) ?? []
        }
    }

    /// The CID's text form: CIDv1 in base32 and CIDv0 as `Qm…`; an identity CID as it was given.
    public var description: String {
        switch self {
        case .cid(let cid): cid.description
        case .inline(_, _, let text): text
        }
    }

    /// Decodes a CIDv1 with an identity multihash: `version codec 0x00 length bytes`.
    private static func inline(_ text: some StringProtocol) throws(GatewayError) -> GatewayRoot {
        let bytes: [UInt8]
        do { bytes = try Multibase.decode(text).bytes } catch {
            throw .badRequest("invalid CID '\(shown(text))': \(error.description)")
        }
        var fields: [UInt64] = []
        var position = 0
        while fields.count < 4 {
            guard position < bytes.count,
                let (value, count) = try? Varint.decode(Array(bytes[position..<min(bytes.count, position + 9)]))
            else {
                throw .badRequest("invalid CID '\(shown(text))': truncated identity CID")
            }
            fields.append(value)
            position += count
        }
        let (version, code, length) = (fields[0], fields[1], fields[3])
        guard version == 1, let codec = Multicodec(rawValue: code), codec.isContentCodec else {
            throw .badRequest("invalid CID '\(shown(text))': identity CIDs are served for raw and dag-pb only")
        }
        guard length <= UInt64(maxInlineBytes), bytes.count - position == Int(length) else {
            throw .badRequest(
                "invalid CID '\(shown(text))': an identity CID must hold its stated length, at most \(maxInlineBytes) bytes"
            )
        }
        return .inline(codec: codec, bytes: Array(bytes[position...]), text: String(text))
    }

    /// The text as it may be quoted in an error: at most 80 characters of it, escaped (``UntrustedText``), since
    /// the error may end up on a terminal (`curl`) or in a log.
    public static func shown(_ text: some StringProtocol) -> String {
        UntrustedText.escaped(text, limit: 80)
    }
}
