import Testing
@testable import DHTCrypto

@Suite struct ConstantTimeTests {
    @Test func equalInputsAreEqual() {
        let secret = (0..<64).map { UInt8($0) }
        #expect(ConstantTime.equals(secret, Array(secret)))
        #expect(ConstantTime.equals(secret[8..<40], Array(secret[8..<40])))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
    }

    @Test(arguments: [0, 31, 63])
    func oneDifferentByteIsUnequal(index: Int) {
        let secret = (0..<64).map { UInt8($0) }
        var other = secret
        other[index] ^= 0x80
        #expect(!ConstantTime.equals(secret, other))
    }

    @Test func differentLengthsAreUnequal() {
        let secret = (0..<32).map { UInt8($0) }
        #expect(!ConstantTime.equals(secret, secret.dropLast()))
        #expect(!ConstantTime.equals(secret.dropLast(), secret))
        #expect(!ConstantTime.equals(secret, secret + [0]))
        #expect(!ConstantTime.equals([UInt8](), secret))
        #expect(!ConstantTime.equals(secret, [UInt8]()))
    }
}
