import DHTNode
import Foundation
import Hummingbird
import Names
import NIOCore

/// The `/v1/names` routes of the control API (docs/PROTOCOL.md, "Local control API").
///
/// | method and path | what |
/// |---|---|
/// | `POST /v1/names` | body: ``PublishNameRequest``; ``NamePublishedDocument`` |
/// | `GET /v1/names/{name}` | ``ResolvedNameDocument`` |
/// | `GET /v1/names/{name}/record` | the newest record's bytes (`application/vnd.ipfs.ipns-record`) |
struct NameController<Context: RequestContext>: Sendable {
    let names: NameService

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("names") { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let publish: PublishNameRequest
            do {
                publish = try JSONDecoder().decode(PublishNameRequest.self, from: Data(buffer: body))
            } catch {
                throw APIError.badRequest("the body is not a name to publish: \(error)")
            }
            let lifetime = try Self.seconds(publish.lifetimeSeconds, default: 48 * 3600, what: "lifetimeSeconds")
            let ttl = try Self.seconds(publish.ttlSeconds, default: 300, what: "ttlSeconds", allowZero: true)
            let clock = ContinuousClock()
            let started = clock.now
            let publication = try await Self.calling {
                try await names.publish(
                    publish.value, keyName: publish.key ?? NameKeyStore.selfName, lifetime: lifetime, ttl: ttl)
            }
            return NamePublishedDocument(publication, elapsed: clock.now - started)
        }
        group.get("names/:name") { _, context in
            let name = try Self.name(context)
            let clock = ContinuousClock()
            let started = clock.now
            let resolved = try await Self.calling { try await names.resolve(name) }
            return ResolvedNameDocument(resolved, elapsed: clock.now - started)
        }
        group.get("names/:name/record") { _, context in
            let name = try Self.name(context)
            let resolved = try await Self.calling { try await names.resolve(name) }
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.ipfs.ipns-record"
            return Response(
                status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: resolved.record.bytes)))
        }
    }

    private static func name(_ context: Context) throws -> IPNSName {
        let text = try context.parameters.require("name")
        do {
            return try IPNSName(parsing: text)
        } catch {
            throw APIError.badRequest("'\(text.prefix(80))' is not an IPNS name: \(error)")
        }
    }

    private static func seconds(
        _ value: Int64?, default fallback: Int64, what: String, allowZero: Bool = false
    ) throws -> Duration {
        let seconds = value ?? fallback
        guard seconds > 0 || (allowZero && seconds == 0), seconds <= 100 * 365 * 24 * 3600 else {
            throw APIError.badRequest("\(what) \(seconds) is out of range")
        }
        return .seconds(seconds)
    }

    private static func calling<T>(_ body: () async throws -> T) async throws -> T {
        try await APIError.fromNode(body)
    }
}

/// `POST /v1/names`: what to publish.
public struct PublishNameRequest: Codable, Hashable, Sendable {
    /// `/ipfs/CID[/path]` or `/ipns/NAME`.
    public var value: String
    /// The key's name (default `self`).
    public var key: String?
    /// The record's lifetime in seconds (default 172,800: 48 h).
    public var lifetimeSeconds: Int64?
    /// The record's TTL in seconds (default 300).
    public var ttlSeconds: Int64?

    /// Creates a request.
    public init(value: String, key: String?, lifetimeSeconds: Int64?, ttlSeconds: Int64?) {
        self.value = value
        self.key = key
        self.lifetimeSeconds = lifetimeSeconds
        self.ttlSeconds = ttlSeconds
    }
}

/// A record's fields as the API reports them.
public struct NameRecordDocument: Codable, Hashable, Sendable {
    /// The name (`k51…`).
    public var name: String
    /// What it points at.
    public var value: String
    /// The record's sequence.
    public var sequence: UInt64
    /// When the record expires (RFC 3339).
    public var validity: String
    /// How long resolvers may cache it, in seconds.
    public var ttlSeconds: Double
    /// The record's size.
    public var recordBytes: Int

    init(_ name: IPNSName, _ record: IPNSRecord) {
        self.name = name.description
        self.value = record.value
        self.sequence = record.sequence
        self.validity = record.validity.description
        self.ttlSeconds = record.ttl.inSeconds
        self.recordBytes = record.bytes.count
    }
}

/// `POST /v1/names`: the record published and where it went.
public struct NamePublishedDocument: Codable, Hashable, Sendable, ResponseEncodable {
    /// The record.
    public var record: NameRecordDocument
    /// The closest nodes asked to hold it.
    public var asked: Int
    /// How many took it.
    public var accepted: Int
    /// Wall time of the publication (the lookup of the current sequence included).
    public var elapsedSeconds: Double

    init(_ publication: NamePublication, elapsed: Duration) {
        self.record = NameRecordDocument(publication.name, publication.record)
        self.asked = publication.report.asked
        self.accepted = publication.report.accepted
        self.elapsedSeconds = elapsed.inSeconds
    }
}

/// `GET /v1/names/{name}`: the newest record and how it was found.
public struct ResolvedNameDocument: Codable, Hashable, Sendable, ResponseEncodable {
    /// The record.
    public var record: NameRecordDocument
    /// `network`, `cache` or `published`.
    public var source: String
    /// Requests sent by the lookup (absent for a cached answer).
    public var messagesSent: Int?
    /// Nodes that answered.
    public var responses: Int?
    /// Nodes that answered with a valid record.
    public var validAnswers: Int?
    /// Nodes that answered with a record that did not validate.
    public var invalidAnswers: Int?
    /// Nodes sent the newest record because they held an older one.
    public var corrected: Int?
    /// Wall time of the resolve.
    public var elapsedSeconds: Double

    init(_ resolved: ResolvedName, elapsed: Duration) {
        self.record = NameRecordDocument(resolved.name, resolved.record)
        self.source = resolved.source.rawValue
        self.messagesSent = resolved.resolution?.messagesSent
        self.responses = resolved.resolution?.responses
        self.validAnswers = resolved.resolution?.validAnswers
        self.invalidAnswers = resolved.resolution?.invalidAnswers
        self.corrected = resolved.resolution?.corrected
        self.elapsedSeconds = elapsed.inSeconds
    }
}
