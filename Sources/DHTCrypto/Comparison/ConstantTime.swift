import CSodium

/// Comparisons whose running time does not depend on where the inputs differ.
///
/// Use these for secrets (keys, MACs, tokens) so that an attacker who times the comparison learns nothing about
/// how many leading bytes they guessed right.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, compared with `sodium_memcmp`.
    ///
    /// Inputs of different lengths are unequal; that answer depends only on the lengths, which are not secret, and
    /// neither buffer is read past its end. Two empty inputs are equal.
    public static func equals(_ a: some ContiguousBytes, _ b: some ContiguousBytes) -> Bool {
        Sodium.ensureInitialized()
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                guard left.count > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress else {
                    return true
                }
                return sodium_memcmp(leftBase, rightBase, left.count) == 0
            }
        }
    }
}
