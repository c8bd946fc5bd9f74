#include <algorithm>
#include <map>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

// A record that contradicts CT-1 is garbage from the terminal, not a fact:
// the whole read is refused so nothing of it lands.
Result<void> validate(const TransactionRecord& record) {
    const auto bad = [&](std::string_view why) {
        return fail(Errc::invalid_argument,
                    "transaction record " + std::to_string(record.seq) + ": " + std::string(why));
    };
    if (record.card_no <= 0) return bad("card number 0 is never valid");
    switch (record.kind) {
        case RecordKind::purchase:
            if (record.amount < 0) return bad("a purchase takes money from the card, its amount cannot be negative");
            break;
        case RecordKind::refund:
            if (record.amount > 0) return bad("a refund puts money back, its amount cannot be positive");
            break;
        case RecordKind::refused:
            if (record.amount != 0) return bad("a refusal moves no money, its amount must be 0");
            break;
        default: return bad("unknown record kind");
    }
    return {};
}

}  // namespace

Result<RecordsOutcome> CardStore::store_records(DeviceId terminal, std::span<const TransactionRecord> records) {
    for (const TransactionRecord& record : records) CARDD_TRY_VOID(validate(record));
    CARDD_TRY(
        outcome, transaction([&]() -> Result<RecordsOutcome> {
            CARDD_TRY(source, device(terminal));
            CARDD_TRY_VOID(fence(terminal));
            if (!source.terminal_serial) {
                return fail(Errc::conflict, "terminal '" + source.name +
                                                "' has no serial number on record yet; read its parameters first");
            }
            const std::int64_t serial = *source.terminal_serial;
            RecordsOutcome outcome;
            std::int64_t next_seq = source.records_next_seq;
            // A terminal's records name the same few cards again and again.
            std::map<CardNo, bool> known_cards;
            std::vector<TerminalEntry> entries;
            entries.reserve(records.size());
            for (const TransactionRecord& record : records) {
                next_seq = std::max(next_seq, std::int64_t{record.seq} + 1);
                // (serial, seq) is the key: a record stored before is refused
                // by it, and only that statement is undone.
                auto inserted =
                    execute(*db_,
                            "INSERT INTO transactions (terminal_serial, seq, terminal_id, card_no, amount, "
                            "balance_after, at, counter, kind, collected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            {serial, std::int64_t{record.seq}, terminal, record.card_no, std::int64_t{record.amount},
                             std::int64_t{record.balance_after}, record.time, std::int64_t{record.counter},
                             static_cast<std::int64_t>(record.kind), clock_()});
                if (!inserted && inserted.error().code == Errc::conflict) {
                    ++outcome.duplicates;
                    continue;
                }
                if (!inserted) return std::unexpected(inserted.error());
                ++outcome.stored;
                auto [cached, first_time] = known_cards.try_emplace(record.card_no, false);
                if (first_time) {
                    CARDD_TRY(found, query_one(*db_, "SELECT 1 FROM cards WHERE card_no = ?", {record.card_no}));
                    cached->second = found.has_value();
                }
                if (!cached->second) {
                    ++outcome.unmatched;
                    continue;
                }
                // The card's purse already changed at the terminal; the ledger follows it.
                if (record.kind == RecordKind::purchase) {
                    entries.push_back({record.card_no, LedgerKind::purchase, -std::int64_t{record.amount}});
                } else if (record.kind == RecordKind::refund) {
                    entries.push_back({record.card_no, LedgerKind::terminal_refund, -std::int64_t{record.amount}});
                }
            }
            CARDD_TRY_VOID(insert_terminal_entries(entries));
            CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET records_next_seq = ?, last_collected_at = ? WHERE id = ?",
                                   {next_seq, clock_(), terminal}));
            return outcome;
        }));
    // The records are stored whatever settling does: a write it cannot
    // settle now stays open for the next record or the card itself. Open
    // writes are rare, so they are read once, not once a card.
    auto open = open_writes();
    if (!open || open->empty()) return outcome;
    for (const WriteIntent& intent : *open) {
        const auto names = [&](const TransactionRecord& record) { return record.card_no == intent.card_no; };
        if (std::none_of(records.begin(), records.end(), names)) continue;
        auto settled = settle_by_records(intent.card_no);
        if (settled && *settled) outcome.settled.push_back(std::move(**settled));
    }
    return outcome;
}

