extension DHTDatagram {
    /// The `STORED` outcome byte.
    static func outcomeCode(_ outcome: StoreOutcome) -> UInt8 {
        switch outcome {
        case .stored: 0x00
        case .replaced: 0x01
        case .rejected(.valueTooLarge): 0x10
        case .rejected(.keyFull): 0x11
        case .rejected(.storeFull): 0x12
        case .rejected(.invalidTTL): 0x13
        case .rejected(.sourceFull): 0x14
        case .rejected(.notClosest): 0x15
        case .rejected(.networkFull): 0x16
        case .rejected(.invalidRecord): 0x17
        case .rejected(.outdatedRecord): 0x18
        case .rejected(.busy): 0x19
        }
    }

    /// The outcome of a `STORED` byte, or `nil` for an unknown byte.
    static func outcome(code: UInt8) -> StoreOutcome? {
        switch code {
        case 0x00: .stored
        case 0x01: .replaced
        case 0x10: .rejected(.valueTooLarge)
        case 0x11: .rejected(.keyFull)
        case 0x12: .rejected(.storeFull)
        case 0x13: .rejected(.invalidTTL)
        case 0x14: .rejected(.sourceFull)
        case 0x15: .rejected(.notClosest)
        case 0x16: .rejected(.networkFull)
        case 0x17: .rejected(.invalidRecord)
        case 0x18: .rejected(.outdatedRecord)
        case 0x19: .rejected(.busy)
        default: nil
        }
    }

    /// A lifetime as whole seconds on the wire: fractions are dropped, negatives become 0, and anything over
    /// `UInt32.max` seconds becomes `UInt32.max`.
    static func ttlSeconds(_ ttl: Duration) -> UInt32 {
        let seconds = ttl.components.seconds
        if seconds <= 0 { return 0 }
        return seconds >= Int64(UInt32.max) ? .max : UInt32(seconds)
    }

    /// Encodes a core message with the sender's public key; lists are cut to fit ``maxByteCount``.
    ///
    /// - Throws: ``DHTDatagramEncodingError`` for what a receiver would reject and cutting cannot fix.
    public static func encode(
        _ message: KademliaMessage,
        senderKey: [UInt8],
        writeToken: [UInt8] = []
    ) throws(DHTDatagramEncodingError) -> [UInt8] {
        try DHTDatagram(message, senderKey: senderKey, writeToken: writeToken).encoded()
    }

    /// The bytes of this datagram, after ``fitted(maxByteCount:)`` (so at most `maxByteCount` bytes, unless a
    /// request alone is larger).
    ///
    /// - Throws: ``DHTDatagramEncodingError`` when the sender key is not 32 bytes, the write token is over 32 bytes
    ///   (on a type that carries one), a value is over ``maxValueByteCount`` bytes, or a contact has port 0.
    public func encoded(maxByteCount: Int = DHTDatagram.maxByteCount) throws(DHTDatagramEncodingError) -> [UInt8] {
        try validateForEncoding()
        return fitted(maxByteCount: maxByteCount).encodedAsIs()
    }

    /// Checks what cutting cannot fix.
    private func validateForEncoding() throws(DHTDatagramEncodingError) {
        guard senderKey.count == Self.senderKeyByteCount else { throw .senderKeyLength(senderKey.count) }
        if type == .pong, signature.count != Self.signatureByteCount { throw .signatureLength(signature.count) }
        if type.carriesWriteToken, writeToken.count > Self.maxWriteTokenByteCount {
            throw .writeTokenTooLong(writeToken.count)
        }
        func check(_ contacts: [Contact]) throws(DHTDatagramEncodingError) {
            for contact in contacts where contact.address.port == 0 { throw .zeroPort(contact) }
        }
        switch body {
        case .request(.addProvider(_, let relays)):
            if relays.count > Self.maxRelays { throw .tooManyRelays(relays.count) }
            for relay in relays where relay.port == 0 { throw .zeroAddressPort(relay) }
        case .request(.store(_, let value, _)):
            if value.count > Self.maxValueByteCount { throw .valueTooLarge(value.count) }
        case .response(.values(let values)):
            for value in values where value.data.count > Self.maxValueByteCount {
                throw .valueTooLarge(value.data.count)
            }
        case .response(.nodes(let contacts)):
            try check(contacts)
        case .response(.providers(let providers, let closer)):
            try check(providers)
            try check(closer)
        case .request(.putRecord(let record)):
            let length = record.routingKey.count
            guard (1...MutableRecord.maxRoutingKeyByteCount).contains(length) else {
                throw .routingKeyLength(length)
            }
        case .response(.record(_, let closer)):
            try check(closer)
        case .request(.dialRequest(_, let target)):
            if target.port == 0 { throw .zeroAddressPort(target) }
        case .response(.dialStatus(_, let observed)):
            if observed.port == 0 { throw .zeroAddressPort(observed) }
        default:
            break
        }
    }

