import Foundation
import Kademlia

/// One value in `GET /v1/values/{key}`.
public struct ValueDocument: Codable, Hashable, Sendable {
    /// The node that stored it, 64 hex digits.
    public var publisher: String
    /// The bytes, base64.
    public var base64: String
    /// The bytes as text, when they are valid UTF-8.
    public var text: String?

    /// The document of `value`.
    public init(_ value: DHTValue) {
        self.publisher = value.publisher.hex
        self.base64 = Data(value.data).base64EncodedString()
        self.text = String(validating: value.data, as: UTF8.self)
    }

    /// The bytes, or `nil` when ``base64`` does not decode.
    public var bytes: [UInt8]? { Data(base64Encoded: base64).map { Array($0) } }
}

/// `GET /v1/values/{key}`: every value found under the key (none is a normal answer, not an error).
public struct ValuesDocument: Codable, Hashable, Sendable {
    /// The key, 64 hex digits.
    public var key: String
    /// The values, one per publisher.
    public var values: [ValueDocument]
    /// Wall time the API call took, in seconds.
    public var elapsedSeconds: Double

    /// Creates a document.
    public init(key: String, values: [ValueDocument], elapsedSeconds: Double) {
        self.key = key
        self.values = values
        self.elapsedSeconds = elapsedSeconds
    }
}

/// `GET /v1/providers/{key}`: the providers a GET_PROVIDERS lookup found.
public struct ProvidersDocument: Codable, Hashable, Sendable {
    /// The key, 64 hex digits.
    public var key: String
    /// The providers, in the order they were learned.
    public var providers: [ContactDocument]
    /// Wall time the API call took, in seconds.
    public var elapsedSeconds: Double

    /// Creates a document.
    public init(key: String, providers: [ContactDocument], elapsedSeconds: Double) {
        self.key = key
        self.providers = providers
        self.elapsedSeconds = elapsedSeconds
    }
}
