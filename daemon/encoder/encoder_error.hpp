#pragma once
// Errors as values for everything between the daemon and a card: the USB
// transfer, the CCID layer, the reader's answer and the card's refusal.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace cardd::encoder {

enum class Errc {
    no_device,      ///< no reader with that vendor:product, or it went away
    usb_io,         ///< a transfer failed
    timeout,        ///< the reader did not answer in time
    garbled,        ///< the reader answered something CCID or the APDU layer does not allow
    no_card,        ///< no card on the reader
    card_removed,   ///< the card left the reader in the middle of an operation
    auth_failed,    ///< the card refused the key
    not_permitted,  ///< the card refused the operation (access bits)
    card_failed,    ///< the card or reader refused for another reason
    corrupt,        ///< a block read back is not what the card format allows
    storage,        ///< the simulated reader's card file cannot be read or written
};

struct Error {
    Errc code;
    std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

std::string_view to_string(Errc code) noexcept;

}  // namespace cardd::encoder
