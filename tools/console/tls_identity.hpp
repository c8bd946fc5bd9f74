#pragma once
// The console's TLS certificate and key: the pair the configuration names,
// or a self-signed pair made at the first start and kept in the state
// directory (key 0600), so the fingerprint a browser is told to trust stays
// the same across restarts.

#include <expected>
#include <filesystem>
#include <string>

namespace cardd::console {

struct TlsIdentity {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
    bool made_now = false;    ///< a self-signed pair was made by this start
    std::string fingerprint;  ///< SHA-256 of the certificate, "AB:CD:..."
};

/// The configured pair (both paths given), else `state_directory`'s
/// console.crt / console.key, made when absent (EC P-256, CN cardd-console,
/// names localhost and 127.0.0.1, ten years).
std::expected<TlsIdentity, std::string> tls_identity(const std::filesystem::path& certificate,
                                                     const std::filesystem::path& private_key,
                                                     const std::filesystem::path& state_directory);

/// SHA-256 fingerprint of the first certificate of a PEM file.
std::expected<std::string, std::string> certificate_fingerprint(const std::filesystem::path& certificate);

}  // namespace cardd::console
