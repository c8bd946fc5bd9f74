#pragma once
// Money as people read it: integer cents (what CT-1 records, the card's
// value block, the ledger and the control socket carry) shown as yuan with
// two decimals. It sits in protocol/ because cents are a wire quantity here,
// but in a target of its own (cardd_money) with no dependency at all, so the
// store, the daemon and cardctl all take it without the codecs' zlib and
// OpenSSL, and cardctl without the store.

#include <cstdint>
#include <string>

namespace cardd::protocol {

/// Cents as yuan with two decimals: 1250 -> "12.50", -30 -> "-0.30"; the
/// whole int64 range, its most negative value included.
std::string format_yuan(std::int64_t cents);

}  // namespace cardd::protocol
