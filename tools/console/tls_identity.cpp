#include "tools/console/tls_identity.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <system_error>

namespace cardd::console {

namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// A file created with `mode` whatever the umask, replacing none: the pair
/// is made once.
File create_file(const std::filesystem::path& path, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return nullptr;
    ::fchmod(fd, mode);
    return File(::fdopen(fd, "w"));
}

bool add_extension(X509* certificate, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

std::expected<void, std::string> make_self_signed(const std::filesystem::path& certificate_path,
                                                  const std::filesystem::path& key_path) {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) return std::unexpected("cannot make a P-256 key");
    Certificate certificate(X509_new());
    if (!certificate) return std::unexpected("cannot make a certificate");
    X509_set_version(certificate.get(), 2);
    // A random serial, so a pair made again is not mistaken for the old one.
    std::uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
        return std::unexpected("no random bytes for the certificate's serial");
    }
    ASN1_INTEGER_set_int64(X509_get_serialNumber(certificate.get()), static_cast<std::int64_t>(serial >> 1));
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(certificate.get(), key.get());
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("cardd-console"), -1,
                               -1, 0);
    X509_set_issuer_name(certificate.get(), name);
    if (!add_extension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
        !add_extension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(certificate.get(), NID_ext_key_usage, "serverAuth")) {
        return std::unexpected("cannot add the certificate's extensions");
    }
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0)
        return std::unexpected("cannot sign the certificate");

    File key_file = create_file(key_path, 0600);
    if (!key_file || PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return std::unexpected("cannot write the private key " + key_path.string());
    }
    File certificate_file = create_file(certificate_path, 0644);
    if (!certificate_file || PEM_write_X509(certificate_file.get(), certificate.get()) != 1) {
        return std::unexpected("cannot write the certificate " + certificate_path.string());
    }
    if (std::fflush(key_file.get()) != 0 || ::fsync(::fileno(key_file.get())) != 0 ||
        std::fflush(certificate_file.get()) != 0 || ::fsync(::fileno(certificate_file.get())) != 0) {
        return std::unexpected("cannot write the TLS pair to " + key_path.parent_path().string());
    }
    return {};
}

}  // namespace

std::expected<std::string, std::string> certificate_fingerprint(const std::filesystem::path& certificate_path) {
    File file(std::fopen(certificate_path.c_str(), "r"));
    if (!file) return std::unexpected("cannot read the certificate " + certificate_path.string());
    Certificate certificate(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
    if (!certificate) return std::unexpected(certificate_path.string() + " holds no PEM certificate");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(certificate.get(), EVP_sha256(), digest, &length) != 1) {
        return std::unexpected("cannot hash the certificate");
    }
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        if (i > 0) out += ':';
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0x0f];
    }
    return out;
}

std::expected<TlsIdentity, std::string> tls_identity(const std::filesystem::path& certificate,
                                                     const std::filesystem::path& private_key,
                                                     const std::filesystem::path& state_directory) {
    TlsIdentity identity{certificate, private_key, false, {}};
    if (certificate.empty()) {
        std::error_code error;
        std::filesystem::create_directories(state_directory, error);
        if (error) return std::unexpected("cannot make " + state_directory.string() + ": " + error.message());
        identity.certificate = state_directory / "console.crt";
        identity.private_key = state_directory / "console.key";
        const bool have_certificate = std::filesystem::exists(identity.certificate);
        const bool have_key = std::filesystem::exists(identity.private_key);
        if (have_certificate != have_key) {
            return std::unexpected("only one of " + identity.certificate.string() + " and " +
                                   identity.private_key.string() + " exists; remove it to have a new pair made");
        }
        if (!have_certificate) {
            if (auto made = make_self_signed(identity.certificate, identity.private_key); !made) {
                std::filesystem::remove(identity.certificate, error);
                std::filesystem::remove(identity.private_key, error);
                return std::unexpected(made.error());
            }
            identity.made_now = true;
        }
    }
    auto fingerprint = certificate_fingerprint(identity.certificate);
    if (!fingerprint) return std::unexpected(fingerprint.error());
    identity.fingerprint = std::move(*fingerprint);
    return identity;
}

}  // namespace cardd::console
