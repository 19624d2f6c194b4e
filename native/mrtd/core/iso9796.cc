#include "iso9796.h"

#include "bn.h"
#include "bnutil.h"

namespace mrtd {
namespace {

// ISO/IEC 10118-3 hash-function identifiers used in the explicit trailer (hashId || 0xCC).
struct HashInfo {
  const char* name;
  uint8_t id;
  size_t len;
};
constexpr HashInfo kHashes[] = {
    {"sha1", 0x33, 20}, {"sha256", 0x34, 32}, {"sha512", 0x35, 64}, {"sha384", 0x36, 48}, {"sha224", 0x38, 28},
};

const HashInfo* ByName(const std::string& name) {
  for (const HashInfo& h : kHashes) {
    if (name == h.name) return &h;
  }
  return nullptr;
}

const HashInfo* ById(uint8_t id) {
  for (const HashInfo& h : kHashes) {
    if (id == h.id) return &h;
  }
  return nullptr;
}

constexpr uint8_t kTrailerImplicit = 0xBC;
constexpr uint8_t kTrailerExplicit = 0xCC;

}  // namespace

size_t Iso9796Capacity(size_t mod_bits, size_t digest_len, bool implicit) {
  size_t len = mod_bits / 8;
  size_t overhead = 1 + digest_len + (implicit ? 1 : 2);
  return len > overhead ? len - overhead : 0;
}

Status Iso9796Parse(const Bytes& f, Iso9796Message* out) {
  if (f.size() < 24) return Status::Fail("ERR_MRTD_ISO9796", "representative too short");
  const uint8_t head = f[0];
  if ((head & 0xC0) != 0x40) return Status::Fail("ERR_MRTD_ISO9796", "header bits are not 01");
  out->partial = (head & 0x20) != 0;
  const HashInfo* hash;
  size_t t;
  const uint8_t last = f[f.size() - 1];
  if (last == kTrailerImplicit) {
    hash = ByName("sha1");
    t = 1;
    out->implicit = true;
  } else if (last == kTrailerExplicit) {
    hash = ById(f[f.size() - 2]);
    if (!hash) return Status::Fail("ERR_MRTD_ISO9796", "unknown hash identifier in trailer");
    t = 2;
    out->implicit = false;
  } else {
    return Status::Fail("ERR_MRTD_ISO9796", "unknown trailer");
  }
  size_t start;
  if ((head & 0x1F) == 0x0A) {
    start = 1;
  } else if ((head & 0x1F) == 0x0B) {
    // Padding nibbles 'B' ending with 'A': 0x?B 0xBB .. 0xBB 0xBA.
    size_t i = 1;
    while (i < f.size() && f[i] == 0xBB) i++;
    if (i >= f.size() || f[i] != 0xBA) return Status::Fail("ERR_MRTD_ISO9796", "padding not terminated");
    start = i + 1;
  } else {
    return Status::Fail("ERR_MRTD_ISO9796", "header padding nibble is neither A nor B");
  }
  if (f.size() < start + hash->len + t) return Status::Fail("ERR_MRTD_ISO9796", "no room for the digest");
  const size_t digest_at = f.size() - t - hash->len;
  out->m1.assign(f.begin() + static_cast<long>(start), f.begin() + static_cast<long>(digest_at));
  out->digest.assign(f.begin() + static_cast<long>(digest_at), f.begin() + static_cast<long>(digest_at + hash->len));
  out->hash = hash->name;
  return Status::Ok();
}

Status Iso9796Recover(const Bytes& n, const Bytes& e, const Bytes& signature, Iso9796Message* out) {
  if (n.empty() || n.size() > kMaxOperandBytes) return Status::Fail("ERR_MRTD_OPERAND_SIZE", "modulus size");
  if (signature.size() > n.size()) return Status::Fail("ERR_MRTD_ISO9796", "signature longer than the modulus");
  BnPtr nb = ToBn(n), sb = ToBn(signature);
  if (!nb || !sb) return Status::Fail("ERR_OPENSSL", "allocation");
  if (BN_num_bits(nb.get()) % 8 != 0) return Status::Fail("ERR_MRTD_UNSUPPORTED", "modulus bit length not a multiple of 8");
  if (BN_cmp(sb.get(), nb.get()) >= 0) return Status::Fail("ERR_MRTD_ISO9796", "signature not below the modulus");
  const size_t len = static_cast<size_t>(BN_num_bytes(nb.get()));
  Bytes j;
  Status s = ModExp(signature, e, n, false, &j);
  if (!s.ok()) return s;
  if ((j.back() & 0x0F) != 0x0C) {
    // The signer may have sent n - s (ISO/IEC 9796-2 with the "min(s, n-s)" convention).
    BnPtr jb = ToBn(j), r(BN_new());
    if (!jb || !r || BN_sub(r.get(), nb.get(), jb.get()) != 1 || !FromBn(r.get(), len, &j)) {
      return Status::Fail("ERR_OPENSSL", "arithmetic");
    }
    if ((j.back() & 0x0F) != 0x0C) return Status::Fail("ERR_MRTD_ISO9796", "representative does not end in nibble C");
  }
  return Iso9796Parse(j, out);
}

Status Iso9796Encode(size_t mod_bits, const Bytes& m1, const Bytes& digest, const std::string& hash, bool implicit,
                     bool partial, Bytes* out) {
  const HashInfo* h = ByName(hash);
  if (!h) return Status::Fail("ERR_MRTD_UNSUPPORTED", "unknown hash");
  if (implicit && h->id != 0x33) return Status::Fail("ERR_MRTD_ISO9796", "implicit trailer implies SHA-1");
  if (digest.size() != h->len) return Status::Fail("ERR_MRTD_ISO9796", "digest length does not match the hash");
  if (mod_bits % 8 != 0 || mod_bits < 512 || mod_bits > 8 * kMaxOperandBytes) {
    return Status::Fail("ERR_MRTD_UNSUPPORTED", "modulus bit length");
  }
  const size_t cap = Iso9796Capacity(mod_bits, h->len, implicit);
  if (m1.size() > cap || (partial && m1.size() != cap)) return Status::Fail("ERR_MRTD_ISO9796", "M1 does not fit the capacity");
  const size_t pad = cap - m1.size();
  out->clear();
  out->reserve(mod_bits / 8);
  const uint8_t head = static_cast<uint8_t>((partial ? 0x60 : 0x40) | (pad == 0 ? 0x0A : 0x0B));
  out->push_back(head);
  if (pad > 0) {
    for (size_t i = 0; i + 1 < pad; i++) out->push_back(0xBB);
    out->push_back(0xBA);
  }
  out->insert(out->end(), m1.begin(), m1.end());
  out->insert(out->end(), digest.begin(), digest.end());
  if (!implicit) out->push_back(h->id);
  out->push_back(implicit ? kTrailerImplicit : kTrailerExplicit);
  return Status::Ok();
}

}  // namespace mrtd
