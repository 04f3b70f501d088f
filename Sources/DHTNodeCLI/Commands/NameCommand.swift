import ArgumentParser
import Blocks
import DHTCrypto
import DHTDaemon
import DHTNode
import Foundation
import Names

/// `dhtnode name publish|resolve|record|inspect`: IPNS names, published on the DHT through the daemon, and signed
/// records as files.
struct NameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "name",
        abstract: "Publish and resolve IPNS names (signed, movable pointers to content).",
        subcommands: [Publish.self, Resolve.self, Record.self, Inspect.self]
    )

    /// A record's fields as `record --json` and `inspect --json` print them.
    struct RecordDocument: Encodable {
        var file: String
        var name: String?
        var valid: Bool
        /// The validation failure's stable word (``IPNSRecordError/reason``), when not valid.
        var reason: String?
        var error: String?
        var value: String?
        var sequence: UInt64?
        var validity: String?
        var validityType: UInt64?
        var ttlNanoseconds: UInt64?
        var signatureV1: Bool?
        var publicKeyEmbedded: Bool?
        var sizeBytes: Int
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Write a signed IPNS record that points a key's name at a path.",
            discussion: """
                VALUE is a CID, /ipfs/CID/PATH, or /ipns/NAME. The record is signed with the key (default: self, \
                the node's identity, created as dhtnode run would if there is none) and written to FILE. It holds \
                the V2 signature and data and, for nodes older than V2, the V1 fields and signature, as kubo \
                writes them. Without --sequence, the sequence is 0, or one more than that of a record of the \
                same key already in FILE.
                """
        )

        @OptionGroup var options: KeyStoreOptions

        @Argument(help: "What the name points at: CID, /ipfs/CID/PATH or /ipns/NAME.")
        var value: String

        @Option(name: .customLong("key"), help: "The key that owns the name (see dhtnode key ls).")
        var key = NameKeyStore.selfName

        @Option(
            help: ArgumentHelp(
                "The record's version, a higher one replacing a lower "
                    + "(default: 0, or one more than the record of the same key already in FILE)."
            )
        )
        var sequence: UInt64?

        @Option(help: "How long the record stays valid: 90s, 30m, 48h, 7d (records on the DHT live at most 48 h).")
        var lifetime = "48h"

        @Option(help: "How long resolvers may cache the record.")
        var ttl = "5m"

        @Option(name: .customShort("o"), help: ArgumentHelp("Where to write the record.", valueName: "file"))
        var output: String

        func validate() throws {
            guard !output.isEmpty else { throw ValidationError("-o needs a file path") }
            let lifetime = try DurationText.parse(lifetime, what: "--lifetime")
            guard lifetime > .zero else { throw ValidationError("--lifetime must be longer than zero") }
            _ = try DurationText.parse(ttl, what: "--ttl")
            if let sequence, sequence > IPNSRecordData.maximumInteger {
                throw ValidationError("--sequence must be below 2^63 (\(IPNSRecordData.maximumInteger) at most)")
            }
        }

        func run() throws {
            let path = try Self.recordValue(value)
            let identity = try options.using { store throws(NameKeyError) in
                if key == NameKeyStore.selfName { try store.loadOrCreateSelf() } else { try store.load(key) }
            }
            let name = IPNSName(publicKey: identity.publicKey)
            let now = IPNSTime.now()
            guard let validity = now.adding(try DurationText.parse(lifetime, what: "--lifetime")) else {
                throw CLIError("--lifetime \(lifetime) is too long")
            }
            let sequence = try self.sequence ?? Self.nextSequence(in: output, for: name)
            let record: IPNSRecord
            do {
                record = try IPNSRecord.make(
                    value: path,
                    sequence: sequence,
                    validity: validity,
                    ttl: try DurationText.parse(ttl, what: "--ttl"),
                    key: identity
                )
            } catch {
                throw CLIError("cannot make a record for \(name): \(error)")
            }
            do {
                try Data(record.bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write the record to \(output): \(error.localizedDescription)")
            }
            if options.json {
                return try JSONOutput.print(
                    NameCommand.document(file: output, bytes: record.bytes, name: name, result: .success(record))
                )
            }
            print("wrote \(output): /ipns/\(name) -> \(path)")
            print("sequence \(sequence), valid until \(validity), ttl \(DurationText.format(record.ttl))")
        }

        /// The record's value for what the user wrote: `/ipns/…` as it is, a CID or `/ipfs/CID/PATH` as
        /// `/ipfs/CID/PATH`.
        static func recordValue(_ text: String) throws -> String {
            if text.hasPrefix("/ipns/") {
                let rest = text.dropFirst("/ipns/".count)
                guard let first = rest.split(separator: "/").first, !first.isEmpty else {
                    throw CLIError("invalid value '\(text)': /ipns/ needs a name")
                }
                return text
            }
            let content = try ContentPath(parsing: text, what: "value")
            return "/ipfs/" + content.description
        }

        /// 0, or one more than the sequence of a record of `name` already in `path` (expired or not; one that
        /// does not validate for `name` is ignored, and replaced).
        static func nextSequence(in path: String, for name: IPNSName) throws -> UInt64 {
            guard let data = FileManager.default.contents(atPath: path),
                let old = try? IPNSRecord(validating: Array(data), for: name, now: IPNSTime(secondsSince1970: .min))
            else { return 0 }
            guard old.sequence < IPNSRecordData.maximumInteger else {
                throw CLIError("the record in \(path) has the highest sequence already; pass --sequence")
            }
            return old.sequence + 1
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Check an IPNS record file and print its fields.",
            discussion: """
                The record is checked as the IPNS spec says (size, signature V2, V1 copies, expiry now) for the \
                name given with --name, else the k51… name the file name starts with (NAME.ipns-record, \
                NAME_anything), else the key embedded in the record. Exits 1 when the record is not valid, after \
                printing the fields it could read and the reason.
                """
        )

        @Flag(name: .customLong("json"), help: "Print JSON instead of text.")
        var json = false

        @Option(help: "The IPNS name the record must be for (k51…, b…, 12D3KooW…).")
        var name: String?

        @Argument(help: "The record file.")
        var file: String

        func run() throws {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError("cannot read the record file \(file)")
            }
            let bytes = Array(contents)
            let name = try resolveName(bytes: bytes)
            let result = Result { () throws(IPNSRecordError) in
                try IPNSRecord(validating: bytes, for: name, now: IPNSTime.now())
            }
            let document = NameCommand.document(file: file, bytes: bytes, name: name, result: result)
            if json {
                try JSONOutput.print(document)
                if !document.valid { throw ExitCode(1) }
                return
            }
            var rows: [(String, String)] = [("name", name.base36)]
            if let value = document.value { rows.append(("value", UntrustedText.escaped(value))) }
            if let sequence = document.sequence { rows.append(("sequence", "\(sequence)")) }
            if let validity = document.validity { rows.append(("validity", UntrustedText.escaped(validity))) }
            if let ttl = document.ttlNanoseconds {
                rows.append(("ttl", DurationText.format(.nanoseconds(Int64(clamping: ttl)))))
            }
            if let v1 = document.signatureV1 {
                rows.append(("signature v1", v1 ? "present (never checked)" : "absent"))
            }
            if let embedded = document.publicKeyEmbedded {
                rows.append(("public key", embedded ? "embedded" : "from the name"))
            }
            rows.append(("size", "\(bytes.count) bytes"))
            rows.append(("valid", document.valid ? "yes" : "no (\(document.reason ?? ""))"))
            print(TextTable.pairs(rows))
            if case .failure(let error) = result {
                throw CLIError("the record in \(file) is not valid for \(name): \(error)")
            }
        }

        /// `--name`, else a name at the start of the file's name, else the record's embedded key.
        func resolveName(bytes: [UInt8]) throws -> IPNSName {
            if let name {
                do { return try IPNSName(parsing: name) } catch { throw CLIError("invalid --name '\(name)': \(error)") }
            }
            let base = URL(fileURLWithPath: file).lastPathComponent
            let stem = base.prefix { $0 != "_" && $0 != "." }
            if let parsed = try? IPNSName(parsing: stem) { return parsed }
            if let embedded = (try? IPNSEntry(decoding: bytes))?.publicKey,
                let key = try? Libp2pPublicKey.decode(embedded)
            {
                return IPNSName(publicKey: key)
            }
            throw CLIError(
                "no name for \(file): an Ed25519 record holds no key, so pass --name NAME (or name the file "
                    + "NAME.ipns-record)"
            )
        }
    }

    /// The fields of `bytes` that can be read, and the validation's outcome.
    static func document(
        file: String,
        bytes: [UInt8],
        name: IPNSName,
        result: Result<IPNSRecord, IPNSRecordError>
    ) -> RecordDocument {
        var document = RecordDocument(file: file, name: name.base36, valid: false, sizeBytes: bytes.count)
        switch result {
        case .success: document.valid = true
        case .failure(let error):
            document.reason = error.reason
            document.error = error.description
        }
        guard bytes.count <= IPNSRecord.maximumByteCount, let entry = try? IPNSEntry(decoding: bytes) else {
            return document
        }
        document.signatureV1 = !(entry.signatureV1 ?? []).isEmpty
        document.publicKeyEmbedded = !(entry.publicKey ?? []).isEmpty
        if let dataBytes = entry.data, let data = try? IPNSRecordData(decoding: dataBytes) {
            document.value = String(decoding: data.value, as: UTF8.self)
            document.sequence = data.sequence
            document.validity = String(decoding: data.validity, as: UTF8.self)
            document.validityType = data.validityType
            document.ttlNanoseconds = data.ttl
        }
        return document
    }
}
