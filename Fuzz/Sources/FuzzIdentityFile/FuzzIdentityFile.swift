import DHTCrypto
import FuzzMain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: the identity-file parser must throw a typed error or return an identity for any bytes,
/// never trap, and every error must describe itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    do {
        let identity = try IdentityFile.parse(buffer)
        let signature = identity.sign(buffer)
        precondition(identity.publicKey.isValidSignature(signature, for: buffer), "a parsed key failed to verify")
    } catch {
        precondition(!error.description.isEmpty, "an IdentityFileError without a description")
    }
    return 0
}

/// Hands control to libFuzzer, which calls ``fuzz(_:_:)`` with generated inputs.
@main enum FuzzIdentityFileMain {
    static func main() { exit(swift_dht_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}