    /// Writes the datagram without cutting; the caller validated it.
    private func encodedAsIs() -> [UInt8] {
        var writer = DHTWireWriter(capacity: byteCount)
        writer.writeUInt8(Self.version)
        writer.writeUInt8(type.rawValue)
        var flags: UInt8 = paddingByteCount > 0 ? Self.paddedFlag : 0
        if isClient, case .request = body { flags |= Self.clientFlag }
        writer.writeUInt8(flags)
        writer.writeUInt64(transactionID.rawValue)
        writer.writeBytes(senderKey)

        let token = writeToken
        func putToken() {
            writer.writeUInt8(UInt8(truncatingIfNeeded: token.count))
            writer.writeBytes(token)
        }
        func writeAddress(_ address: NodeAddress, relayed: Bool = false) {
            // A relayed contact's family byte has 0x10 added: 0x14, 0x16.
            let relayFlag: UInt8 = relayed ? 0x10 : 0
            switch address.host {
            case .ipv4(let address):
                writer.writeUInt8(4 | relayFlag)
                writer.writeUInt32(address)
            case .ipv6(let high, let low):
                writer.writeUInt8(6 | relayFlag)
                writer.writeUInt64(high)
                writer.writeUInt64(low)
            }
            writer.writeUInt16(address.port)
        }
        func writeContacts(_ contacts: [Contact]) {
            writer.writeUInt8(UInt8(truncatingIfNeeded: contacts.count))
            for contact in contacts {
                writer.writeNodeID(contact.id)
                writeAddress(contact.address, relayed: contact.relayed)
            }
        }

        switch body {
        case .request(let request):
            switch request {
            case .ping:
                break
            case .findNode(let id), .findValue(let id), .getProviders(let id), .getRecord(let id):
                writer.writeNodeID(id)
            case .putRecord(let record):
                writer.writeUInt8(UInt8(truncatingIfNeeded: record.routingKey.count))
                writer.writeBytes(record.routingKey)
                putToken()
                writer.writeUInt16(UInt16(truncatingIfNeeded: record.bytes.count))
                writer.writeBytes(record.bytes)
            case .store(let key, let value, let ttl):
                writer.writeNodeID(key)
                putToken()
                writer.writeUInt32(Self.ttlSeconds(ttl))
                writer.writeUInt16(UInt16(truncatingIfNeeded: value.count))
                writer.writeBytes(value)
            case .addProvider(let key, let relays):
                writer.writeNodeID(key)
                putToken()
                writer.writeUInt8(UInt8(truncatingIfNeeded: relays.count))
                for relay in relays { writeAddress(relay) }
            case .dialBack(let nonce), .dialProbe(let nonce):
                writer.writeUInt64(nonce)
            case .dialRequest(let nonce, let target):
                writer.writeUInt64(nonce)
                writeAddress(target)
            }
        case .response(let response):
            switch response {
            case .pong:
                writer.writeBytes(signature)
            case .nodes(let contacts):
                putToken()
                writeContacts(contacts)
            case .values(let values):
                writer.writeUInt8(UInt8(truncatingIfNeeded: values.count))
                for value in values {
                    writer.writeNodeID(value.publisher)
                    writer.writeUInt16(UInt16(truncatingIfNeeded: value.data.count))
                    writer.writeBytes(value.data)
                }
            case .providers(let providers, let closer):
                putToken()
                writeContacts(providers)
                writeContacts(closer)
            case .stored(let outcome):
                writer.writeUInt8(Self.outcomeCode(outcome))
            case .record(let record, let closer):
                putToken()
                writer.writeUInt16(UInt16(truncatingIfNeeded: record?.count ?? 0))
                writer.writeBytes(record ?? [])
                writeContacts(closer)
            case .dialStatus(let status, let observed):
                writer.writeUInt8(status.rawValue)
                writeAddress(observed)
            }
        }
        if paddingByteCount > 0 { writer.writeZeros(paddingByteCount) }
        return writer.bytes
    }
}
