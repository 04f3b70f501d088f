#ifndef SWIFT_DHT_COPENSSL_SHIM_H
#define SWIFT_DHT_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#endif
