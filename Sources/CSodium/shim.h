#ifndef SWIFT_DHT_CSODIUM_SHIM_H
#define SWIFT_DHT_CSODIUM_SHIM_H
#include <sodium.h>
#endif
