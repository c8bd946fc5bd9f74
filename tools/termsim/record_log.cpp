#include "tools/termsim/record_log.hpp"

#include <algorithm>

#include "protocol/registers.hpp"

namespace cardd::termsim {

bool RecordLog::append(protocol::TransactionRecord& record) {
    if (records_.size() >= max_held) return false;
    record.seq = next_;
    records_.push_back(record);
    ++next_;
    return true;
}

bool RecordLog::acknowledge(std::uint32_t seq) {
    const std::uint32_t new_oldest = std::max(oldest_, std::min(seq, next_));
    if (new_oldest == oldest_) return false;
    while (!records_.empty() && records_.front().seq < new_oldest) records_.pop_front();
    oldest_ = new_oldest;
    return true;
}

std::vector<protocol::TransactionRecord> RecordLog::window(std::uint32_t cursor) const {
    std::vector<protocol::TransactionRecord> out;
    if (cursor < oldest_ || cursor >= next_) return out;
    const std::size_t first = cursor - oldest_;
    const std::size_t count = std::min<std::size_t>(protocol::records::max_records_per_read, records_.size() - first);
    out.assign(records_.begin() + static_cast<std::ptrdiff_t>(first),
               records_.begin() + static_cast<std::ptrdiff_t>(first + count));
    return out;
}

std::expected<void, std::string> RecordLog::restore(std::uint32_t oldest, std::uint32_t next,
                                                    std::deque<protocol::TransactionRecord> records) {
    if (next < oldest)
        return std::unexpected("next seq " + std::to_string(next) + " is below oldest " + std::to_string(oldest));
    if (records.size() != next - oldest) {
        return std::unexpected("[oldest, next) = [" + std::to_string(oldest) + ", " + std::to_string(next) + ") but " +
                               std::to_string(records.size()) + " records");
    }
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].seq != oldest + i) {
            return std::unexpected("record " + std::to_string(i) + " has seq " + std::to_string(records[i].seq) +
                                   ", expected " + std::to_string(oldest + i));
        }
    }
    oldest_ = oldest;
    next_ = next;
    records_ = std::move(records);
    return {};
}

}  // namespace cardd::termsim
