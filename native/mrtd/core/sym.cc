#include "sym.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace mrtd {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
  void operator()(EVP_MAC_CTX* m) const { EVP_MAC_CTX_free(m); }
};

// Runs `name` over whole blocks with padding off. Single DES is reached through two-key
// DES-EDE with K1 = K2 (E_K(D_K(E_K(x))) = E_K(x)): OpenSSL 3 keeps plain DES in the legacy
// provider, which a hardened image should not load just for this.
Status Cipher(const char* name, const uint8_t* key, const uint8_t* iv, const uint8_t* in, size_t len,
              bool encrypt, uint8_t* out) {
  std::unique_ptr<EVP_CIPHER, CtxFree> cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!cipher || !ctx) return Status::Fail("ERR_OPENSSL", "cipher unavailable");
  int n1 = 0;
  int n2 = 0;
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key, iv, encrypt ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out, &n1, in, static_cast<int>(len)) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out + n1, &n2) != 1 || static_cast<size_t>(n1 + n2) != len) {
    return Status::Fail("ERR_OPENSSL", "cipher operation failed");
  }
  return Status::Ok();
}

}  // namespace

Status TdesCbc(const Bytes& key, const Bytes& iv, const Bytes& data, bool encrypt, Bytes* out) {
  if (key.size() != 16 && key.size() != 24) return Status::Fail("ERR_MRTD_KEY_LENGTH", "3DES key must be 16 or 24 bytes");
  if (iv.size() != 8) return Status::Fail("ERR_MRTD_IV_LENGTH", "3DES IV must be 8 bytes");
  if (data.size() % 8 != 0) return Status::Fail("ERR_MRTD_BLOCK_LENGTH", "3DES data must be a multiple of 8 bytes");
  out->assign(data.size(), 0);
  if (data.empty()) return Status::Ok();
  return Cipher(key.size() == 16 ? "DES-EDE-CBC" : "DES-EDE3-CBC", key.data(), iv.data(), data.data(), data.size(),
                encrypt, out->data());
}

Status RetailMac(const Bytes& key, const Bytes& data, Bytes* out) {
  if (key.size() != 16) return Status::Fail("ERR_MRTD_KEY_LENGTH", "retail MAC key must be 16 bytes");
  if (data.empty() || data.size() % 8 != 0) {
    return Status::Fail("ERR_MRTD_BLOCK_LENGTH", "retail MAC data must be a non-empty multiple of 8 bytes");
  }
  uint8_t ka2[16];
  uint8_t kb2[16];
  for (int i = 0; i < 8; i++) {
    ka2[i] = ka2[i + 8] = key[i];
    kb2[i] = kb2[i + 8] = key[i + 8];
  }
  const uint8_t zero[8] = {0};
  Bytes cbc(data.size());
  Status s = Cipher("DES-EDE-CBC", ka2, zero, data.data(), data.size(), true, cbc.data());
  if (!s.ok()) return s;
  uint8_t h[8];
  uint8_t t[8];
  s = Cipher("DES-EDE-ECB", kb2, nullptr, cbc.data() + cbc.size() - 8, 8, false, t);
  if (!s.ok()) return s;
  s = Cipher("DES-EDE-ECB", ka2, nullptr, t, 8, true, h);
  if (!s.ok()) return s;
  out->assign(h, h + 8);
  return Status::Ok();
}

Status AesCmac(const Bytes& key, const Bytes& data, Bytes* out) {
  const char* cipher = key.size() == 16 ? "AES-128-CBC" : key.size() == 24 ? "AES-192-CBC" : key.size() == 32 ? "AES-256-CBC" : nullptr;
  if (!cipher) return Status::Fail("ERR_MRTD_KEY_LENGTH", "AES key must be 16, 24 or 32 bytes");
  std::unique_ptr<EVP_MAC, CtxFree> mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
  if (!mac) return Status::Fail("ERR_OPENSSL", "CMAC unavailable");
  std::unique_ptr<EVP_MAC_CTX, CtxFree> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return Status::Fail("ERR_OPENSSL", "CMAC context");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher), 0),
      OSSL_PARAM_construct_end(),
  };
  uint8_t tag[16];
  size_t n = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 || EVP_MAC_final(ctx.get(), tag, &n, sizeof tag) != 1 ||
      n != 16) {
    return Status::Fail("ERR_OPENSSL", "CMAC failed");
  }
  out->assign(tag, tag + 16);
  return Status::Ok();
}

}  // namespace mrtd
