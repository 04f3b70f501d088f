extension DHTDatagram {
    /// Decodes one datagram. Never traps: anything malformed throws.
    ///
    /// - Throws: ``DHTDatagramError`` naming what is wrong and its byte offset: over 1,280 bytes, a truncated field,
    ///   an unknown version, type or flag, a padded response, a token over 32 bytes, more than k contacts or 16 values, an address
    ///   family other than 4 or 6, port 0, a value over ``maxValueByteCount`` bytes, an unknown store outcome, or
    ///   bytes after the end of the message.
    public init(decoding bytes: some Collection<UInt8>) throws(DHTDatagramError) {
        guard bytes.count <= Self.maxByteCount else { throw .tooLarge(byteCount: bytes.count) }
        var decoder = FieldDecoder(reader: DHTWireReader(Array(bytes)))
        self = try decoder.datagram()
    }

    /// Decodes one datagram into the core's message (sender ID derived from the key), the sender's key, and the
    /// write token (empty if none).
    ///
    /// - Throws: ``DHTDatagramError``, as ``init(decoding:)``.
    public static func decode(
        _ bytes: some Collection<UInt8>
    ) throws(DHTDatagramError) -> (message: KademliaMessage, senderKey: [UInt8], writeToken: [UInt8]) {
        let datagram = try DHTDatagram(decoding: bytes)
        return (datagram.message, datagram.senderKey, datagram.writeToken)
    }

    /// Reads fields and turns a missing or invalid one into the error for its offset.
    private struct FieldDecoder {
        var reader: DHTWireReader

        mutating func datagram() throws(DHTDatagramError) -> DHTDatagram {
            let version = try uint8(.version)
            guard version == DHTDatagram.version else { throw .unsupportedVersion(version) }
            let typeByte = try uint8(.type)
            guard let type = DHTMessageType(rawValue: typeByte) else { throw .unknownType(typeByte) }
            let flags = try uint8(.flags)
            guard flags & ~(DHTDatagram.paddedFlag | DHTDatagram.clientFlag) == 0 else { throw .unknownFlags(flags) }
            guard flags & DHTDatagram.paddedFlag == 0 || !type.isResponse else { throw .paddedResponse }
            guard flags & DHTDatagram.clientFlag == 0 || !type.isResponse else { throw .clientResponse }
            let transactionID = TransactionID(rawValue: try uint64(.transactionID))
            let senderKey = try bytes(DHTDatagram.senderKeyByteCount, .senderKey)

            var token: [UInt8] = []
            var signature: [UInt8] = []
            let body: KademliaMessage.Body
            switch type {
            case .ping:
                body = .request(.ping)
            case .findNode:
                body = .request(.findNode(try nodeID(.target)))
            case .findValue:
                body = .request(.findValue(try nodeID(.key)))
            case .getProviders:
                body = .request(.getProviders(try nodeID(.key)))
            case .store:
                let key = try nodeID(.key)
                token = try writeToken()
                let ttl = try uint32(.ttl)
                let value = try valueBytes()
                body = .request(.store(key, value: value, ttl: .seconds(Int64(ttl))))
            case .addProvider:
                let key = try nodeID(.key)
                token = try writeToken()
                let countOffset = reader.offset
                let count = Int(try uint8(.relayCount))
                guard count <= DHTDatagram.maxRelays else { throw .tooManyRelays(count, offset: countOffset) }
                var relays: [NodeAddress] = []
                for _ in 0..<count { relays.append(try address()) }
                body = .request(.addProvider(key, relays: relays))
            case .getRecord:
                body = .request(.getRecord(try nodeID(.key)))
            case .putRecord:
                let lengthOffset = reader.offset
                let length = Int(try uint8(.routingKeyLength))
                guard (1...MutableRecord.maxRoutingKeyByteCount).contains(length) else {
                    throw .badRoutingKeyLength(length, offset: lengthOffset)
                }
                let routingKey = try bytes(length, .routingKey)
                token = try writeToken()
                let record = try recordBytes()
                body = .request(.putRecord(MutableRecord(routingKey: routingKey, bytes: record)))
            case .dialBack:
                body = .request(.dialBack(nonce: try uint64(.nonce)))
            case .dialRequest:
                let nonce = try uint64(.nonce)
                body = .request(.dialRequest(nonce: nonce, target: try address()))
            case .dialProbe:
                body = .request(.dialProbe(nonce: try uint64(.nonce)))
            case .pong:
                signature = try bytes(DHTDatagram.signatureByteCount, .signature)
                body = .response(.pong)
            case .nodes:
                token = try writeToken()
                body = .response(.nodes(try contacts()))
            case .values:
                body = .response(.values(try values()))
            case .providers:
                token = try writeToken()
                let providers = try contacts(relayed: true)
                let closer = try contacts()
                body = .response(.providers(providers, closer: closer))
            case .stored:
                let offset = reader.offset
                let code = try uint8(.storeOutcome)
                guard let outcome = DHTDatagram.outcome(code: code) else {
                    throw .unknownStoreOutcome(code, offset: offset)
                }
                body = .response(.stored(outcome))
            case .record:
                token = try writeToken()
                let record = try recordBytes()
                let closer = try contacts()
                body = .response(.record(record.isEmpty ? nil : record, closer: closer))
            case .dialStatus:
                let offset = reader.offset
                let code = try uint8(.dialStatus)
                guard let status = DialStatus(rawValue: code) else { throw .unknownDialStatus(code, offset: offset) }
                body = .response(.dialStatus(status, observed: try address()))
            }
            var padding = 0
            if flags & DHTDatagram.paddedFlag != 0 {
                guard reader.remaining > 0 else { throw .emptyPadding(offset: reader.offset) }
                let start = reader.offset
                padding = reader.remaining
                if let nonZero = reader.skipZeros() { throw .nonZeroPadding(offset: start + nonZero) }
            }
            guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining, offset: reader.offset) }
            return DHTDatagram(
                transactionID: transactionID,
                senderKey: senderKey,
                body: body,
                writeToken: token,
                signature: signature,
                paddingByteCount: padding,
                isClient: flags & DHTDatagram.clientFlag != 0
            )
        }

        mutating func writeToken() throws(DHTDatagramError) -> [UInt8] {
            let offset = reader.offset
            let length = Int(try uint8(.tokenLength))
            guard length <= DHTDatagram.maxWriteTokenByteCount else { throw .tokenTooLong(length, offset: offset) }
            return try bytes(length, .token)
        }

        mutating func valueBytes() throws(DHTDatagramError) -> [UInt8] {
            let offset = reader.offset
            let length = Int(try uint16(.valueLength))
            guard length <= DHTDatagram.maxValueByteCount else { throw .valueTooLarge(length, offset: offset) }
            return try bytes(length, .value)
        }

        /// A mutable record: a 2-byte length and the bytes. Not capped here beyond the datagram's size: a store
        /// refuses one over its limit, and counts it.
        mutating func recordBytes() throws(DHTDatagramError) -> [UInt8] {
            let length = Int(try uint16(.recordLength))
            return try bytes(length, .record)
        }

        mutating func values() throws(DHTDatagramError) -> [DHTValue] {
            let offset = reader.offset
            let count = Int(try uint8(.valueCount))
            guard count <= DHTDatagram.maxValues else { throw .tooManyValues(count, offset: offset) }
            var values: [DHTValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count {
                let publisher = try nodeID(.publisher)
                values.append(DHTValue(publisher: publisher, data: try valueBytes()))
            }
            return values
        }

        /// A contact list; `relayed` admits contacts through a relay (family 0x14 or 0x16), as a provider list has.
        mutating func contacts(relayed: Bool = false) throws(DHTDatagramError) -> [Contact] {
            let offset = reader.offset
            let count = Int(try uint8(.contactCount))
            guard count <= DHTDatagram.maxContacts else { throw .tooManyContacts(count, offset: offset) }
            var contacts: [Contact] = []
            contacts.reserveCapacity(count)
            for _ in 0..<count {
                contacts.append(try contact(relayed: relayed))
            }
            return contacts
        }

        mutating func contact(relayed: Bool = false) throws(DHTDatagramError) -> Contact {
            let id = try nodeID(.contactID)
            let (address, isRelayed) = try relayableAddress(relayed)
            return Contact(id: id, address: address, relayed: isRelayed)
        }

        /// An address: family (4 or 6), 4 or 16 address bytes, a port other than 0.
        mutating func address() throws(DHTDatagramError) -> NodeAddress {
            try relayableAddress(false).address
        }

        /// An address; where `allowed`, family 0x14 or 0x16 (a relay's address) is taken too and says so.
        mutating func relayableAddress(_ allowed: Bool) throws(DHTDatagramError) -> (address: NodeAddress, relayed: Bool) {
            let familyOffset = reader.offset
            var family = try uint8(.addressFamily)
            let relayed = allowed && (family == 0x14 || family == 0x16)
            if relayed { family &= 0x0f }
            let host: NodeAddress.Host
            switch family {
            case 4:
                host = .ipv4(try uint32(.address))
            case 6:
                let addressOffset = reader.offset
                guard let high = reader.readUInt64(), let low = reader.readUInt64() else {
                    throw .truncated(.address, offset: addressOffset)
                }
                host = .ipv6(high: high, low: low)
            default:
                throw .badAddressFamily(family, offset: familyOffset)
            }
            let portOffset = reader.offset
            let port = try uint16(.port)
            guard port != 0 else { throw .zeroPort(offset: portOffset) }
            return (NodeAddress(host: host, port: port), relayed)
        }

        /// Reads one field with `take`; a short read is `truncated` at the field's offset.
        private mutating func read<Value>(
            _ field: DHTDatagramField, _ take: (inout DHTWireReader) -> Value?
        ) throws(DHTDatagramError) -> Value {
            let offset = reader.offset
            guard let value = take(&reader) else { throw .truncated(field, offset: offset) }
            return value
        }

        mutating func uint8(_ field: DHTDatagramField) throws(DHTDatagramError) -> UInt8 {
            try read(field) { $0.readUInt8() }
        }

        mutating func uint16(_ field: DHTDatagramField) throws(DHTDatagramError) -> UInt16 {
            try read(field) { $0.readUInt16() }
        }

        mutating func uint32(_ field: DHTDatagramField) throws(DHTDatagramError) -> UInt32 {
            try read(field) { $0.readUInt32() }
        }

        mutating func uint64(_ field: DHTDatagramField) throws(DHTDatagramError) -> UInt64 {
            try read(field) { $0.readUInt64() }
        }

        mutating func nodeID(_ field: DHTDatagramField) throws(DHTDatagramError) -> NodeID {
            try read(field) { $0.readNodeID() }
        }

        mutating func bytes(_ count: Int, _ field: DHTDatagramField) throws(DHTDatagramError) -> [UInt8] {
            try read(field) { $0.readBytes(count) }
        }
    }
}
