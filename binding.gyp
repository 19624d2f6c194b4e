{
  # Native addons, built by node-gyp during `npm test`/`npm run demo` (scripts/setup.sh).
  # Warnings are errors. The Yocto recipe builds the same sources against its sysroot's
  # OpenSSL (use_system_openssl=1 is the only supported mode: the addon must use the
  # platform's FIPS-capable library, never a bundled copy). node-addon-api's headers come in
  # through -isystem so that our strict warning set applies to our code, not theirs.
  "variables": { "use_system_openssl%": 1 },
  "targets": [
    {
      "target_name": "mrtd",
      "sources": [
        "native/mrtd/addon.cc",
        "native/mrtd/core/bn.cc",
        "native/mrtd/core/ec.cc",
        "native/mrtd/core/iso9796.cc",
        "native/mrtd/core/sym.cc"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "OPENSSL_API_COMPAT=30000", "OPENSSL_NO_DEPRECATED"],
      "cflags_cc": ["-isystem", "<!(node -p \"require('path').resolve(require('node-addon-api').include_dir)\")", "-std=c++17", "-Wall", "-Wextra", "-Wshadow", "-Wconversion", "-Wno-sign-conversion", "-Werror", "-fvisibility=hidden"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lcrypto"]
    },
    {
      # Face matcher (issue 4): no system library. Kernels for AVX2/AVX-512 carry their own
      # target attributes and are chosen at run time, so the baseline flags stay generic.
      "target_name": "matcher",
      "sources": [
        "native/matcher/addon.cc",
        "native/matcher/core/format.cc",
        "native/matcher/core/gallery.cc",
        "native/matcher/core/kernels_neon.cc",
        "native/matcher/core/kernels_scalar.cc",
        "native/matcher/core/kernels_x86.cc",
        "native/matcher/core/pool.cc",
        "native/matcher/core/store.cc"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-isystem", "<!(node -p \"require('path').resolve(require('node-addon-api').include_dir)\")", "-std=c++17", "-O3", "-Wall", "-Wextra", "-Wshadow", "-Wconversion", "-Wno-sign-conversion", "-Werror", "-fvisibility=hidden", "-pthread"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
