// Symmetric primitives of ICAO 9303-11 secure messaging that Node's crypto lacks or hides:
// two-key/three-key 3DES-CBC without padding, the ISO/IEC 9797-1 MAC algorithm 3 ("retail
// MAC") with single DES, and AES-CMAC (NIST SP 800-38B).
#pragma once
#include "bytes.h"

namespace mrtd {

// key: 16 (two-key) or 24 bytes; iv: 8 bytes; data: a multiple of 8 bytes (caller pads).
Status TdesCbc(const Bytes& key, const Bytes& iv, const Bytes& data, bool encrypt, Bytes* out);

// ISO/IEC 9797-1 MAC algorithm 3 with DES, IV = 0: CBC-MAC with K_a over every block, then
// D(K_b) and E(K_a) on the last one. key: 16 bytes (K_a || K_b); data: a multiple of 8 bytes,
// already padded (method 2). Output 8 bytes.
Status RetailMac(const Bytes& key, const Bytes& data, Bytes* out);

// AES-CMAC with a 16, 24 or 32 byte key over any data. Output 16 bytes.
Status AesCmac(const Bytes& key, const Bytes& data, Bytes* out);

}  // namespace mrtd
