// ISO/IEC 9796-2 digital signature scheme 1 with RSA, as ICAO 9303-11 §6.1 uses for Active
// Authentication: message recovery (the chip's M1 and the digest over M1 || M2) on the
// terminal's side, and message-representative encoding on the virtual chip's side.
#pragma once
#include <string>

#include "bytes.h"

namespace mrtd {

struct Iso9796Message {
  Bytes m1;             // the recovered part of the message
  Bytes digest;         // H(M1 || M2), to be compared by the caller
  std::string hash;     // "sha1" | "sha224" | "sha256" | "sha384" | "sha512"
  bool partial = true;  // "more data" bit: M2 exists (always so for AA)
  bool implicit = true; // trailer 0xBC (implicit SHA-1) rather than 0x??CC
};

// Parses a message representative F (left-padded to the modulus byte length). Pure function
// over bytes; this is the libFuzzer target's entry point.
Status Iso9796Parse(const Bytes& f, Iso9796Message* out);

// The RSA public operation J = s^e mod n, then F = J or n - J (whichever ends in nibble 0xC,
// ISO/IEC 9796-2 §B.4), then Iso9796Parse.
Status Iso9796Recover(const Bytes& n, const Bytes& e, const Bytes& signature, Iso9796Message* out);

// Builds F for a modulus of `mod_bits` bits (a multiple of 8). With `partial`, m1 must fill
// the capacity exactly; otherwise it may be shorter and is preceded by 0xBB..0xBA padding.
Status Iso9796Encode(size_t mod_bits, const Bytes& m1, const Bytes& digest, const std::string& hash, bool implicit,
                     bool partial, Bytes* out);

// Capacity for M1 in bytes for a modulus and hash (what the chip fills with M1).
size_t Iso9796Capacity(size_t mod_bits, size_t digest_len, bool implicit);

}  // namespace mrtd
