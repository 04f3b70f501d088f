#!/usr/bin/env bash
# CLI tests of IPNS keys and records: `dhtnode key gen|ls|rm` in a data folder, `dhtnode name record` checked by
# an independent decoder (Tests/cli/ipns_check.py: Python's `cryptography` and `cbor2`), `dhtnode name inspect`
# on our records and on the spec's test vectors (Tests/Fixtures/ipns_records).
#
# Usage: Tests/cli/names.sh PATH/TO/dhtnode
# Needs bash, jq, python3 with venv. Installs cryptography and cbor2 from PyPI into a venv in its temporary
# folder (or uses them when already importable); if PyPI cannot be reached, the independent-decoder checks are
# skipped with a message and the others still run. The last line is "N passed, M failed".
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 PATH/TO/dhtnode" >&2
    exit 2
fi
command -v jq >/dev/null || { echo "$0 needs jq (apt-get install jq)" >&2; exit 2; }
DHTNODE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
VECTORS=$HERE/../Fixtures/ipns_records
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dhtnode-names.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export DHTNODE_DATA=$WORK/unused-default

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; [ $# -gt 1 ] && echo "     $2"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
json_is() { jq -e "$2" <<<"$1" >/dev/null 2>&1; }
D=$WORK/data
dk() { "$DHTNODE" "$@" --data "$D"; }

# --- Keys ---
blog=$(dk key gen blog)
check "key gen prints the new key's IPNS name (k51…)" grep -Eq '^k51qzi5uqu5[0-9a-z]{51}$' <<<"$blog"
check "  saved as DIR/keys/blog.key with mode 0600" test "$(stat -c %a "$D/keys/blog.key")" = 600
check "  in a keys folder of mode 0700" test "$(stat -c %a "$D/keys")" = 700
check "  in the identity file format" test "$(head -n 1 "$D/keys/blog.key")" = swift-dht-ed25519-seed-v1
out=$(dk key gen blog 2>&1)
check "key gen of an existing name fails in one line naming the file" \
    grep -q "a key named 'blog' already exists at $D/keys/blog.key" <<<"$out"
out=$(dk key gen self 2>&1)
check "key gen self is refused: self is the node's identity" grep -q "the key 'self' is the node's identity" <<<"$out"
out=$(dk key gen ../x 2>&1)
check "key gen with a path in the name is refused" grep -q "invalid key name '../x'" <<<"$out"

ls_json=$(dk key ls --json)
check "key ls --json before the node has an identity lists blog only" \
    json_is "$ls_json" "(.keys | map(.name)) == [\"blog\"] and .keys[0].ipns == \"$blog\""
# The node's identity appears as self once it exists (name record --key self creates it, as dhtnode run would).
"$DHTNODE" name record bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy -o "$WORK/self.ipns-record" \
    --data "$D" >/dev/null
check "name record --key self creates the node's identity (mode 0600)" test "$(stat -c %a "$D/identity")" = 600
ls_text=$(dk key ls)
check "key ls prints NAME and IPNS NAME, self first" \
    bash -c '[ "$(sed -n 1p <<<"$1" | tr -s " ")" = "NAME IPNS NAME" ] && sed -n 2p <<<"$1" | grep -q "^self  *k51" && sed -n 3p <<<"$1" | grep -q "^blog  *$2$"' _ "$ls_text" "$blog"
dk key gen docs >/dev/null
chmod 644 "$D/keys/docs.key"
out=$(dk key ls 2>&1)
status=$?
check "a key file others can read is refused: key ls fails" test "$status" -ne 0
check "  in one line naming the key, its file and the fix" \
    grep -q "key 'docs': identity file $D/keys/docs.key has mode 0644.*chmod 600" <<<"$out"
out=$(dk key rm docs)
check "key rm removes a key even when its file is unusable" test ! -e "$D/keys/docs.key"
out=$(dk key rm self 2>&1)
check "key rm self is refused" grep -q "the key 'self' is the node's identity" <<<"$out"
out=$(dk key rm nope 2>&1)
check "key rm of a missing key names the file it looked for" grep -q "no key named 'nope' (no file $D/keys/nope.key)" <<<"$out"
check "--data means the data folder: DHTNODE_DATA finds the same keys" \
    bash -c '[ "$(DHTNODE_DATA="$1" "$2" key ls --json | jq -r ".keys[1].ipns")" = "$3" ]' _ "$D" "$DHTNODE" "$blog"

# --- Records ---
CID=bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy
made=$(dk name record "$CID/a/b.txt" --key blog --sequence 7 --lifetime 2h --ttl 90s -o "$WORK/blog.ipns-record" --json)
check "name record --json says the record is valid, with its fields" \
    json_is "$made" ".valid and .name == \"$blog\" and .value == \"/ipfs/$CID/a/b.txt\" and .sequence == 7 and .ttlNanoseconds == 90000000000 and .signatureV1"
inspect=$("$DHTNODE" name inspect "$WORK/blog.ipns-record" --name "$blog" --json)
check "name inspect --json: valid, the same fields" \
    json_is "$inspect" ".valid and .value == \"/ipfs/$CID/a/b.txt\" and .sequence == 7 and (.publicKeyEmbedded | not)"
text=$("$DHTNODE" name inspect "$WORK/blog.ipns-record" --name "$blog")
check "name inspect prints the fields as text" \
    bash -c 'grep -q "^valid  *yes$" <<<"$1" && grep -q "^ttl  *1m30s$" <<<"$1" && grep -q "^sequence  *7$" <<<"$1"' _ "$text"
out=$("$DHTNODE" name inspect "$WORK/blog.ipns-record" 2>&1)
check "name inspect without a name says to pass --name" grep -q "pass --name NAME" <<<"$out"
cp "$WORK/blog.ipns-record" "$WORK/${blog}.ipns-record"
check "  or takes it from a file named NAME.ipns-record" bash -c '"$1" name inspect "$2" >/dev/null' _ "$DHTNODE" "$WORK/${blog}.ipns-record"

dk name record "/ipfs/$CID" --key blog -o "$WORK/blog.ipns-record" >/dev/null
seq=$("$DHTNODE" name inspect "$WORK/blog.ipns-record" --name "$blog" --json | jq .sequence)
check "without --sequence, record over a file of the same key takes the next sequence (8)" test "$seq" = 8
out=$(dk name record "not-a-cid" --key blog -o "$WORK/x" 2>&1)
check "a bad value is one line naming it" grep -q "invalid value 'not-a-cid'" <<<"$out"
out=$(dk name record "$CID" --key blog --lifetime 5 -o "$WORK/x" 2>&1)
check "a duration without a unit is refused" grep -q "is not a duration" <<<"$out"
out=$(dk name record "$CID" --key nope -o "$WORK/x" 2>&1)
check "an unknown key is one line naming its file" grep -q "no key named 'nope'" <<<"$out"

# An expired record: made with a 1 s lifetime, inspected 2 s later.
dk name record "$CID" --key blog --lifetime 1s -o "$WORK/short.ipns-record" >/dev/null
sleep 2
out=$("$DHTNODE" name inspect "$WORK/short.ipns-record" --name "$blog" --json)
status=$?
check "an expired record: inspect exits 1 with reason expired" \
    bash -c '[ "$1" -eq 1 ] && jq -e ".valid == false and .reason == \"expired\"" <<<"$2" >/dev/null' _ "$status" "$out"
# A record for another name: the signature does not verify.
out=$("$DHTNODE" name inspect "$WORK/blog.ipns-record" --name "$(dk key ls --json | jq -r '.keys[0].ipns')" 2>&1)
check "a record checked against another name: bad_signature_v2, in one line" \
    grep -q "valid  *no (bad_signature_v2)" <<<"$out"

# --- The spec's vectors through inspect ---
for file in "$VECTORS"/*.ipns-record; do
    kind=${file##*_}
    kind=${kind%.ipns-record}
    doc=$("$DHTNODE" name inspect "$file" --json)
    case $kind in
        v1) want='.valid == false and .reason == "missing_signature_v2"' ;;
        v1-v2-broken-v1-value) want='.valid == false and .reason == "v1_mismatch"' ;;
        v1-v2-broken-signature-v2) want='.valid == false and .reason == "bad_signature_v2"' ;;
        *) want='.valid' ;;
    esac
    check "spec vector $kind: $want" json_is "$doc" "$want"
done

# --- An independent decoder: Python (cryptography, cbor2) ---
PY=python3
if ! python3 -c 'import cryptography, cbor2' 2>/dev/null; then
    if python3 -m venv "$WORK/venv" >/dev/null 2>&1 \
        && "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check --timeout 20 cryptography cbor2 \
            >"$WORK/pip.log" 2>&1; then
        PY=$WORK/venv/bin/python
    else
        PY=
        echo "SKIP the independent decoder checks: cannot install cryptography and cbor2 from PyPI ($(tail -n 1 "$WORK/pip.log" 2>/dev/null))"
    fi
fi
if [ -n "$PY" ]; then
    dk name record "$CID/a/b.txt" --key blog --sequence 42 --ttl 5m -o "$WORK/py.ipns-record" >/dev/null
    out=$("$PY" "$HERE/ipns_check.py" "$WORK/py.ipns-record" "$blog" --expect-value "/ipfs/$CID/a/b.txt" \
        --expect-sequence 42 --expect-ttl-ns 300000000000 2>&1)
    check "Python decodes our record: V2 signature with the name's key, canonical CBOR, V1 copies and signature" \
        grep -q "^ok   valid for" <<<"$out" || echo "$out"
    selfname=$(dk key ls --json | jq -r '.keys[0].ipns')
    out=$("$PY" "$HERE/ipns_check.py" "$WORK/self.ipns-record" "$selfname" --expect-value "/ipfs/$CID" 2>&1)
    check "  and the record of self" grep -q "^ok   valid for" <<<"$out"
    v2=$(ls "$VECTORS"/*_v2.ipns-record)
    v2name=$(basename "$v2")
    out=$("$PY" "$HERE/ipns_check.py" "$v2" "${v2name%%_*}" 2>&1)
    check "  and the checker itself accepts the spec's v2 vector" grep -q "^ok   valid for" <<<"$out"
    broken=$(ls "$VECTORS"/*_v1-v2-broken-signature-v2.ipns-record)
    bname=$(basename "$broken")
    out=$("$PY" "$HERE/ipns_check.py" "$broken" "${bname%%_*}" 2>&1)
    check "  and refuses the vector with a broken V2 signature" grep -q "FAIL signatureV2 does not verify" <<<"$out"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
