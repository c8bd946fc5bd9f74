#pragma once
// The one place where the card centre's values become the terminal driver's
// and back: a registered terminal's address, its pending batches and desired
// set as SyncPlan carries them, and the records a terminal hands over as the
// store keeps them. The driver (daemon/terminal/) knows no store.

#include <cstdint>
#include <memory>
#include <vector>

#include "daemon/terminal/blacklist_batch.hpp"
#include "daemon/terminal/desired_set.hpp"
#include "daemon/terminal/terminal_address.hpp"
#include "protocol/record.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

/// Where the registered terminal is, in the driver's words.
TerminalAddress terminal_address(const store::TerminalSpec& spec);

/// A card number as CT-1 carries it; 0 (which the driver refuses to send)
/// for one that does not fit 32 bits, so it is refused, never truncated.
std::uint32_t wire_card(store::CardNo card);
std::vector<std::uint32_t> wire_cards(const std::vector<store::CardNo>& cards);

/// A batch written in the store, as the driver sends it.
BlacklistBatch sync_batch(const store::BlacklistBatch& batch);
std::vector<BlacklistBatch> sync_batches(const std::vector<store::BlacklistBatch>& batches);

/// The list everywhere as the driver shares it, converted once for as long
/// as the store hands out the same list (it does until the list changes).
class SharedListCache {
public:
    std::shared_ptr<const DesiredSet::Shared> of(const store::EverywhereList& list);

private:
    std::shared_ptr<const std::vector<store::CardNo>> source_;  // kept, so its address names it
    std::shared_ptr<const DesiredSet::Shared> shared_;
};

/// A terminal's desired set: the shared list with its own exceptions.
DesiredSet desired_set(std::shared_ptr<const DesiredSet::Shared> shared, const store::TerminalExceptions& own);

/// A record read from a terminal, as the store keeps it.
store::TransactionRecord to_store(const protocol::TransactionRecord& record);

}  // namespace cardd::daemon