Result<void> CardStore::mark_collected(std::span<const DeviceId> terminals) {
    return transaction([&]() -> Result<void> {
        const UnixTime now = clock_();
        for (const DeviceId terminal : terminals) {
            CARDD_TRY_VOID(fence(terminal));
            CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET last_collected_at = ? WHERE id = ?", {now, terminal}));
        }
        return {};
    });
}

// A terminal reads the card before it takes a purchase off it and records
// the counter as read and the balance after: so balance_after + amount and
// the counter are the card as it was, which is either the intent's card
// before the write or after it.
Result<std::optional<WriteIntent>> CardStore::settle_by_records(CardNo card_no) {
    CARDD_TRY(open, open_write_for_card(card_no));
    if (!open || open->card_no != card_no || !open->after.counter || !open->after.balance) {
        return std::optional<WriteIntent>{};
    }
    CARDD_TRY(rows, query(*db_,
                          "SELECT counter, balance_after + amount, terminal_serial, seq FROM transactions "
                          "WHERE card_no = ? AND kind IN (1, 2) ORDER BY collected_at, terminal_serial, seq",
                          {card_no}));
    const auto matches = [](const CardContent& content, std::int64_t counter, std::int64_t balance) {
        return content.counter && content.balance && (*content.counter & 0xFFFF) == counter &&
               *content.balance == balance;
    };
    for (const Row& row : rows) {
        const std::int64_t counter = as_int(row[0]);
        const std::int64_t balance = as_int(row[1]);
        const std::string record =
            "terminal " + std::to_string(as_int(row[2])) + " record " + std::to_string(as_int(row[3]));
        if (matches(open->after, counter, balance)) {
            CARDD_TRY(applied, apply_write(open->id, "the card was written: " + record +
                                                         " read it with the counter and balance the write left"));
            return std::optional<WriteIntent>{std::move(applied.intent)};
        }
        if (matches(open->before, counter, balance)) {
            CARDD_TRY(dropped, drop_write(open->id, "the card was not written: " + record +
                                                        " read it with the counter and balance it had before"));
            return std::optional<WriteIntent>{std::move(dropped)};
        }
    }
    return std::optional<WriteIntent>{};
}

Result<std::vector<StoredRecord>> CardStore::records(std::optional<CardNo> card_no) {
    std::string sql =
        "SELECT terminal_serial, seq, terminal_id, card_no, amount, balance_after, at, counter, kind, collected_at "
        "FROM transactions";
    std::vector<Value> params;
    if (card_no) {
        sql += " WHERE card_no = ?";
        params.emplace_back(*card_no);
    }
    sql += " ORDER BY collected_at, terminal_serial, seq";
    CARDD_TRY(rows, db_->query(sql, params));
    std::vector<StoredRecord> out;
    for (const Row& row : rows) {
        StoredRecord stored;
        stored.terminal_serial = static_cast<std::uint32_t>(as_int(row[0]));
        stored.record.seq = static_cast<std::uint32_t>(as_int(row[1]));
        stored.terminal_id = as_opt_int(row[2]);
        stored.record.card_no = as_int(row[3]);
        stored.record.amount = static_cast<std::int32_t>(as_int(row[4]));
        stored.record.balance_after = static_cast<std::uint32_t>(as_int(row[5]));
        stored.record.time = as_int(row[6]);
        stored.record.counter = static_cast<std::uint16_t>(as_int(row[7]));
        stored.record.kind = static_cast<RecordKind>(as_int(row[8]));
        stored.collected_at = as_int(row[9]);
        out.push_back(stored);
    }
    return out;
}

}  // namespace cardd::store
