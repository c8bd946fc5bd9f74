#pragma once
// The transaction records a terminal holds, [oldest, next), and the records
// window a reader sees at 0x0202 for a given cursor.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <expected>
#include <string>
#include <vector>

#include "protocol/record.hpp"

namespace cardd::termsim {

class RecordLog {
public:
    /// Seq of the first record a new terminal writes. 0 never names a record,
    /// so a collector may use it for "nothing collected yet".
    static constexpr std::uint32_t first_seq = 1;
    /// Records a terminal holds at most; taps are refused beyond this, since
    /// CT-1 keeps records until they are acknowledged.
    static constexpr std::size_t max_held = 100000;

    std::uint32_t oldest() const noexcept { return oldest_; }
    std::uint32_t next() const noexcept { return next_; }
    std::size_t held() const noexcept { return records_.size(); }
    const std::deque<protocol::TransactionRecord>& records() const noexcept { return records_; }

    /// Appends a record, giving it seq = next. False when the log is full.
    bool append(protocol::TransactionRecord& record);

    /// RECORDS_ACK: oldest = max(oldest, min(seq, next)); records below it
    /// are dropped. True when oldest moved.
    bool acknowledge(std::uint32_t seq);

    /// The records [cursor, cursor + k) that are held, k <= 10. Empty when
    /// the record at the cursor is not held (below oldest, or at/after next).
    std::vector<protocol::TransactionRecord> window(std::uint32_t cursor) const;

    /// Loads a saved log; refuses records that are not exactly [oldest, next).
    std::expected<void, std::string> restore(std::uint32_t oldest, std::uint32_t next,
                                             std::deque<protocol::TransactionRecord> records);

private:
    std::uint32_t oldest_ = first_seq;
    std::uint32_t next_ = first_seq;
    std::deque<protocol::TransactionRecord> records_;
};

}  // namespace cardd::termsim
