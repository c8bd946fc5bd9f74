#include "daemon/terminal_translation.hpp"

#include <limits>
#include <variant>

namespace cardd::daemon {

TerminalAddress terminal_address(const store::TerminalSpec& spec) {
    TerminalAddress address;
    address.name = spec.name;
    address.unit_id = spec.unit_id;
    if (const auto* tcp = std::get_if<store::TcpAddress>(&spec.address)) {
        address.address = TcpAddress{tcp->host, tcp->port};
    } else {
        const auto& rtu = std::get<store::RtuAddress>(spec.address);
        address.address = RtuAddress{rtu.device, rtu.baud, rtu.parity};
    }
    return address;
}

std::uint32_t wire_card(store::CardNo card) {
    if (card < 0 || card > std::numeric_limits<std::uint32_t>::max()) return 0;
    return static_cast<std::uint32_t>(card);
}

std::vector<std::uint32_t> wire_cards(const std::vector<store::CardNo>& cards) {
    std::vector<std::uint32_t> out;
    out.reserve(cards.size());
    for (const store::CardNo card : cards) out.push_back(wire_card(card));
    return out;
}

BlacklistBatch sync_batch(const store::BlacklistBatch& batch) {
    BlacklistBatch out;
    switch (batch.op) {
        case store::BatchOp::add: out.op = BatchOp::add; break;
        case store::BatchOp::remove: out.op = BatchOp::remove; break;
        case store::BatchOp::full: out.op = BatchOp::full; break;
    }
    out.base_version = batch.base_version;
    out.new_version = batch.new_version;
    out.cards = wire_cards(batch.cards);
    return out;
}

std::vector<BlacklistBatch> sync_batches(const std::vector<store::BlacklistBatch>& batches) {
    std::vector<BlacklistBatch> out;
    out.reserve(batches.size());
    for (const auto& batch : batches) out.push_back(sync_batch(batch));
    return out;
}

std::shared_ptr<const DesiredSet::Shared> SharedListCache::of(const store::EverywhereList& list) {
    if (!shared_ || source_ != list.cards) {
        shared_ = DesiredSet::share(wire_cards(*list.cards));
        source_ = list.cards;
    }
    return shared_;
}

DesiredSet desired_set(std::shared_ptr<const DesiredSet::Shared> shared, const store::TerminalExceptions& own) {
    return DesiredSet(std::move(shared), wire_cards(own.plus), wire_cards(own.minus));
}

store::TransactionRecord to_store(const protocol::TransactionRecord& record) {
    store::TransactionRecord out;
    out.seq = record.seq;
    out.card_no = record.card_no;
    out.amount = record.amount_cents;
    out.balance_after = record.balance_after;
    out.time = record.time;
    out.counter = record.counter;
    out.kind = static_cast<store::RecordKind>(record.kind);
    return out;
}

}  // namespace cardd::daemon
